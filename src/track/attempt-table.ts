/**
 * The attempt table: a fixed-capacity hash table of connection attempts keyed by the 4-tuple,
 * kept entirely in typed arrays sized once at construction (node-lru-cache keeps its lists the
 * same way). Nothing is allocated after the constructor returns.
 *
 * Layout:
 * - an entry pool of `capacity` slots; a slot's fields live at the same index in every array;
 * - `buckets` (a power of two >= 2 x capacity) holds the first slot of each hash chain, chained
 *   through `chainNext`; free slots are chained through `chainNext` too;
 * - every used slot is on exactly one of two intrusive doubly linked lists, kept in the order
 *   slots joined them: `pending` (attempts waiting for an answer, oldest first) and `resolved`
 *   (answered attempts lingering so that a retransmitted SYN or a late answer can still be
 *   matched). Expiry and eviction take the head of a list: O(1), no sweep.
 *
 * A key is nine 32-bit words: client address (4), server address (4), then
 * `clientPort << 16 | serverPort`. Addresses are the four-word form of `DecodedPacket`.
 *
 * Time is `clock[0]`, set by the tracker for each packet (and expiry): `insert`, `markResolved` and
 * `restartPending` stamp the slot with it. A shared clock rather than an argument: a double handed
 * to a call V8 does not inline is boxed, an allocation per packet.
 */

import { randomBytes } from 'node:crypto';
import { IPV4_MAPPED_WORD2 } from '../wire/decoded-packet.js';
import type { AttemptView } from './attempt-view.js';

/** Words per key: client address, server address, ports. */
const KEY_WORDS = 9;

/**
 * Bytes per slot, all allocated at construction: the key (36), times (16), ISNs (8), state,
 * direction, early-reset and list flags (4), hash, chain and list links (16), and two hash buckets
 * (8: the bucket array is the power of two at or above twice the capacity, so up to four).
 * test/track/tracker.test.ts holds it to the arrays.
 */
export const ATTEMPT_TABLE_BYTES_PER_SLOT = KEY_WORDS * 4 + 2 * 8 + 2 * 4 + 4 + 4 * 4 + 2 * 4;

/** Attempt states. `Free` marks an unused slot. */
export const AttemptState = {
  Free: 0,
  /** SYN seen, no answer yet. */
  Pending: 1,
  /** Answered by SYN+ACK. */
  Accepted: 2,
  /** Answered by RST. */
  Refused: 3,
  /** Answered by an ICMP unreachable. */
  IcmpRejected: 4,
} as const;

const LIST_NONE = 0;
const LIST_PENDING = 1;
const LIST_RESOLVED = 2;
const NIL = -1;

/**
 * Hash of a key given as its parts (two addresses of four words and two ports), seeded per table (a random seed makes chains that an
 * attacker could lengthen with crafted tuples hard to predict). An IPv4 pair (both addresses
 * IPv4-mapped, the common case) mixes three words; anything else mixes all nine.
 */
export function hashKey(seed: number, c: Uint32Array, cPort: number, s: Uint32Array, sPort: number): number {
  let h = seed;
  // Each word goes to `mix` signed (`| 0`, the same bits): a word above 2^31 handed to a call V8
  // does not inline is boxed, an allocation per packet (how much V8 inlines varies from run to run).
  if ((c[0] | c[1] | s[0] | s[1]) !== 0 || c[2] !== IPV4_MAPPED_WORD2 || s[2] !== IPV4_MAPPED_WORD2) {
    h = mix(h, c[0] | 0);
    h = mix(h, c[1] | 0);
    h = mix(h, c[2] | 0);
    h = mix(h, s[0] | 0);
    h = mix(h, s[1] | 0);
    h = mix(h, s[2] | 0);
  }
  h = mix(h, c[3] | 0);
  h = mix(h, s[3] | 0);
  h = mix(h, (cPort << 16) | sPort);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  // A signed 32-bit result (`| 0`, not `>>> 0`): a value above 2^31 returned from a call V8 does
  // not inline is boxed, an allocation per packet; the bucket mask and the Int32Array of hashes
  // read it alike.
  return h | 0;
}

function mix(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Fixed-capacity table of attempts; see the module comment. */
export class AttemptTable {
  /** Maximum number of attempts held at once. */
  readonly capacity: number;
  /** Attempts held now. */
  size = 0;

  /** Key words, `KEY_WORDS` per slot. */
  readonly keys: Uint32Array;
  /** `AttemptState` per slot. */
  readonly state: Uint8Array;
  /** Direction code per slot (see track/direction.ts). */
  readonly direction: Uint8Array;
  /** Initial sequence number of the attempt's first SYN. */
  readonly isn: Uint32Array;
  /** Capture time of the attempt's first SYN, seconds since the epoch. */
  readonly firstSynTs: Float64Array;
  /** Capture time the slot joined its current list (the SYN for pending, the answer for resolved). */
  readonly listTs: Float64Array;
  /** The server's ISN, from its SYN-ACK (accepted attempts). */
  readonly serverIsn: Uint32Array;
  /** 1 once an early reset was counted for the attempt. */
  readonly earlyReset: Uint8Array;

  /** The hash of the key the last `find` looked up (signed 32-bit, as `hashes` holds it). */
  foundHash = 0;

  /**
   * `clock[0]`: the tracker's time, capture seconds (the packet being handled, or the expiry being
   * run). `clock[1]`, `clock[2]`: the packet's capture time as the capture gave it, whole seconds and
   * nanoseconds, exact where the double of `clock[0]` holds an epoch time to about 0.24 us; set by
   * the frame sink (pipeline-sink.ts), NaN until it does.
   */
  readonly clock = Float64Array.of(0, Number.NaN, Number.NaN);

  /** The read-only view of this table that the tracker's event consumers get. */
  readonly view: AttemptView = new TableView(this);

  /** Oldest pending slot, or -1. */
  pendingHead = NIL;
  /** Oldest resolved slot, or -1. */
  resolvedHead = NIL;

  private pendingTail = NIL;
  private resolvedTail = NIL;
  private freeHead: number;
  private readonly bucketMask: number;
  private readonly buckets: Int32Array;
  private readonly seed = randomBytes(4).readUInt32LE(0) | 0;
  private readonly chainNext: Int32Array;
  private readonly hashes: Int32Array;
  private readonly listPrev: Int32Array;
  private readonly listNext: Int32Array;
  private readonly listId: Uint8Array;

  /** @param capacity maximum attempts held at once (>= 1) */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`attempt table capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    let buckets = 16;
    while (buckets < capacity * 2) buckets *= 2;
    this.bucketMask = buckets - 1;
    this.buckets = new Int32Array(buckets).fill(NIL);
    this.keys = new Uint32Array(capacity * KEY_WORDS);
    this.state = new Uint8Array(capacity);
    this.direction = new Uint8Array(capacity);
    this.isn = new Uint32Array(capacity);
    this.firstSynTs = new Float64Array(capacity);
    this.listTs = new Float64Array(capacity);
    this.serverIsn = new Uint32Array(capacity);
    this.earlyReset = new Uint8Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.chainNext = new Int32Array(capacity);
    this.listPrev = new Int32Array(capacity).fill(NIL);
    this.listNext = new Int32Array(capacity).fill(NIL);
    this.listId = new Uint8Array(capacity);
    for (let i = 0; i < capacity - 1; i++) this.chainNext[i] = i + 1;
    this.chainNext[capacity - 1] = NIL;
    this.freeHead = 0;
  }

  /** True when no slot is free: the caller must evict before `insert`. */
  isFull(): boolean {
    return this.freeHead === NIL;
  }

  /**
   * Slot of the attempt with this key, or -1. Leaves the key's hash in `foundHash` for an `insert`
   * of the same key that follows.
   */
  find(c: Uint32Array, cPort: number, s: Uint32Array, sPort: number): number {
    const ports = ((cPort << 16) | sPort) >>> 0;
    const keys = this.keys;
    const hashes = this.hashes;
    const h = hashKey(this.seed, c, cPort, s, sPort);
    this.foundHash = h;
    let i = this.buckets[h & this.bucketMask];
    while (i !== NIL) {
      const k = i * KEY_WORDS;
      // The hash first: `hashes` (4 bytes a slot) is far more likely in cache than the key (36),
      // so a chain's other tuples mostly cost no read of their keys.
      if (
        hashes[i] === h &&
        keys[k + 8] === ports &&
        keys[k + 3] === c[3] &&
        keys[k + 7] === s[3] &&
        keys[k] === c[0] &&
        keys[k + 1] === c[1] &&
        keys[k + 2] === c[2] &&
        keys[k + 4] === s[0] &&
        keys[k + 5] === s[1] &&
        keys[k + 6] === s[2]
      ) {
        return i;
      }
      i = this.chainNext[i];
    }
    return NIL;
  }

  /**
   * Adds a pending attempt with this key (which must not be in the table), its first SYN now
   * (`clock[0]`), and returns its slot. The key must be the one the last `find` looked up and found
   * absent (the tracker always looks first; `remove` in between is fine): its hash is taken from
   * there (`foundHash`), not computed twice.
   * The table must not be full (see `isFull`).
   */
  insert(c: Uint32Array, cPort: number, s: Uint32Array, sPort: number): number {
    const ts = this.clock[0];
    const h = this.foundHash;
    const i = this.freeHead;
    // The caller evicts first; a full table here is a bug in the caller, not bad input.
    if (i === NIL) throw new Error('AttemptTable.insert on a full table');
    this.freeHead = this.chainNext[i];
    const b = h & this.bucketMask;
    this.hashes[i] = h;
    this.chainNext[i] = this.buckets[b];
    this.buckets[b] = i;
    const k = i * KEY_WORDS;
    const keys = this.keys;
    keys[k] = c[0];
    keys[k + 1] = c[1];
    keys[k + 2] = c[2];
    keys[k + 3] = c[3];
    keys[k + 4] = s[0];
    keys[k + 5] = s[1];
    keys[k + 6] = s[2];
    keys[k + 7] = s[3];
    keys[k + 8] = ((cPort << 16) | sPort) >>> 0;
    this.state[i] = AttemptState.Pending;
    this.firstSynTs[i] = ts;
    this.size++;
    this.appendPending(i);
    return i;
  }

  /** Removes the attempt in slot `i` from the table and frees the slot. */
  remove(i: number): void {
    this.unlinkList(i);
    const b = this.hashes[i] & this.bucketMask;
    let p = this.buckets[b];
    if (p === i) {
      this.buckets[b] = this.chainNext[i];
    } else {
      while (p !== NIL && this.chainNext[p] !== i) p = this.chainNext[p];
      if (p !== NIL) this.chainNext[p] = this.chainNext[i];
    }
    this.state[i] = AttemptState.Free;
    this.chainNext[i] = this.freeHead;
    this.freeHead = i;
    this.size--;
  }

  /** Moves slot `i` to the tail of the resolved list (answered now: `clock[0]`). */
  markResolved(i: number, state: number): void {
    const ts = this.clock[0];
    this.unlinkList(i);
    this.state[i] = state;
    this.listTs[i] = ts;
    this.listId[i] = LIST_RESOLVED;
    this.listNext[i] = NIL;
    this.listPrev[i] = this.resolvedTail;
    if (this.resolvedTail === NIL) this.resolvedHead = i;
    else this.listNext[this.resolvedTail] = i;
    this.resolvedTail = i;
  }

  /** Restarts slot `i` as a new pending attempt whose first SYN is now (`clock[0]`). */
  restartPending(i: number): void {
    const ts = this.clock[0];
    this.unlinkList(i);
    this.state[i] = AttemptState.Pending;
    this.firstSynTs[i] = ts;
    this.appendPending(i);
  }

  /** Client port of slot `i`. */
  clientPort(i: number): number {
    return this.keys[i * KEY_WORDS + 8] >>> 16;
  }

  /** Server port of slot `i`. */
  serverPort(i: number): number {
    return this.keys[i * KEY_WORDS + 8] & 0xffff;
  }

  /** Appends slot `i` to the pending list, joined now (`clock[0]`). */
  private appendPending(i: number): void {
    this.listTs[i] = this.clock[0];
    this.listId[i] = LIST_PENDING;
    this.listNext[i] = NIL;
    this.listPrev[i] = this.pendingTail;
    if (this.pendingTail === NIL) this.pendingHead = i;
    else this.listNext[this.pendingTail] = i;
    this.pendingTail = i;
  }

  private unlinkList(i: number): void {
    const id = this.listId[i];
    if (id === LIST_NONE) return;
    const prev = this.listPrev[i];
    const next = this.listNext[i];
    if (prev !== NIL) this.listNext[prev] = next;
    else if (id === LIST_PENDING) this.pendingHead = next;
    else this.resolvedHead = next;
    if (next !== NIL) this.listPrev[next] = prev;
    else if (id === LIST_PENDING) this.pendingTail = prev;
    else this.resolvedTail = prev;
    this.listPrev[i] = NIL;
    this.listNext[i] = NIL;
    this.listId[i] = LIST_NONE;
  }
}

/** `AttemptView` over a table: the consumers see these methods, never the table's arrays. */
class TableView implements AttemptView {
  constructor(private readonly table: AttemptTable) {}

  get capacity(): number {
    return this.table.capacity;
  }

  get clock(): Readonly<Float64Array> {
    return this.table.clock;
  }

  direction(slot: number): number {
    return this.table.direction[slot];
  }

  clientPort(slot: number): number {
    return this.table.clientPort(slot);
  }

  serverPort(slot: number): number {
    return this.table.serverPort(slot);
  }

  firstSynSeconds(slot: number): number {
    return this.table.firstSynTs[slot];
  }

  firstSyn(slot: number, out: Float64Array, at: number): void {
    out[at] = this.table.firstSynTs[slot];
  }

  client(slot: number, out: Uint32Array): void {
    copyWords(this.table.keys, slot * KEY_WORDS, out);
  }

  server(slot: number, out: Uint32Array): void {
    copyWords(this.table.keys, slot * KEY_WORDS + 4, out);
  }
}

/** Copies the four address words at `keys[k]` into `out` (no subarray: that would allocate a view). */
function copyWords(keys: Uint32Array, k: number, out: Uint32Array): void {
  out[0] = keys[k];
  out[1] = keys[k + 1];
  out[2] = keys[k + 2];
  out[3] = keys[k + 3];
}
