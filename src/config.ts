/**
 * Flags and environment -> one frozen, validated config per command. Every flag can also be given
 * as an `RSTWATCH_*` environment variable (the flag name in upper snake case, e.g.
 * `--attempt-timeout` is `RSTWATCH_ATTEMPT_TIMEOUT`; repeatable flags take a comma-separated list).
 * A flag on the command line wins over the variable. Bad values are rejected here, with a message
 * naming the flag or variable, before anything starts.
 */
import { parseArgs } from 'node:util';
import { RstwatchError } from './errors.js';
import { LocalNets, parseCidr } from './track/direction.js';
import { DEFAULT_MAX_ATTEMPTS } from './track/tracker.js';

/** How a flag's value is read. */
type FlagKind = 'boolean' | 'string' | 'list';

/** One flag of a command, with its help text. */
export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  readonly short?: string;
  /** Placeholder for the value in help text, e.g. `SECONDS`. */
  readonly value?: string;
  readonly help: string;
}

/** The flags of `rstwatch replay`. */
export const REPLAY_FLAGS: readonly FlagSpec[] = [
  { name: 'json', kind: 'boolean', help: 'print the report as JSON on stdout instead of the table' },
  {
    name: 'attempt-timeout',
    kind: 'string',
    value: 'SECONDS',
    help: 'an attempt with no answer this long after its first SYN is unanswered; 0 (the default in replay) means never: only the end of the capture leaves an attempt unanswered',
  },
  {
    name: 'local-net',
    kind: 'list',
    value: 'CIDR',
    help: 'a network of the capturing host, repeatable (e.g. 192.0.2.0/24, 2001:db8::/32): attempts to it are inbound, from it outbound, others unknown',
  },
  {
    name: 'max-attempts',
    kind: 'string',
    value: 'N',
    help: `attempts tracked at once (default ${DEFAULT_MAX_ATTEMPTS}, about 75 bytes each); when full the oldest is evicted and counted`,
  },
  { name: 'top', kind: 'string', value: 'N', help: 'rows in the top refusing servers / refused clients lists (default 10)' },
  { name: 'all-ports', kind: 'boolean', help: 'list every server port in the table (default: the 25 busiest)' },
  { name: 'progress', kind: 'boolean', help: 'show a progress bar on stderr (default: when stderr is a terminal)' },
  { name: 'no-progress', kind: 'boolean', help: 'never show the progress bar' },
  { name: 'help', kind: 'boolean', short: 'h', help: 'show this help' },
];

/** Validated settings of `rstwatch replay`. */
export interface ReplayConfig {
  /** Capture files in the order given; `-` is standard input. */
  readonly files: readonly string[];
  readonly json: boolean;
  /** Seconds; 0 disables the timeout. */
  readonly attemptTimeoutSeconds: number;
  readonly localNets: LocalNets;
  readonly maxAttempts: number;
  readonly topN: number;
  readonly maxPortRows: number;
  /** Show the progress bar: true, false, or undefined to decide by whether stderr is a terminal. */
  readonly progress: boolean | undefined;
  readonly help: boolean;
}

/** The environment variable that stands for a flag. */
export function envName(flag: string): string {
  return `RSTWATCH_${flag.replace(/-/g, '_').toUpperCase()}`;
}

type RawValues = Record<string, string | boolean | string[] | undefined>;

/** Parses argv against `flags`, fills gaps from the environment; throws RstwatchError on misuse. */
export function parseFlags(
  argv: readonly string[],
  flags: readonly FlagSpec[],
  env: NodeJS.ProcessEnv,
): { values: RawValues; positionals: string[] } {
  const options: Record<string, { type: 'boolean' | 'string'; multiple?: boolean; short?: string }> = {};
  for (const f of flags) {
    options[f.name] = { type: f.kind === 'boolean' ? 'boolean' : 'string' };
    if (f.kind === 'list') options[f.name].multiple = true;
    if (f.short) options[f.name].short = f.short;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, '') : String(err);
    throw new RstwatchError('RSTWATCH_ERR_USAGE', message, { hint: "run 'rstwatch replay --help' for the flags", cause: err });
  }
  const values = { ...parsed.values } as RawValues;
  for (const f of flags) {
    if (values[f.name] !== undefined) continue;
    const fromEnv = env[envName(f.name)];
    if (fromEnv === undefined || fromEnv === '') continue;
    if (f.kind === 'boolean') values[f.name] = parseBoolean(envName(f.name), fromEnv);
    else if (f.kind === 'list') values[f.name] = fromEnv.split(',').map((s) => s.trim()).filter((s) => s !== '');
    else values[f.name] = fromEnv;
  }
  return { values, positionals: parsed.positionals };
}

function parseBoolean(source: string, text: string): boolean {
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${source}: '${text}' is not a boolean`, { hint: 'use true or false' });
}

/** Parses a non-negative number of seconds (fractions allowed). */
export function parseSeconds(source: string, text: string): number {
  const v = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(v)) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${source}: '${text}' is not a number of seconds`, {
      hint: 'give a non-negative number, e.g. 60 or 0.5',
    });
  }
  return v;
}

/** Parses an integer in [min, max]. */
export function parseInteger(source: string, text: string, min: number, max: number): number {
  const v = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${source}: '${text}' is not a whole number from ${min} to ${max}`);
  }
  return v;
}

function source(flag: string, argv: readonly string[]): string {
  return argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`)) ? `--${flag}` : envName(flag);
}

/** Largest --max-attempts accepted: 16 Mi attempts is about 1.2 GB of tables. */
export const MAX_MAX_ATTEMPTS = 16 * 1024 * 1024;

/** Builds the frozen config of `rstwatch replay` from its arguments and the environment. */
export function loadReplayConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ReplayConfig {
  const { values, positionals } = parseFlags(argv, REPLAY_FLAGS, env);
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const help = values.help === true;
  if (!help && positionals.length === 0) {
    throw new RstwatchError('RSTWATCH_ERR_USAGE', 'replay needs at least one capture file (or - for standard input)', {
      hint: 'rstwatch replay capture.pcap [more.pcapng ...]',
    });
  }
  const timeoutText = str('attempt-timeout');
  const maxText = str('max-attempts');
  const topText = str('top');
  const nets = ((values['local-net'] as string[] | undefined) ?? []).map((cidr) => {
    try {
      return parseCidr(cidr);
    } catch (err) {
      throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${source('local-net', argv)}: ${(err as Error).message}`, {
        hint: (err as RstwatchError).hint,
      });
    }
  });
  let progress: boolean | undefined;
  if (values['no-progress'] === true) progress = false;
  else if (values.progress === true) progress = true;
  return Object.freeze({
    files: Object.freeze([...positionals]),
    json: values.json === true,
    attemptTimeoutSeconds: timeoutText === undefined ? 0 : parseSeconds(source('attempt-timeout', argv), timeoutText),
    localNets: new LocalNets(nets),
    maxAttempts: maxText === undefined ? DEFAULT_MAX_ATTEMPTS : parseInteger(source('max-attempts', argv), maxText, 1, MAX_MAX_ATTEMPTS),
    topN: topText === undefined ? 10 : parseInteger(source('top', argv), topText, 0, 10_000),
    maxPortRows: values['all-ports'] === true ? Infinity : 25,
    progress,
    help,
  });
}
