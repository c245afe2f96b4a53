/**
 * The `rstwatch` commands: parse arguments, wire the parts, print; nothing else.
 * Errors print a message and a hint (never a stack trace) and exit with the code's status
 * (docs/exit-codes.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';
import { ERROR_CODES, isRstwatchError, RstwatchError } from './errors.js';
import { DEFAULT_LISTEN_PORT, DIAGNOSE_FLAGS, envName, LIVE_FLAGS, loadDiagnoseConfig, loadLiveConfig, loadReplayConfig, REPLAY_FLAGS, type FlagSpec, type ReplayConfig } from './config.js';
import { runReplay } from './replay.js';
import { buildReplayReport } from './report/replay-report.js';
import { renderTable } from './report/table.js';
import { ProgressBar } from './report/progress.js';

/** The package version, read from rstwatch's package.json. */
export function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const MAIN_HELP = `rstwatch: which TCP connections are refused, by whom and why, from the wire.

Usage:
  rstwatch replay [options] FILE...   analyse pcap/pcapng capture files (- reads standard input)
  rstwatch live [options]             watch an interface, export Prometheus metrics
  rstwatch diagnose [--port P]...     why a port refuses or drops: the kernel state, and the daemon's causes
  rstwatch help [COMMAND]             show help
  rstwatch --version

Run 'rstwatch replay --help' or 'rstwatch live --help' for the options. Exit codes: docs/exit-codes.md.
`;

function flagHelp(flags: readonly FlagSpec[]): string {
  const rows = flags.map((f) => {
    const name = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.value ? ` ${f.value}` : ''}`;
    const env = f.name === 'help' ? '' : ` [${envName(f.name)}]`;
    return `  ${name.padEnd(30)} ${f.help}${env}`;
  });
  return rows.join('\n');
}

const REPLAY_HELP = `Usage: rstwatch replay [options] FILE...

Reads classic pcap (micro- or nanosecond, either byte order) and pcapng files, pairs every SYN with
its first answer (SYN-ACK: accepted, RST: refused, ICMP unreachable: icmp_rejected, none:
unanswered) and prints totals, per server port counts, and the top refusing servers and refused
clients. The counting rules are those of SEMANTICS.md.

Several files are read one after another, in the order given, as one capture: an attempt that is
pending at the end of one file can be answered in the next, so give rotated files in time order.
FILE - reads standard input (e.g. tcpdump -w - | rstwatch replay -).

Options (each also as the environment variable in brackets; a flag wins over its variable):
${flagHelp(REPLAY_FLAGS)}

Exit status: 0 when every file was read (a truncated last record is a warning), 2 for bad usage or
a bad option value, 3 when a file cannot be opened, 4 when a file is not a capture or is corrupt
(the report of everything read before the fault is still printed), 70 for a bug.
`;

const LIVE_HELP = `Usage: rstwatch live [options]

Captures on a network interface with libpcap, pairs every SYN with its first answer as replay
does, and serves Prometheus metrics at http://HOST:PORT/metrics (default port ${DEFAULT_LISTEN_PORT}), with
/healthz, /readyz (503 while the capture is not running) and a landing page at /. Logs are JSON
lines on stdout. Needs CAP_NET_RAW (CAP_NET_ADMIN too for --promiscuous); started as root it drops
to --user once the capture is open. An interface that goes down or away sets rstwatch_capture_up
to 0 and is reopened with backoff. SIGTERM or SIGINT stops it (exit 0). See docs/live.md.

Options (each also as the environment variable in brackets; a flag wins over its variable):
${flagHelp(LIVE_FLAGS)}

Exit status: 0 after SIGTERM/SIGINT, 2 for bad usage or a bad option value, 5 when the capture
cannot be opened (unknown interface: the message lists them; no permission), 6 when the listen
address is in use, 70 for a bug.
`;

const DIAGNOSE_HELP = `Usage: rstwatch diagnose [--port P]... [--daemon URL | --no-daemon] [--recent MINUTES] [--json]

Says why connections to a port fail, from this network namespace's kernel state and, when one
runs, from rstwatch live's record of the failures it saw. For each port (default: the ports the
daemon saw failures on in the last 15 minutes, or else every listening port) it reports who
listens (address, family, IPv6-only), how full the accept queue is against its backlog, which
process owns the socket and how close it is to its open-files limit; the failures the daemon counted there by outcome and
cause (no_listener, wrong_bind, firewall_reset, middlebox, firewall_icmp, backlog_overflow,
fd_exhaustion, firewall_drop, syn_flood, unknown) with the evidence; the problem the state shows
now; and a remedy for each. Then the listen counters (ListenOverflows, ListenDrops,
SyncookiesSent) and sysctls (somaxconn, tcp_max_syn_backlog, tcp_abort_on_overflow,
tcp_syncookies), and what could not be seen. Run it in the service's namespace (a sidecar shares
the pod's); without root it says which processes' descriptors it could not read.

Options:
${flagHelp(DIAGNOSE_FLAGS)}
`;

async function replayCommand(config: ReplayConfig, version: string): Promise<number> {
  const showProgress = config.progress ?? process.stderr.isTTY === true;
  const bar = showProgress ? new ProgressBar(process.stderr, config.files) : undefined;
  const result = await runReplay(config.files, {
    attemptTimeoutSeconds: config.attemptTimeoutSeconds,
    localNets: config.localNets,
    maxAttempts: config.maxAttempts,
    detect: config.detect,
    onProgress: bar ? (read, total, index) => bar.update(read, total, index) : undefined,
    onWarning: (message) => {
      bar?.clear();
      process.stderr.write(`rstwatch: warning: ${message}\n`);
    },
  });
  bar?.done();
  const report = buildReplayReport(result, {
    version,
    attemptTimeoutSeconds: config.attemptTimeoutSeconds,
    maxAttempts: config.maxAttempts,
    topN: config.topN,
  });
  const text = config.json ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report, { maxPortRows: config.maxPortRows, maxSuspectRows: 20 });
  await writeStdout(text);
  if (result.error) {
    printError(result.error);
    return result.error.exitCode;
  }
  return 0;
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(text, () => resolve());
  });
}

function printError(err: RstwatchError): void {
  process.stderr.write(`rstwatch: error: ${err.message}\n`);
  if (err.hint) process.stderr.write(`rstwatch: hint: ${err.hint}\n`);
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const version = readVersion();
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(rest[0] === 'replay' ? REPLAY_HELP : rest[0] === 'live' ? LIVE_HELP : rest[0] === 'diagnose' ? DIAGNOSE_HELP : MAIN_HELP);
        return command === undefined ? ERROR_CODES.RSTWATCH_ERR_USAGE.exitCode : 0;
      case '--version':
      case 'version':
        process.stdout.write(`rstwatch ${version}\n`);
        return 0;
      case 'replay': {
        const config = loadReplayConfig(rest);
        if (config.help) {
          process.stdout.write(REPLAY_HELP);
          return 0;
        }
        return await replayCommand(config, version);
      }
      case 'live': {
        const config = loadLiveConfig(rest);
        if (config.help) {
          process.stdout.write(LIVE_HELP);
          return 0;
        }
        // Loaded on demand: replay must not need the native addon or the HTTP stack.
        const { runLive } = await import('./live/daemon.js');
        return await runLive(config, version);
      }
      case 'diagnose': {
        const config = loadDiagnoseConfig(rest);
        if (config.help) {
          process.stdout.write(DIAGNOSE_HELP);
          return 0;
        }
        const { readKernelState } = await import('./diagnose/kernel-state.js');
        const { buildDiagnoseReport, renderDiagnoseReport } = await import('./diagnose/port-report.js');
        const { askDaemon } = await import('./diagnose/ask-daemon.js');
        const [state, daemon] = await Promise.all([readKernelState(), config.daemonUrl === null ? undefined : askDaemon(config.daemonUrl, undefined, config.ports)]);
        const report = buildDiagnoseReport(state, config.ports, daemon, config.recentMinutes);
        await writeStdout(config.json ? `${JSON.stringify(report, null, 2)}\n` : renderDiagnoseReport(report));
        return 0;
      }
      default:
        throw new RstwatchError('RSTWATCH_ERR_USAGE', `unknown command '${command}'`, { hint: "run 'rstwatch --help' for the commands" });
    }
  } catch (err) {
    if (isRstwatchError(err)) {
      printError(err);
      return err.exitCode;
    }
    process.stderr.write(`rstwatch: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return ERROR_CODES.RSTWATCH_ERR_INTERNAL.exitCode;
  }
}
