/**
 * Flags and environment -> one frozen, validated config per command. Every flag can also be given
 * as an `RSTWATCH_*` environment variable (the flag name in upper snake case, e.g.
 * `--attempt-timeout` is `RSTWATCH_ATTEMPT_TIMEOUT`; repeatable flags take a comma-separated list).
 * A flag on the command line wins over the variable. Bad values are rejected here, with a message
 * naming the flag or variable, before anything starts.
 */
import { parseArgs } from 'node:util';
import { RstwatchError } from './errors.js';
import { LocalNets } from './track/direction.js';
import { parseAddress, parseCidr, type Network } from './net/address.js';
import { parsePortList, PORTS_AND_RANGES, SINGLE_PORTS, type PortListSyntax } from './net/port-list.js';
import { DEFAULT_MAX_ATTEMPTS } from './track/tracker.js';
import { DEFAULT_HOP_THRESHOLD } from './detect/detector.js';
import { DEFAULT_SNAPLEN } from './capture/bpf-filter.js';
import { DEFAULT_MAX_PORTS } from './metrics/port-selection.js';
import { DEFAULT_RATIO_WINDOW_SECONDS } from './metrics/refusal-ratio.js';
import { DEFAULT_RECENT_MINUTES } from './diagnose/port-report.js';

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

/** Default rows of replay's top refusing servers / refused clients lists. */
export const DEFAULT_TOP_N = 10;
/** Server ports replay's table lists without --all-ports (the busiest). */
export const DEFAULT_MAX_PORT_ROWS = 25;
/** Replay's attempt timeout, seconds: 0 is never (only the end of the capture leaves an attempt unanswered). */
export const DEFAULT_REPLAY_ATTEMPT_TIMEOUT_SECONDS = 0;

/** The flags of `rstwatch replay`. */
export const REPLAY_FLAGS: readonly FlagSpec[] = [
  { name: 'json', kind: 'boolean', help: 'print the report as JSON on stdout instead of the table' },
  {
    name: 'attempt-timeout',
    kind: 'string',
    value: 'SECONDS',
    help: `an attempt with no answer this long after its first SYN is unanswered; ${DEFAULT_REPLAY_ATTEMPT_TIMEOUT_SECONDS} (the default in replay) means never: only the end of the capture leaves an attempt unanswered`,
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
  { name: 'top', kind: 'string', value: 'N', help: `rows in the top refusing servers / refused clients lists (default ${DEFAULT_TOP_N})` },
  { name: 'all-ports', kind: 'boolean', help: `list every server port in the table (default: the ${DEFAULT_MAX_PORT_ROWS} busiest)` },
  {
    name: 'hop-threshold',
    kind: 'string',
    value: 'N',
    help: `ttl_mismatch: a RST whose hop distance differs from the server's own packets by more than N hops is suspect (default ${DEFAULT_HOP_THRESHOLD}; docs/detection.md)`,
  },
  { name: 'no-detect', kind: 'boolean', help: 'do not look for forged or middlebox resets' },
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
  /** Suspect-reset detection: its hop threshold, or false for none. */
  readonly detect: { hopThreshold: number } | false;
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
  command = 'replay',
): { values: RawValues; positionals: string[]; given: ReadonlyMap<string, string> } {
  const options: Record<string, { type: 'boolean' | 'string'; multiple?: boolean; short?: string }> = {};
  for (const f of flags) {
    options[f.name] = { type: f.kind === 'boolean' ? 'boolean' : 'string' };
    if (f.kind === 'list') options[f.name].multiple = true;
    if (f.short) options[f.name].short = f.short;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, '') : String(err);
    throw new RstwatchError('RSTWATCH_ERR_USAGE', message, { hint: `run 'rstwatch ${command} --help' for the flags`, cause: err });
  }
  const values = { ...parsed.values } as RawValues;
  // Each flag given on the command line, as written there (`-i` or `--interface`); after `--` all is positional.
  const given = new Map<string, string>();
  for (const t of parsed.tokens) if (t.kind === 'option') given.set(t.name, t.rawName);
  for (const f of flags) {
    if (values[f.name] !== undefined) continue;
    const fromEnv = env[envName(f.name)];
    if (fromEnv === undefined || fromEnv === '') continue;
    if (f.kind === 'boolean') values[f.name] = parseBoolean(envName(f.name), fromEnv);
    else if (f.kind === 'list') values[f.name] = fromEnv.split(',').map((s) => s.trim()).filter((s) => s !== '');
    else values[f.name] = fromEnv;
  }
  return { values, positionals: parsed.positionals, given };
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

/** Where `flag`'s value came from: the flag as written on the command line (`-i`, `--interface`), else its variable. */
function source(flag: string, given: ReadonlyMap<string, string>): string {
  return given.get(flag) ?? envName(flag);
}

/** `parse()`, its RstwatchError named by the flag or variable `flag` came from. */
function named<T>(flag: string, given: ReadonlyMap<string, string>, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof RstwatchError)) throw err;
    throw new RstwatchError(err.code, `${source(flag, given)}: ${err.message}`, { hint: err.hint, cause: err });
  }
}

/** The `--local-net` networks, with errors naming the flag or variable they came from. */
function parseLocalNets(values: RawValues, given: ReadonlyMap<string, string>): Network[] {
  return ((values['local-net'] as string[] | undefined) ?? []).map((cidr) => named('local-net', given, () => parseCidr(cidr)));
}

/** The ports of a port-list flag (each of its values one list), with errors naming the flag or variable. */
function parsePortsFlag(flag: string, texts: readonly string[], syntax: PortListSyntax, given: ReadonlyMap<string, string>): ReadonlySet<number> {
  const ports = new Set<number>();
  for (const text of texts) for (const p of named(flag, given, () => parsePortList(text, syntax))) ports.add(p);
  return ports;
}

/** The detection settings from --hop-threshold and --no-detect. */
function detection(values: RawValues, given: ReadonlyMap<string, string>): { hopThreshold: number } | false {
  const t = values['hop-threshold'] as string | undefined;
  const hopThreshold = t === undefined ? DEFAULT_HOP_THRESHOLD : parseInteger(source('hop-threshold', given), t, 0, 64);
  return values['no-detect'] === true ? false : { hopThreshold };
}

/** Largest --max-attempts accepted: 16 Mi attempts is about 1.2 GB of tables. */
export const MAX_MAX_ATTEMPTS = 16 * 1024 * 1024;

/** Builds the frozen config of `rstwatch replay` from its arguments and the environment. */
export function loadReplayConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ReplayConfig {
  const { values, positionals, given } = parseFlags(argv, REPLAY_FLAGS, env);
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
  const nets = parseLocalNets(values, given);
  let progress: boolean | undefined;
  if (values['no-progress'] === true) progress = false;
  else if (values.progress === true) progress = true;
  return Object.freeze({
    files: Object.freeze([...positionals]),
    json: values.json === true,
    attemptTimeoutSeconds: timeoutText === undefined ? DEFAULT_REPLAY_ATTEMPT_TIMEOUT_SECONDS : parseSeconds(source('attempt-timeout', given), timeoutText),
    localNets: new LocalNets(nets),
    maxAttempts: maxText === undefined ? DEFAULT_MAX_ATTEMPTS : parseInteger(source('max-attempts', given), maxText, 1, MAX_MAX_ATTEMPTS),
    topN: topText === undefined ? DEFAULT_TOP_N : parseInteger(source('top', given), topText, 0, 10_000),
    maxPortRows: values['all-ports'] === true ? Infinity : DEFAULT_MAX_PORT_ROWS,
    progress,
    detect: detection(values, given),
    help,
  });
}

/** Default HTTP port: outside the Prometheus exporter range (9100-9999, all allocated). */
export const DEFAULT_LISTEN_PORT = 7465;
/** Default live attempt timeout, seconds: enough for a NAT answering 20 s late (docs/semantics.md). */
export const DEFAULT_LIVE_ATTEMPT_TIMEOUT_SECONDS = 60;
/** Default kernel capture buffer of live, bytes (not a capture file's read buffer). */
export const DEFAULT_KERNEL_BUFFER_BYTES = 8 * 1024 * 1024;
/** Default interface of live: every interface of the network namespace. */
export const DEFAULT_INTERFACE = 'any';
/** Default capture backend of live: the bundled libpcap binding. */
export const DEFAULT_BACKEND = 'native';
/** Log levels pino knows. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** Default log level of live. */
export const DEFAULT_LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
/** Default user live switches to when started as root. */
export const DEFAULT_USER = 'nobody';
/** Default HTTP address of live: every address, on DEFAULT_LISTEN_PORT. */
export const DEFAULT_LISTEN = `[::]:${DEFAULT_LISTEN_PORT}`;

/** `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** The flags of `rstwatch live`. */
export const LIVE_FLAGS: readonly FlagSpec[] = [
  { name: 'interface', kind: 'string', short: 'i', value: 'NAME', help: `interface to capture; '${DEFAULT_INTERFACE}' (the default) is every interface of the network namespace` },
  { name: 'list-interfaces', kind: 'boolean', help: 'list the interfaces libpcap can capture on, and exit' },
  { name: 'backend', kind: 'string', value: 'native|cap', help: `capture backend: '${DEFAULT_BACKEND}' (default, the bundled libpcap binding) or 'cap' (the cap package; see docs/capture.md for its limits)` },
  { name: 'filter', kind: 'string', value: 'BPF', help: 'capture filter (default: only SYN and RST segments and ICMP/ICMPv6 unreachables, over IPv4, IPv6 and VLAN)' },
  { name: 'snaplen', kind: 'string', value: 'BYTES', help: `bytes captured per packet (default ${DEFAULT_SNAPLEN}: the headers)` },
  { name: 'promiscuous', kind: 'boolean', help: 'put the interface in promiscuous mode (needs CAP_NET_ADMIN too)' },
  { name: 'buffer-size', kind: 'string', value: 'BYTES', help: `kernel capture buffer (default ${DEFAULT_KERNEL_BUFFER_BYTES}: ${DEFAULT_KERNEL_BUFFER_BYTES / 1024 / 1024} MiB)` },
  {
    name: 'attempt-timeout',
    kind: 'string',
    value: 'SECONDS',
    help: `an attempt with no answer this long after its first SYN is unanswered (default ${DEFAULT_LIVE_ATTEMPT_TIMEOUT_SECONDS})`,
  },
  { name: 'ratio-window', kind: 'string', value: 'SECONDS', help: `window of rstwatch_refusal_ratio (default ${DEFAULT_RATIO_WINDOW_SECONDS})` },
  { name: 'max-ports', kind: 'string', value: 'N', help: `port label values per direction; the rest are summed as port="other" (default ${DEFAULT_MAX_PORTS})` },
  { name: 'ports', kind: 'string', value: 'LIST', help: 'ports that always get their own series, e.g. 22,80,8000-8100' },
  { name: 'local-net', kind: 'list', value: 'CIDR', help: "more local networks for direction, besides the interfaces' own addresses (repeatable)" },
  { name: 'max-attempts', kind: 'string', value: 'N', help: `attempts tracked at once (default ${DEFAULT_MAX_ATTEMPTS})` },
  { name: 'listen', kind: 'string', value: 'HOST:PORT', help: `HTTP address for /metrics, /healthz, /readyz (default ${DEFAULT_LISTEN})` },
  { name: 'log-level', kind: 'string', value: 'LEVEL', help: orList(LOG_LEVELS.map((l) => (l === DEFAULT_LOG_LEVEL ? `${l} (default)` : l))) },
  { name: 'hop-threshold', kind: 'string', value: 'N', help: `ttl_mismatch: hop difference from the server's own packets beyond which a RST is suspect (default ${DEFAULT_HOP_THRESHOLD})` },
  { name: 'no-detect', kind: 'boolean', help: 'do not look for forged or middlebox resets' },
  {
    name: 'no-causes',
    kind: 'boolean',
    help: "do not read this network namespace's kernel state to name the cause of failed inbound attempts (rstwatch_failure_causes_total)",
  },
  { name: 'user', kind: 'string', value: 'NAME', help: `when started as root, the user to switch to once the capture is open (default '${DEFAULT_USER}')` },
  { name: 'help', kind: 'boolean', short: 'h', help: 'show this help' },
];

/** Validated settings of `rstwatch live`. */
export interface LiveConfig {
  readonly interfaceName: string;
  readonly listInterfaces: boolean;
  readonly backend: 'native' | 'cap';
  /** BPF filter, or undefined for the built-in one. */
  readonly filter: string | undefined;
  /** Snaplen in bytes, or undefined for the built-in one. */
  readonly snaplen: number | undefined;
  readonly promiscuous: boolean;
  readonly bufferBytes: number;
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
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly user: string;
  /** Suspect-reset detection: its hop threshold, or false for none. */
  readonly detect: { hopThreshold: number } | false;
  /** Cause classification of failed inbound attempts from the namespace's kernel state. */
  readonly causes: boolean;
  readonly help: boolean;
}

/** Parses `HOST:PORT`, `[V6]:PORT`, `:PORT` or `PORT` (an empty host means every address). */
export function parseListen(sourceName: string, text: string): { host: string; port: number } {
  const t = text.trim();
  const m = /^\d+$/.test(t) ? [t, undefined, '', t] : /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(t);
  const bad = (): RstwatchError =>
    new RstwatchError('RSTWATCH_ERR_CONFIG', `${sourceName}: '${text}' is not HOST:PORT`, { hint: `e.g. [::]:${DEFAULT_LISTEN_PORT}, 127.0.0.1:${DEFAULT_LISTEN_PORT} or :${DEFAULT_LISTEN_PORT}` });
  if (!m) throw bad();
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad();
  const host = m[1] ?? m[2] ?? '';
  if (host !== '' && host !== 'localhost' && parseAddress(host) === null && !/^[A-Za-z0-9.-]+$/.test(host)) throw bad();
  return { host: host === '' ? '::' : host, port };
}

/** Builds the frozen config of `rstwatch live` from its arguments and the environment. */
export function loadLiveConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LiveConfig {
  const { values, positionals, given } = parseFlags(argv, LIVE_FLAGS, env, 'live');
  if (positionals.length > 0) {
    throw new RstwatchError('RSTWATCH_ERR_USAGE', `live takes no file arguments (got '${positionals[0]}')`, { hint: 'to analyse a capture file use rstwatch replay' });
  }
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const t = str(name);
    return t === undefined ? fallback : parseInteger(source(name, given), t, min, max);
  };
  const secs = (name: string, fallback: number, min: number): number => {
    const t = str(name);
    if (t === undefined) return fallback;
    const v = parseSeconds(source(name, given), t);
    if (v < min) throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${source(name, given)}: ${v} is below the minimum of ${min} seconds`);
    return v;
  };
  const backend = str('backend') ?? DEFAULT_BACKEND;
  if (backend !== 'native' && backend !== 'cap') {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${source('backend', given)}: '${backend}' is not a backend`, { hint: "use 'native' or 'cap'" });
  }
  const level = str('log-level') ?? DEFAULT_LOG_LEVEL;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${source('log-level', given)}: '${level}' is not a log level`, { hint: `use one of ${LOG_LEVELS.join(', ')}` });
  }
  const iface = str('interface') ?? DEFAULT_INTERFACE;
  if (!/^[^\s/]{1,64}$/.test(iface)) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${source('interface', given)}: '${iface}' is not an interface name`, { hint: 'rstwatch live --list-interfaces lists them' });
  }
  const user = str('user') ?? DEFAULT_USER;
  if (!/^[a-z_][a-z0-9_-]*\$?$/i.test(user) && !/^\d+$/.test(user)) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `${source('user', given)}: '${user}' is not a user name or id`);
  }
  const listen = parseListen(source('listen', given), str('listen') ?? DEFAULT_LISTEN);
  const snapText = str('snaplen');
  return Object.freeze({
    interfaceName: iface,
    listInterfaces: values['list-interfaces'] === true,
    backend,
    filter: str('filter'),
    snaplen: snapText === undefined ? undefined : parseInteger(source('snaplen', given), snapText, 64, 262_144),
    promiscuous: values.promiscuous === true,
    bufferBytes: int('buffer-size', DEFAULT_KERNEL_BUFFER_BYTES, 65_536, 1 << 30),
    attemptTimeoutSeconds: secs('attempt-timeout', DEFAULT_LIVE_ATTEMPT_TIMEOUT_SECONDS, 0.1),
    ratioWindowSeconds: secs('ratio-window', DEFAULT_RATIO_WINDOW_SECONDS, 1),
    maxPorts: int('max-ports', DEFAULT_MAX_PORTS, 0, 65_536),
    ports: parsePortsFlag('ports', [str('ports') ?? ''], PORTS_AND_RANGES, given),
    extraLocalNets: Object.freeze(parseLocalNets(values, given)),
    maxAttempts: int('max-attempts', DEFAULT_MAX_ATTEMPTS, 1, MAX_MAX_ATTEMPTS),
    listenHost: listen.host,
    listenPort: listen.port,
    logLevel: level as LiveConfig['logLevel'],
    user,
    detect: detection(values, given),
    causes: values['no-causes'] !== true,
    help: values.help === true,
  });
}

/** Default daemon diagnose asks: live on this host, on its default port. */
export const DEFAULT_DAEMON_URL = `http://127.0.0.1:${DEFAULT_LISTEN_PORT}`;

/** The flags of `rstwatch diagnose`. */
export const DIAGNOSE_FLAGS: readonly FlagSpec[] = [
  {
    name: 'port',
    kind: 'list',
    value: 'PORT',
    help: 'a port to report on (repeatable, or a list like 80,443); default: the ports the daemon saw failures on, or else every listening port',
  },
  {
    name: 'daemon',
    kind: 'string',
    value: 'URL',
    help: `the running rstwatch live to ask for the failures it saw and their causes (default ${DEFAULT_DAEMON_URL})`,
  },
  { name: 'no-daemon', kind: 'boolean', help: 'do not ask a daemon: report the kernel state only' },
  { name: 'recent', kind: 'string', value: 'MINUTES', help: `without --port: the ports the daemon saw failures on in this many last minutes (default ${DEFAULT_RECENT_MINUTES})` },
  { name: 'json', kind: 'boolean', help: 'print the report as JSON' },
  { name: 'help', kind: 'boolean', short: 'h', help: 'show this help' },
];

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
    new RstwatchError('RSTWATCH_ERR_CONFIG', `${sourceName}: '${text}' ${why}`, { hint: `e.g. http://127.0.0.1:${DEFAULT_LISTEN_PORT}, 10.0.0.5:${DEFAULT_LISTEN_PORT} or ${DEFAULT_LISTEN_PORT}` });
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
  const { values, positionals, given } = parseFlags(argv, DIAGNOSE_FLAGS, env, 'diagnose');
  if (positionals.length > 0) {
    throw new RstwatchError('RSTWATCH_ERR_USAGE', `diagnose takes no arguments (got '${positionals[0]}')`, { hint: 'rstwatch diagnose --port 8080' });
  }
  const ports = [...parsePortsFlag('port', (values.port as string[] | undefined) ?? [], SINGLE_PORTS, given)];
  const daemonText = (values.daemon as string | undefined) ?? DEFAULT_DAEMON_URL;
  const daemonUrl = values['no-daemon'] === true ? null : parseDaemonUrl(source('daemon', given), daemonText.trim());
  const recentText = values.recent as string | undefined;
  const recentMinutes = recentText === undefined ? DEFAULT_RECENT_MINUTES : parseInteger(source('recent', given), recentText, 1, 525_600);
  return Object.freeze({ ports: Object.freeze(ports), daemonUrl, recentMinutes, json: values.json === true, help: values.help === true });
}
