/**
 * The reset detector: runs the heuristics of this folder on the tracker's refusals and keeps
 * their evidence. It is a consumer of the tracker's events (track/attempt-events.ts): SYN-ACKs
 * teach its baselines, SYNs give the acknowledgments a RST must carry, a refusal (and a later RST
 * or SYN-ACK on the refused tuple) is judged. A pipeline built without a detector does none of
 * this work and holds none of this memory. It must come before the cause engine in the chain: it
 * judges a refusal before the engine counts it.
 *
 * Per attempt it keeps, in typed arrays indexed by the attempt table's slot: the acknowledgments
 * the first and the latest SYN call for, the refusing RST's TTL, sequence and ack numbers and
 * time, and which heuristics were already reported (each fires at most once per attempt).
 */
import { AttemptEventsBase } from '../track/attempt-events.js';
import { DIRECTION_COUNT } from '../track/direction.js';
import { PORT_SPACE } from '../track/counters.js';
import { DecodedPacket, TCP_ACK } from '../wire/decoded-packet.js';
import { ackMismatch, expectedAck } from './ack-mismatch.js';
import { Heuristic, HEURISTIC_COUNT, HEURISTIC_NAMES } from './heuristics.js';
import { reservedBits } from './reserved-bits.js';
import { resetRace } from './reset-race.js';
import { SEQ_BURST_WINDOW_SECONDS, seqBurst } from './seq-burst.js';
import { hopDistance, initialTtl } from './ttl.js';
import { DEFAULT_BASELINE_HOSTS, TtlBaselineTable, type Baseline } from './ttl-baseline.js';
import { ttlMismatch } from './ttl-mismatch.js';

/**
 * Bytes per attempt slot of the detector's arrays (allocated at construction): the acks the
 * first and latest SYN call for, the RST's seq, ack, time, TTL and flags, the report mask, and
 * the replaced refusal's ack, mask, time and flag. test/detect/detector.test.ts holds it to them.
 */
export const DETECTOR_BYTES_PER_SLOT = 4 + 4 + 4 + 4 + 8 + 1 + 1 + 1 + 4 + 1 + 8 + 1;
/** Bytes of the suspect-reset counters by direction, port and heuristic (touched only where a suspect is counted). */
export const SUSPECT_COUNTER_BYTES = DIRECTION_COUNT * PORT_SPACE * HEURISTIC_COUNT * Float64Array.BYTES_PER_ELEMENT;

/** Default hop threshold of `ttl_mismatch`, hops (docs/detection.md "Why the hop threshold is 2"). */
export const DEFAULT_HOP_THRESHOLD = 2;

/**
 * What one suspect reset looked like. The detector owns it and overwrites it for every report:
 * a listener copies what it keeps before returning.
 */
export class SuspectEvidence {
  /** Capture time of the packet that completed the evidence, seconds. */
  ts = 0;
  /** Direction code of the attempt. */
  direction = 0;
  /** Client address (four words) and port. */
  readonly client = new Uint32Array(4);
  clientPort = 0;
  /** Server address (four words) and port. */
  readonly server = new Uint32Array(4);
  serverPort = 0;
  /** Heuristics that fired now (bit i: heuristic i). */
  mask = 0;
  /** The RST's TTL or hop limit, its inferred initial TTL and hop distance. */
  ttl = 0;
  initialTtl = 0;
  hopDistance = 0;
  /** The server's baseline, when it has one (`baselineSamples` 0: none). */
  baselineInitialTtl = 0;
  baselineHops = 0;
  baselineSamples = 0;
  /** Acknowledgment the SYN called for and the one the RST carried; -1 when the RST had no ACK. */
  expectedAck = -1;
  receivedAck = -1;
  /** True when this is the refusal's first flag (it was not suspect before). */
  firstFlag = false;
  /** True when the flag was raised as the refusing RST was counted; false for a later one (reset_race, seq_burst). */
  atRefusal = false;
}

/** Told of every suspect reset, with its evidence (valid during the call only). */
export interface SuspectListener {
  suspectReset(e: SuspectEvidence): void;
}

/** Suspect resets by direction, server port and heuristic. */
export class SuspectCounters {
  /** `heuristic` label values, by Heuristic (the metrics read the counters as a SuspectResetSource). */
  readonly heuristicNames = HEURISTIC_NAMES;
  /** `values[(direction * PORT_SPACE + port) * HEURISTIC_COUNT + heuristic]`. */
  readonly values = new Float64Array(DIRECTION_COUNT * PORT_SPACE * HEURISTIC_COUNT);
  /** `totals[direction * HEURISTIC_COUNT + heuristic]`. */
  readonly totals = new Float64Array(DIRECTION_COUNT * HEURISTIC_COUNT);

  /** Count of `heuristic` firing on (direction, port). */
  get(direction: number, port: number, heuristic: number): number {
    return this.values[(direction * PORT_SPACE + port) * HEURISTIC_COUNT + heuristic];
  }

  /** Count of `heuristic` firing in `direction`, all ports. */
  total(direction: number, heuristic: number): number {
    return this.totals[direction * HEURISTIC_COUNT + heuristic];
  }

  /** Adds one for every heuristic in `mask`. */
  add(direction: number, port: number, mask: number): void {
    for (let h = 0; h < HEURISTIC_COUNT; h++) {
      if ((mask & (1 << h)) === 0) continue;
      this.values[(direction * PORT_SPACE + port) * HEURISTIC_COUNT + h]++;
      this.totals[direction * HEURISTIC_COUNT + h]++;
    }
  }
}

/** Detector settings. */
export interface DetectorOptions {
  /** Attempt table capacity (slots the per-attempt arrays cover). */
  slots: number;
  /** `clock[0]`: the time of the event being told, capture seconds (the attempt view's clock). */
  clock: Readonly<Float64Array>;
  /** ttl_mismatch: largest hop difference taken as the same stack. Default DEFAULT_HOP_THRESHOLD. */
  hopThreshold?: number;
  /** Hosts with a TTL baseline. Default DEFAULT_BASELINE_HOSTS. */
  baselineHosts?: number;
  /** seq_burst window, seconds. Default SEQ_BURST_WINDOW_SECONDS. */
  burstWindowSeconds?: number;
  /** Told of each suspect reset. */
  listener?: SuspectListener;
}

/** See the module comment. */
export class ResetDetector extends AttemptEventsBase {
  /** Per-host TTL baselines. */
  readonly baselines: TtlBaselineTable;
  /** Suspect resets by direction, port and heuristic. */
  readonly counters = new SuspectCounters();
  /** Refusing RSTs found suspect (each counted once, whatever fired). */
  suspectResets = 0;
  /** The hop threshold in force. */
  readonly hopThreshold: number;

  private readonly expFirst: Uint32Array;
  private readonly expLatest: Uint32Array;
  private readonly rstSeq: Uint32Array;
  private readonly rstAck: Uint32Array;
  private readonly rstTs: Float64Array;
  private readonly rstTtl: Uint8Array;
  private readonly rstHadAck: Uint8Array;
  private readonly reported: Uint8Array;
  /**
   * The refused attempt a new attempt on the same tuple replaced (a SYN after a RST): the ack its
   * SYN called for, its report mask, the RST's time; `prevValid` 1 while it may still be raced.
   */
  private readonly prevExp: Uint32Array;
  private readonly prevReported: Uint8Array;
  private readonly prevRstTs: Float64Array;
  private readonly prevValid: Uint8Array;
  private readonly burstWindow: number;
  private readonly listener: SuspectListener | undefined;
  private readonly evidence = new SuspectEvidence();
  private readonly clock: Readonly<Float64Array>;
  /** The packet being judged and its direction (see `judging`); its time is the clock's. */
  private packet!: DecodedPacket;
  private packetDirection = 0;
  private readonly baseline: Baseline = { initialTtl: 0, hops: 0, samples: 0 };

  constructor(options: DetectorOptions) {
    super();
    const n = options.slots;
    this.clock = options.clock;
    this.expFirst = new Uint32Array(n);
    this.expLatest = new Uint32Array(n);
    this.rstSeq = new Uint32Array(n);
    this.rstAck = new Uint32Array(n);
    this.rstTs = new Float64Array(n);
    this.rstTtl = new Uint8Array(n);
    this.rstHadAck = new Uint8Array(n);
    this.reported = new Uint8Array(n);
    this.prevExp = new Uint32Array(n);
    this.prevReported = new Uint8Array(n);
    this.prevRstTs = new Float64Array(n);
    this.prevValid = new Uint8Array(n);
    this.hopThreshold = options.hopThreshold ?? DEFAULT_HOP_THRESHOLD;
    this.baselines = new TtlBaselineTable(options.baselineHosts ?? DEFAULT_BASELINE_HOSTS);
    this.burstWindow = options.burstWindowSeconds ?? SEQ_BURST_WINDOW_SECONDS;
    this.listener = options.listener;
  }

  /**
   * Learns the sender's TTL from a non-RST packet. The tracker passes SYN-ACKs: the packet every
   * server sends on every accepted connection, the one the live capture filter keeps, and so the
   * same baseline live and in replay. Learning from every FIN as well cost 40 ms on the 2 M-packet
   * replay bench for no better baseline (docs/detection.md).
   */
  override synAck(p: DecodedPacket): void {
    this.baselines.observe(p.src, p.ttl);
  }

  /**
   * A new attempt in `slot` started with SYN `p`; `afterRefusal` when it replaces an attempt the
   * same tuple had refused (kept, so that its real SYN-ACK arriving now still reveals the race).
   */
  override started(slot: number, p: DecodedPacket, afterRefusal: boolean): void {
    if (afterRefusal) {
      this.prevExp[slot] = this.expLatest[slot];
      this.prevReported[slot] = this.reported[slot];
      this.prevRstTs[slot] = this.rstTs[slot];
      this.prevValid[slot] = 1;
    } else {
      this.prevValid[slot] = 0;
    }
    // Words go to calls signed (`| 0`): a number above 2^31 handed to a call V8 does not inline is
    // boxed, an allocation per SYN of a flood with random ISNs (ack-mismatch.ts).
    const exp = expectedAck(p.seq | 0, p.tcpPayloadLen);
    this.expFirst[slot] = exp;
    this.expLatest[slot] = exp;
    this.reported[slot] = 0;
  }

  /**
   * SYN-ACK `p` accepted the attempt in `slot`. When that attempt replaced a refused one and the
   * SYN-ACK answers the refused SYN's ISN, the server answered after the RST: `reset_race` for the
   * refusal (a client ignores a RST whose ack is wrong and re-sends the same SYN, so the real
   * answer lands on the new attempt).
   */
  override accepted(slot: number, p: DecodedPacket, direction: number): void {
    if (this.prevValid[slot] === 0) return;
    this.prevValid[slot] = 0;
    if (p.ack >>> 0 !== this.prevExp[slot] || !resetRace(true, true)) return;
    this.judging(p, direction);
    this.report(slot, 1 << Heuristic.ResetRace, false, this.prevReported, this.prevExp);
  }

  /** SYN `p` retransmitted the pending attempt in `slot`. */
  override retransmitted(slot: number, p: DecodedPacket): void {
    this.expLatest[slot] = expectedAck(p.seq | 0, p.tcpPayloadLen);
  }

  /** RST `p` (server -> client) refused the attempt in `slot` now: ttl, ack and reserved-bit checks. */
  override refused(slot: number, p: DecodedPacket, direction: number): void {
    this.rstSeq[slot] = p.seq;
    this.rstAck[slot] = p.ack;
    this.rstTs[slot] = this.clock[0];
    this.rstTtl[slot] = p.ttl;
    this.rstHadAck[slot] = (p.tcpFlags & TCP_ACK) !== 0 ? 1 : 0;
    const b = this.baseline;
    if (!this.baselines.lookup(p.src, b)) b.samples = 0;
    let mask = 0;
    if (ttlMismatch(p.ttl, b.initialTtl, b.hops, b.samples, this.hopThreshold)) mask |= 1 << Heuristic.TtlMismatch;
    if (ackMismatch(p.tcpFlags, p.ack | 0, this.expFirst[slot] | 0, this.expLatest[slot] | 0)) mask |= 1 << Heuristic.AckMismatch;
    if (reservedBits(p.tcpReserved)) mask |= 1 << Heuristic.ReservedBits;
    this.judging(p, direction);
    this.report(slot, mask, true, this.reported, this.expLatest);
  }

  /** Another RST `p` arrived on the already refused attempt in `slot`: the seq_burst check. */
  override laterReset(slot: number, p: DecodedPacket, direction: number): void {
    const ts = this.clock[0];
    const fired = seqBurst(this.rstSeq[slot], this.rstAck[slot], this.rstTs[slot], p.seq, p.ack, ts, this.burstWindow);
    this.rstSeq[slot] = p.seq;
    this.rstAck[slot] = p.ack;
    this.rstTs[slot] = ts;
    if (!fired) return;
    this.judging(p, direction);
    this.report(slot, 1 << Heuristic.SeqBurst, false, this.reported, this.expLatest);
  }

  /**
   * A SYN-ACK `p` from the server arrived on the refused attempt in `slot`: the reset_race check,
   * and ttl_mismatch again, now that the server's own SYN-ACK gives a baseline (an injected RST
   * usually comes before any packet of the server's).
   */
  override synAckAfterReset(slot: number, p: DecodedPacket, direction: number): void {
    let mask = resetRace(true, true) ? 1 << Heuristic.ResetRace : 0;
    const b = this.baseline;
    if (this.baselines.lookup(p.src, b) && ttlMismatch(this.rstTtl[slot], b.initialTtl, b.hops, b.samples, this.hopThreshold)) {
      mask |= 1 << Heuristic.TtlMismatch;
    }
    this.judging(p, direction);
    this.report(slot, mask, false, this.reported, this.expLatest);
  }

  /**
   * Sets the server's packet `p` (RST or SYN-ACK, server -> client) being judged and its direction,
   * for `report`: fields, so that judging allocates nothing (its time is the clock's).
   */
  private judging(p: DecodedPacket, direction: number): void {
    this.packet = p;
    this.packetDirection = direction;
  }

  /**
   * Counts and tells the heuristics of `mask` not yet reported for the refusal in `slot`, judged on
   * the packet `judging` set; `first`: at the refusing RST itself; `reported` is that refusal's
   * mask array (`reported`, or `prevReported` for a refusal a new attempt replaced) and
   * `expected[slot]` the ack its SYN called for (`expLatest` or `prevExp`: the array, not the
   * number, which above 2^31 would be boxed when V8 does not inline the call).
   */
  private report(slot: number, mask: number, first: boolean, reported: Uint8Array, expected: Uint32Array): void {
    const fresh = mask & ~reported[slot];
    if (fresh === 0) return;
    // A RST counts once as suspect, however many heuristics fire, now or later.
    const firstFlag = reported[slot] === 0;
    if (firstFlag) this.suspectResets++;
    reported[slot] |= fresh;
    this.counters.add(this.packetDirection, this.packet.srcPort, fresh);
    if (this.listener !== undefined) this.fillEvidence(slot, fresh, first, firstFlag, expected);
  }

  /** Fills the evidence of slot `slot`'s refusing RST, from the packet being judged, and tells the listener; `expected[slot]` as in `report`. */
  private fillEvidence(slot: number, fresh: number, first: boolean, firstFlag: boolean, expected: Uint32Array): void {
    const listener = this.listener;
    if (listener === undefined) return;
    const e = this.evidence;
    e.firstFlag = firstFlag;
    e.atRefusal = first;
    const p = this.packet;
    e.ts = this.clock[0];
    e.direction = this.packetDirection;
    e.client.set(p.dst);
    e.clientPort = p.dstPort;
    e.server.set(p.src);
    e.serverPort = p.srcPort;
    e.mask = fresh;
    const ttl = this.rstTtl[slot];
    e.ttl = ttl;
    e.initialTtl = initialTtl(ttl);
    e.hopDistance = hopDistance(ttl);
    const b = this.baseline;
    if (first || this.baselines.lookup(p.src, b)) {
      e.baselineInitialTtl = b.samples > 0 ? b.initialTtl : 0;
      e.baselineHops = b.samples > 0 ? b.hops : 0;
      e.baselineSamples = b.samples;
    } else {
      e.baselineInitialTtl = 0;
      e.baselineHops = 0;
      e.baselineSamples = 0;
    }
    e.expectedAck = this.rstHadAck[slot] === 1 ? expected[slot] : -1;
    e.receivedAck = this.rstHadAck[slot] === 1 ? this.rstAck[slot] : -1;
    listener.suspectReset(e);
  }
}
