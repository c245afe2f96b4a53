/**
 * The `rstwatch` commands: parse arguments, wire the parts, print; nothing else.
 * Errors print a message and a hint (never a stack trace) and exit with the code's status
 * (docs/exit-codes.md).
 */
import { accessSync, constants, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { packageRoot } from './base/package-root.js';
import { ERROR_CODES, isRstwatchError, RstwatchError } from './base/errors.js';
import { loadDiagnoseConfig, loadLiveConfig, loadReplayConfig, type ReplayConfig } from './config.js';
import { COMMANDS, helpText, type Command } from './help.js';
import { helpWidth } from './help-layout.js';
import { replayForReport, type ReportRunOptions } from './report/replay-run.js';
import { summarizeReplay } from './report/replay-report.js';
import { replayReportJson } from './report/json-report.js';
import { renderTable, type ReportInput } from './report/table.js';
import { DEFAULT_CSV_TABLE, replayCsv } from './report/csv.js';
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

async function replayCommand(config: ReplayConfig, version: string): Promise<number> {
  if (config.htmlFile !== undefined) checkWritable(config.htmlFile, config.files);
  const showProgress = config.progress ?? process.stderr.isTTY === true;
  const bar = showProgress ? new ProgressBar(process.stderr, config.files) : undefined;
  const options: ReportRunOptions = {
    attemptTimeoutSeconds: config.attemptTimeoutSeconds,
    localNets: config.localNets,
    maxAttempts: config.maxAttempts,
    maxPairs: config.maxPairs,
    reportThread: config.reportThread,
    bucketSeconds: config.bucketSeconds,
    detect: config.detect,
    onProgress: bar ? (read, total, index) => bar.update(read, total, index) : undefined,
    onWarning: (message) => {
      bar?.clear();
      process.stderr.write(`rstwatch: warning: ${message}\n`);
    },
  };
  const result = await replayForReport(config.files, options);
  bar?.done();
  if (result.error && result.files.every((f) => f.frames === 0)) {
    // Nothing was read: no report, only the error (and, for a program reading JSON, the error as JSON).
    if (config.format === 'json') await writeStdout([errorJson(version, result.error)]);
    printError(result.error);
    return result.error.exitCode;
  }
  const report: ReportInput = summarizeReplay(result, {
    version,
    attemptTimeoutSeconds: config.attemptTimeoutSeconds,
    maxAttempts: config.maxAttempts,
    topN: config.topN,
  });
  await writeStdout(replayOutput(report, config));
  if (config.htmlFile !== undefined) {
    try {
      await writeHtml(config.htmlFile, report);
    } catch (err) {
      // The capture's own fault first: its exit status says more than the page's.
      if (result.error) printError(result.error);
      throw err;
    }
  }
  if (config.csvTable === 'pairs' && report.pairs_other) {
    process.stderr.write(
      `rstwatch: note: ${report.pairs_other.pairs} pairs past --max-pairs ${config.maxPairs} are not rows; their sum is pairs_other in --json\n`,
    );
  }
  if (result.error) {
    printError(result.error);
    return result.error.exitCode;
  }
  return 0;
}

/** What stdout gets for `config.format`, in chunks. */
function replayOutput(report: ReportInput, config: ReplayConfig): Iterable<string> {
  switch (config.format) {
    case 'json':
      return replayReportJson(report);
    case 'csv':
      return replayCsv(report, config.csvTable ?? DEFAULT_CSV_TABLE);
    case 'table':
      return [renderTable(report, { maxPortRows: config.maxPortRows, maxPairRows: config.topN, maxSuspectRows: MAX_SUSPECT_ROWS })];
  }
}

/** Writes the report as an HTML page to `file` (the page code is loaded only then). */
async function writeHtml(file: string, report: ReportInput): Promise<void> {
  const { renderHtmlReport } = await import('./report/html/page.js');
  const page = renderHtmlReport(report);
  try {
    writeFileSync(file, page);
  } catch (err) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `--html: cannot write ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Suspect resets the table lists (the JSON lists them all). */
const MAX_SUSPECT_ROWS = 20;

/** The report of a replay that read no frame: the version and the error, nothing else. */
function errorJson(version: string, err: RstwatchError): string {
  return `${JSON.stringify({ rstwatch_version: version, complete: false, error: { code: err.code, message: err.message } }, null, 2)}\n`;
}

/**
 * Throws unless `file` can be written, and is none of the captures `inputs` (the page would
 * replace the capture): before the replay, so that a long read does not end in a page with
 * nowhere to go. An existing file is replaced when the page is written.
 */
function checkWritable(file: string, inputs: readonly string[]): void {
  const target = existsSync(file) ? file : dirname(resolve(file));
  try {
    accessSync(target, constants.W_OK);
    const st = statSync(target);
    if (target === file && st.isDirectory()) throw new Error('is a directory');
    if (target !== file && !st.isDirectory()) throw new Error(`${target} is not a directory`);
    for (const input of inputs) {
      if (input === '-' || !existsSync(input)) continue;
      const other = statSync(input);
      if (target === file && other.dev === st.dev && other.ino === st.ino) throw new Error('it is a capture this replay reads');
    }
  } catch (err) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `--html: cannot write ${file}: ${err instanceof Error ? err.message : String(err)}`, {
      hint: 'give a file in a folder that exists and that you can write to',
      cause: err,
    });
  }
}

/** Bytes of the buffer stdout's chunks are encoded into, one after another (UTF-8: at most 3 bytes a UTF-16 unit). */
const STDOUT_BUFFER_BYTES = 256 * 1024;

/**
 * Writes `chunks` to stdout in order, each once the one before is written, so that one buffer
 * serves them all (a chunk too long for it is written as it is): no allocation per chunk.
 */
async function writeStdout(chunks: Iterable<string>): Promise<void> {
  const buffer = Buffer.allocUnsafe(STDOUT_BUFFER_BYTES);
  for (const chunk of chunks) {
    const data = chunk.length * 3 <= buffer.length ? buffer.subarray(0, buffer.write(chunk)) : chunk;
    await new Promise<void>((resolve) => {
      process.stdout.write(data, () => resolve());
    });
  }
}

/** Prints a help page laid out for the terminal's width (80 columns when not a terminal). */
function printHelp(command: Command | 'rstwatch'): void {
  process.stdout.write(helpText(command, helpWidth(process.stdout.isTTY ? process.stdout.columns : undefined)));
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
        printHelp(COMMANDS.find((c) => c === rest[0]) ?? 'rstwatch');
        return command === undefined ? ERROR_CODES.RSTWATCH_ERR_USAGE.exitCode : 0;
      case '--version':
      case 'version':
        process.stdout.write(`rstwatch ${version}\n`);
        return 0;
      case 'replay': {
        const config = loadReplayConfig(rest);
        if (config.help) {
          printHelp('replay');
          return 0;
        }
        return await replayCommand(config, version);
      }
      case 'live': {
        const config = loadLiveConfig(rest);
        if (config.help) {
          printHelp('live');
          return 0;
        }
        // Loaded on demand: replay must not need the native addon or the HTTP stack.
        const { runLive } = await import('./live/daemon.js');
        return await runLive(config, version);
      }
      case 'diagnose': {
        const config = loadDiagnoseConfig(rest);
        if (config.help) {
          printHelp('diagnose');
          return 0;
        }
        const { readKernelState } = await import('./kernel/kernel-state.js');
        const { buildDiagnoseReport, renderDiagnoseReport } = await import('./diagnose/port-report.js');
        const { askDaemon } = await import('./diagnose/ask-daemon.js');
        const [state, daemon] = await Promise.all([
          readKernelState(),
          config.daemonUrl === null ? undefined : askDaemon(config.daemonUrl, undefined, config.ports),
        ]);
        const report = buildDiagnoseReport(state, config.ports, daemon, config.recentMinutes);
        await writeStdout([config.json ? `${JSON.stringify(report, null, 2)}\n` : renderDiagnoseReport(report)]);
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
