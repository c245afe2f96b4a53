/**
 * The last evidence of each (port, outcome, cause), for `rstwatch diagnose` (the counts are in
 * cause-counts.ts): kept for the MAX_EVIDENCE_PORTS ports with the most recent failures, and for
 * the LINES_PER_PORT most recent (outcome, cause) pairs of each; an older port's evidence is
 * dropped (its counts stay) and counted in `evictions`, an older pair's line is replaced.
 *
 * Memory, by construction: a fixed table of MAX_EVIDENCE_PORTS slots of LINES_PER_PORT lines,
 * allocated once, with a least-recently-used list of ports in typed arrays (node-lru-cache's
 * layout): `evidenceTableBytes()`, about 0.5 MiB; plus the lines themselves, each cut to
 * MAX_LINE_CHARS characters (EVIDENCE_LINE_BYTES at most). Nothing is allocated per port: a port
 * scan, every failure on a new port, reuses the slots of the oldest ports and drops only their
 * lines.
 */
import { PORT_SPACE } from '../track/counters.js';

/** Ports whose last evidence is kept. */
export const MAX_EVIDENCE_PORTS = 4096;
/** (outcome, cause) pairs of a port whose last line is kept. */
export const LINES_PER_PORT = 4;
/** Characters of a line kept (a wrong_bind line lists the port's listeners: it is cut). */
export const MAX_LINE_CHARS = 240;
/** Bytes of a kept line at most: two bytes a character (V8's two-byte strings) and the string's header. */
export const EVIDENCE_LINE_BYTES = 2 * MAX_LINE_CHARS + 32;

const NIL = -1;

/** Bytes of the table, without the lines: the port index, the list, per line its pair, reference and time, and the objects' headers. */
export function evidenceTableBytes(): number {
  return PORT_SPACE * 4 + MAX_EVIDENCE_PORTS * (3 * 4 + LINES_PER_PORT * (2 + 8 + 8)) + 4096;
}

/** The last evidence of one (port, outcome, cause); its count is in the counts. */
export interface CauseEvidence {
  evidence: string;
  lastSeenMs: number;
}

/** `line` cut to MAX_LINE_CHARS characters. */
function cut(line: string): string {
  return line.length <= MAX_LINE_CHARS ? line : `${line.slice(0, MAX_LINE_CHARS - 1)}…`;
}

/** See the module comment. */
export class CauseEvidenceStore {
  /** Ports whose evidence was dropped to keep MAX_EVIDENCE_PORTS (their counts stay). */
  evictions = 0;
  /** port -> slot, NIL when the port has none. */
  private readonly slotOfPort = new Int32Array(PORT_SPACE).fill(NIL);
  private readonly portOfSlot = new Int32Array(MAX_EVIDENCE_PORTS).fill(NIL);
  /** The least-recently-used list of slots: `head` the oldest, `tail` the newest. */
  private readonly prev = new Int32Array(MAX_EVIDENCE_PORTS).fill(NIL);
  private readonly next = new Int32Array(MAX_EVIDENCE_PORTS).fill(NIL);
  private head = NIL;
  private tail = NIL;
  /** Slots used so far (taken in order, then reused oldest first). */
  private used = 0;
  /** [slot * LINES_PER_PORT + k]: the pair (NIL: none), its line and when it was last seen (ms). */
  private readonly pairs = new Int16Array(MAX_EVIDENCE_PORTS * LINES_PER_PORT).fill(NIL);
  private readonly lines: (string | undefined)[] = new Array<string | undefined>(MAX_EVIDENCE_PORTS * LINES_PER_PORT).fill(undefined);
  private readonly seenMs = new Float64Array(MAX_EVIDENCE_PORTS * LINES_PER_PORT);

  /** The last evidence of `pair` (an outcome and cause index, as the caller numbers them) on `port`. */
  get(port: number, pair: number): CauseEvidence | undefined {
    const at = this.find(port, pair);
    return at === NIL ? undefined : { evidence: this.lines[at] as string, lastSeenMs: this.seenMs[at] };
  }

  /** The latest time any evidence of `port` was seen, ms; 0 when none is kept. */
  lastSeenMs(port: number): number {
    const s = this.slotOfPort[port];
    if (s === NIL) return 0;
    let latest = 0;
    for (let k = s * LINES_PER_PORT; k < (s + 1) * LINES_PER_PORT; k++) latest = Math.max(latest, this.seenMs[k]);
    return latest;
  }

  /**
   * Keeps `evidence` as the last of `pair` on `port`, seen at `times[at]` (ms); `port` becomes the
   * most recent, and the pair takes the line of its port's least recent pair when all are taken.
   * The time is read from the caller's array, not handed over: an unanswered flood remembers a line
   * for every failure, and a double handed to a call V8 does not inline is boxed.
   */
  remember(port: number, pair: number, evidence: string, times: Readonly<Float64Array>, at: number): void {
    let s = this.slotOfPort[port];
    if (s === NIL) s = this.claim(port);
    else this.unlink(s);
    this.append(s);
    let line = this.find(port, pair);
    if (line === NIL) {
      // A free line, else the least recently seen.
      for (let k = s * LINES_PER_PORT; k < (s + 1) * LINES_PER_PORT; k++) {
        if (this.pairs[k] === NIL) {
          line = k;
          break;
        }
        if (line === NIL || this.seenMs[k] < this.seenMs[line]) line = k;
      }
      this.pairs[line] = pair;
      this.seenMs[line] = 0;
      this.lines[line] = undefined;
    }
    // An unchanged line keeps its string: a flood on one port holds one.
    if (this.lines[line] !== evidence) this.lines[line] = cut(evidence);
    this.seenMs[line] = Math.max(this.seenMs[line], times[at]);
  }

  /** Where `pair`'s line of `port` is, or NIL. */
  private find(port: number, pair: number): number {
    const s = this.slotOfPort[port];
    if (s === NIL) return NIL;
    for (let k = s * LINES_PER_PORT; k < (s + 1) * LINES_PER_PORT; k++) if (this.pairs[k] === pair) return k;
    return NIL;
  }

  /** A slot for `port`: an unused one, or the oldest port's, whose evidence is dropped. */
  private claim(port: number): number {
    let s: number;
    if (this.used < MAX_EVIDENCE_PORTS) s = this.used++;
    else {
      s = this.head;
      this.unlink(s);
      this.slotOfPort[this.portOfSlot[s]] = NIL;
      this.pairs.fill(NIL, s * LINES_PER_PORT, (s + 1) * LINES_PER_PORT);
      this.lines.fill(undefined, s * LINES_PER_PORT, (s + 1) * LINES_PER_PORT);
      this.seenMs.fill(0, s * LINES_PER_PORT, (s + 1) * LINES_PER_PORT);
      this.evictions++;
    }
    this.slotOfPort[port] = s;
    this.portOfSlot[s] = port;
    return s;
  }

  private unlink(s: number): void {
    const p = this.prev[s];
    const n = this.next[s];
    if (p === NIL) this.head = n;
    else this.next[p] = n;
    if (n === NIL) this.tail = p;
    else this.prev[n] = p;
    this.prev[s] = NIL;
    this.next[s] = NIL;
  }

  private append(s: number): void {
    this.prev[s] = this.tail;
    if (this.tail === NIL) this.head = s;
    else this.next[this.tail] = s;
    this.tail = s;
  }
}
