/**
 * The child process of allocation.test.ts (`node [--no-turbo-inlining] --import tsx
 * allocation-flood.ts refused unanswered`). It builds the pipeline as `rstwatch live` builds it,
 * plus the replay report's collector (pairs, timeline: a small pair table, so that it folds),
 * floods it with each case named on the command line, in order, in this one process (a daemon's
 * traffic changes too), and prints one JSON line per case: the bytes allocated in the young
 * generation and the garbage collections while the measured frames ran, and what the tracker
 * counted.
 *
 * Cases: `refused` (each SYN answered by a RST), `unanswered` (each SYN evicted from the full
 * table, unanswered). Addresses and ISNs are random, half of them above 2^31, as in a real
 * random-source flood: every kind of number the packet path carries (times, address words,
 * sequence numbers) goes through it.
 */
import { buildPipeline, type Pipeline } from '../../src/pipeline/build.js';
import { LocalNets } from '../../src/track/direction.js';
import { parseCidr } from '../../src/net/address.js';
import { Counter } from '../../src/track/counters.js';
import { ethernet, tcp4 } from '../../kit/craft.js';
import { kernelSnapshot } from '../support/kernel-snapshot.js';
import { ReportCollector } from '../../src/report/collect/report-collector.js';
import { EndedAttemptFeed } from '../../src/report/collect/ended-attempt.js';
import { ScanFinder } from '../../src/report/scans.js';
import { allocationDuring } from '../support/young-generation.js';

const LINKTYPE_ETHERNET = 1;
/** Offsets in an Ethernet + IPv4 + TCP frame: source address, source port, sequence and acknowledgment numbers. */
const SRC = 26;
const SPORT = 34;
const SEQ = 38;
const ACK = 42;
/** SYNs before the measured frames: the table fills, V8 optimizes. */
const WARM_UP_SYNS = 300_000;
/** Frames measured per case. */
const MEASURED_FRAMES = 2_000_000;
/** Attempts the table holds (the daemon's default is larger: a smaller table fills sooner). */
const TABLE_SLOTS = 65_536;

/** One case's result, as printed. */
export interface FloodResult {
  case: string;
  /** Bytes allocated in the young generation while the measured frames ran. */
  bytes: number;
  /** Garbage collections, of either generation, while the measured frames ran. */
  collections: number;
  /** Frames measured. */
  frames: number;
  /** SYNs sent, warm-up included. */
  syns: number;
  /** Attempts the table holds: the unanswered flood leaves that many pending. */
  tableSlots: number;
  /** Attempts the tracker counted refused (`refused`) or unanswered (`unanswered`). */
  counted: number;
}

/** The pipeline as `rstwatch live` builds it with its defaults, a kernel read a second, and the report's collector. */
function livePipeline(): Pipeline {
  return buildPipeline({
    consumers: [(view) => new EndedAttemptFeed(view, [new ReportCollector({ maxPairs: 1000 }), new ScanFinder()])],
    maxAttempts: TABLE_SLOTS,
    attemptTimeoutSeconds: 60,
    localNets: new LocalNets([parseCidr('198.51.100.0/24')]),
    detect: { hopThreshold: 2 },
    causes: { historyMs: 70_000 },
  });
}

/**
 * Random-source SYNs to 198.51.100.2:9 from distinct (address, port) pairs with random ISNs, each
 * answered by a RST (ack ISN + 1) when `answered`; 20 us apart, a kernel read (no listener) each
 * simulated second. Frames are two reused buffers rewritten in place; times are integers, handed
 * over as libpcap gives them. The flood's own loop allocates nothing, even before V8 optimizes it
 * (a measured run enters it anew): every number it keeps is a small integer.
 */
class Flood {
  private readonly syn = ethernet(tcp4({ src: '10.0.0.1', dst: '198.51.100.2', sport: 1, dport: 9, flags: 'S', seq: 1000 }));
  private readonly rst = ethernet(tcp4({ src: '198.51.100.2', dst: '10.0.0.1', sport: 9, dport: 1, flags: 'R.', seq: 0, ack: 1001 }));
  /** The frames' bytes as big-endian words. */
  private readonly synWords = new DataView(this.syn.buffer, this.syn.byteOffset, this.syn.byteLength);
  private readonly rstWords = new DataView(this.rst.buffer, this.rst.byteOffset, this.rst.byteLength);
  private second = 1_700_000_000;
  private microsecond = 0;
  /** SYNs sent so far. */
  syns = 0;

  constructor(
    private readonly p: Pipeline,
    private readonly answered: boolean,
  ) {
    p.causes?.addRead(kernelSnapshot(this.second * 1000));
  }

  run(n: number): void {
    const { syn, rst, synWords, rstWords } = this;
    const sink = this.p.sink;
    for (let k = 0; k < n; k++) {
      const i = ++this.syns;
      const a = Math.imul(i, 0x9e3779b1);
      synWords.setInt32(SRC, a);
      rstWords.setInt32(SRC + 4, a);
      const sport = 1024 + (i % 60_000);
      synWords.setUint16(SPORT, sport);
      rstWords.setUint16(SPORT + 2, sport);
      const isn = Math.imul(i, 0x85ebca6b);
      synWords.setInt32(SEQ, isn);
      rstWords.setInt32(ACK, (isn + 1) | 0);
      sink.onFrame(syn, 0, syn.length, syn.length, this.second, this.microsecond * 1000, LINKTYPE_ETHERNET);
      this.tick(10);
      if (this.answered) sink.onFrame(rst, 0, rst.length, rst.length, this.second, this.microsecond * 1000, LINKTYPE_ETHERNET);
      this.tick(10);
    }
  }

  /** Advances the clock by `us`; a new second brings a kernel read (the daemon's timer). */
  private tick(us: number): void {
    this.microsecond += us;
    if (this.microsecond < 1_000_000) return;
    this.microsecond -= 1_000_000;
    this.second++;
    this.p.causes?.addRead(kernelSnapshot(this.second * 1000));
  }
}

/** Floods a new pipeline with case `name`: the warm-up, then the measured frames. */
function flood(name: string): FloodResult {
  if (name !== 'refused' && name !== 'unanswered') throw new Error(`unknown case ${name}`);
  const answered = name === 'refused';
  const p = livePipeline();
  const f = new Flood(p, answered);
  f.run(WARM_UP_SYNS);
  const { bytes, collections } = allocationDuring(() => f.run(answered ? MEASURED_FRAMES / 2 : MEASURED_FRAMES));
  const counted = p.tracker.ports.grandTotal(answered ? Counter.Refused : Counter.Unanswered);
  return { case: name, bytes, collections, frames: MEASURED_FRAMES, syns: f.syns, tableSlots: TABLE_SLOTS, counted };
}

for (const name of process.argv.slice(2)) console.log(JSON.stringify(flood(name)));
