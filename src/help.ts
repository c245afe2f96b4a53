/**
 * The help page of each command, laid out for a given width (help-layout.ts). Flags come from
 * their definitions in config.ts, exit statuses from base/errors.ts: nothing here repeats a default or
 * a status as a literal.
 */
import { DEFAULT_LISTEN_PORT, DIAGNOSE_FLAGS, envName, LIVE_FLAGS, rangeText, REPLAY_FLAGS, type FlagSpec } from './config.js';
import { CAUSES } from './causes/classify.js';
import { ERROR_CODES } from './base/errors.js';
import { renderHelp, type HelpBlock } from './help-layout.js';

/** A command with its own help page. */
export type Command = 'replay' | 'live' | 'diagnose';

/** The commands, in the order the main help lists them. */
export const COMMANDS: readonly Command[] = ['replay', 'live', 'diagnose'];

/** The flags each command's parser accepts. */
export const COMMAND_FLAGS: Readonly<Record<Command, readonly FlagSpec[]>> = {
  replay: REPLAY_FLAGS,
  live: LIVE_FLAGS,
  diagnose: DIAGNOSE_FLAGS,
};

const USAGE = ERROR_CODES.RSTWATCH_ERR_USAGE.exitCode;
const BUG = ERROR_CODES.RSTWATCH_ERR_INTERNAL.exitCode;
const BAD_USAGE = 'bad usage or a bad option value';

/** What each command exits with, and when (docs/exit-codes.md, "By command"). */
export const COMMAND_EXIT_STATUSES: Readonly<Record<Command, readonly (readonly [number, string])[]>> = {
  replay: [
    [0, 'every file was read (a truncated last record is a warning)'],
    [USAGE, BAD_USAGE],
    [ERROR_CODES.RSTWATCH_ERR_FILE_OPEN.exitCode, 'a file cannot be opened or read'],
    [
      ERROR_CODES.RSTWATCH_ERR_CAPTURE_FORMAT.exitCode,
      'a file is not a capture or is corrupt (the report of everything read before the fault is still printed, when a frame was read)',
    ],
    [BUG, 'a bug'],
  ],
  live: [
    [0, 'stopped by SIGTERM or SIGINT; or --list-interfaces listed them'],
    [USAGE, `${BAD_USAGE} (also a --user that does not exist)`],
    [
      ERROR_CODES.RSTWATCH_ERR_CAPTURE_OPEN.exitCode,
      'the capture cannot be opened (unknown interface: the message lists them; no permission; backend missing)',
    ],
    [ERROR_CODES.RSTWATCH_ERR_LISTEN.exitCode, 'the listen address is in use or cannot be bound'],
    [ERROR_CODES.RSTWATCH_ERR_PRIVILEGES.exitCode, 'started as root, it cannot switch to --user (the message names the missing capability)'],
    [BUG, 'a bug'],
  ],
  diagnose: [
    [0, 'the report was printed, whether or not a daemon answered (an absent daemon is reported as not seen)'],
    [USAGE, BAD_USAGE],
    [BUG, 'a bug'],
  ],
};

/** The two help columns of a flag: `-i, --interface NAME` and its help with its range and variable. */
function flagRow(f: FlagSpec): [string, string] {
  const name = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.value ? ` ${f.value}` : ''}`;
  const help = f.range === undefined ? f.help : `${f.help}; ${rangeText(f.range)}`;
  return [name, f.name === 'help' ? help : `${help} [${envName(f.name)}]`];
}

/**
 * A command's page: its usage line (continued under the command), its paragraphs, then its
 * options and exit statuses.
 */
function commandPage(command: Command, usage: string, paragraphs: readonly string[]): HelpBlock[] {
  return [
    { text: `Usage: ${usage}`, hang: 'Usage: '.length },
    ...paragraphs.map((text) => ({ text })),
    {
      heading: 'Options (each also as the environment variable in brackets; a flag wins over its variable):',
      rows: COMMAND_FLAGS[command].map(flagRow),
    },
    { heading: 'Exit status:', rows: COMMAND_EXIT_STATUSES[command].map(([status, when]) => [String(status), when]) },
  ];
}

const MAIN_PAGE: readonly HelpBlock[] = [
  { text: 'rstwatch: which TCP connections are refused, by whom and why, from the wire.' },
  {
    heading: 'Usage:',
    rows: [
      ['rstwatch replay [options] FILE...', 'analyse pcap/pcapng capture files (- reads standard input)'],
      ['rstwatch live [options]', 'watch an interface, export Prometheus metrics'],
      ['rstwatch diagnose [options]', "why a port refuses or drops: the kernel state, and the daemon's causes"],
      ['rstwatch help [COMMAND]', 'show help'],
      ['rstwatch --version', 'print the version'],
    ],
  },
  {
    text:
      "Run 'rstwatch COMMAND --help' (replay, live, diagnose) for its options and exit statuses. " +
      'Counting rules: docs/semantics.md. Exit codes: docs/exit-codes.md.',
  },
];

const REPLAY_PAGE = commandPage('replay', 'rstwatch replay [options] FILE...', [
  'Reads classic pcap (micro- or nanosecond, either byte order) and pcapng files, pairs every SYN ' +
    'with its first answer (SYN-ACK: accepted, RST: refused, ICMP unreachable: icmp_rejected, none: ' +
    'unanswered) and prints totals, a timeline, the scans and floods found, per server port counts ' +
    'with the failure share and ICMP reasons, who refuses whom (server, port and client), and the ' +
    'resets that look forged, one per RST with a legend. --json prints the whole report, --format csv ' +
    'one table of it, --html also writes a page with charts. The counting rules are those of ' +
    'docs/semantics.md; every part of the report is explained in docs/report.md.',
  'Several files are read one after another, in the order given, as one capture: an attempt that ' +
    'is pending at the end of one file can be answered in the next, so give rotated files in time ' +
    'order. FILE - reads standard input (e.g. tcpdump -w - | rstwatch replay -).',
]);

const LIVE_PAGE = commandPage('live', 'rstwatch live [options]', [
  'Captures on a network interface with libpcap, pairs every SYN with its first answer as replay ' +
    `does, and serves Prometheus metrics at http://HOST:PORT/metrics (default port ${DEFAULT_LISTEN_PORT}), ` +
    'with /healthz, /readyz (503 while the capture is not running), /api/v1/causes and a landing page ' +
    'at /. Logs are JSON lines on stdout. Needs CAP_NET_RAW (also for --promiscuous); started as ' +
    'root it switches to --user once the capture is open, keeping only CAP_NET_RAW so that it can ' +
    'reopen the capture, then sets no_new_privs and a seccomp filter. An interface that goes down ' +
    'or away sets rstwatch_capture_up to 0; the capture is reopened as soon as the interface is back ' +
    '(rstwatch_capture_down_seconds_total counts the time lost). SIGTERM or SIGINT stops it; SIGHUP, ' +
    'SIGUSR1 and SIGUSR2 are logged and ignored. See docs/live.md.',
]);

const DIAGNOSE_PAGE = commandPage('diagnose', 'rstwatch diagnose [--port P]... [--daemon URL | --no-daemon] [--recent MINUTES] [--json]', [
  "Says why connections to a port fail, from this network namespace's kernel state and, when one " +
    "runs, from rstwatch live's record of the failures it saw. For each port (default: the ports the " +
    'daemon saw failures on in the last --recent minutes, or else every listening port) it reports ' +
    'who listens (address, family, IPv6-only), how full the accept queue is against its backlog, ' +
    'which process owns the socket and how close it is to its open-files limit; the failures the ' +
    `daemon counted there by outcome and cause (${CAUSES.join(', ')}) with the evidence; the problem ` +
    'the state shows now; and a remedy for each. Then the listen counters (ListenOverflows, ' +
    'ListenDrops, SyncookiesSent) and sysctls (somaxconn, tcp_max_syn_backlog, ' +
    "tcp_abort_on_overflow, tcp_syncookies), and what could not be seen. Run it in the service's " +
    "namespace (a sidecar shares the pod's); without root it says which processes' descriptors it " +
    'could not read. See docs/diagnose.md.',
]);

const PAGES: Readonly<Record<Command | 'rstwatch', readonly HelpBlock[]>> = {
  rstwatch: MAIN_PAGE,
  replay: REPLAY_PAGE,
  live: LIVE_PAGE,
  diagnose: DIAGNOSE_PAGE,
};

/** The help page of `command` (or of rstwatch itself) in lines of at most `width` columns. */
export function helpText(command: Command | 'rstwatch', width: number): string {
  return renderHelp(PAGES[command], width);
}
