/**
 * The cause engine's waiting failures, grouped (failure-causes.ts says what a group is): a ring of
 * `capacity` groups in arrival order, each group's fields at its slot in typed arrays sized once at
 * construction. Nothing is allocated per failure or per group; a port scan, every failure a group
 * of its own, fills slots, not the heap.
 *
 * Memory: GROUP_BYTES per slot (about 3.5 MiB for the default 65,536 groups), allocated at
 * construction; the system maps the pages of a slot when it is first written.
 */

/** Bytes per group slot: kind, suspect (1 each), port (2), server (16), before, after (4 each), first SYN, latest failure, count (8 each). */
export const GROUP_BYTES = 1 + 1 + 2 + 16 + 4 + 4 + 8 + 8 + 8;

/** See the module comment. Fields are public for the engine; `slot(i)` is the i-th group in arrival order. */
export class FailureGroups {
  /** Groups held at most. */
  readonly capacity: number;
  /** A FailureKind per slot. */
  readonly kind: Uint8Array;
  /** 1 when the group's refusals were found suspect. */
  readonly suspect: Uint8Array;
  readonly port: Uint16Array;
  /** Server address, four words per slot. */
  readonly server: Uint32Array;
  /** Absolute index of the read before (-1: none) and of the read after (may not exist yet). */
  readonly before: Int32Array;
  readonly after: Int32Array;
  /** Capture time of the first SYN of the group's first failure, ms. */
  readonly synMs: Float64Array;
  /** Capture time of the group's latest failure, ms. */
  readonly atMs: Float64Array;
  /** Failures in the group not decided yet (0: decided, its slot may be reused). */
  readonly count: Float64Array;
  /** Groups held now. */
  length = 0;
  private head = 0;

  /** @param capacity groups held at most (>= 1) */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`failure group capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.kind = new Uint8Array(capacity);
    this.suspect = new Uint8Array(capacity);
    this.port = new Uint16Array(capacity);
    this.server = new Uint32Array(capacity * 4);
    this.before = new Int32Array(capacity);
    this.after = new Int32Array(capacity);
    this.synMs = new Float64Array(capacity);
    this.atMs = new Float64Array(capacity);
    this.count = new Float64Array(capacity);
  }

  /** The slot of the i-th group in arrival order (0: the oldest). */
  slot(i: number): number {
    const s = this.head + i;
    return s < this.capacity ? s : s - this.capacity;
  }

  /** The slot of the newest group, or -1 when there is none. */
  newest(): number {
    return this.length === 0 ? -1 : this.slot(this.length - 1);
  }

  /** Appends a group (the ring must not be full) and returns its slot, its count 0. */
  push(): number {
    if (this.length >= this.capacity) throw new RangeError('failure group ring is full');
    const s = this.slot(this.length++);
    this.count[s] = 0;
    return s;
  }

  /** Takes the oldest group off the ring (it must not be empty) and returns its slot; its fields stay readable until the next push. */
  shift(): number {
    const s = this.head;
    this.head = this.slot(1);
    this.length--;
    return s;
  }

  /** Copies every field of slot `from` to slot `to`. */
  copy(from: number, to: number): void {
    this.kind[to] = this.kind[from];
    this.suspect[to] = this.suspect[from];
    this.port[to] = this.port[from];
    this.server.copyWithin(to * 4, from * 4, from * 4 + 4);
    this.before[to] = this.before[from];
    this.after[to] = this.after[from];
    this.synMs[to] = this.synMs[from];
    this.atMs[to] = this.atMs[from];
    this.count[to] = this.count[from];
  }

  /**
   * Keeps, in order, the groups for which `keep(slot)` is true (called once per group, oldest
   * first); `moved(from, to)` is told of each kept group whose slot changed.
   */
  retain(keep: (slot: number) => boolean, moved: (from: number, to: number) => void): void {
    let kept = 0;
    for (let i = 0; i < this.length; i++) {
      const s = this.slot(i);
      if (!keep(s)) continue;
      const to = this.slot(kept++);
      if (to !== s) {
        this.copy(s, to);
        moved(s, to);
      }
    }
    this.length = kept;
  }
}
