/**
 * Classic pcap savefile layout: draft-ietf-opsawg-pcap (section numbers below) and tcpdump's
 * pcap-savefile(5). Every multi-byte field is in the byte order of the writing host, which the
 * magic number tells.
 */

/** Magic of a file whose record timestamps are seconds + microseconds (section 4, Magic Number). */
export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
/** Magic of a file whose record timestamps are seconds + nanoseconds (section 4, Magic Number). */
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;

/** File header length in bytes (section 4, figure 1). */
export const PCAP_FILE_HEADER_LEN = 24;
/** File header: byte offset of the 32-bit magic number. */
export const PCAP_HDR_MAGIC = 0;
/** File header: byte offset of the 16-bit major version (2). */
export const PCAP_HDR_VERSION_MAJOR = 4;
/** File header: byte offset of the 16-bit minor version (4). */
export const PCAP_HDR_VERSION_MINOR = 6;
/** File header: byte offset of the 32-bit SnapLen, the most bytes captured per packet (0 in some files). */
export const PCAP_HDR_SNAPLEN = 16;
/** File header: byte offset of the 32-bit LinkType and additional information field. */
export const PCAP_HDR_LINKTYPE = 20;
/**
 * The LinkType proper is the low 16 bits of that field (section 4, LinkType); bits 16-31 may hold
 * the FCS length and its flag (section 4, FCS len / F), which are deliberately ignored.
 */
export const PCAP_LINKTYPE_MASK = 0xffff;

/** Packet record header length in bytes (section 5, figure 2). */
export const PCAP_RECORD_HEADER_LEN = 16;
/** Record header: byte offset of the 32-bit timestamp, whole seconds. */
export const PCAP_REC_TS_SEC = 0;
/** Record header: byte offset of the 32-bit timestamp fraction (micro- or nanoseconds, per the magic). */
export const PCAP_REC_TS_FRAC = 4;
/** Record header: byte offset of the 32-bit Captured Packet Length, in bytes. */
export const PCAP_REC_CAP_LEN = 8;
/** Record header: byte offset of the 32-bit Original Packet Length, in bytes. */
export const PCAP_REC_ORIG_LEN = 12;

/**
 * Largest captured length, in bytes, accepted whatever the snaplen says: libpcap's
 * MAXIMUM_SNAPLEN. Some writers put 0 or a small value in SnapLen and still write full frames,
 * so a record is absurd only when it exceeds both this and the file's SnapLen.
 */
export const PCAP_MAX_SNAPLEN_FLOOR = 262_144;
