/**
 * The child process of the allocation check in scans.test.ts (`node [--no-turbo-inlining]
 * --import tsx scans-flood.ts refused unanswered scans`): the replay pipeline with a ScanFinder
 * chained (test/support/scan-pipeline.ts) floods with millions of distinct tuples, each case named
 * on the command line in turn in this one process, and prints one JSON line per case: the bytes
 * allocated in the young generation while the measured frames ran, the heap held after them
 * beside before, and what the ScanFinder named.
 *
 * Cases, every SYN a new tuple:
 * - `refused`: random-source SYNs to one server port, each refused: a flood whose clients are a
 *   sketch, and a new vertical and horizontal key per SYN (every bucket full, one key evicted per
 *   SYN);
 * - `unanswered`: the same never answered: each SYN evicted from the full attempt table;
 * - `scans`: 256 clients probing random ports of 16 servers, one probe in four accepted and the
 *   others refused, 1 ms apart (2500 s in
 *   all): twice as many vertical keys as slots, named, moved to port bitmaps and sketches, windows
 *   restarted, new horizontal and flood keys pushing out old ones.
 * Addresses, ports and ISNs come from a bijective mix of the SYN's number: half the words are
 * above 2^31, as in a real random-source flood.
 */
import { ethernet, tcp4 } from '../../kit/craft.js';
import { SCAN_KIND_NAMES } from '../../src/report/scans.js';
import { Counter } from '../../src/track/counters.js';
import { heldHeapBytes } from '../support/memory.js';
import { scanPipeline, type ScanPipeline } from '../support/scan-pipeline.js';
import { allocationDuring } from '../support/young-generation.js';

const LINKTYPE_ETHERNET = 1;
/** Offsets in an Ethernet + IPv4 + TCP frame. */
const SRC = 26;
const DST = 30;
const SPORT = 34;
const DPORT = 36;
const SEQ = 38;
const ACK = 42;
/** SYNs before the measured frames: the tables fill, V8 optimizes. */
const WARM_UP_SYNS = 300_000;
/**
 * The scans case's: long enough that every path has run before the measured frames (keys named,
 * moved to bitmaps and sketches, windows restarted). A path first run while
 * measuring deoptimizes its function, which then boxes its numbers until V8 optimizes it again.
 */
const SCANS_WARM_UP_SYNS = 1_500_000;
/** Frames measured per case. */
const MEASURED_FRAMES = 2_000_000;
/** Attempts the tracker's table holds. */
const TABLE_SLOTS = 65_536;
/** The flooded server, 198.51.100.2:9, as words. */
const SERVER = 0xc6336402;
const SERVER_PORT = 9;

/** One case's result, as printed. */
export interface ScanFloodResult {
  case: string;
  /** Bytes allocated in the young generation while the measured frames ran. */
  bytes: number;
  /** Garbage collections while the measured frames ran. */
  collections: number;
  frames: number;
  /** SYNs sent, warm-up included: each a new tuple. */
  syns: number;
  /** Attempts the tracker counted failed (refused + unanswered) and accepted, after the end of the capture. */
  failures: number;
  accepted: number;
  /** Bytes of heap held after the measured frames and the end of the capture beside before them (after full collections). */
  heapGrowth: number;
  /** Typed-array bytes the ScanFinder holds. */
  scanBytes: number;
  /** Named rows by kind, and the named flood's distinct clients (0 when none). */
  named: Record<string, number>;
  floodClients: number;
  evictedKeys: number;
  droppedFailures: number;
}

/** SYNs (and RSTs, for refused cases) written into two reused frames; see the module comment. */
class Flood {
  private readonly syn = ethernet(tcp4({ src: '10.0.0.1', dst: '198.51.100.2', sport: 1, dport: 9, flags: 'S', seq: 1000 }));
  private readonly rst = ethernet(tcp4({ src: '198.51.100.2', dst: '10.0.0.1', sport: 9, dport: 1, flags: 'R.', seq: 0, ack: 1001 }));
  private readonly synAck = ethernet(tcp4({ src: '198.51.100.2', dst: '10.0.0.1', sport: 9, dport: 1, flags: 'S.', seq: 5000, ack: 1001 }));
  private readonly synWords = new DataView(this.syn.buffer, this.syn.byteOffset, this.syn.byteLength);
  private readonly rstWords = new DataView(this.rst.buffer, this.rst.byteOffset, this.rst.byteLength);
  private readonly synAckWords = new DataView(this.synAck.buffer, this.synAck.byteOffset, this.synAck.byteLength);
  private second = 1_700_000_000;
  private microsecond = 0;
  syns = 0;

  constructor(
    private readonly p: ScanPipeline,
    private readonly name: string,
  ) {}

  run(n: number): void {
    const { syn, synWords } = this;
    const sink = this.p.sink;
    const answered = this.name !== 'unanswered';
    const scans = this.name === 'scans';
    const gapUs = scans ? 500 : 10;
    for (let k = 0; k < n; k++) {
      const i = ++this.syns;
      const x = Math.imul(i, 0x9e3779b1);
      // scans: 256 clients (10.0.0.x), 16 servers (198.51.100.x), random ports; else random clients of one server port
      const client = scans ? 0x0a000000 | (x >>> 24) : x;
      const server = scans ? (SERVER & ~0xf) | ((x >>> 20) & 0xf) : SERVER;
      const dport = scans ? 1 + ((x >>> 4) & 0xfffe) : SERVER_PORT;
      const sport = 1024 + (i % 60_000);
      const isn = Math.imul(i, 0x85ebca6b);
      synWords.setInt32(SRC, client);
      synWords.setInt32(DST, server);
      synWords.setUint16(SPORT, sport);
      synWords.setUint16(DPORT, dport);
      synWords.setInt32(SEQ, isn);
      // scans: one SYN in four accepted (an open port)
      const accept = scans && (i & 3) === 0;
      const answer = accept ? this.synAck : this.rst;
      const words = accept ? this.synAckWords : this.rstWords;
      words.setInt32(SRC, server);
      words.setInt32(DST, client);
      words.setUint16(SPORT, dport);
      words.setUint16(DPORT, sport);
      words.setInt32(ACK, (isn + 1) | 0);
      sink.onFrame(syn, 0, syn.length, syn.length, this.second, this.microsecond * 1000, LINKTYPE_ETHERNET);
      this.tick(gapUs);
      if (answered) sink.onFrame(answer, 0, answer.length, answer.length, this.second, this.microsecond * 1000, LINKTYPE_ETHERNET);
      this.tick(gapUs);
    }
  }

  private tick(us: number): void {
    this.microsecond += us;
    if (this.microsecond < 1_000_000) return;
    this.microsecond -= 1_000_000;
    this.second++;
  }
}

/** Floods a new pipeline with case `name`: the warm-up, then the measured frames, then the end of the capture. */
function flood(name: string): ScanFloodResult {
  if (name !== 'refused' && name !== 'unanswered' && name !== 'scans') throw new Error(`unknown case ${name}`);
  const p = scanPipeline({ maxAttempts: TABLE_SLOTS });
  const f = new Flood(p, name);
  f.run(name === 'scans' ? SCANS_WARM_UP_SYNS : WARM_UP_SYNS);
  const heapBefore = heldHeapBytes();
  const { bytes, collections } = allocationDuring(() => f.run(name === 'unanswered' ? MEASURED_FRAMES : MEASURED_FRAMES / 2));
  p.tracker.finish();
  const heapGrowth = heldHeapBytes() - heapBefore;
  const rows = p.scans.rows();
  const named = Object.fromEntries(SCAN_KIND_NAMES.map((k) => [k, rows.filter((r) => r.kind === k).length]));
  const ports = p.tracker.ports;
  return {
    case: name,
    bytes,
    collections,
    frames: MEASURED_FRAMES,
    syns: f.syns,
    failures: ports.grandTotal(Counter.Refused) + ports.grandTotal(Counter.Unanswered),
    accepted: ports.grandTotal(Counter.Accepted),
    heapGrowth,
    scanBytes: p.scans.bytes,
    named,
    floodClients: rows.find((r) => r.kind === 'flood')?.distinct ?? 0,
    evictedKeys: p.scans.evictedKeys,
    droppedFailures: p.scans.droppedFailures,
  };
}

for (const name of process.argv.slice(2)) console.log(JSON.stringify(flood(name)));
