/**
 * Keeps a live capture running: opens it, feeds the pipeline, and when the interface goes down
 * or away, marks the capture down, logs why, and reopens it as soon as it can: at once when the
 * link watch (rtnetlink, capture/link-watch.ts) says the interface is up again, and otherwise with
 * exponential backoff (the fallback when there is no watch, when a notification is lost, or when
 * the interface is up but the open still fails). Statistics stay cumulative across reopenings
 * (each new libpcap handle counts from zero), so the exported counters never go backwards; the
 * time spent down is added up, so that a dashboard shows how long nothing was counted.
 */
import type { Logger } from 'pino';
import type { FrameSink } from '../capture/frame-sink.js';
import type { LinkState, LinkWatch, LinkWatcher } from '../capture/link-watch.js';
import type { CaptureFault, CaptureStats, LiveCaptureOptions, PacketSource } from '../capture/packet-source.js';
import { isRstwatchError } from '../base/errors.js';

/** Opens a packet source (the live backend, or a stand-in in tests). */
export type SourceOpener = (options: LiveCaptureOptions) => PacketSource;

/** First reopen delay, milliseconds; doubles up to `MAX_BACKOFF_MS`. */
export const FIRST_BACKOFF_MS = 500;
/** Longest reopen delay, milliseconds. */
export const MAX_BACKOFF_MS = 30_000;

/** What made a reopen happen: the link watch, the backoff timer, or an operator's SIGHUP. */
export type ReopenTrigger = 'link' | 'timer' | 'SIGHUP';

/** The parts a controller works with. */
export interface CaptureControllerParts {
  /** How to open the capture (the same each time). */
  readonly options: LiveCaptureOptions;
  /** Opens a source: the live backend, or a stand-in in tests. */
  readonly open: SourceOpener;
  /** Where frames go. */
  readonly sink: FrameSink;
  readonly log: Logger;
  /** Starts a link watch on the interface; absent, or failing, leaves the backoff timer alone. */
  readonly watchLink?: LinkWatcher;
  /**
   * Called after each reopening (the daemon re-reads the local addresses then: a re-created
   * interface has its addresses again, and direction must not wait for the next refresh).
   */
  readonly onReopened?: () => void;
  /** A monotonic clock in milliseconds (default `performance.now`); tests give their own. */
  readonly nowMs?: () => number;
}

/** See the module comment. */
export class CaptureController {
  private source: PacketSource | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs = FIRST_BACKOFF_MS;
  private stopped = false;
  private link: LinkWatch | undefined;
  /** When the capture went down (nowMs), while it is down. */
  private downSinceMs: number | undefined;
  /** Milliseconds down over the faults that ended. */
  private downMsEnded = 0;
  /** Stats of the handles closed so far, added to the current one's. */
  private base: CaptureStats = { received: 0, droppedKernel: 0, droppedInterface: 0, droppedQueue: 0 };
  /** sinkErrors of the handles closed so far. */
  private baseSinkErrors = 0;
  private baseLastSinkError: unknown = undefined;
  /** The link state last told by the watch (undefined before the first notice). */
  private linkState: LinkState | undefined = undefined;
  private readonly options: LiveCaptureOptions;
  private readonly log: Logger;
  private readonly nowMs: () => number;
  /** Times the capture was (re)opened. */
  opens = 0;
  /** Times the capture stopped on its own (each followed by reopening). */
  faults = 0;

  constructor(private readonly parts: CaptureControllerParts) {
    this.options = parts.options;
    this.log = parts.log;
    this.nowMs = parts.nowMs ?? (() => performance.now());
  }

  /**
   * Opens the capture now and starts watching its interface's link (not for `any`, which no
   * interface takes down); throws (RSTWATCH_ERR_CAPTURE_OPEN) when the capture cannot open.
   */
  start(): PacketSource {
    const source = this.parts.open(this.options);
    this.attach(source);
    this.startLinkWatch();
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

  /** Seconds the capture has been down since start, the current spell included. */
  downSeconds(): number {
    const current = this.downSinceMs === undefined ? 0 : this.nowMs() - this.downSinceMs;
    return (this.downMsEnded + current) / 1000;
  }

  /** Cumulative statistics over every handle opened. */
  stats(): CaptureStats {
    const s = this.source?.stats();
    return {
      received: this.base.received + (s?.received ?? 0),
      droppedKernel: this.base.droppedKernel + (s?.droppedKernel ?? 0),
      droppedInterface: this.base.droppedInterface + (s?.droppedInterface ?? 0),
      droppedQueue: this.base.droppedQueue + (s?.droppedQueue ?? 0),
    };
  }

  /** Deliveries whose sink threw, over every handle opened (PacketSource.sinkErrors). */
  sinkErrors(): number {
    return this.baseSinkErrors + (this.source?.sinkErrors ?? 0);
  }

  /** What the sink threw last, over every handle opened; undefined if it never threw. */
  lastSinkError(): unknown {
    return this.source?.lastSinkError ?? this.baseLastSinkError;
  }

  /**
   * While the capture is down, tries to reopen it now (a pending backoff retry is replaced); does
   * nothing while it runs or after `stop`. Returns whether the capture runs afterwards.
   */
  reopenNow(trigger: ReopenTrigger): boolean {
    if (this.stopped || this.source !== undefined) return this.source !== undefined;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.tryReopen(trigger);
    return this.source !== undefined;
  }

  /** Stops the capture, the link watch and any pending reopen. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.link?.close();
    this.link = undefined;
    this.closeSource();
  }

  private startLinkWatch(): void {
    const watch = this.parts.watchLink;
    const name = this.options.interfaceName;
    if (watch === undefined || name === 'any') return;
    try {
      this.link = watch(name, (state) => this.onLink(state));
    } catch (err) {
      this.log.warn(
        { event: 'link_watch_unavailable', interface: name, detail: messageOf(err) },
        `cannot watch the link state of ${name} (${messageOf(err)}); a lost capture is reopened on the backoff timer only`,
      );
    }
  }

  private onLink(state: LinkState): void {
    if (state === 'error') {
      this.link?.close();
      this.link = undefined;
      this.log.warn(
        { event: 'link_watch_failed', interface: this.options.interfaceName },
        'the link watch failed; a lost capture is reopened on the backoff timer only',
      );
      return;
    }
    this.linkState = state;
    if (state === 'up') this.reopenNow('link');
  }

  /** Starts an opened source and makes it the current one; a start that throws closes it and throws. */
  private attach(source: PacketSource): void {
    try {
      source.start(this.parts.sink, (fault) => this.onFault(source, fault));
    } catch (err) {
      source.close();
      throw err;
    }
    this.source = source;
    this.opens++;
    this.backoffMs = FIRST_BACKOFF_MS;
    for (const w of source.warnings) this.log.warn({ event: 'capture_warning', interface: source.interfaceName }, w);
  }

  private onFault(source: PacketSource, fault: CaptureFault): void {
    if (source !== this.source) return;
    this.faults++;
    this.downSinceMs = this.nowMs();
    this.log.error(
      { event: 'capture_down', interface: source.interfaceName, reason: fault.reason, detail: fault.message },
      `capture on ${source.interfaceName} stopped (${fault.reason}): ${fault.message}; nothing is counted until it is reopened`,
    );
    this.closeSource();
    // A quick flap (down and up again) may have been told before the capture's fault: the link is
    // up already, so there is no notice left to wait for.
    if (this.link !== undefined && this.linkState === 'up') this.tryReopen('link');
    else this.scheduleReopen();
  }

  private closeSource(): void {
    const s = this.source;
    if (s === undefined) return;
    this.source = undefined;
    this.baseSinkErrors += s.sinkErrors;
    if (s.lastSinkError !== undefined) this.baseLastSinkError = s.lastSinkError;
    try {
      const st = s.stats();
      this.base = {
        received: this.base.received + st.received,
        droppedKernel: this.base.droppedKernel + st.droppedKernel,
        droppedInterface: this.base.droppedInterface + st.droppedInterface,
        droppedQueue: this.base.droppedQueue + st.droppedQueue,
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
      if (!this.stopped) this.tryReopen('timer');
    }, delay);
  }

  /** Opens the capture again; on failure, logs and schedules the next retry. */
  private tryReopen(trigger: ReopenTrigger): void {
    let source: PacketSource;
    try {
      source = this.parts.open(this.options);
      this.attach(source);
    } catch (err) {
      const message = messageOf(err);
      this.log.warn({ event: 'capture_reopen_failed', trigger, retry_in_ms: this.backoffMs, detail: message }, `cannot reopen the capture yet: ${message}`);
      this.scheduleReopen();
      return;
    }
    const downMs = this.downSinceMs === undefined ? 0 : this.nowMs() - this.downSinceMs;
    this.downMsEnded += downMs;
    this.downSinceMs = undefined;
    const downSeconds = Math.round(downMs) / 1000;
    this.log.info(
      { event: 'capture_up', interface: source.interfaceName, link_type: source.linkType, down_seconds: downSeconds, reopened_by: trigger },
      `capture on ${source.interfaceName} is running again after ${downSeconds} s down (reopened by ${trigger}); counting resumes`,
    );
    this.parts.onReopened?.();
  }
}

function messageOf(err: unknown): string {
  return isRstwatchError(err) || err instanceof Error ? err.message : String(err);
}
