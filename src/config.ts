/**
 * Flags and environment -> one frozen, validated config per command. Every flag can also be given
 * as an `RSTWATCH_*` environment variable (the flag name in upper snake case, e.g.
 * `--attempt-timeout` is `RSTWATCH_ATTEMPT_TIMEOUT`; repeatable flags take a comma-separated list).
 * A flag on the command line wins over the variable. Bad values are rejected here, with a message
 * naming the flag or variable, before anything starts.
 */
import { parseArgs } from 'node:util';
import { RstwatchError } from './base/errors.js';
import { LocalNets } from './track/direction.js';
import { formatAddress, parseAddress, parseCidr, type Network } from './net/address.js';
import { IPV4_MAPPED_WORD2 } from './wire/decoded-packet.js';
import { parsePortList, PORTS_AND_RANGES, SINGLE_PORTS, type PortListSyntax } from './net/port-list.js';
import { DEFAULT_MAX_ATTEMPTS } from './track/tracker.js';
import { ATTEMPT_TABLE_BYTES_PER_SLOT } from './track/attempt-table.js';
import { DEFAULT_HOP_THRESHOLD, DETECTOR_BYTES_PER_SLOT } from './detect/detector.js';
import { DEFAULT_SNAPLEN } from './capture/bpf-filter.js';
import { CAPTURE_BACKENDS, DEFAULT_BACKEND } from './capture/live-source.js';
import type { LiveConfig } from './live/live-config.js';
import { DEFAULT_LOG_LEVEL, LOG_LEVELS } from './log/logger.js';
import { DEFAULT_MAX_PORTS, MAX_KEEP_PORTS, MAX_MAX_PORTS } from './metrics/port-selection.js';
import { DEFAULT_RATIO_WINDOW_SECONDS, MAX_RATIO_STEPS, MAX_RATIO_WINDOW_SECONDS } from './metrics/refusal-ratio.js';
import { DEFAULT_RECENT_MINUTES } from './diagnose/port-report.js';
import { CSV_TABLES, DEFAULT_CSV_TABLE, type CsvTable } from './report/csv.js';
import { DEFAULT_MAX_PAIRS } from './report/collect/report-collector.js';
import { REPORT_THREAD_CHOICES, THREAD_MIN_BYTES, type ReportThreadChoice } from './report/collect/report-thread.js';
import { pairTableBytes } from './report/collect/pair-table.js';
import { MAX_SHOWN_BUCKETS, WIDTH_LADDER_US } from './report/collect/timeline.js';

/** What each kind of flag reads as: a switch, one text, or a repeatable (or comma-separated) list. */
interface FlagValueOfKind {
  boolean: boolean;
  string: string;
  list: readonly string[];
}

/** How a flag's value is read. */
type FlagKind = keyof FlagValueOfKind;

/**
 * The values a number flag takes, both ends included: every size a user can set is bounded, so
 * that memory is bounded by construction (docs/live.md "Memory"). `--help` and the docs' flag
 * tables give the range (test/cli/help-docs.test.ts holds them to it).
 */
export interface FlagRange {
  readonly min: number;
  readonly max: number;
  /** `integer`: digits only; `seconds`: digits with an optional fraction. */
  readonly of: 'integer' | 'seconds';
}

/** One flag of a command, with its help text; `K` types what ParsedFlags reads it as. */
export interface FlagSpec<K extends FlagKind = FlagKind> {
  readonly name: string;
  readonly kind: K;
  readonly short?: string;
  /** Placeholder for the value in help text, e.g. `SECONDS`. */
  readonly value?: string;
  readonly help: string;
  /** A number flag's range. */
  readonly range?: FlagRange;
}

/** `min to max`, as the help and the docs write a range. */
export function rangeText(r: FlagRange): string {
  return `${r.min} to ${r.max}`;
}

/** A flag of kind `kind`. */
function flag<K extends FlagKind>(kind: K, spec: Omit<FlagSpec, 'kind'>): FlagSpec<K> {
  return { ...spec, kind };
}

/** Default rows of replay's top refusing servers / refused clients lists. */
export const DEFAULT_TOP_N = 10;
/** Server ports replay's table lists without --all-ports (the busiest). */
export const DEFAULT_MAX_PORT_ROWS = 25;
/** Replay's attempt timeout, seconds: 0 is never (only the end of the capture leaves an attempt unanswered). */
export const DEFAULT_REPLAY_ATTEMPT_TIMEOUT_SECONDS = 0;

/** Bytes an attempt slot costs: the table's and the reset detector's (docs/live.md "Memory"). */
export const ATTEMPT_BYTES = Math.ceil(ATTEMPT_TABLE_BYTES_PER_SLOT + DETECTOR_BYTES_PER_SLOT);
/** Largest --max-attempts accepted: 16 Mi attempts is about 2.2 GB of tables (ATTEMPT_BYTES each). */
export const MAX_MAX_ATTEMPTS = 16 * 1024 * 1024;
/**
 * Largest --attempt-timeout, seconds: an hour (Linux gives up on a SYN after about two minutes).
 * The cause engine keeps the kernel reads of the last timeout (one a second), so it is bounded.
 */
export const MAX_ATTEMPT_TIMEOUT_SECONDS = 3600;
/** Largest --hop-threshold, hops (a path longer than 64 hops is not seen on the Internet). */
export const MAX_HOP_THRESHOLD = 64;
/** Largest --top, rows. */
export const MAX_TOP_N = 10_000;
/** Smallest and largest --snaplen, bytes (libpcap's own maximum). */
export const MIN_SNAPLEN = 64;
export const MAX_SNAPLEN = 262_144;
/** Smallest and largest --buffer-size, bytes. */
export const MIN_KERNEL_BUFFER_BYTES = 65_536;
export const MAX_KERNEL_BUFFER_BYTES = 1 << 30;
/** Smallest and largest --queue-size, bytes. */
export const MIN_QUEUE_BYTES = 1 << 20;
export const MAX_QUEUE_BYTES = 1 << 30;
/** Largest --recent, minutes (a year). */
export const MAX_RECENT_MINUTES = 525_600;

/** Largest --max-pairs: a million pairs is about 120 MB of tables (PAIR_BYTES each). */
export const MAX_MAX_PAIRS = 1_000_000;
/** Bytes a (server, port, client) pair costs in the report's pair table, at the default --max-pairs. */
export const PAIR_BYTES = Math.ceil(pairTableBytes(DEFAULT_MAX_PAIRS) / DEFAULT_MAX_PAIRS);
/** Narrowest and widest --bucket, seconds: the ends of the ladder the report chooses a width from (a millisecond, a week). */
export const MIN_BUCKET_SECONDS = WIDTH_LADDER_US[0] / 1e6;
export const MAX_BUCKET_SECONDS = WIDTH_LADDER_US[WIDTH_LADDER_US.length - 1] / 1e6;

/** What replay prints on stdout: the table a person reads, the JSON report, or one table as CSV. */
export const REPLAY_FORMATS = ['table', 'json', 'csv'] as const;
/** A replay output format. */
export type ReplayFormat = (typeof REPLAY_FORMATS)[number];

const ATTEMPTS_RANGE: FlagRange = { min: 1, max: MAX_MAX_ATTEMPTS, of: 'integer' };
const HOPS_RANGE: FlagRange = { min: 0, max: MAX_HOP_THRESHOLD, of: 'integer' };

/** The flags of `rstwatch replay`, by what config reads them as. */
const REPLAY = {
  format: flag('string', {
    name: 'format',
    value: REPLAY_FORMATS.join('|'),
    help: "what to print on stdout: 'table' (the default, for people; docs/report.md), 'json' (the whole report) or 'csv' (one table, chosen with --table)",
  }),
  json: flag('boolean', { name: 'json', help: 'print the report as JSON on stdout instead of the table: the same as --format json' }),
  table: flag('string', {
    name: 'table',
    value: CSV_TABLES.join('|'),
    help: `with --format csv, the table to print: ${CSV_TABLES.map((t) => `'${t}'`).join(', ')} (default '${DEFAULT_CSV_TABLE}'); RFC 4180, a header row first`,
  }),
  html: flag('string', {
    name: 'html',
    value: 'FILE',
    help: 'also write the report as one self-contained HTML page to FILE (charts and tables; opens in a browser with no network)',
  }),
  attemptTimeout: flag('string', {
    name: 'attempt-timeout',
    value: 'SECONDS',
    help: `an attempt with no answer this long after its first SYN is unanswered; ${DEFAULT_REPLAY_ATTEMPT_TIMEOUT_SECONDS} (the default in replay) means never: only the end of the capture leaves an attempt unanswered`,
    range: { min: 0, max: MAX_ATTEMPT_TIMEOUT_SECONDS, of: 'seconds' },
  }),
  localNet: flag('list', {
    name: 'local-net',
    value: 'CIDR',
    help: 'a network of the capturing host, repeatable (e.g. 192.0.2.0/24, 2001:db8::/32): attempts to it are inbound, from it outbound, others unknown',
  }),
  maxAttempts: flag('string', {
    name: 'max-attempts',
    value: 'N',
    help: `attempts tracked at once (default ${DEFAULT_MAX_ATTEMPTS}, about ${ATTEMPT_BYTES} bytes each); when full the oldest is evicted and counted`,
    range: ATTEMPTS_RANGE,
  }),
  top: flag('string', {
    name: 'top',
    value: 'N',
    help: `rows in the top lists: pairs (who refuses whom) in the table, refusing servers, refused clients and ICMP answerers (default ${DEFAULT_TOP_N})`,
    range: { min: 0, max: MAX_TOP_N, of: 'integer' },
  }),
  maxPairs: flag('string', {
    name: 'max-pairs',
    value: 'N',
    help: `(server, port, client) pairs counted apart (default ${DEFAULT_MAX_PAIRS}, about ${PAIR_BYTES} bytes each); beyond it those with the fewest failures are summed in one 'other' row`,
    range: { min: 1, max: MAX_MAX_PAIRS, of: 'integer' },
  }),
  bucket: flag('string', {
    name: 'bucket',
    value: 'SECONDS',
    help: `width of a timeline bucket (default: chosen from the capture's span, at most ${MAX_SHOWN_BUCKETS} buckets)`,
    range: { min: MIN_BUCKET_SECONDS, max: MAX_BUCKET_SECONDS, of: 'seconds' },
  }),
  allPorts: flag('boolean', { name: 'all-ports', help: `list every server port in the table (default: the ${DEFAULT_MAX_PORT_ROWS} busiest)` }),
  hopThreshold: flag('string', {
    name: 'hop-threshold',
    value: 'N',
    help: `ttl_mismatch: a RST whose hop distance differs from the server's own packets by more than N hops is suspect (default ${DEFAULT_HOP_THRESHOLD}; docs/detection.md)`,
    range: HOPS_RANGE,
  }),
  noDetect: flag('boolean', { name: 'no-detect', help: 'do not look for forged or middlebox resets' }),
  progress: flag('boolean', { name: 'progress', help: 'show a progress bar on stderr (default: when stderr is a terminal)' }),
  noProgress: flag('boolean', { name: 'no-progress', help: 'never show the progress bar' }),
  reportThread: flag('string', {
    name: 'report-thread',
    value: REPORT_THREAD_CHOICES.join('|'),
    help: `count the report's pairs, timeline and scans in a second thread while this one reads and tracks; the report is the same. 'auto' (the default): for captures of ${THREAD_MIN_BYTES / 1024 / 1024} MiB or more on two cores or more; 'on': for any file; 'off': never. Standard input is always one thread`,
  }),
  help: flag('boolean', { name: 'help', short: 'h', help: 'show this help' }),
};

/** The flags of `rstwatch replay`, in help order. */
export const REPLAY_FLAGS: readonly FlagSpec[] = Object.values(REPLAY);

/** Validated settings of `rstwatch replay`. */
export interface ReplayConfig {
  /** Capture files in the order given; `-` is standard input. */
  readonly files: readonly string[];
  /** What stdout gets. */
  readonly format: ReplayFormat;
  /** With format csv, the table printed (else undefined). */
  readonly csvTable: CsvTable | undefined;
  /** Where to write the HTML page, or undefined for none. */
  readonly htmlFile: string | undefined;
  /** Seconds; 0 disables the timeout. */
  readonly attemptTimeoutSeconds: number;
  readonly localNets: LocalNets;
  readonly maxAttempts: number;
  readonly topN: number;
  /** Pairs counted apart at most. */
  readonly maxPairs: number;
  /** Whether the report's collectors run in a second thread. */
  readonly reportThread: ReportThreadChoice;
  /** Timeline bucket width, seconds, or undefined to choose it from the capture's span. */
  readonly bucketSeconds: number | undefined;
  readonly maxPortRows: number;
  /** Show the progress bar: true, false, or undefined to decide by whether stderr is a terminal. */
  readonly progress: boolean | undefined;
  /** Suspect-reset detection: its hop threshold, or false for none. */
  readonly detect: { hopThreshold: number } | false;
  readonly help: boolean;
}

/** The environment variable that stands for a flag. */
export function envName(flag: string): string {
  return `RSTWATCH_${flag.replace(/-/g, '_').toUpperCase()}`;
}

/** A flag's value as node:util parseArgs gives it, or as read from its variable. */
type RawValue = string | boolean | (string | boolean)[];

/** The flags and positionals of one command line, with the environment filling gaps; values read typed by their FlagSpec. */
export class ParsedFlags {
  constructor(
    /** Each flag's value by name, as parseArgs or its variable gave it. */
    readonly values: Readonly<Record<string, RawValue | undefined>>,
    readonly positionals: readonly string[],
    /** Each flag given on the command line, as written there (`-i` or `--interface`). */
    private readonly given: ReadonlyMap<string, string>,
  ) {}

  /** Whether a switch is on. */
  boolean(f: FlagSpec<'boolean'>): boolean {
    return this.values[f.name] === true;
  }

  /** A flag's text, or undefined when neither it nor its variable is given. */
  string(f: FlagSpec<'string'>): string | undefined {
    const v = this.values[f.name];
    return typeof v === 'string' ? v : undefined;
  }

  /** A repeatable flag's values in order (its variable's comma-separated items), [] when none. */
  list(f: FlagSpec<'list'>): readonly string[] {
    const v = this.values[f.name];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  /** Whether `f` was given on the command line (not only by its variable). */
  onCommandLine(f: FlagSpec): boolean {
    return this.given.has(f.name);
  }

  /** Where `f`'s value came from: the flag as written on the command line (`-i`, `--interface`), else its variable. */
  source(f: FlagSpec): string {
    return this.given.get(f.name) ?? envName(f.name);
  }

  /** `parse()`, its RstwatchError named by where `f`'s value came from. */
  named<T>(f: FlagSpec, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof RstwatchError)) throw err;
      throw new RstwatchError(err.code, `${this.source(f)}: ${err.message}`, { hint: err.hint, cause: err });
    }
  }

  /** A number flag (its `range`), or `fallback` when neither it nor its variable is given. */
  number(f: FlagSpec<'string'>, fallback: number): number {
    const t = this.string(f);
    if (t === undefined) return fallback;
    const range = f.range;
    if (range === undefined) throw new RstwatchError('RSTWATCH_ERR_INTERNAL', `flag --${f.name} has no range`);
    return range.of === 'integer' ? parseInteger(this.source(f), t, range.min, range.max) : parseSeconds(this.source(f), t, range.min, range.max);
  }
}

/** Parses argv against `flags`, fills gaps from the environment; throws RstwatchError on misuse. */
export function parseFlags(argv: readonly string[], flags: readonly FlagSpec[], env: NodeJS.ProcessEnv, command = 'replay'): ParsedFlags {
  const options: Record<string, { type: 'boolean' | 'string'; multiple?: boolean; short?: string }> = {};
  for (const f of flags) {
    options[f.name] = { type: f.kind === 'boolean' ? 'boolean' : 'string' };
    if (f.kind === 'list') options[f.name].multiple = true;
    if (f.short) options[f.name].short = f.short;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, flags), options, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw usageError(err, command);
  }
  const values: Record<string, RawValue | undefined> = { ...parsed.values };
  // Each flag given on the command line, as written there; after `--` all is positional.
  const given = new Map<string, string>();
  for (const t of parsed.tokens) if (t.kind === 'option') given.set(t.name, t.rawName);
  for (const f of flags) {
    if (values[f.name] !== undefined) continue;
    const fromEnv = env[envName(f.name)];
    if (fromEnv === undefined || fromEnv === '') continue;
    if (f.kind === 'boolean') values[f.name] = parseBoolean(envName(f.name), fromEnv);
    else if (f.kind === 'list')
      values[f.name] = fromEnv
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    else values[f.name] = fromEnv;
  }
  return new ParsedFlags(values, parsed.positionals, given);
}

/**
 * argv with a negative number after a flag that takes a value joined to it (`--max-attempts -5`
 * becomes `--max-attempts=-5`), so that it meets the flag's own check and its one-line message,
 * not parseArgs' question whether a value was forgotten. Nothing after `--` is touched.
 */
function joinNegativeValues(argv: readonly string[], flags: readonly FlagSpec[]): string[] {
  const takesValue = new Set<string>();
  for (const f of flags) {
    if (f.kind === 'boolean') continue;
    takesValue.add(`--${f.name}`);
    if (f.short) takesValue.add(`-${f.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (takesValue.has(a) && next !== undefined && /^-\d/.test(next)) {
      out.push(a.startsWith('--') ? `${a}=${next}` : `${a}${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** parseArgs' error as one line (its first), with what to do. */
function usageError(err: unknown, command: string): RstwatchError {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n')[0].replace(/\. To specify a positional argument.*$/, '');
  const dash = /^Option '(-[^' ]+)' argument is ambiguous/.exec(line);
  const hint = dash
    ? `a value that starts with '-' is given as ${dash[1].startsWith('--') ? `${dash[1]}=VALUE` : `${dash[1]}VALUE`}`
    : `run 'rstwatch ${command} --help' for the flags`;
  return new RstwatchError('RSTWATCH_ERR_USAGE', line, { hint, cause: err });
}

function parseBoolean(source: string, text: string): boolean {
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${source}: '${text}' is not a boolean`, { hint: 'use true or false' });
}

/** Parses a number of seconds in [min, max]: digits, with an optional fraction (no sign, no spaces, no exponent). */
export function parseSeconds(source: string, text: string, min = 0, max = Infinity): number {
  const v = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(v)) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${source}: '${text}' is not a number of seconds`, {
      hint: `give a number of seconds from ${min} to ${max}, e.g. 60 or 0.5`,
    });
  }
  if (v < min || v > max) throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${source}: ${text} seconds is not from ${min} to ${max}`);
  return v;
}

/** Parses an integer in [min, max]: digits only (no sign, no spaces, no exponent). */
export function parseInteger(source: string, text: string, min: number, max: number): number {
  const v = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${source}: '${text}' is not a whole number from ${min} to ${max}`);
  }
  return v;
}

/**
 * Networks of a CIDR flag (`--local-net`), with errors naming the flag or variable. A network with
 * host bits set (`10.0.0.1/8`, as `ip addr` prints an interface's address) is refused, naming the
 * network and the one address it may stand for: which was meant cannot be told, and the two
 * count very different attempts as local.
 */
function parseLocalNets(p: ParsedFlags, f: FlagSpec<'list'>): Network[] {
  return p.list(f).map((cidr) =>
    p.named(f, () => {
      const net = parseCidr(cidr);
      const slash = cidr.indexOf('/');
      const address = parseAddress(slash < 0 ? cidr : cidr.slice(0, slash));
      if (address !== null && address.some((w, i) => w !== net.addr[i])) {
        const host = `${formatAddress(address)}/${address[2] === IPV4_MAPPED_WORD2 && address[0] === 0 && address[1] === 0 ? 32 : 128}`;
        throw new RstwatchError('RSTWATCH_ERR_CONFIG', `'${cidr}' has host bits set`, {
          hint: `the network is ${net.text}, the one address ${host}: give the one meant`,
        });
      }
      return net;
    }),
  );
}

/** The ports of a port-list flag (each of its values one list), with errors naming the flag or variable. */
function parsePortsFlag(p: ParsedFlags, f: FlagSpec, texts: readonly string[], syntax: PortListSyntax): ReadonlySet<number> {
  const ports = new Set<number>();
  for (const text of texts) for (const port of p.named(f, () => parsePortList(text, syntax))) ports.add(port);
  return ports;
}

/** The --ports ports: at most MAX_KEEP_PORTS (each adds a series to every per-port family). */
function keepPorts(p: ParsedFlags, f: FlagSpec<'string'>): ReadonlySet<number> {
  const ports = parsePortsFlag(p, f, [p.string(f) ?? ''], PORTS_AND_RANGES);
  if (ports.size > MAX_KEEP_PORTS) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${p.source(f)}: ${ports.size} ports is more than ${MAX_KEEP_PORTS}`, {
      hint: `each port given gets series of its own in every per-port metric; name the ports that matter, and --max-ports admits up to ${MAX_MAX_PORTS} more as they are seen`,
    });
  }
  return ports;
}

/** The detection settings from --hop-threshold and --no-detect. */
function detection(p: ParsedFlags, flags: { hopThreshold: FlagSpec<'string'>; noDetect: FlagSpec<'boolean'> }): { hopThreshold: number } | false {
  const hopThreshold = p.number(flags.hopThreshold, DEFAULT_HOP_THRESHOLD);
  return p.boolean(flags.noDetect) ? false : { hopThreshold };
}

/** Whether `text` is one of `choices`. */
function isOneOf<T extends string>(choices: readonly T[], text: string): text is T {
  return choices.some((c) => c === text);
}

/**
 * The output format from --format and --json (which is --format json). Both given with different
 * formats: the one on the command line wins over a variable, as a flag does; both on the command
 * line, or both variables, is a usage error.
 */
function replayFormat(p: ParsedFlags): ReplayFormat {
  const text = p.string(REPLAY.format);
  if (text !== undefined && !isOneOf(REPLAY_FORMATS, text)) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${p.source(REPLAY.format)}: '${text}' is not a format`, {
      hint: `use ${orList(REPLAY_FORMATS.map((f) => `'${f}'`))}`,
    });
  }
  const json = p.boolean(REPLAY.json);
  if (!json || text === undefined || text === 'json') return json ? 'json' : (text ?? 'table');
  const formatFirst = p.onCommandLine(REPLAY.format);
  if (formatFirst === p.onCommandLine(REPLAY.json)) {
    throw new RstwatchError('RSTWATCH_ERR_USAGE', `${p.source(REPLAY.json)} and ${p.source(REPLAY.format)} ${text} ask for two formats`, {
      hint: `${p.source(REPLAY.json)} is the same as --format json: give one of them`,
    });
  }
  return formatFirst ? text : 'json';
}

/** --report-thread: one of REPORT_THREAD_CHOICES, `auto` unless given. */
function reportThreadChoice(p: ParsedFlags): ReportThreadChoice {
  const text = p.string(REPLAY.reportThread) ?? 'auto';
  if (!isOneOf(REPORT_THREAD_CHOICES, text)) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${p.source(REPLAY.reportThread)}: '${text}' is not a choice`, {
      hint: `use ${orList(REPORT_THREAD_CHOICES.map((c) => `'${c}'`))}`,
    });
  }
  return text;
}

/** The CSV table from --table: only with --format csv, where it defaults to DEFAULT_CSV_TABLE. */
function csvTable(p: ParsedFlags, format: ReplayFormat): CsvTable | undefined {
  const text = p.string(REPLAY.table);
  if (text !== undefined && !isOneOf(CSV_TABLES, text)) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${p.source(REPLAY.table)}: '${text}' is not a table`, {
      hint: `use ${orList(CSV_TABLES.map((t) => `'${t}'`))}`,
    });
  }
  // A variable (RSTWATCH_TABLE, a default kept for CSV runs) does not stop a run of another format.
  if (text !== undefined && format !== 'csv' && p.onCommandLine(REPLAY.table)) {
    throw new RstwatchError('RSTWATCH_ERR_USAGE', `${p.source(REPLAY.table)} ${text} chooses a CSV table, but the format is ${format}`, {
      hint: `add --format csv, or leave ${p.source(REPLAY.table)} out`,
    });
  }
  return format === 'csv' ? (text ?? DEFAULT_CSV_TABLE) : undefined;
}

/** The --html file: a path (not `-`: standard output carries the --format output). */
function htmlFile(p: ParsedFlags): string | undefined {
  const file = p.string(REPLAY.html);
  if (file === undefined) return undefined;
  if (file === '' || file === '-') {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${p.source(REPLAY.html)}: '${file}' is not a file name`, {
      hint: 'give the file to write the page to, e.g. report.html (standard output carries the --format output)',
    });
  }
  return file;
}

/** Builds the frozen config of `rstwatch replay` from its arguments and the environment. */
export function loadReplayConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ReplayConfig {
  const p = parseFlags(argv, REPLAY_FLAGS, env);
  const help = p.boolean(REPLAY.help);
  if (!help && p.positionals.length === 0) {
    throw new RstwatchError('RSTWATCH_ERR_USAGE', 'replay needs at least one capture file (or - for standard input)', {
      hint: 'rstwatch replay capture.pcap [more.pcapng ...]',
    });
  }
  const nets = parseLocalNets(p, REPLAY.localNet);
  let progress: boolean | undefined;
  if (p.boolean(REPLAY.noProgress)) progress = false;
  else if (p.boolean(REPLAY.progress)) progress = true;
  const format = replayFormat(p);
  const bucket = p.string(REPLAY.bucket);
  return Object.freeze({
    files: Object.freeze([...p.positionals]),
    format,
    csvTable: csvTable(p, format),
    htmlFile: htmlFile(p),
    attemptTimeoutSeconds: p.number(REPLAY.attemptTimeout, DEFAULT_REPLAY_ATTEMPT_TIMEOUT_SECONDS),
    localNets: new LocalNets(nets),
    maxAttempts: p.number(REPLAY.maxAttempts, DEFAULT_MAX_ATTEMPTS),
    topN: p.number(REPLAY.top, DEFAULT_TOP_N),
    maxPairs: p.number(REPLAY.maxPairs, DEFAULT_MAX_PAIRS),
    reportThread: reportThreadChoice(p),
    bucketSeconds: bucket === undefined ? undefined : p.number(REPLAY.bucket, 0),
    maxPortRows: p.boolean(REPLAY.allPorts) ? Infinity : DEFAULT_MAX_PORT_ROWS,
    progress,
    detect: detection(p, REPLAY),
    help,
  });
}

/** Default HTTP port: outside the Prometheus exporter range (9100-9999, all allocated). */
export const DEFAULT_LISTEN_PORT = 7465;
/** Default live attempt timeout, seconds: enough for a NAT answering 20 s late (docs/semantics.md). */
export const DEFAULT_LIVE_ATTEMPT_TIMEOUT_SECONDS = 60;
/** Smallest live attempt timeout, seconds (live has no end of capture: 0 would leave attempts pending for good). */
export const MIN_LIVE_ATTEMPT_TIMEOUT_SECONDS = 0.1;
/** Default kernel capture buffer of live, bytes (not a capture file's read buffer). */
export const DEFAULT_KERNEL_BUFFER_BYTES = 8 * 1024 * 1024;
/**
 * Default cap of live's capture queue, bytes: the frames the capture thread read while the event
 * loop was busy (about 75 bytes a 54-byte SYN or RST, its bytes and its 20-byte record packed: some
 * 0.9 M frames, about a second of the fastest flood bench/live-bench.ts sent here, 0.9 M frames/s).
 * Taken only while frames wait (docs/live.md "Memory").
 */
export const DEFAULT_QUEUE_BYTES = 64 * 1024 * 1024;
/** Default interface of live: every interface of the network namespace. */
export const DEFAULT_INTERFACE = 'any';
/** Default user live switches to when started as root. */
export const DEFAULT_USER = 'nobody';
/** Default HTTP address of live: every address, on DEFAULT_LISTEN_PORT. */
export const DEFAULT_LISTEN = `[::]:${DEFAULT_LISTEN_PORT}`;

/** `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** The flags of `rstwatch live`, by what config reads them as. */
const LIVE = {
  interface: flag('string', {
    name: 'interface',
    short: 'i',
    value: 'NAME',
    help: `interface to capture; '${DEFAULT_INTERFACE}' (the default) is every interface of the network namespace`,
  }),
  listInterfaces: flag('boolean', { name: 'list-interfaces', help: 'list the interfaces libpcap can capture on, and exit' }),
  backend: flag('string', {
    name: 'backend',
    value: CAPTURE_BACKENDS.join('|'),
    help: `capture backend: '${DEFAULT_BACKEND}' (default, the bundled libpcap binding) or 'cap' (the cap package; see docs/capture.md for its limits)`,
  }),
  filter: flag('string', {
    name: 'filter',
    value: 'BPF',
    help: 'capture filter (default: only SYN and RST segments and ICMP/ICMPv6 unreachables, over IPv4, IPv6 and VLAN)',
  }),
  snaplen: flag('string', {
    name: 'snaplen',
    value: 'BYTES',
    help: `bytes captured per packet (default ${DEFAULT_SNAPLEN}: the headers)`,
    range: { min: MIN_SNAPLEN, max: MAX_SNAPLEN, of: 'integer' },
  }),
  promiscuous: flag('boolean', { name: 'promiscuous', help: 'put the interface in promiscuous mode (CAP_NET_RAW is enough)' }),
  bufferSize: flag('string', {
    name: 'buffer-size',
    value: 'BYTES',
    help: `kernel capture buffer (default ${DEFAULT_KERNEL_BUFFER_BYTES}: ${DEFAULT_KERNEL_BUFFER_BYTES / 1024 / 1024} MiB)`,
    range: { min: MIN_KERNEL_BUFFER_BYTES, max: MAX_KERNEL_BUFFER_BYTES, of: 'integer' },
  }),
  queueSize: flag('string', {
    name: 'queue-size',
    value: 'BYTES',
    help: `most memory for frames read but not yet counted, while rstwatch is busy (default ${DEFAULT_QUEUE_BYTES}: ${DEFAULT_QUEUE_BYTES / 1024 / 1024} MiB, taken only while frames wait)`,
    range: { min: MIN_QUEUE_BYTES, max: MAX_QUEUE_BYTES, of: 'integer' },
  }),
  attemptTimeout: flag('string', {
    name: 'attempt-timeout',
    value: 'SECONDS',
    help: `an attempt with no answer this long after its first SYN is unanswered (default ${DEFAULT_LIVE_ATTEMPT_TIMEOUT_SECONDS})`,
    range: { min: MIN_LIVE_ATTEMPT_TIMEOUT_SECONDS, max: MAX_ATTEMPT_TIMEOUT_SECONDS, of: 'seconds' },
  }),
  ratioWindow: flag('string', {
    name: 'ratio-window',
    value: 'SECONDS',
    help: `window of rstwatch_refusal_ratio (default ${DEFAULT_RATIO_WINDOW_SECONDS}; above ${MAX_RATIO_STEPS} s it moves in steps of a ${MAX_RATIO_STEPS}th of it)`,
    range: { min: 1, max: MAX_RATIO_WINDOW_SECONDS, of: 'seconds' },
  }),
  maxPorts: flag('string', {
    name: 'max-ports',
    value: 'N',
    help: `port label values per direction; the rest are summed as port="other" (default ${DEFAULT_MAX_PORTS})`,
    range: { min: 0, max: MAX_MAX_PORTS, of: 'integer' },
  }),
  ports: flag('string', {
    name: 'ports',
    value: 'LIST',
    help: `ports that always get their own series, e.g. 22,80,8000-8100 (at most ${MAX_KEEP_PORTS} ports, each 1 to 65535)`,
  }),
  localNet: flag('list', { name: 'local-net', value: 'CIDR', help: "more local networks for direction, besides the interfaces' own addresses (repeatable)" }),
  maxAttempts: flag('string', {
    name: 'max-attempts',
    value: 'N',
    help: `attempts tracked at once (default ${DEFAULT_MAX_ATTEMPTS}, about ${ATTEMPT_BYTES} bytes each)`,
    range: ATTEMPTS_RANGE,
  }),
  listen: flag('string', { name: 'listen', value: 'HOST:PORT', help: `HTTP address for /metrics, /healthz, /readyz (default ${DEFAULT_LISTEN})` }),
  logLevel: flag('string', { name: 'log-level', value: 'LEVEL', help: orList(LOG_LEVELS.map((l) => (l === DEFAULT_LOG_LEVEL ? `${l} (default)` : l))) }),
  hopThreshold: flag('string', {
    name: 'hop-threshold',
    value: 'N',
    help: `ttl_mismatch: hop difference from the server's own packets beyond which a RST is suspect (default ${DEFAULT_HOP_THRESHOLD})`,
    range: HOPS_RANGE,
  }),
  noDetect: flag('boolean', { name: 'no-detect', help: 'do not look for forged or middlebox resets' }),
  noCauses: flag('boolean', {
    name: 'no-causes',
    help: "do not read this network namespace's kernel state to name the cause of failed inbound attempts (rstwatch_failure_causes_total)",
  }),
  user: flag('string', {
    name: 'user',
    value: 'NAME',
    help: `when started as root, the user to switch to once the capture is open (default '${DEFAULT_USER}')`,
  }),
  help: flag('boolean', { name: 'help', short: 'h', help: 'show this help' }),
};

/** The flags of `rstwatch live`, in help order. */
export const LIVE_FLAGS: readonly FlagSpec[] = Object.values(LIVE);

/**
 * True for a host name as DNS writes it: labels of letters, digits and inner hyphens, the last not
 * all digits (a resolver reads `1.2.3` or `999.1.1.1` as an IPv4 address, not a name).
 */
function isHostName(host: string): boolean {
  if (host.length > 253) return false;
  const labels = host.split('.');
  return labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) && !/^\d+$/.test(labels[labels.length - 1]);
}

/**
 * Parses `HOST:PORT`, `[V6]:PORT`, `:PORT` or `PORT` (an empty host means every address). HOST is
 * an IPv4 or IPv6 address or a host name; a bad address (`999.1.1.1`) is refused here, not sent
 * to DNS.
 */
export function parseListen(sourceName: string, text: string): { host: string; port: number } {
  const m = /^\d+$/.test(text) ? [text, undefined, '', text] : /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(text);
  const bad = (why: string): RstwatchError =>
    new RstwatchError('RSTWATCH_ERR_CONFIG', `${sourceName}: '${text}' ${why}`, {
      hint: `e.g. [::]:${DEFAULT_LISTEN_PORT}, 127.0.0.1:${DEFAULT_LISTEN_PORT} or :${DEFAULT_LISTEN_PORT}`,
    });
  if (!m) throw bad('is not HOST:PORT');
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad('is not HOST:PORT (the port is 1 to 65535)');
  const host = m[1] ?? m[2] ?? '';
  if (m[1] !== undefined && !m[1].includes(':')) throw bad('is not HOST:PORT (brackets hold an IPv6 address)');
  if (host !== '' && parseAddress(host) === null && !isHostName(host)) throw bad('is not HOST:PORT (the host is not an IP address or a host name)');
  return { host: host === '' ? '::' : host, port };
}

/** Builds the frozen config of `rstwatch live` from its arguments and the environment. */
export function loadLiveConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LiveConfig {
  const p = parseFlags(argv, LIVE_FLAGS, env, 'live');
  if (p.positionals.length > 0) {
    throw new RstwatchError('RSTWATCH_ERR_USAGE', `live takes no file arguments (got '${p.positionals[0]}')`, {
      hint: 'to analyse a capture file use rstwatch replay',
    });
  }
  const backend = p.string(LIVE.backend) ?? DEFAULT_BACKEND;
  if (!isOneOf(CAPTURE_BACKENDS, backend)) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${p.source(LIVE.backend)}: '${backend}' is not a backend`, {
      hint: `use ${orList(CAPTURE_BACKENDS.map((b) => `'${b}'`))}`,
    });
  }
  const level = p.string(LIVE.logLevel) ?? DEFAULT_LOG_LEVEL;
  if (!isOneOf(LOG_LEVELS, level)) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${p.source(LIVE.logLevel)}: '${level}' is not a log level`, {
      hint: `use one of ${LOG_LEVELS.join(', ')}`,
    });
  }
  const iface = p.string(LIVE.interface) ?? DEFAULT_INTERFACE;
  if (!/^[^\s/]{1,64}$/.test(iface)) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${p.source(LIVE.interface)}: '${iface}' is not an interface name`, {
      hint: 'rstwatch live --list-interfaces lists them',
    });
  }
  const user = p.string(LIVE.user) ?? DEFAULT_USER;
  if (!/^[a-z_][a-z0-9_-]*\$?$/i.test(user) && !/^\d+$/.test(user)) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${p.source(LIVE.user)}: '${user}' is not a user name or id`);
  }
  const listen = parseListen(p.source(LIVE.listen), p.string(LIVE.listen) ?? DEFAULT_LISTEN);
  return Object.freeze({
    interfaceName: iface,
    listInterfaces: p.boolean(LIVE.listInterfaces),
    backend,
    filter: p.string(LIVE.filter),
    snaplen: p.string(LIVE.snaplen) === undefined ? undefined : p.number(LIVE.snaplen, DEFAULT_SNAPLEN),
    promiscuous: p.boolean(LIVE.promiscuous),
    bufferBytes: p.number(LIVE.bufferSize, DEFAULT_KERNEL_BUFFER_BYTES),
    queueBytes: p.number(LIVE.queueSize, DEFAULT_QUEUE_BYTES),
    attemptTimeoutSeconds: p.number(LIVE.attemptTimeout, DEFAULT_LIVE_ATTEMPT_TIMEOUT_SECONDS),
    ratioWindowSeconds: p.number(LIVE.ratioWindow, DEFAULT_RATIO_WINDOW_SECONDS),
    maxPorts: p.number(LIVE.maxPorts, DEFAULT_MAX_PORTS),
    ports: keepPorts(p, LIVE.ports),
    extraLocalNets: Object.freeze(parseLocalNets(p, LIVE.localNet)),
    maxAttempts: p.number(LIVE.maxAttempts, DEFAULT_MAX_ATTEMPTS),
    listenHost: listen.host,
    listenPort: listen.port,
    logLevel: level,
    user,
    detect: detection(p, LIVE),
    causes: !p.boolean(LIVE.noCauses),
    help: p.boolean(LIVE.help),
  });
}

/** Default daemon diagnose asks: live on this host, on its default port. */
export const DEFAULT_DAEMON_URL = `http://127.0.0.1:${DEFAULT_LISTEN_PORT}`;

/** The flags of `rstwatch diagnose`, by what config reads them as. */
const DIAGNOSE = {
  port: flag('list', {
    name: 'port',
    value: 'PORT',
    help: 'a port to report on (repeatable, or a list like 80,443); default: the ports the daemon saw failures on, or else every listening port',
  }),
  daemon: flag('string', {
    name: 'daemon',
    value: 'URL',
    help: `the running rstwatch live to ask for the failures it saw and their causes (default ${DEFAULT_DAEMON_URL})`,
  }),
  noDaemon: flag('boolean', { name: 'no-daemon', help: 'do not ask a daemon: report the kernel state only' }),
  recent: flag('string', {
    name: 'recent',
    value: 'MINUTES',
    help: `without --port: the ports the daemon saw failures on in this many last minutes (default ${DEFAULT_RECENT_MINUTES})`,
    range: { min: 1, max: MAX_RECENT_MINUTES, of: 'integer' },
  }),
  json: flag('boolean', { name: 'json', help: 'print the report as JSON' }),
  help: flag('boolean', { name: 'help', short: 'h', help: 'show this help' }),
};

/** The flags of `rstwatch diagnose`, in help order. */
export const DIAGNOSE_FLAGS: readonly FlagSpec[] = Object.values(DIAGNOSE);

/** Validated settings of `rstwatch diagnose`. */
export interface DiagnoseConfig {
  readonly ports: readonly number[];
  /** Base URL of the daemon to ask, or null (--no-daemon). */
  readonly daemonUrl: string | null;
  /** Without --port: failures this recent, minutes. */
  readonly recentMinutes: number;
  readonly json: boolean;
  readonly help: boolean;
}

/**
 * The daemon's base URL from `--daemon`: an http(s) URL, `HOST:PORT`, `[V6]:PORT`, a bare
 * `PORT` or `:PORT` (on 127.0.0.1), or a bare host (on port ${DEFAULT_LISTEN_PORT}).
 */
export function parseDaemonUrl(sourceName: string, text: string): string {
  const bad = (why: string): RstwatchError =>
    new RstwatchError('RSTWATCH_ERR_CONFIG', `${sourceName}: '${text}' ${why}`, {
      hint: `e.g. http://127.0.0.1:${DEFAULT_LISTEN_PORT}, 10.0.0.5:${DEFAULT_LISTEN_PORT} or ${DEFAULT_LISTEN_PORT}`,
    });
  let withScheme: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) withScheme = text;
  else if (text.includes('/')) throw bad('is not HOST:PORT (a path needs a whole URL: http://HOST:PORT/path)');
  else if (/^:?\d+$/.test(text)) withScheme = `http://127.0.0.1:${text.replace(':', '')}`;
  else if (text.includes(':') && parseAddress(text) !== null) withScheme = `http://[${text}]:${DEFAULT_LISTEN_PORT}`;
  else if (/:\d+$/.test(text)) {
    let hp: { host: string; port: number };
    try {
      hp = parseListen(sourceName, text);
    } catch {
      throw bad('is not HOST:PORT');
    }
    const { host, port } = hp;
    withScheme = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  } else withScheme = `http://${text}:${DEFAULT_LISTEN_PORT}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw bad('is not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad('is not an http(s) URL');
  const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
  if (port < 1 || port > 65535) throw bad('has no valid port');
  return u.toString();
}

/** Builds the frozen config of `rstwatch diagnose`. */
export function loadDiagnoseConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DiagnoseConfig {
  const p = parseFlags(argv, DIAGNOSE_FLAGS, env, 'diagnose');
  if (p.positionals.length > 0) {
    throw new RstwatchError('RSTWATCH_ERR_USAGE', `diagnose takes no arguments (got '${p.positionals[0]}')`, { hint: 'rstwatch diagnose --port 8080' });
  }
  const ports = [...parsePortsFlag(p, DIAGNOSE.port, p.list(DIAGNOSE.port), SINGLE_PORTS)];
  const daemonText = p.string(DIAGNOSE.daemon) ?? DEFAULT_DAEMON_URL;
  const daemonUrl = p.boolean(DIAGNOSE.noDaemon) ? null : parseDaemonUrl(p.source(DIAGNOSE.daemon), daemonText.trim());
  const recentMinutes = p.number(DIAGNOSE.recent, DEFAULT_RECENT_MINUTES);
  return Object.freeze({ ports: Object.freeze(ports), daemonUrl, recentMinutes, json: p.boolean(DIAGNOSE.json), help: p.boolean(DIAGNOSE.help) });
}
