/**
 * The last evidence of each (port, outcome, cause), for `rstwatch diagnose` (the counts are in
 * cause-counts.ts): kept for the MAX_EVIDENCE_PORTS ports with the most recent failures; an older
 * port's evidence is dropped (its counts stay) and counted in `evictions`.
 *
 * Memory, by construction: a fixed table of MAX_EVIDENCE_PORTS slots, allocated once, with a
 * least-recently-used list in typed arrays (node-lru-cache's layout), per slot and (outcome,
 * cause) pair a time and a reference to one evidence line (`evidenceTableBytes`: 2.9 MiB), plus the
 * lines themselves (a sentence of the classifier, under 200 bytes; at most one per slot and pair,
 * in practice one or two per port). Nothing is allocated per port: a port scan, every failure on
 * a new port, reuses the slots of the oldest ports and drops only their lines.
 */

import { PORT_SPACE } from '../track/counters.js';

/** Ports whose last evidence is kept. */
export const MAX_EVIDENCE_PORTS = 4096;
/** Bytes budgeted per port with one (outcome, cause) pair: its line (about 50 measured for a scan's, test/causes/failure-causes.test.ts). */
export const EVIDENCE_BYTES_PER_PORT = 200;

const NIL = -1;

/** Bytes of the table for `pairs` pairs per port, without the lines: the port index, the list, a reference and a time per slot and pair. */
export function evidenceTableBytes(pairs: number): number {
  return PORT_SPACE * 4 + MAX_EVIDENCE_PORTS * (3 * 4 + pairs * (8 + 8));
}

/** The last evidence of one (port, outcome, cause); its count is in the counts. */
export interface CauseEvidence {
  evidence: string;
  lastSeenMs: number;
}

/** See the module comment. */
export class CauseEvidenceStore {
  /** Ports whose evidence was dropped to keep MAX_EVIDENCE_PORTS (their counts stay). */
  evictions = 0;
  /** Pairs per slot (outcome x cause). */
  private readonly pairs: number;
  /** port -> slot, NIL when the port has none. */
  private readonly slotOfPort = new Int32Array(PORT_SPACE).fill(NIL);
  private readonly portOfSlot = new Int32Array(MAX_EVIDENCE_PORTS).fill(NIL);
  /** The least-recently-used list: `head` the oldest slot, `tail` the newest. */
  private readonly prev = new Int32Array(MAX_EVIDENCE_PORTS).fill(NIL);
  private readonly next = new Int32Array(MAX_EVIDENCE_PORTS).fill(NIL);
  private head = NIL;
  private tail = NIL;
  /** Slots used so far (they are taken in order, then reused oldest first). */
  private used = 0;
  /** [slot * pairs + pair]: the line, and when it was last seen (ms; 0: none). */
  private readonly lines: (string | undefined)[];
  private readonly seenMs: Float64Array;

  /** @param pairs (outcome, cause) pairs a port may have evidence for */
  constructor(pairs: number) {
    this.pairs = pairs;
    this.lines = new Array<string | undefined>(MAX_EVIDENCE_PORTS * pairs).fill(undefined);
    this.seenMs = new Float64Array(MAX_EVIDENCE_PORTS * pairs);
  }

  /** The last evidence of `pair` (an outcome and cause index, as the caller numbers them) on `port`. */
  get(port: number, pair: number): CauseEvidence | undefined {
    const s = this.slotOfPort[port];
    if (s === NIL) return undefined;
    const line = this.lines[s * this.pairs + pair];
    return line === undefined ? undefined : { evidence: line, lastSeenMs: this.seenMs[s * this.pairs + pair] };
  }

  /** The latest time any evidence of `port` was seen, ms; 0 when none is kept. */
  lastSeenMs(port: number): number {
    const s = this.slotOfPort[port];
    if (s === NIL) return 0;
    let latest = 0;
    for (let i = s * this.pairs; i < (s + 1) * this.pairs; i++) latest = Math.max(latest, this.seenMs[i]);
    return latest;
  }

  /** Keeps `evidence` as the last of `pair` on `port`, seen at `atMs`; `port` becomes the most recent. */
  remember(port: number, pair: number, evidence: string, atMs: number): void {
    let s = this.slotOfPort[port];
    if (s === NIL) s = this.claim(port);
    else this.unlink(s);
    this.append(s);
    const at = s * this.pairs + pair;
    // An unchanged line keeps its string: a flood on one port holds one.
    if (this.lines[at] !== evidence) this.lines[at] = evidence;
    this.seenMs[at] = Math.max(this.seenMs[at], atMs);
  }

  /** A slot for `port`: an unused one, or the oldest port's, whose evidence is dropped. */
  private claim(port: number): number {
    let s: number;
    if (this.used < MAX_EVIDENCE_PORTS) s = this.used++;
    else {
      s = this.head;
      this.unlink(s);
      this.slotOfPort[this.portOfSlot[s]] = NIL;
      this.lines.fill(undefined, s * this.pairs, (s + 1) * this.pairs);
      this.seenMs.fill(0, s * this.pairs, (s + 1) * this.pairs);
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
