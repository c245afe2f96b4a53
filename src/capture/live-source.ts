/**
 * Live capture: `openLiveSource` opens a PacketSource on an interface with the project's libpcap
 * binding (native/, the default) or with the `cap` package (cap-source.ts).
 *
 * The native source reads on a capture thread into a bounded queue (native/src/capture_thread.c,
 * frame_queue.c), so the kernel buffer is emptied while the event loop is busy; it is called on the
 * event loop once per batch (see native/src/rstwatch_pcap.c) and walks the batch's records,
 * calling `sink.onFrame` once per frame. Per frame nothing is created: the byte view and the record
 * view are made once at open and reused for every batch.
 *
 * Buffer ownership: the batch data area and its records belong to the native side. A frame's bytes
 * (`buf[offset, offset + capLen)`) are valid only until `onFrame` returns; the next batch
 * overwrites them.
 */
import { isRstwatchError, RstwatchError } from '../base/errors.js';
import { DEFAULT_FILTER, defaultFilter } from './bpf-filter.js';
import { openCapSource } from './cap-source.js';
import type { FrameSink } from './frame-sink.js';
import { capturePermissionError, unknownInterfaceError } from './interfaces.js';
import { loadNativeBinding, type NativeBinding, type NativeStats } from './native-binding.js';
import type { CaptureFault, LiveCaptureOptions, PacketSource } from './packet-source.js';

/** The live capture backends: the project's libpcap binding, or the `cap` npm package. */
export const CAPTURE_BACKENDS = ['native', 'cap'] as const;
/** A live capture backend. */
export type CaptureBackend = (typeof CAPTURE_BACKENDS)[number];
/** The default backend: the project's libpcap binding. */
export const DEFAULT_BACKEND: CaptureBackend = 'native';

/**
 * Opens a live capture on `options.interfaceName`; frames flow once `start` is called.
 * `options.filter === DEFAULT_FILTER` is adapted to the link type (see `defaultFilter`).
 * Throws RstwatchError: RSTWATCH_ERR_CAPTURE_OPEN (no such interface, listing those that exist;
 * permission denied, with the CAP_NET_RAW hint; interface down; backend missing) or
 * RSTWATCH_ERR_CONFIG (a filter that does not compile).
 */
export function openLiveSource(options: LiveCaptureOptions, backend: CaptureBackend = 'native'): PacketSource {
  return backend === 'cap' ? openCapSource(options) : NativePacketSource.open(options);
}

/** The native backend's PacketSource, with its batch counters. */
export class NativePacketSource implements PacketSource {
  /** Always `native`. */
  readonly backend = 'native';
  /** pcap_stats is available. */
  readonly statsSupported = true;
  /** Batches delivered (one JavaScript call each). */
  batches = 0;
  /** Frames delivered, over all batches. */
  frames = 0;
  /**
   * Batches in which the sink threw (counted once per batch: a throw is a bug). The frames after
   * the throwing one are still delivered; the error never reaches the native side.
   */
  sinkErrors = 0;
  /** The last error the sink threw, for a log line; undefined if none. */
  lastSinkError: unknown = undefined;

  private sink: FrameSink | undefined;
  private onFault: ((fault: CaptureFault) => void) | undefined;
  private closed = false;
  private readonly bytes: Uint8Array;
  private readonly records: Uint32Array;
  private readonly recordFields: number;

  private constructor(
    private readonly native: NativeBinding,
    private readonly handle: unknown,
    /** The interface captured. */
    readonly interfaceName: string,
    /** LINKTYPE_* of the capture (DLT and LINKTYPE agree for every Linux link type the decoders read). */
    readonly linkType: number,
    /** libpcap's activation warnings. */
    readonly warnings: readonly string[],
    /** The filter installed ('' for none). */
    readonly filter: string,
    data: ArrayBuffer,
    records: ArrayBuffer,
  ) {
    this.bytes = new Uint8Array(data);
    this.records = new Uint32Array(records);
    this.recordFields = native.RECORD_FIELDS;
  }

  /** Opens and activates the capture and installs the filter; see `openLiveSource`. */
  static open(options: LiveCaptureOptions): NativePacketSource {
    const native = loadNativeBinding();
    const name = options.interfaceName;
    let cap;
    try {
      cap = native.open({
        interfaceName: name,
        snaplen: options.snaplen,
        promiscuous: options.promiscuous,
        immediate: options.immediate,
        bufferBytes: options.bufferBytes,
        timeoutMs: options.timeoutMs,
        maxBatchFrames: options.maxBatchFrames,
        queueBytes: options.queueBytes,
      });
    } catch (err) {
      throw openError(name, options.promiscuous, err);
    }
    const filter = options.filter === DEFAULT_FILTER ? defaultFilter(cap.linkType) : options.filter;
    if (filter !== '') {
      try {
        native.setFilter(cap.handle, filter);
      } catch (err) {
        native.close(cap.handle);
        throw new RstwatchError('RSTWATCH_ERR_CONFIG', `capture filter on '${name}': ${(err as Error).message}`, {
          hint: 'the filter uses libpcap syntax (man 7 pcap-filter); try it with `tcpdump -d -i IFACE FILTER`',
          cause: err,
        });
      }
    }
    return new NativePacketSource(native, cap.handle, name, cap.linkType, cap.warnings, filter, cap.data, cap.records);
  }

  start(sink: FrameSink, onFault: (fault: CaptureFault) => void): void {
    if (this.closed) throw new RstwatchError('RSTWATCH_ERR_INTERNAL', `start() on a closed capture of '${this.interfaceName}'`);
    this.sink = sink;
    this.onFault = onFault;
    try {
      this.native.start(
        this.handle,
        (count) => this.deliver(count),
        (reason, message) => this.fault(reason, message),
      );
    } catch (err) {
      // The native side has closed the capture (nothing would read it).
      this.closed = true;
      throw new RstwatchError('RSTWATCH_ERR_CAPTURE_OPEN', `cannot start the capture on '${this.interfaceName}': ${(err as Error).message}`, { cause: err });
    }
  }

  /** pcap_stats and the capture queue's counts (CaptureStats and more). */
  stats(): NativeStats {
    return this.native.stats(this.handle);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.close(this.handle);
  }

  /** One batch: `count` frames described in the records area. */
  private deliver(count: number): void {
    const sink = this.sink as FrameSink;
    const buf = this.bytes;
    const rec = this.records;
    const fields = this.recordFields;
    const linkType = this.linkType;
    this.batches++;
    this.frames += count;
    let i = 0;
    let threw = false;
    while (i < count) {
      try {
        for (; i < count; i++) {
          const r = i * fields;
          // BOUNDS: the native side wrote `count` records, each describing bytes inside `buf`.
          sink.onFrame(buf, rec[r], rec[r + 1], rec[r + 2], rec[r + 3], rec[r + 4], linkType);
        }
      } catch (err) {
        if (!threw) {
          threw = true;
          this.sinkErrors++;
        }
        this.lastSinkError = err;
        i++;
      }
    }
  }

  /** The capture stopped on its own: close it, then tell the owner once. */
  private fault(reason: string, message: string): void {
    this.close();
    const onFault = this.onFault;
    this.onFault = undefined;
    onFault?.({ reason, message: `${this.interfaceName}: ${message}` });
  }
}

/** Turns a native open error into the RstwatchError the CLI prints. */
function openError(name: string, promiscuous: boolean, err: unknown): RstwatchError {
  if (isRstwatchError(err)) return err;
  const code = (err as { code?: unknown }).code;
  const message = (err as Error).message ?? String(err);
  switch (code) {
    case 'PCAP_ERROR_NO_SUCH_DEVICE':
      return unknownInterfaceError(name, message, err);
    case 'PCAP_ERROR_PERM_DENIED':
      return capturePermissionError(name, message, err);
    case 'PCAP_ERROR_PROMISC_PERM_DENIED':
      // Not seen on Linux, where promiscuous mode needs only the CAP_NET_RAW of the capture socket.
      return capturePermissionError(name, `${message} (the system refused promiscuous mode${promiscuous ? '' : ', which libpcap asked for'})`, err);
    case 'PCAP_ERROR_IFACE_NOT_UP':
      return new RstwatchError('RSTWATCH_ERR_CAPTURE_OPEN', `interface '${name}' is down: ${message}`, {
        hint: `bring it up (\`ip link set ${name} up\`) or capture on another interface`,
        cause: err,
      });
    default:
      return new RstwatchError('RSTWATCH_ERR_CAPTURE_OPEN', `cannot open a capture on '${name}': ${message}`, { cause: err });
  }
}
