import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES, RstwatchError } from '../../src/base/errors.js';
import { COMMAND_EXIT_STATUSES, COMMANDS, helpText } from '../../src/help.js';
import { main } from '../../src/main.js';

const doc = readFileSync(new URL('../../docs/exit-codes.md', import.meta.url), 'utf8');

describe('docs/exit-codes.md', () => {
  it.each(Object.entries(ERROR_CODES))('documents %s with its exit status', (code, info) => {
    const row = doc.split('\n').find((line) => line.includes(`\`${code}\``));
    expect(row, `no row for ${code}`).toBeDefined();
    const status = Number(/^\|\s*(\d+)\s*\|/.exec(row ?? '')?.[1]);
    expect(status).toBe(info.exitCode);
  });

  it('uses only statuses a shell can tell apart from signals', () => {
    for (const info of Object.values(ERROR_CODES)) {
      expect(info.exitCode).toBeGreaterThan(0);
      expect(info.exitCode).toBeLessThan(126);
    }
  });

  it('RstwatchError carries its code, exit status, hint and cause', () => {
    const cause = new Error('ENOENT');
    const err = new RstwatchError('RSTWATCH_ERR_FILE_OPEN', 'cannot open x.pcap', { hint: 'check the path', cause });
    expect(err.exitCode).toBe(3);
    expect(err.hint).toBe('check the path');
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
  });
});

/** The statuses the "By command" table of docs/exit-codes.md gives `rstwatch <command>`. */
function documentedStatuses(command: string): number[] {
  const row = doc.split('\n').find((line) => line.startsWith(`| \`rstwatch ${command}\` |`));
  expect(row, `no "By command" row for rstwatch ${command}`).toBeDefined();
  return (row ?? '')
    .split('|')[2]
    .split(',')
    .map((t) => Number(t.trim()));
}

describe('exit statuses by command', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(COMMANDS)('rstwatch %s: the docs, the help and base/errors.ts agree', (command) => {
    const statuses = COMMAND_EXIT_STATUSES[command].map(([status]) => status);
    expect(documentedStatuses(command)).toEqual(statuses);
    const known = new Set([0, ...Object.values(ERROR_CODES).map((c) => c.exitCode)]);
    for (const status of statuses) expect(known.has(status), `status ${status}`).toBe(true);
    const help = helpText(command, 80);
    const block = help.slice(help.indexOf('Exit status:'));
    for (const status of statuses) expect(block).toMatch(new RegExp(`^ {2}${status} `, 'm'));
  });

  it('rstwatch diagnose exits 2 for a bad flag or value and 0 for --help, before reading anything', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['diagnose', '--frobnicate'])).toBe(ERROR_CODES.RSTWATCH_ERR_USAGE.exitCode);
    expect(await main(['diagnose', 'extra'])).toBe(ERROR_CODES.RSTWATCH_ERR_USAGE.exitCode);
    expect(await main(['diagnose', '--port', '0'])).toBe(ERROR_CODES.RSTWATCH_ERR_CONFIG.exitCode);
    expect(await main(['diagnose', '--daemon', 'ftp://x'])).toBe(ERROR_CODES.RSTWATCH_ERR_CONFIG.exitCode);
    expect(String(stderr.mock.calls[0][0])).toMatch(/^rstwatch: error: /);
    expect(await main(['diagnose', '--help'])).toBe(0);
    expect(String(stdout.mock.calls.at(-1)?.[0])).toMatch(/^Usage: rstwatch diagnose/);
  });
});
