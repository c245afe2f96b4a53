/**
 * A live packet source: a capture on a network interface that hands frames to a FrameSink in
 * batches (one JavaScript call per batch, positionally, as the file reader does per frame).
 * Two backends implement it: the project's own libpcap binding (native/, the default) and the
 * `cap` npm package (`--backend cap`, with the limits listed in docs/live.md).
 */
import type { FrameSink } from './frame-sink.js';

/** How to open a live capture. */
export interface LiveCaptureOptions {
  /** Interface name (`any` for every interface of the network namespace). */
  readonly interfaceName: string;
  /** Bytes captured per frame. */
  readonly snaplen: number;
  /** Put the interface into promiscuous mode (on Linux through the packet socket: CAP_NET_RAW is enough). */
  readonly promiscuous: boolean;
  /** Deliver packets as they arrive instead of when a kernel buffer block fills. */
  readonly immediate: boolean;
  /** Kernel capture buffer size in bytes. */
  readonly bufferBytes: number;
  /** Read timeout in milliseconds (how long the kernel may hold packets before waking us). */
  readonly timeoutMs: number;
  /** BPF filter expression (libpcap syntax); '' captures everything. */
  readonly filter: string;
  /** Largest number of frames handed on in one batch (bounds the time one batch holds the event loop). */
  readonly maxBatchFrames: number;
  /**
   * Bytes the capture queue may hold at most: frames the native backend's capture thread has read
   * and the event loop has not handed on yet (taken only while frames wait; beyond it frames are
   * dropped and counted in `CaptureStats.droppedQueue`). The `cap` backend has no queue.
   */
  readonly queueBytes: number;
}

/** Capture statistics, cumulative since the capture was opened (pcap_stats). */
export interface CaptureStats {
  /** Packets received by the filter (ps_recv). */
  readonly received: number;
  /** Packets dropped because the kernel buffer was full (ps_drop). */
  readonly droppedKernel: number;
  /** Packets dropped by the interface or its driver (ps_ifdrop). */
  readonly droppedInterface: number;
  /** Packets read from the kernel but dropped because the capture queue was full (native backend). */
  readonly droppedQueue: number;
}

/** Why a running capture stopped on its own. */
export interface CaptureFault {
  /** Short machine-readable reason: `interface_down`, `interface_gone`, `read_error`. */
  readonly reason: string;
  /** libpcap's message. */
  readonly message: string;
}

/** An open live capture. */
export interface PacketSource {
  /** Which backend this is: `native` or `cap`. */
  readonly backend: string;
  /** The interface captured. */
  readonly interfaceName: string;
  /** LINKTYPE_* of the capture (LINUX_SLL2 on `any` with the native backend). */
  readonly linkType: number;
  /** Warnings libpcap gave on activation (e.g. promiscuous mode not supported). */
  readonly warnings: readonly string[];
  /**
   * Starts delivering frames to `sink`, batch by batch, from the event loop. `onFault` is called
   * at most once if the capture stops on its own (the interface went down or away); the source
   * is then closed and must be reopened.
   */
  start(sink: FrameSink, onFault: (fault: CaptureFault) => void): void;
  /** Cumulative statistics; zeros when the backend cannot tell (see `statsSupported`). */
  stats(): CaptureStats;
  /** False when the backend gives no drop counts (`cap`). */
  readonly statsSupported: boolean;
  /**
   * Deliveries whose sink threw (a bug in rstwatch), cumulative: one per batch in which a frame
   * threw (one per frame where a batch is one frame); the frame is skipped and the capture goes on.
   */
  readonly sinkErrors: number;
  /** The last error the sink threw, for the daemon's log line; undefined if none. */
  readonly lastSinkError: unknown;
  /** Stops the capture and releases it; safe to call twice. */
  close(): void;
}
