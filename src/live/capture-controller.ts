/**
 * Keeps a live capture running: opens it, feeds the pipeline, and when the interface goes down
 * or away, marks the capture down, logs why, and reopens it with exponential backoff until it
 * comes back. Statistics stay cumulative across reopenings (each new libpcap handle counts from
 * zero), so the exported counters never go backwards.
 */
import type { Logger } from 'pino';
import type { FrameSink } from '../capture/frame-sink.js';
import type { CaptureFault, CaptureStats, LiveCaptureOptions, PacketSource } from '../capture/packet-source.js';
import { isRstwatchError } from '../base/errors.js';

/** Opens a packet source (the live backend, or a stand-in in tests). */
export type SourceOpener = (options: LiveCaptureOptions) => PacketSource;

/** First reopen delay, milliseconds; doubles up to `MAX_BACKOFF_MS`. */
export const FIRST_BACKOFF_MS = 500;
/** Longest reopen delay, milliseconds. */
export const MAX_BACKOFF_MS = 30_000;

/** See the module comment. */
export class CaptureController {
  private source: PacketSource | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs = FIRST_BACKOFF_MS;
  private stopped = false;
  /** Stats of the handles closed so far, added to the current one's. */
  private base = { received: 0, droppedKernel: 0, droppedInterface: 0 };
  /** sinkErrors of the handles closed so far. */
  private baseSinkErrors = 0;
  /** Times the capture was (re)opened. */
  opens = 0;
  /** Faults seen. */
  faults = 0;

  constructor(
    private readonly options: LiveCaptureOptions,
    private readonly open: SourceOpener,
    private readonly sink: FrameSink,
    private readonly log: Logger,
  ) {}

  /** Opens the capture now; throws (RSTWATCH_ERR_CAPTURE_OPEN) when it cannot. */
  start(): PacketSource {
    const source = this.open(this.options);
    this.attach(source);
    return source;
  }

  /** True while a capture is running. */
  up(): boolean {
    return this.source !== undefined;
  }

  /** The running source, if any. */
  current(): PacketSource | undefined {
    return this.source;
  }

  /** Cumulative statistics over every handle opened. */
  stats(): CaptureStats {
    const s = this.source?.stats();
    return {
      received: this.base.received + (s?.received ?? 0),
      droppedKernel: this.base.droppedKernel + (s?.droppedKernel ?? 0),
      droppedInterface: this.base.droppedInterface + (s?.droppedInterface ?? 0),
    };
  }

  /** Deliveries whose sink threw, over every handle opened (PacketSource.sinkErrors). */
  sinkErrors(): number {
    return this.baseSinkErrors + (this.source?.sinkErrors ?? 0);
  }

  /** Stops the capture and any pending reopen. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.closeSource();
  }

  private attach(source: PacketSource): void {
    this.source = source;
    this.opens++;
    this.backoffMs = FIRST_BACKOFF_MS;
    for (const w of source.warnings) this.log.warn({ event: 'capture_warning', interface: source.interfaceName }, w);
    source.start(this.sink, (fault) => this.onFault(source, fault));
  }

  private onFault(source: PacketSource, fault: CaptureFault): void {
    if (source !== this.source) return;
    this.faults++;
    this.log.error(
      { event: 'capture_down', interface: source.interfaceName, reason: fault.reason, detail: fault.message },
      `capture on ${source.interfaceName} stopped (${fault.reason}): ${fault.message}; reopening`,
    );
    this.closeSource();
    this.scheduleReopen();
  }

  private closeSource(): void {
    const s = this.source;
    if (s === undefined) return;
    this.source = undefined;
    this.baseSinkErrors += s.sinkErrors;
    try {
      const st = s.stats();
      this.base = {
        received: this.base.received + st.received,
        droppedKernel: this.base.droppedKernel + st.droppedKernel,
        droppedInterface: this.base.droppedInterface + st.droppedInterface,
      };
    } catch {
      // A handle whose interface vanished may have no statistics left to give.
    }
    s.close();
  }

  private scheduleReopen(): void {
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopped) return;
      try {
        const source = this.open(this.options);
        this.log.info(
          { event: 'capture_up', interface: source.interfaceName, link_type: source.linkType },
          `capture on ${source.interfaceName} is running again`,
        );
        this.attach(source);
      } catch (err) {
        const message = isRstwatchError(err) || err instanceof Error ? err.message : String(err);
        this.log.warn({ event: 'capture_reopen_failed', retry_in_ms: this.backoffMs, detail: message }, `cannot reopen the capture yet: ${message}`);
        this.scheduleReopen();
      }
    }, delay);
  }
}
