/**
 * A minimal classic-pcap and pcapng frame iterator for the tshark cross-check, independent of
 * src/capture on purpose: the decoders are checked against tshark without trusting our reader.
 * Test code: it reads the whole file and yields one view per frame.
 */
import { readFileSync } from 'node:fs';

/** One frame of a capture file: its bytes and the link type of its interface. */
export interface CapturedFrame {
  readonly bytes: Uint8Array;
  readonly linkType: number;
}

/** Every frame of a pcap or pcapng file, in file order. */
export function readFrames(path: string): CapturedFrame[] {
  const file = new Uint8Array(readFileSync(path));
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = view.getUint32(0, false);
  if (magic === 0x0a0d0d0a) return readPcapng(file, view);
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`${path}: not a pcap or pcapng file`);
  const linkType = view.getUint32(20, le) & 0x0fffffff;
  const frames: CapturedFrame[] = [];
  for (let o = 24; o + 16 <= file.length;) {
    const capLen = view.getUint32(o + 8, le);
    frames.push({ bytes: file.subarray(o + 16, o + 16 + capLen), linkType });
    o += 16 + capLen;
  }
  return frames;
}

function readPcapng(file: Uint8Array, view: DataView): CapturedFrame[] {
  const frames: CapturedFrame[] = [];
  let le = true;
  let linkTypes: number[] = [];
  for (let o = 0; o + 12 <= file.length;) {
    if (view.getUint32(o, false) === 0x0a0d0d0a) {
      le = view.getUint32(o + 8, true) === 0x1a2b3c4d;
      linkTypes = [];
    }
    const type = view.getUint32(o, le);
    const blockLen = view.getUint32(o + 4, le);
    if (type === 1) {
      linkTypes.push(view.getUint16(o + 8, le));
    } else if (type === 6) {
      const capLen = view.getUint32(o + 20, le);
      frames.push({ bytes: file.subarray(o + 28, o + 28 + capLen), linkType: linkTypes[view.getUint32(o + 8, le)] });
    } else if (type === 3) {
      const capLen = Math.min(view.getUint32(o + 8, le), blockLen - 16);
      frames.push({ bytes: file.subarray(o + 12, o + 12 + capLen), linkType: linkTypes[0] });
    }
    o += blockLen;
  }
  return frames;
}
