/**
 * Scans and floods named from failed connection attempts (docs/scans.md). A failure is an attempt
 * refused, ICMP-rejected or unanswered (an early reset is not: the attempt was accepted). Three
 * patterns, each a table of keys with the distinct values their failures span:
 *
 * - vertical: one client failing on many ports of one server (key client + server, values ports);
 * - horizontal: one client failing on one port across many servers (key client + port, values
 *   servers);
 * - flood: many clients failing on one server port, a flood or an outage (key server + port,
 *   values clients).
 *
 * A key is named once its distinct values reach the threshold within one window of first-SYN
 * times (Zeek's policy/misc/scan.zeek: 15 ports, 25 hosts, 5 minutes); from then on it is kept
 * and counts every later failure.
 *
 * Memory is fixed at construction: each table is a set-associative array of `keysPerKind` slots
 * (buckets of 8) in typed arrays, with a distinct-value set per slot (distinct-sets.ts: exact up
 * to EXACT_DISTINCT values, then exact in a port bitmap or estimated by a sketch). A new key takes
 * a free slot of its bucket; in a full bucket it gets in at its second failure only (a bit per key
 * hash records the first), in the slot of the unnamed key least worth keeping; when the bucket
 * holds only named keys the failure is dropped. Evicted keys and dropped failures are counted.
 * Nothing is allocated per event: the addresses and the time are copied into arrays held here,
 * and only small integers cross a call.
 */
import { isoTime } from '../capture/frame-sink.js';
import { formatAddress } from '../net/address.js';
import { DistinctSets, distinctSetsBytes, EXACT_DISTINCT, mix32 } from './distinct-sets.js';
import { IPV4_MAPPED_WORD2 } from '../wire/decoded-packet.js';
import { Ended, FIRST_SYN_SECONDS, type EndedAttempt, type EndedAttemptConsumer } from './collect/ended-attempt.js';

/** Index of a pattern in SCAN_KIND_NAMES. */
export const ScanKind = { Vertical: 0, Horizontal: 1, Flood: 2 } as const;
/** The `kind` of a scan row, by ScanKind. */
export const SCAN_KIND_NAMES = ['vertical', 'horizontal', 'flood'] as const;
/** A scan row's kind. */
export type ScanKindName = (typeof SCAN_KIND_NAMES)[number];

/** Distinct ports of one server a client fails on, within a window, that name a vertical scan (Zeek's port_scan_threshold). */
export const DEFAULT_VERTICAL_PORTS = 15;
/** Distinct servers a client fails on, on one port, within a window, that name a horizontal scan (Zeek's addr_scan_threshold). */
export const DEFAULT_HORIZONTAL_SERVERS = 25;
/** Distinct clients failing on one server port, within a window, that name a flood (the horizontal threshold, turned round). */
export const DEFAULT_FLOOD_CLIENTS = 25;
/** Seconds of first-SYN times a key's failures must fall within to name it (Zeek's 5 min intervals). */
export const DEFAULT_SCAN_WINDOW_SECONDS = 300;
/** Keys held per pattern. */
export const DEFAULT_SCAN_KEYS = 2048;
/** Vertical scans whose ports stay exact beyond EXACT_DISTINCT (a 65536-bit bitmap each, 8 KB). */
export const PORT_BITMAPS = 64;
/** Most keys per pattern (2^18 slots: about 460 MB for the three). */
const MAX_SCAN_KEYS = 1 << 18;
/** Slots per bucket: a key lives in one bucket, found by its hash. */
const BUCKET_SLOTS = 8;
/** Bits of a table's record of keys seen failing (2^18: 32 KB, to stay in cache), and how many set clear them. */
const SEEN_BITS_LOG2 = 18;
const SEEN_BITS = 1 << SEEN_BITS_LOG2;
const SEEN_CLEAR_AT = SEEN_BITS / 8;
/** Slot states (0: free). */
const WATCHED = 1;
const NAMED = 2;

/** Scan settings; all have defaults. */
export interface ScanOptions {
  /** DEFAULT_VERTICAL_PORTS unless given (1 to EXACT_DISTINCT). */
  verticalPorts?: number;
  /** DEFAULT_HORIZONTAL_SERVERS unless given (1 to EXACT_DISTINCT). */
  horizontalServers?: number;
  /** DEFAULT_FLOOD_CLIENTS unless given (1 to EXACT_DISTINCT). */
  floodClients?: number;
  /** DEFAULT_SCAN_WINDOW_SECONDS unless given; 0: the whole capture is one window. */
  windowSeconds?: number;
  /** Keys held per pattern (DEFAULT_SCAN_KEYS unless given), rounded up to a power of two, at least 8. */
  keysPerKind?: number;
}

/** One named scan or flood, as the JSON report's `scans` lists it. */
export interface ScanRow {
  kind: ScanKindName;
  /** The client (vertical, horizontal), null for a flood. */
  client: string | null;
  /** The server (vertical, flood), null for a horizontal scan. */
  server: string | null;
  /** The server port (horizontal, flood), null for a vertical scan. */
  port: number | null;
  /**
   * Distinct ports (vertical), servers (horizontal) or clients (flood) failed on: exact up to
   * EXACT_DISTINCT and for the first PORT_BITMAPS vertical scans past it, else estimated.
   */
  distinct: number;
  /** The failures plus the accepted attempts of the key whose first SYN falls between its first and last failure. */
  attempts: number;
  /** Attempts refused, ICMP-rejected or unanswered. */
  failures: number;
  /** First SYN of the first failure counted (RFC 3339), null beyond the range of a date. */
  first: string | null;
  /** First SYN of the latest failure counted. */
  last: string | null;
  /** `last` - `first`, seconds (microsecond resolution). */
  duration_seconds: number;
}

/** Slots of a pattern's table for `keysPerKind` keys: a power of two, at least one bucket. */
function slotsFor(keysPerKind: number): number {
  let slots = BUCKET_SLOTS;
  while (slots < keysPerKind) slots *= 2;
  return slots;
}

/** Key words per pattern: client + server, client + port, server + port. */
const KEY_WORDS = [8, 5, 5] as const;

/** Bytes of a pattern's table of `slots` slots with `words` key words and `bitmaps` port bitmaps. */
function keyTableBytes(slots: number, words: number, bitmaps: number): number {
  // key, hash, state, then two windows of first/last/failures/accepted/later as float64, their distinct sets, the seen bits
  return slots * (words * 4 + 4 + 1 + 2 * 5 * 8) + distinctSetsBytes(2 * slots, bitmaps) + SEEN_BITS / 8;
}

/** Bytes of typed arrays a ScanFinder with `keysPerKind` keys per pattern holds. */
export function scanFinderBytes(keysPerKind = DEFAULT_SCAN_KEYS): number {
  const slots = slotsFor(keysPerKind);
  return KEY_WORDS.reduce((sum, words, kind) => sum + keyTableBytes(slots, words, kind === ScanKind.Vertical ? PORT_BITMAPS : 0), 0);
}

/** A 32-bit hash of an address (four words). Signed. */
function addressHash(a: Uint32Array): number {
  return mix32(a[3] ^ Math.imul(a[2], 0x9e3779b1) ^ Math.imul(a[1], 0x85ebca6b) ^ Math.imul(a[0], 0xc2b2ae35));
}

/** A distinct value for an address whose hash is `h`: an IPv4 address itself, an IPv6 one its hash. Signed. */
function addressValue(a: Uint32Array, h: number): number {
  return a[0] === 0 && a[1] === 0 && a[2] === IPV4_MAPPED_WORD2 ? a[3] | 0 : h;
}

/** A pattern's keys, each with its failures, span and distinct values; see the module comment. */
class KeyTable {
  /** Unnamed keys pushed out by new ones. */
  evicted = 0;
  /** Failures not counted: their bucket was full (of named keys, or the key's first failure there). */
  dropped = 0;
  readonly slots: number;
  /** Key words by slot: `words` from `slot * words`. */
  readonly keys: Uint32Array;
  /** 0 (free), WATCHED or NAMED. */
  readonly state: Uint8Array;
  /** First-SYN seconds of the earliest and latest failure counted. */
  readonly first: Float64Array;
  readonly last: Float64Array;
  readonly failures: Float64Array;
  /** Accepted attempts between the first and the last failure. */
  readonly accepted: Float64Array;
  /** The distinct values of each slot's failures. */
  readonly distinct: DistinctSets;
  /** Accepted attempts after the last failure: counted in when a later failure comes. */
  private readonly later: Float64Array;
  /** The hash of each slot's key, never 0; 0 for a free slot (read first: one cache line a bucket). */
  private readonly hashes: Int32Array;
  private readonly bucketMask: number;
  /** The state of `random()`. */
  private seed = 0x6d2b79f5;
  /** A free slot of the bucket `find` last looked in, or -1. */
  private free = -1;
  /** Keys seen failing (a bit each, by hash) since the bits were last cleared: `admitted`. */
  private readonly seen = new Int32Array(SEEN_BITS / 32);
  private seenSet = 0;

  /**
   * @param bitmaps port bitmaps for the values (vertical: ports), 0 for addresses
   * @param maxDistinct the most distinct values there can be (65536 ports, 2^32 addresses)
   */
  constructor(
    keysPerKind: number,
    private readonly words: number,
    private readonly threshold: number,
    private readonly windowSeconds: number,
    bitmaps: number,
    maxDistinct: number,
  ) {
    const slots = slotsFor(keysPerKind);
    this.slots = slots;
    this.bucketMask = slots / BUCKET_SLOTS - 1;
    this.keys = new Uint32Array(slots * words);
    this.hashes = new Int32Array(slots);
    this.state = new Uint8Array(slots);
    // Two windows a slot: slot s's own, and at s + slots its previous one (see `fail`).
    this.first = new Float64Array(2 * slots);
    this.last = new Float64Array(2 * slots);
    this.failures = new Float64Array(2 * slots);
    this.accepted = new Float64Array(2 * slots);
    this.later = new Float64Array(2 * slots);
    this.distinct = new DistinctSets(2 * slots, bitmaps, maxDistinct);
  }

  /**
   * Counts a failure of `key` (hash `h`) on distinct value `value` (signed), its first SYN at
   * `times[0]` seconds.
   */
  fail(key: Uint32Array, h: number, value: number, times: Float64Array): void {
    let s = this.find(key, h);
    if (s === -1) {
      s = this.claim(key, h, times);
      if (s === -1) {
        this.dropped++;
        return;
      }
    } else if (this.state[s] === WATCHED && (this.toPrevious(s, times) || !this.fits(s, times))) {
      const p = s + this.slots;
      if (this.failures[p] > 0 && this.fits(p, times)) {
        if (this.count(p, value, times) >= this.threshold) this.promote(s);
        return;
      }
      if (times[0] < this.last[s]) {
        // A failure told late (an unanswered attempt decided at the end) from before this window: the previous one.
        this.restart(p, times);
        if (this.count(p, value, times) >= this.threshold) this.promote(s);
        return;
      }
      this.copyWindow(s, p);
      this.restart(s, times);
    }
    if (this.count(s, value, times) >= this.threshold && this.state[s] !== NAMED) {
      // Named on its own: its previous window joins it, as it would had its failures been told
      // after the naming (a named key counts every failure, however late).
      const p = s + this.slots;
      if (this.failures[p] > 0) this.merge(s);
      this.state[s] = NAMED;
      this.failures[p] = 0;
    }
  }

  /**
   * True when a failure at `times[0]`, earlier than watched slot `s`'s window, fits the slot's
   * previous window: it belongs there (the nearer), even if it would also fit the later one.
   */
  private toPrevious(s: number, times: Float64Array): boolean {
    const p = s + this.slots;
    return this.failures[p] > 0 && times[0] < this.first[s] && this.fits(p, times);
  }

  /** Counts a failure at `times[0]` on `value` in window `w` (a slot, or a slot's previous window); returns its distinct values. */
  private count(w: number, value: number, times: Float64Array): number {
    const t = times[0];
    this.failures[w]++;
    if (t < this.first[w]) this.first[w] = t;
    if (t >= this.last[w]) {
      this.last[w] = t;
      this.accepted[w] += this.later[w];
      this.later[w] = 0;
    }
    return this.distinct.add(w, value);
  }

  /** Counts an accepted attempt of `key` (hash `h`), if held, its first SYN at `times[0]` seconds. */
  accept(key: Uint32Array, h: number, times: Float64Array): void {
    const s = this.find(key, h);
    if (s === -1) return;
    const t = times[0];
    if (t < this.first[s]) {
      // Between the previous window's first failure and this one's: the previous window's (counted
      // in when a failure after it comes, or when the two windows join).
      const p = s + this.slots;
      if (this.failures[p] > 0 && t >= this.first[p]) {
        if (t <= this.last[p]) this.accepted[p]++;
        else this.later[p]++;
      }
      return;
    }
    if (t <= this.last[s]) this.accepted[s]++;
    else if (this.state[s] === NAMED || this.fits(s, times)) this.later[s]++;
  }

  /** True when a failure at `times[0]` shares the span of window `w` (always, without a window). */
  private fits(w: number, times: Float64Array): boolean {
    const t = times[0];
    return this.windowSeconds === 0 || Math.max(this.last[w], t) - Math.min(this.first[w], t) <= this.windowSeconds;
  }

  /** Starts window `w` afresh at `times[0]`: nothing counted yet. */
  private restart(w: number, times: Float64Array): void {
    this.first[w] = times[0];
    this.last[w] = times[0];
    this.failures[w] = 0;
    this.accepted[w] = 0;
    this.later[w] = 0;
    this.distinct.clear(w);
  }

  /** Copies window `from` over window `to` (an unnamed one: its values exact). */
  private copyWindow(from: number, to: number): void {
    this.first[to] = this.first[from];
    this.last[to] = this.last[from];
    this.failures[to] = this.failures[from];
    this.accepted[to] = this.accepted[from];
    this.later[to] = this.later[from];
    this.distinct.copyExact(from, to);
  }

  /**
   * Names slot `s` from its previous window, which a failure told late has just brought to the
   * threshold: the slot's own window, later, joins it as a named key's later failures would.
   */
  private promote(s: number): void {
    this.merge(s);
    this.state[s] = NAMED;
    this.failures[s + this.slots] = 0;
  }

  /**
   * Joins slot `s`'s previous window (earlier) into its own: the values, the failures, the
   * accepted attempts (those after the previous window's last failure lie before this window's
   * first: within the joined span), the first failure.
   */
  private merge(s: number): void {
    const p = s + this.slots;
    this.distinct.addExact(s, p);
    this.failures[s] += this.failures[p];
    this.accepted[s] += this.accepted[p] + this.later[p];
    this.first[s] = Math.min(this.first[s], this.first[p]);
  }

  /** The slot holding `key` (hash `h`), or -1; `free` is then a free slot of its bucket, or -1. */
  private find(key: Uint32Array, h: number): number {
    const start = (h & this.bucketMask) * BUCKET_SLOTS;
    this.free = -1;
    for (let s = start; s < start + BUCKET_SLOTS; s++) {
      const held = this.hashes[s];
      if (held === 0) this.free = s;
      else if (held === h && this.sameKey(s, key)) return s;
    }
    return -1;
  }

  private sameKey(s: number, key: Uint32Array): boolean {
    const keys = this.keys;
    const at = s * this.words;
    for (let w = 0; w < this.words; w++) if (keys[at + w] !== key[w]) return false;
    return true;
  }

  /**
   * A slot for new `key` (hash `h`, not found: `find` just ran) in its bucket, or -1. A free slot
   * if there is one. In a full bucket, only a key seen failing before (`admitted`), and then in
   * the slot of the unnamed key least worth keeping (`victim`); none when every key is named.
   */
  private claim(key: Uint32Array, h: number, times: Float64Array): number {
    const s = this.free !== -1 ? this.free : this.admitted(h) ? this.victim(h, times) : -1;
    if (s === -1) return -1;
    if (this.state[s] === WATCHED) this.evicted++;
    const at = s * this.words;
    for (let w = 0; w < this.words; w++) this.keys[at + w] = key[w];
    this.hashes[s] = h;
    this.state[s] = WATCHED;
    this.restart(s, times);
    this.failures[s + this.slots] = 0;
    return s;
  }

  /**
   * True when a key of hash `h` failed before (its bit is set), else sets its bit. Keys that fail
   * once, a random-source flood's, never push another out: a full bucket keeps its keys, and a
   * scan gets in at its second failure. The bits are cleared when an eighth of them are set, so
   * that a key new since then passes for one seen less than one time in eight.
   */
  private admitted(h: number): boolean {
    const bit = mix32(h ^ 0x5bd1e995) >>> (32 - SEEN_BITS_LOG2);
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    if ((this.seen[word] & mask) !== 0) return true;
    this.seen[word] |= mask;
    if (++this.seenSet >= SEEN_CLEAR_AT) {
      this.seen.fill(0);
      this.seenSet = 0;
    }
    return false;
  }

  /**
   * The unnamed key of `h`'s full bucket least worth keeping for a failure at `times[0]`: one whose
   * window cannot include it first, then the fewest values, among equals one at random (keys that
   * fail in turn, more of them than a bucket holds, would otherwise push each other out before any
   * failed twice); -1 when every key is named.
   */
  private victim(h: number, times: Float64Array): number {
    const start = (h & this.bucketMask) * BUCKET_SLOTS;
    let victim = -1;
    let victimWorth = Infinity;
    let ties = 0;
    for (let s = start; s < start + BUCKET_SLOTS; s++) {
      if (this.state[s] !== WATCHED) continue;
      const worth = this.worth(s, times);
      if (worth < victimWorth) {
        victim = s;
        victimWorth = worth;
        ties = 1;
      } else if (worth === victimWorth && this.random() % ++ties === 0) {
        victim = s;
      }
    }
    return victim;
  }

  /** How much watched slot `s` is worth keeping for a failure at `times[0]`: its distinct values, more when its window is still open. */
  private worth(s: number, times: Float64Array): number {
    return (this.fits(s, times) ? EXACT_DISTINCT + 1 : 0) + this.distinct.count(s);
  }

  /** A pseudo-random number from 0 to 2^31 - 1 (xorshift32: deterministic, so that a replay is repeatable). */
  private random(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x;
    return x >>> 1;
  }
}

/** A named key, for the rows. */
interface NamedKey {
  table: KeyTable;
  kind: number;
  s: number;
  distinct: number;
}

/** Row order: most failures first, then most distinct values, then kind, then the key's words. */
function byFailures(a: NamedKey, b: NamedKey): number {
  const fa = a.table.failures[a.s];
  const fb = b.table.failures[b.s];
  if (fa !== fb) return fb - fa;
  if (a.distinct !== b.distinct) return b.distinct - a.distinct;
  if (a.kind !== b.kind) return a.kind - b.kind;
  const words = KEY_WORDS[a.kind];
  for (let w = 0; w < words; w++) {
    const d = a.table.keys[a.s * words + w] - b.table.keys[b.s * words + w];
    if (d !== 0) return d;
  }
  return 0;
}

/** The report row of a named key. */
function scanRow({ table: t, kind, s, distinct }: NamedKey): ScanRow {
  const at = s * KEY_WORDS[kind];
  const first = t.first[s];
  const last = t.last[s];
  return {
    kind: SCAN_KIND_NAMES[kind],
    client: kind === ScanKind.Flood ? null : formatAddress(t.keys, at),
    server: kind === ScanKind.Vertical ? formatAddress(t.keys, at + 4) : kind === ScanKind.Flood ? formatAddress(t.keys, at) : null,
    port: kind === ScanKind.Vertical ? null : t.keys[at + 4],
    distinct,
    attempts: t.failures[s] + t.accepted[s],
    failures: t.failures[s],
    first: isoTime(first * 1000),
    last: isoTime(last * 1000),
    duration_seconds: Math.round((last - first) * 1e6) / 1e6,
  };
}

/** Checks a threshold option: an integer from 1 to EXACT_DISTINCT, so that naming is decided on exact counts. */
function threshold(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > EXACT_DISTINCT) {
    throw new RangeError(`scan threshold ${name} must be an integer from 1 to ${EXACT_DISTINCT}, got ${value}`);
  }
  return value;
}

/**
 * Names vertical scans, horizontal scans and floods from ended attempts (collect/ended-attempt.ts);
 * see the module comment.
 */
export class ScanFinder implements EndedAttemptConsumer {
  /** Bytes of typed arrays held, fixed at construction. */
  readonly bytes: number;
  private readonly tables: readonly KeyTable[];
  private readonly vertical: KeyTable;
  private readonly horizontal: KeyTable;
  private readonly flood: KeyTable;
  private readonly client = new Uint32Array(4);
  private readonly server = new Uint32Array(4);
  private readonly verticalKey = new Uint32Array(8);
  private readonly horizontalKey = new Uint32Array(5);
  private readonly floodKey = new Uint32Array(5);
  /** `time[0]`: first-SYN seconds of the attempt being told. */
  private readonly time = new Float64Array(1);
  /** Hashes of the attempt being told: its addresses, its three keys. */
  private clientHash = 0;
  private serverHash = 0;
  private verticalHash = 0;
  private horizontalHash = 0;
  private floodHash = 0;

  constructor(options: ScanOptions = {}) {
    const window = options.windowSeconds ?? DEFAULT_SCAN_WINDOW_SECONDS;
    if (!Number.isFinite(window) || window < 0) throw new RangeError(`scan window must be 0 or more seconds, got ${window}`);
    const keys = options.keysPerKind ?? DEFAULT_SCAN_KEYS;
    if (!Number.isInteger(keys) || keys < 1 || keys > MAX_SCAN_KEYS) {
      throw new RangeError(`scan keys per kind must be an integer from 1 to ${MAX_SCAN_KEYS}, got ${keys}`);
    }
    const ports = threshold('verticalPorts', options.verticalPorts ?? DEFAULT_VERTICAL_PORTS);
    const servers = threshold('horizontalServers', options.horizontalServers ?? DEFAULT_HORIZONTAL_SERVERS);
    const clients = threshold('floodClients', options.floodClients ?? DEFAULT_FLOOD_CLIENTS);
    this.vertical = new KeyTable(keys, KEY_WORDS[ScanKind.Vertical], ports, window, PORT_BITMAPS, 65536);
    this.horizontal = new KeyTable(keys, KEY_WORDS[ScanKind.Horizontal], servers, window, 0, 2 ** 32);
    this.flood = new KeyTable(keys, KEY_WORDS[ScanKind.Flood], clients, window, 0, 2 ** 32);
    this.tables = [this.vertical, this.horizontal, this.flood];
    this.bytes = scanFinderBytes(keys);
  }

  /** Unnamed keys pushed out of a full bucket by new ones (their failures so far forgotten), over the three patterns. */
  get evictedKeys(): number {
    return this.tables.reduce((n, t) => n + t.evicted, 0);
  }

  /** Failures not counted under one pattern: their bucket was full (of named keys, or it was the key's first failure there). */
  get droppedFailures(): number {
    return this.tables.reduce((n, t) => n + t.dropped, 0);
  }

  /** Counts attempt `a`: a failure under each pattern, or an accepted attempt within a key's span. */
  ended(a: EndedAttempt): void {
    this.readKeys(a);
    if (a.outcome === Ended.Accepted) {
      this.vertical.accept(this.verticalKey, this.verticalHash, this.time);
      this.horizontal.accept(this.horizontalKey, this.horizontalHash, this.time);
      this.flood.accept(this.floodKey, this.floodHash, this.time);
      return;
    }
    this.vertical.fail(this.verticalKey, this.verticalHash, this.horizontalKey[4], this.time);
    this.horizontal.fail(this.horizontalKey, this.horizontalHash, addressValue(this.server, this.serverHash), this.time);
    this.flood.fail(this.floodKey, this.floodHash, addressValue(this.client, this.clientHash), this.time);
  }

  /** The named scans and floods, most failures first (then most distinct values, kind, key). */
  rows(): ScanRow[] {
    const named: NamedKey[] = [];
    this.tables.forEach((table, kind) => {
      for (let s = 0; s < table.slots; s++) if (table.state[s] === NAMED) named.push({ table, kind, s, distinct: table.distinct.count(s) });
    });
    return named.sort(byFailures).map(scanRow);
  }

  /** Fills the three keys, their hashes and `time` for attempt `a`. */
  private readKeys(a: EndedAttempt): void {
    const { client, server, verticalKey, horizontalKey, floodKey } = this;
    for (let w = 0; w < 4; w++) {
      client[w] = a.client[w];
      server[w] = a.server[w];
    }
    this.time[0] = a.times[FIRST_SYN_SECONDS];
    const port = a.serverPort;
    for (let w = 0; w < 4; w++) {
      verticalKey[w] = client[w];
      verticalKey[w + 4] = server[w];
      horizontalKey[w] = client[w];
      floodKey[w] = server[w];
    }
    horizontalKey[4] = port;
    floodKey[4] = port;
    const c = addressHash(client);
    const sv = addressHash(server);
    const p = Math.imul(port + 1, 0x165667b1);
    this.clientHash = c;
    this.serverHash = sv;
    // Never 0: a table's hash 0 marks a free slot.
    this.verticalHash = mix32(c ^ Math.imul(sv, 0x27d4eb2f)) || 1;
    this.horizontalHash = mix32(c ^ p) || 1;
    this.floodHash = mix32(sv ^ p) || 1;
  }
}
