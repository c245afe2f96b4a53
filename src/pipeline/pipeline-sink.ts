/**
 * The frame sink both commands feed: replay from capture files (pipeline/replay.ts), live from a
 * libpcap capture (live/daemon.ts).
 */
import type { FrameSink } from '../capture/frame-sink.js';
import type { Tracker } from '../track/tracker.js';
import { decodeFrame } from '../wire/decode-frame.js';
import { DecodedPacket } from '../wire/decoded-packet.js';
import { DECODE_STATUS_COUNT, DecodeStatus } from '../wire/status.js';
import { isUntrackedTcpSegment } from '../wire/untracked-segment.js';

/**
 * The frame sink of the pipeline: decodes each frame into one reused `DecodedPacket`, counts its
 * status, and feeds decoded TCP and ICMP frames to the tracker. Live capture reuses it.
 */
export class PipelineSink implements FrameSink {
  /** Frames seen. */
  packets = 0;
  /** Frames per `DecodeStatus`, indexed by status. */
  readonly statusCounts = new Float64Array(DECODE_STATUS_COUNT);
  /** Earliest capture time seen, seconds (Infinity before the first frame). */
  firstTs = Infinity;
  /** Latest capture time seen, seconds (-Infinity before the first frame). */
  lastTs = -Infinity;
  /** Frames whose timestamp is earlier than the one before (non-monotonic captures). */
  timestampRegressions = 0;

  private readonly packet = new DecodedPacket();
  private prevTs = -Infinity;

  constructor(readonly tracker: Tracker) {}

  onFrame(buf: Uint8Array, offset: number, capLen: number, _origLen: number, tsSec: number, tsNsec: number, linkType: number): void {
    this.packets++;
    const ts = tsSec + tsNsec * 1e-9;
    if (ts < this.prevTs) this.timestampRegressions++;
    else if (ts > this.lastTs) this.lastTs = ts;
    if (ts < this.firstTs) this.firstTs = ts;
    this.prevTs = ts;
    // Data, ACKs and FINs of common layouts: counted as the decoder would count them, not decoded
    // (the tracker ignores them; the live BPF filter drops them in the kernel).
    if (isUntrackedTcpSegment(buf, offset, capLen, linkType)) {
      this.statusCounts[DecodeStatus.OK_TCP]++;
      return;
    }
    const status = decodeFrame(buf, offset, capLen, linkType, this.packet);
    this.statusCounts[status]++;
    if (status <= DecodeStatus.OK_ICMP_UNREACH) {
      // The time goes through the tracker's clock, not as an argument (an allocation when V8 does not inline the call).
      const clock = this.tracker.clock;
      clock[0] = ts;
      clock[1] = tsSec;
      clock[2] = tsNsec;
      this.tracker.handle(this.packet);
    }
  }
}
