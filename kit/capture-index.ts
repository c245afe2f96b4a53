/**
 * An independent walk of a capture file's structures (the pcap file header and records; pcapng
 * blocks), for the corrupt-input harness: where each record or block starts and ends, which are
 * packets, and where their length and timestamp fields are. It knows the layouts
 * (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng) but none of the reader's code, so that the
 * harness can tell, without asking rstwatch, how many packets lie wholly before a given byte.
 *
 * It expects a sound file (a fixture, or a file the mutator wrote): it stops at the first record
 * or block that does not fit, and records whether bytes were left over (a last record cut short).
 */

/** One record or block of a capture file, `[start, end)` in bytes. */
export interface Structure {
  start: number;
  end: number;
  /** 'header' is the pcap file header; the others are pcapng block kinds or 'record' (pcap). */
  kind: 'header' | 'record' | 'shb' | 'idb' | 'epb' | 'opb' | 'spb' | 'block';
  /** A packet the reader hands on (a pcap record, an EPB, OPB or SPB). */
  packet: boolean;
  /** Byte order of the structure's fields. */
  le: boolean;
}

/** A capture file's structures in file order. */
export interface CaptureIndex {
  format: 'pcap' | 'pcapng';
  structures: Structure[];
  /** Packets among the structures. */
  packets: number;
  /** End of the first structure (the pcap file header, the first SHB): a cut before it is no capture. */
  headerEnd: number;
  /** Bytes after the last whole structure (a last record cut short). */
  leftover: number;
}

const PCAP_MAGICS = [0xa1b2c3d4, 0xa1b23c4d];
const SHB = 0x0a0d0d0a;
const BLOCK_KINDS: Record<number, Structure['kind']> = { 1: 'idb', 2: 'opb', 3: 'spb', 6: 'epb', [SHB]: 'shb' };

/** Walks `bytes`; throws when it is neither pcap nor pcapng. */
export function indexCapture(bytes: Buffer): CaptureIndex {
  if (bytes.length >= 4 && PCAP_MAGICS.includes(bytes.readUInt32LE(0))) return indexPcap(bytes, true);
  if (bytes.length >= 4 && PCAP_MAGICS.includes(bytes.readUInt32BE(0))) return indexPcap(bytes, false);
  if (bytes.length >= 12 && bytes.readUInt32LE(0) === SHB) return indexPcapng(bytes);
  throw new Error('not a pcap or pcapng file');
}

function indexPcap(bytes: Buffer, le: boolean): CaptureIndex {
  const u32 = (at: number): number => (le ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const structures: Structure[] = [{ start: 0, end: 24, kind: 'header', packet: false, le }];
  let at = 24;
  while (at + 16 <= bytes.length && at + 16 + u32(at + 8) <= bytes.length) {
    const end = at + 16 + u32(at + 8);
    structures.push({ start: at, end, kind: 'record', packet: true, le });
    at = end;
  }
  return { format: 'pcap', structures, packets: structures.length - 1, headerEnd: 24, leftover: bytes.length - at };
}

function indexPcapng(bytes: Buffer): CaptureIndex {
  const structures: Structure[] = [];
  let le = true;
  let at = 0;
  while (at + 12 <= bytes.length) {
    if (bytes.readUInt32LE(at) === SHB) le = bytes.readUInt32LE(at + 8) === 0x1a2b3c4d;
    const type = le ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at);
    const len = le ? bytes.readUInt32LE(at + 4) : bytes.readUInt32BE(at + 4);
    if (len < 12 || at + len > bytes.length) break;
    const kind = BLOCK_KINDS[type] ?? 'block';
    structures.push({ start: at, end: at + len, kind, packet: kind === 'epb' || kind === 'opb' || kind === 'spb', le });
    at += len;
  }
  return {
    format: 'pcapng',
    structures,
    packets: structures.filter((s) => s.packet).length,
    headerEnd: structures.length > 0 ? structures[0].end : 28,
    leftover: bytes.length - at,
  };
}

/** Length of the common prefix of `a` and `b`, in bytes. */
export function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Packets wholly within the first `bytes` bytes. */
export function packetsBefore(index: CaptureIndex, bytes: number): number {
  return index.structures.filter((s) => s.packet && s.end <= bytes).length;
}

/**
 * Start of the structure that holds byte `at`; past every whole structure, the end of the last
 * (where a record cut short, or bytes after the file, begin).
 */
export function structureStart(index: CaptureIndex, at: number): number {
  const s = index.structures.find((x) => x.end > at);
  if (s !== undefined) return s.start;
  return index.structures.length > 0 ? index.structures[index.structures.length - 1].end : 0;
}
