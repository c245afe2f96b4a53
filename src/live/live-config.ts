/**
 * What `rstwatch live` runs with: the daemon's settings, as config.ts builds them from the flags
 * and RSTWATCH_* variables (validated, frozen). Declared here, by the part that reads them.
 */
import type { CaptureBackend } from '../capture/live-source.js';
import type { LogLevel } from '../log/logger.js';
import type { Network } from '../net/address.js';

/** Frames per batch of the live capture: one JavaScript call, one chunk of the capture queue (memory-budget.ts sizes it). */
export const LIVE_BATCH_FRAMES = 4096;

/** Validated settings of `rstwatch live`. */
export interface LiveConfig {
  readonly interfaceName: string;
  readonly listInterfaces: boolean;
  readonly backend: CaptureBackend;
  /** BPF filter, or undefined for the built-in one. */
  readonly filter: string | undefined;
  /** Snaplen in bytes, or undefined for the built-in one. */
  readonly snaplen: number | undefined;
  readonly promiscuous: boolean;
  readonly bufferBytes: number;
  /** Cap of the capture queue (native backend), bytes. */
  readonly queueBytes: number;
  readonly attemptTimeoutSeconds: number;
  readonly ratioWindowSeconds: number;
  readonly maxPorts: number;
  /** The --ports ports (always given their own series), empty for none. */
  readonly ports: ReadonlySet<number>;
  /** Networks given with --local-net, added to the interfaces' addresses. */
  readonly extraLocalNets: readonly Network[];
  readonly maxAttempts: number;
  readonly listenHost: string;
  readonly listenPort: number;
  readonly logLevel: LogLevel;
  readonly user: string;
  /** Suspect-reset detection: its hop threshold, or false for none. */
  readonly detect: { hopThreshold: number } | false;
  /** Cause classification of failed inbound attempts from the namespace's kernel state. */
  readonly causes: boolean;
  readonly help: boolean;
}
