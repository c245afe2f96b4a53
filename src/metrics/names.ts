/**
 * Every metric rstwatch exports: its name, help text and label names, in one place (Prometheus
 * naming guide; node_exporter `BuildFQName`). Names are `rstwatch_<what>_<unit>[_total]`, base
 * units, snake_case. Dashboards and alerts are built on these names: changing one is a breaking
 * change, listed in docs/metrics.md.
 */

/** What a metric family is called, what it means, its type and its label names. */
export interface MetricSpec {
  /** Full metric family name (counters end in `_total`, as the text format shows them). */
  readonly name: string;
  /** HELP text: what one unit of the value is. */
  readonly help: string;
  /** Prometheus metric type. */
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** Label names, in the order they are written. */
  readonly labels: readonly string[];
}

const DP = ['direction', 'port'] as const;

/** The metric families, keyed by a short id used in code. */
export const METRICS = {
  synAttempts: {
    name: 'rstwatch_syn_attempts_total',
    help: 'Connection attempts started (the first SYN of an attempt), by direction and server port.',
    type: 'counter',
    labels: DP,
  },
  synRetransmits: {
    name: 'rstwatch_syn_retransmits_total',
    help: 'SYNs that retransmitted an attempt still pending (or accepted, same ISN), by direction and server port.',
    type: 'counter',
    labels: DP,
  },
  accepted: {
    name: 'rstwatch_accepted_total',
    help: 'Attempts answered first by a SYN+ACK, by direction and server port.',
    type: 'counter',
    labels: DP,
  },
  refused: {
    name: 'rstwatch_refused_total',
    help: 'Attempts answered first by a RST (refused), by direction and server port.',
    type: 'counter',
    labels: DP,
  },
  unanswered: {
    name: 'rstwatch_unanswered_total',
    help: 'Attempts with no answer within the attempt timeout (or evicted from a full table), by direction and server port.',
    type: 'counter',
    labels: DP,
  },
  earlyResets: {
    name: 'rstwatch_early_resets_total',
    help: 'Accepted attempts the server reset before sending any data, within 5 s of its SYN+ACK (a full accept queue with tcp_abort_on_overflow=1); they stay counted as accepted.',
    type: 'counter',
    labels: DP,
  },
  icmpRejected: {
    name: 'rstwatch_icmp_rejected_total',
    help: 'Attempts answered first by an ICMP destination unreachable quoting the SYN, by direction, server port and ICMP reason.',
    type: 'counter',
    labels: ['direction', 'port', 'reason'],
  },
  refusalRatio: {
    name: 'rstwatch_refusal_ratio',
    help: 'Refused attempts divided by attempts that ended (accepted, refused, ICMP-rejected, unanswered) over the last ratio window; absent while none ended.',
    type: 'gauge',
    labels: DP,
  },
  refusalLatency: {
    name: 'rstwatch_refusal_latency_seconds',
    help: 'Time from the first SYN of an attempt to the RST that refused it, in seconds, by direction.',
    type: 'histogram',
    labels: ['direction'],
  },
  suspectResets: {
    name: 'rstwatch_suspect_resets_total',
    help: 'Refusing RSTs that look spoofed (not sent by the server stack), by direction, server port and the heuristic that fired.',
    type: 'counter',
    labels: ['direction', 'port', 'heuristic'],
  },
  failureCauses: {
    name: 'rstwatch_failure_causes_total',
    help: 'Failed inbound attempts by server port, outcome (refused, icmp_rejected, unanswered, early_reset) and the cause the kernel state around the attempt shows; per port and outcome the causes plus rstwatch_failure_causes_pending add up to the outcome count.',
    type: 'counter',
    labels: ['port', 'outcome', 'cause'],
  },
  failureCausesPending: {
    name: 'rstwatch_failure_causes_pending',
    help: 'Failed inbound attempts whose cause waits for the next kernel-state read (about a second), by server port and outcome.',
    type: 'gauge',
    labels: ['port', 'outcome'],
  },
  resetsSeen: {
    name: 'rstwatch_resets_seen_total',
    help: 'TCP RST segments seen from either side, whether or not they answered an attempt.',
    type: 'counter',
    labels: [],
  },
  unmatchedAnswers: {
    name: 'rstwatch_unmatched_answers_total',
    help: 'SYN+ACKs, RSTs and ICMP unreachables that matched no pending attempt (mid-stream or late answers), by kind.',
    type: 'counter',
    labels: ['kind'],
  },
  capturePackets: {
    name: 'rstwatch_capture_packets_total',
    help: 'Frames handed by the capture to the decoder.',
    type: 'counter',
    labels: [],
  },
  captureSinkErrors: {
    name: 'rstwatch_capture_sink_errors_total',
    help: 'Batches of captured frames in which processing a frame threw (a bug in rstwatch; the cap backend counts frames): the frame is skipped and the capture goes on.',
    type: 'counter',
    labels: [],
  },
  captureDropped: {
    name: 'rstwatch_capture_dropped_total',
    help: 'Packets the capture lost before rstwatch counted them, by where: kernel (its buffer was full, pcap_stats), interface (the driver, pcap_stats) or queue (read, but the capture queue was full: --queue-size).',
    type: 'counter',
    labels: ['where'],
  },
  captureUp: {
    name: 'rstwatch_capture_up',
    help: '1 while the packet capture is running, 0 while it is not.',
    type: 'gauge',
    labels: [],
  },
  captureDownSeconds: {
    name: 'rstwatch_capture_down_seconds_total',
    help: 'Seconds the packet capture was not running since rstwatch started (its interface down or gone, until reopened): nothing was counted then.',
    type: 'counter',
    labels: [],
  },
  captureFaults: {
    name: 'rstwatch_capture_faults_total',
    help: 'Times the packet capture stopped on its own (interface down or gone, read error); each is followed by reopening it.',
    type: 'counter',
    labels: [],
  },
  decodeErrors: {
    name: 'rstwatch_decode_errors_total',
    help: 'Frames that could not be decoded (malformed or truncated), by reason.',
    type: 'counter',
    labels: ['reason'],
  },
  framesSkipped: {
    name: 'rstwatch_frames_skipped_total',
    help: 'Well-formed frames that carry nothing for the tracker (not IP, not TCP, fragments, other ICMP), by reason.',
    type: 'counter',
    labels: ['reason'],
  },
  attemptsTracked: {
    name: 'rstwatch_attempts_tracked',
    help: 'Attempts held in the attempt table now (pending, or answered and lingering).',
    type: 'gauge',
    labels: [],
  },
  attemptEvictions: {
    name: 'rstwatch_attempt_evictions_total',
    help: 'Attempts evicted because the attempt table was full, by state: pending (also counted unanswered) or resolved (answered, lingering).',
    type: 'counter',
    labels: ['state'],
  },
  buildInfo: {
    name: 'rstwatch_build_info',
    help: 'Always 1; the version label tells which rstwatch runs.',
    type: 'gauge',
    labels: ['version'],
  },
  collectorSuccess: {
    name: 'rstwatch_scrape_collector_success',
    help: '1 when the collector read its values in the last scrape, 0 when it failed (its metrics are then left out).',
    type: 'gauge',
    labels: ['collector'],
  },
  kernelListenOverflows: {
    name: 'rstwatch_kernel_listen_overflows_total',
    help: 'TcpExt ListenOverflows of the network namespace: handshakes that found a full accept queue (/proc/net/netstat).',
    type: 'counter',
    labels: [],
  },
  kernelListenDrops: {
    name: 'rstwatch_kernel_listen_drops_total',
    help: 'TcpExt ListenDrops of the network namespace: SYNs and ACKs a listener dropped, overflows included (/proc/net/netstat).',
    type: 'counter',
    labels: [],
  },
  kernelSyncookiesSent: {
    name: 'rstwatch_kernel_syncookies_sent_total',
    help: 'TcpExt SyncookiesSent of the network namespace: SYN cookies sent because a SYN queue overflowed (/proc/net/netstat).',
    type: 'counter',
    labels: [],
  },
  kernelSomaxconn: {
    name: 'rstwatch_kernel_somaxconn',
    help: 'net.core.somaxconn: the cap on every listen() backlog, connections.',
    type: 'gauge',
    labels: [],
  },
  kernelTcpMaxSynBacklog: {
    name: 'rstwatch_kernel_tcp_max_syn_backlog',
    help: 'net.ipv4.tcp_max_syn_backlog: bound of a SYN queue, half-open connections.',
    type: 'gauge',
    labels: [],
  },
  kernelTcpAbortOnOverflow: {
    name: 'rstwatch_kernel_tcp_abort_on_overflow',
    help: 'net.ipv4.tcp_abort_on_overflow: 1 when a full accept queue answers with a RST (early resets), 0 when it drops.',
    type: 'gauge',
    labels: [],
  },
  kernelSyncookies: {
    name: 'rstwatch_kernel_syncookies',
    help: 'net.ipv4.tcp_syncookies: 0 off, 1 when a SYN queue overflows, 2 always.',
    type: 'gauge',
    labels: [],
  },
} as const satisfies Record<string, MetricSpec>;

/**
 * prom-client default metrics left out: gauges named `_total` (promtool rejects the suffix on a
 * non-counter). Each is the sum of the per-type gauge beside it (`nodejs_active_handles{type}`...).
 */
export const DEFAULT_METRICS_LEFT_OUT: readonly string[] = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** The `port` label value of the series that sums every port without a series of its own. */
export const OTHER_PORT_LABEL = 'other';

/** `kind` label values of `rstwatch_unmatched_answers_total`. */
export const UNMATCHED_KIND_NAMES = ['syn_ack', 'reset', 'icmp'] as const;

/** `where` label values of `rstwatch_capture_dropped_total`. */
export const DROP_WHERE_NAMES = ['kernel', 'interface', 'queue'] as const;

/** `state` label values of `rstwatch_attempt_evictions_total`. */
export const EVICTION_STATE_NAMES = ['pending', 'resolved'] as const;

/**
 * `collector` label values of `rstwatch_scrape_collector_success`: each names a group of metric
 * families that read one source; a group that throws is reported 0 and left out of the scrape.
 */
export const COLLECTORS = {
  /** Per-port attempt and outcome counters (tracker.ports). */
  attempts: 'attempts',
  /** rstwatch_refusal_ratio (the sampler's ring). */
  refusalRatio: 'refusal_ratio',
  /** rstwatch_refusal_latency_seconds (tracker.refusalLatency). */
  refusalLatency: 'refusal_latency',
  /** rstwatch_suspect_resets_total (the suspect-reset source). */
  suspectResets: 'suspect_resets',
  /** rstwatch_failure_causes_* (the cause classifier, causes/failure-causes.ts). */
  causes: 'causes',
  /** Table size, evictions, resets and unmatched answers (tracker.stats). */
  tracker: 'tracker',
  /** Capture state, frames and drops (the capture and the pipeline sink). */
  capture: 'capture',
  /** Decode errors and skipped frames (sink.statusCounts). */
  decode: 'decode',
  /** rstwatch_kernel_* (the latest kernel-state snapshot, read at most once a second). */
  kernel: 'kernel',
  /** rstwatch_build_info. */
  build: 'build',
  /** prom-client's default process_* and nodejs_* metrics. */
  process: 'process',
} as const;
