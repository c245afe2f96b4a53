/**
 * The `cap` backend (`--backend cap`): the same PacketSource contract over the `cap` npm package,
 * an optional dependency loaded lazily. Its limits, all from cap 0.2.1's binding (see
 * docs/capture.md):
 *
 * - No capture timestamps: cap hands over bytes only. Frames are stamped with `Date.now()` when
 *   JavaScript receives them (millisecond resolution, delivery time, not wire time), so refusal
 *   latencies are coarser and include the delivery delay.
 * - No pcap_stats: `statsSupported` is false and `stats()` returns zeros.
 * - Snapshot length fixed at 65535, promiscuous mode always on, read timeout 1000 ms: the
 *   options' values for these are ignored (a warning says so). The kernel buffer is raised to
 *   CAP_MIN_BUFFER_BYTES, because at that snapshot length each packet takes a 64 KiB slot.
 * - One JavaScript call (an EventEmitter `emit`) per packet, not per batch, read on the event loop:
 *   no capture thread and no queue (`queueBytes` is ignored), so a busy event loop leaves the
 *   kernel buffer to fill.
 * - On `any` the link type is LINUX_SLL (113): cap cannot ask for LINUX_SLL2.
 * - When the interface goes down or away, cap ABORTS the process (an `assert(status == 0)` in its
 *   poll callback): `onFault` is never called. Use the native backend where interfaces come and go.
 *
 * Buffer ownership: cap copies each packet into one 65535-byte Buffer owned by this source; a frame
 * is valid only until `onFrame` returns.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { RstwatchError } from '../base/errors.js';
import { DEFAULT_FILTER, defaultFilter } from './bpf-filter.js';
import { LinkType, type FrameSink } from './frame-sink.js';
import { capturePermissionError, unknownInterfaceError, type InterfaceInfo } from './interfaces.js';
import type { CaptureFault, CaptureStats, LiveCaptureOptions, PacketSource } from './packet-source.js';

/** Snapshot length cap always uses, bytes. */
export const CAP_SNAPLEN = 65535;

/**
 * Smallest kernel buffer the cap backend asks for, bytes. With immediate mode libpcap uses a
 * TPACKET_V2 ring of fixed-size slots, one per packet, each sized for the snapshot length: at
 * cap's 65535 bytes a slot is about 64 KiB, so 4 MiB holds only about 63 packets and a burst
 * larger than that is dropped before JavaScript runs (seen in test/capture/live-capture.test.ts:
 * 30 of a 156-frame burst lost). 32 MiB holds about 500.
 */
export const CAP_MIN_BUFFER_BYTES = 32 * 1024 * 1024;

/** The parts of cap's `Cap` class used here. */
interface CapInstance {
  open(device: string, filter: string, bufferBytes: number, buffer: Buffer): string;
  close(): void;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): void;
  removeAllListeners(event?: string): void;
}
interface CapModule {
  Cap: { new (): CapInstance; deviceList(): CapDevice[] };
}

/** One entry of cap's `Cap.deviceList()` (pcap_findalldevs, as cap 0.2.1 gives it). */
interface CapDevice {
  name: string;
  description?: string;
  addresses: { addr: string; netmask?: string }[];
  /** `PCAP_IF_LOOPBACK` or absent: cap passes on no other flag. */
  flags?: string;
}

/** IFF_UP of <linux/if.h>, as /sys/class/net/NAME/flags shows it (hex). */
const IFF_UP = 0x1;

const ZERO_STATS: CaptureStats = Object.freeze({ received: 0, droppedKernel: 0, droppedInterface: 0, droppedQueue: 0 });

/** cap's link type names (its binding returns names, not numbers) as LINKTYPE_* values. */
function capLinkType(name: string): number {
  switch (name) {
    case 'ETHERNET':
      return LinkType.ETHERNET;
    case 'LINKTYPE_LINUX_SLL':
      return LinkType.LINUX_SLL;
    case 'RAW':
      // DLT_RAW as Linux libpcap reports it; the decoders read it as raw IP.
      return LinkType.RAW_DLT12;
    case 'NULL':
      return LinkType.NULL;
    default: {
      const m = /^Unknown linktype (\d+)$/.exec(name);
      return m ? Number(m[1]) : -1;
    }
  }
}

let capModule: CapModule | undefined;

/** Cap instances whose open() threw, kept reachable: see CapPacketSource.open. */
const FAILED_CAPS: CapInstance[] = [];

function loadCap(): CapModule {
  if (capModule === undefined) {
    try {
      capModule = createRequire(import.meta.url)('cap') as CapModule;
    } catch (err) {
      throw new RstwatchError('RSTWATCH_ERR_CAPTURE_OPEN', `the cap backend is not available: ${(err as Error).message}`, {
        hint:
          'cap is an optional dependency built at install with node-gyp (needs libpcap-dev, a C++ compiler, make, python3 and ' +
          "Node's headers): install those, then `npm rebuild -g rstwatch` (in a checkout: `npm ci`); or use the native backend",
        cause: err,
      });
    }
  }
  return capModule;
}

/** The `cap` backend's PacketSource; see the module comment for its limits. */
export class CapPacketSource implements PacketSource {
  /** Always `cap`. */
  readonly backend = 'cap';
  /** cap gives no drop counts. */
  readonly statsSupported = false;
  /** Frames delivered (one JavaScript call each). */
  frames = 0;
  /** Frames the sink threw on (each one is a bug; never passed back into cap). */
  sinkErrors = 0;
  /** The last error the sink threw, for a log line; undefined if none. */
  lastSinkError: unknown = undefined;
  private closed = false;

  private constructor(
    private readonly cap: CapInstance,
    private readonly buffer: Buffer,
    /** The interface captured. */
    readonly interfaceName: string,
    /** LINKTYPE_* of the capture (LINUX_SLL on `any`). */
    readonly linkType: number,
    /** What this backend ignores of the options. */
    readonly warnings: readonly string[],
    /** The filter installed ('' for none). */
    readonly filter: string,
  ) {}

  /** Opens the capture with cap; see `openLiveSource` for the errors. */
  static open(options: LiveCaptureOptions): CapPacketSource {
    const { Cap } = loadCap();
    const name = options.interfaceName;
    // An unknown name is refused here, before cap's open(), which would print libpcap's
    // "Warning: SIOCGIFADDR: ... No such device" straight to stderr from C before failing.
    const devices = Cap.deviceList().map((d) => d.name);
    if (!devices.includes(name)) throw unknownInterfaceError(name, 'not among the devices libpcap lists', undefined, devices.join(', '));
    const buffer = Buffer.alloc(CAP_SNAPLEN);
    // cap compiles the filter inside open(), before the link type is known to us: try the
    // Ethernet default, and fall back to the untagged one where `vlan` does not compile.
    // A Cap whose open() threw is never touched again and never garbage-collected: cap 0.2.1
    // crashes when such an instance is closed or opened again (SIGSEGV) or collected (SIGABRT),
    // as it stops a poll handle it never started. The retry uses a new instance; failed ones are
    // kept in FAILED_CAPS (one small object per failed open).
    let filter = options.filter;
    let linkName: string;
    let cap = new Cap();
    const bufferBytes = Math.max(options.bufferBytes, CAP_MIN_BUFFER_BYTES);
    try {
      try {
        linkName = cap.open(name, filter, bufferBytes, buffer);
      } catch (err) {
        FAILED_CAPS.push(cap);
        if (filter !== DEFAULT_FILTER || !/no VLAN support/.test((err as Error).message)) throw err;
        filter = defaultFilter(LinkType.LINUX_SLL);
        cap = new Cap();
        linkName = cap.open(name, filter, bufferBytes, buffer);
      }
    } catch (err) {
      if (!FAILED_CAPS.includes(cap)) FAILED_CAPS.push(cap);
      throw capOpenError(name, filter, err, Cap);
    }
    const linkType = capLinkType(linkName);
    const warnings = ['cap backend: timestamps are Date.now() at delivery (millisecond resolution), not capture time', 'cap backend: no drop statistics'];
    if (options.snaplen !== CAP_SNAPLEN) warnings.push(`cap backend: snapshot length is fixed at ${CAP_SNAPLEN} (${options.snaplen} asked)`);
    if (!options.promiscuous) warnings.push('cap backend: promiscuous mode is always on');
    if (bufferBytes !== options.bufferBytes) {
      warnings.push(
        `cap backend: kernel buffer raised to ${bufferBytes} bytes (${options.bufferBytes} asked): at a 65535-byte snapshot a smaller one holds too few packets`,
      );
    }
    if (linkType < 0) {
      cap.close();
      throw new RstwatchError('RSTWATCH_ERR_CAPTURE_OPEN', `cap backend: '${name}' has a link type rstwatch cannot decode (${linkName})`);
    }
    return new CapPacketSource(cap, buffer, name, linkType, warnings, filter);
  }

  start(sink: FrameSink, _onFault: (fault: CaptureFault) => void): void {
    // _onFault is never called: cap aborts the process when the interface goes away.
    const buffer = this.buffer;
    const linkType = this.linkType;
    this.cap.on('packet', (nbytes: number) => {
      this.frames++;
      const ms = Date.now();
      const tsSec = Math.floor(ms / 1000);
      try {
        // cap reports only the bytes it copied: the original length is not known, capLen stands in.
        sink.onFrame(buffer, 0, nbytes, nbytes, tsSec, (ms - tsSec * 1000) * 1_000_000, linkType);
      } catch (err) {
        this.sinkErrors++;
        this.lastSinkError = err;
      }
    });
  }

  stats(): CaptureStats {
    return ZERO_STATS;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cap.removeAllListeners('packet');
    this.cap.close();
  }
}

/**
 * The capture devices as the cap backend sees them, in the native backend's shape, so that
 * `rstwatch live --backend cap --list-interfaces` needs no native binding. cap gives no up/running
 * flags: they are read from /sys/class/net (a pseudo-device such as `any` has none there and is
 * shown up). Throws RSTWATCH_ERR_CAPTURE_OPEN when cap is not installed.
 */
export function listCapInterfaces(): InterfaceInfo[] {
  return loadCap()
    .Cap.deviceList()
    .map((d) => {
      const { up, running } = readLinkState(d.name);
      return {
        name: d.name,
        description: d.description ?? null,
        addresses: d.addresses.map((a) => ({
          family: a.addr.includes(':') ? ('inet6' as const) : ('inet' as const),
          address: a.addr,
          netmask: a.netmask ?? null,
        })),
        flags: { up, running, loopback: d.flags === 'PCAP_IF_LOOPBACK' },
      };
    });
}

/**
 * Up (IFF_UP in /sys/class/net/NAME/flags) and running (its operstate `up`, or `unknown` as on
 * loopback: /sys does not show IFF_RUNNING in `flags`); both true for a device not there (`any`).
 */
function readLinkState(name: string): { up: boolean; running: boolean } {
  try {
    const up = (Number.parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8'), 16) & IFF_UP) !== 0;
    const oper = readFileSync(`/sys/class/net/${name}/operstate`, 'utf8').trim();
    return { up, running: up && (oper === 'up' || oper === 'unknown') };
  } catch {
    return { up: true, running: true };
  }
}

/** Opens a capture with the `cap` backend (see CapPacketSource). */
export function openCapSource(options: LiveCaptureOptions): PacketSource {
  return CapPacketSource.open(options);
}

/** cap throws plain Errors with libpcap's text only: tell the common causes by their words. */
function capOpenError(name: string, filter: string, err: unknown, Cap: CapModule['Cap']): RstwatchError {
  const message = (err as Error).message ?? String(err);
  if (/No such device|doesn't exist|no such interface/i.test(message)) {
    let available: string;
    try {
      available = Cap.deviceList()
        .map((d) => d.name)
        .join(', ');
    } catch (listErr) {
      available = `(cannot list them: ${(listErr as Error).message})`;
    }
    return unknownInterfaceError(name, message, err, available);
  }
  if (/permission|not permitted/i.test(message)) return capturePermissionError(name, message, err);
  if (/syntax error|can't|unknown|filter/i.test(message) && filter !== '') {
    return new RstwatchError('RSTWATCH_ERR_CONFIG', `capture filter on '${name}' (cap backend): ${message}`, { cause: err });
  }
  return new RstwatchError('RSTWATCH_ERR_CAPTURE_OPEN', `cannot open a capture on '${name}' (cap backend): ${message}`, { cause: err });
}
