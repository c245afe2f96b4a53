/**
 * Loads the project's libpcap binding (native/, built at install by scripts/build-native.mjs into
 * native/build/Release/rstwatch_pcap.node) and types it. Loaded lazily, on first use: replay never
 * needs it, and a missing build is a clear RstwatchError, not a crash at import.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { RstwatchError } from '../base/errors.js';
import { packageRoot } from '../base/package-root.js';
import type { LiveCaptureOptions } from './packet-source.js';

/**
 * Options of `NativeBinding.open`: the live options but the filter (installed by `setFilter` once
 * the link type is known), plus the largest size of a batch's data area in bytes (default 4 MiB;
 * the area is what `maxBatchFrames` whole snapshots take, at most this, at least two snapshots).
 * `bufferBytes` 0 keeps libpcap's default; `queueBytes` may be left out (64 MiB) or 0 (every frame
 * read is dropped and counted: for tests).
 */
export type NativeOpenOptions = Omit<LiveCaptureOptions, 'filter' | 'queueBytes'> & { readonly batchBytes?: number; readonly queueBytes?: number };

/** What `NativeBinding.open` returns. */
export interface NativeCapture {
  /** Opaque handle for the other calls. */
  readonly handle: unknown;
  /** LINKTYPE_* of the capture (276, LINUX_SLL2, on `any`). */
  readonly linkType: number;
  /** The snapshot length in effect, bytes (pcap_snapshot). */
  readonly snaplen: number;
  /** True when timestamps have nanosecond precision (else microseconds, scaled to ns). */
  readonly nanosecond: boolean;
  /** pcap_activate warnings and link-type fallbacks, as text. */
  readonly warnings: string[];
  /**
   * The batch data area: frames packed back to back. Owned by the native side; a batch's bytes
   * are valid only until the `onBatch` call that announced them returns.
   */
  readonly data: ArrayBuffer;
  /**
   * The batch records, read as a Uint32Array: `RECORD_FIELDS` values per frame (offset in `data`,
   * capLen, origLen, tsSec, tsNsec), same ownership and lifetime as `data`.
   */
  readonly records: ArrayBuffer;
}

/** One address of a device, as pcap_findalldevs gives it (IPv4 and IPv6 only). */
export interface NativeDeviceAddress {
  /** `inet` or `inet6`. */
  readonly family: 'inet' | 'inet6';
  /** The address in text form. */
  readonly address: string;
  /** The netmask in text form, null when libpcap gives none. */
  readonly netmask: string | null;
}

/** One capture device (pcap_findalldevs). */
export interface NativeDevice {
  /** Interface name to pass to `open`. */
  readonly name: string;
  /** libpcap's description, null for most Linux interfaces. */
  readonly description: string | null;
  /** Its IPv4 and IPv6 addresses. */
  readonly addresses: readonly NativeDeviceAddress[];
  /** PCAP_IF_UP, PCAP_IF_RUNNING, PCAP_IF_LOOPBACK. */
  readonly flags: { readonly up: boolean; readonly running: boolean; readonly loopback: boolean };
}

/** Cumulative pcap_stats counts, and the capture queue's. */
export interface NativeStats {
  /** ps_recv: packets that passed the filter (those the kernel dropped included). */
  readonly received: number;
  /** ps_drop: dropped because the kernel buffer was full. */
  readonly droppedKernel: number;
  /** ps_ifdrop: dropped by the interface. */
  readonly droppedInterface: number;
  /** Read by the capture thread but dropped: the capture queue was full (or had no memory). */
  readonly droppedQueue: number;
  /** Read by the capture thread and put in the queue (handed on, or still waiting). */
  readonly queued: number;
  /** Bytes the queue holds now (the pages its waiting frames take). */
  readonly queueBytes: number;
  /** The most bytes it ever held. */
  readonly queuePeakBytes: number;
}

/**
 * The addon's functions. Errors thrown carry `code`: a PCAP_ERROR_* name
 * (`PCAP_ERROR_NO_SUCH_DEVICE`, `PCAP_ERROR_PERM_DENIED`, `PCAP_ERROR_PROMISC_PERM_DENIED`,
 * `PCAP_ERROR_IFACE_NOT_UP`, `PCAP_ERROR_FILTER` for a filter that does not compile, ...).
 */
export interface NativeBinding {
  /** Creates and activates a capture; not yet reading (see `start`). */
  open(options: NativeOpenOptions): NativeCapture;
  /** Compiles `expr` for the capture's link type and installs it. */
  setFilter(handle: unknown, expr: string): void;
  /**
   * Starts the capture thread (it reads the kernel into the capture queue); batches come on the
   * event loop: `onBatch(frames)` once per batch, in order, `onFault(reason, message)` at most once
   * when the capture stops on its own, after every frame read before it (the thread has ended;
   * call `close`). Throws (code ERR_CAPTURE_THREAD) when the thread cannot start (the capture is
   * then closed).
   */
  start(handle: unknown, onBatch: (frames: number) => void, onFault: (reason: string, message: string) => void): void;
  /** Cumulative statistics; after `close`, the last ones read. */
  stats(handle: unknown): NativeStats;
  /** Stops the capture thread (waits for it), drops what the queue holds, closes the capture; safe to call twice. */
  close(handle: unknown): void;
  /** Every capture device of the network namespace. */
  findAllDevs(): NativeDevice[];
  /**
   * Sends one whole frame on the capture's interface (pcap_inject); returns the bytes sent.
   * @internal The one hatch for tests: rstwatch only listens, but the forged-reset attacker of
   * kit/suspect-agents.ts must race a real SYN-ACK from inside its capture loop.
   */
  inject(handle: unknown, frame: Uint8Array): number;
  /** pcap_lib_version(). */
  libVersion(): string;
  /**
   * Switches the process to `uid`/`gid` (root only) while keeping CAP_NET_RAW on the calling (main)
   * thread, so a capture can be reopened afterwards; narrows the bounding set to CAP_NET_RAW when
   * CAP_SETPCAP allows (returns true then, false when the bounding set was left as it was).
   * Throws (code ERR_SWITCH_USER) when a step fails. See native/src/privileges.c.
   */
  switchUser(uid: number, gid: number): boolean;
  /**
   * Sets no_new_privs and installs rstwatch's seccomp deny-list on every thread; returns false
   * when this architecture has no filter (no_new_privs is then set on the calling thread only).
   * Throws (code ERR_LOCK_DOWN) when the kernel refuses. See native/src/privileges.c.
   */
  lockDown(): boolean;
  /**
   * Watches interface `name` through rtnetlink: `onChange` gets its state ('up', 'down', 'gone')
   * after each link message naming it, or 'error' once if the watch failed (it has then stopped).
   * Never keeps the process alive by itself. See native/src/link_watch.c.
   */
  watchLink(name: string, onChange: (state: 'up' | 'down' | 'gone' | 'error') => void): unknown;
  /** Stops a watch `watchLink` started; safe to call twice. */
  unwatchLink(handle: unknown): void;
  /** uint32 values per frame in `records`. */
  readonly RECORD_FIELDS: number;
}

/** Largest data area of a batch, bytes, when `batchBytes` is not given (native/src/rstwatch_pcap.c DEFAULT_BATCH_BYTES). */
export const NATIVE_DEFAULT_BATCH_BYTES = 4 * 1024 * 1024;
/** Drained chunks the capture queue keeps for reuse (native/src/frame_queue.h RW_QUEUE_RESERVE). */
export const NATIVE_QUEUE_RESERVE_CHUNKS = 2;
/** The capture thread's stack, bytes (native/src/capture_thread.c STACK_BYTES): resident only as far as it is used. */
export const NATIVE_THREAD_STACK_BYTES = 256 * 1024;
const PAGE_BYTES = 4096;
/** Bytes of one frame's record (RECORD_FIELDS uint32). */
const RECORD_BYTES = 5 * 4;
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** What the native capture allocates for a batch, bytes: its data area, its records, and a queue chunk (one mapping: header and records, then the data area page-aligned). */
export interface NativeBatchBytes {
  readonly data: number;
  readonly records: number;
  readonly chunk: number;
}

/** The sizes `open` gives a capture of `snaplen`-byte snapshots and `maxBatchFrames` frames a batch, `batchBytes` left out (native/src/rstwatch_pcap.c, frame_queue.c). */
export function nativeBatchBytes(snaplen: number, maxBatchFrames: number): NativeBatchBytes {
  const data = Math.max(2 * snaplen, Math.min(NATIVE_DEFAULT_BATCH_BYTES, maxBatchFrames * snaplen));
  const records = maxBatchFrames * RECORD_BYTES;
  // The chunk's struct (64 bytes with its alignment) before its records, the data area on a page boundary.
  return { data, records, chunk: roundUp(64 + records, PAGE_BYTES) + roundUp(data, PAGE_BYTES) };
}
/** Where the built addon lives: native/build/Release under the package directory. */
export const NATIVE_ADDON_PATH = join(packageRoot(), 'native/build/Release/rstwatch_pcap.node');

let binding: NativeBinding | undefined;

/** The loaded binding; throws RSTWATCH_ERR_CAPTURE_OPEN when it is not built or does not load. */
export function loadNativeBinding(): NativeBinding {
  if (binding === undefined) {
    try {
      binding = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativeBinding;
    } catch (err) {
      throw new RstwatchError('RSTWATCH_ERR_CAPTURE_OPEN', `the native capture binding cannot be loaded from ${NATIVE_ADDON_PATH}: ${(err as Error).message}`, {
        hint:
          'the addon is built when rstwatch is installed, with node-gyp (needs libpcap-dev, a C compiler, make and python3; ' +
          'native/build-native.log says what failed): install those, then `npm rebuild -g rstwatch` (in a checkout: ' +
          '`bash scripts/setup.sh`); or use --backend cap',
        cause: err,
      });
    }
  }
  return binding;
}
