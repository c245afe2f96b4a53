/**
 * Each command's flags, as its parser defines them (the FlagSpec lists of src/config.ts that
 * parseFlags builds node:util parseArgs options from), held to the command's --help and to the
 * flag table of its docs, both ways; and the help laid out within the width it is given.
 * In-process and pure: no root, no network, no built binary.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFlags, rangeText, type FlagSpec } from '../../src/config.js';
import { COMMAND_FLAGS, COMMANDS, helpText, type Command } from '../../src/help.js';
import { DEFAULT_HELP_WIDTH, helpWidth, MAX_HELP_WIDTH, MIN_HELP_WIDTH, renderHelp, wrapWords } from '../../src/help-layout.js';

/** Where each command's flags are tabled: the file and the heading of the section holding the table. */
const FLAG_TABLES: Record<Command, { file: string; heading: string }> = {
  replay: { file: 'README.md', heading: '## Replay' },
  live: { file: 'docs/live.md', heading: '## Flags' },
  diagnose: { file: 'docs/diagnose.md', heading: '## `rstwatch diagnose`' },
};

/** A flag as a help line or a docs table row shows it. */
interface ShownFlag {
  readonly name: string;
  readonly short: string | undefined;
  readonly value: string | undefined;
}

function read(path: string): string {
  return readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
}

/** The lines of the section under `heading` (up to the next heading of its level or above), outside code fences. */
function sectionLines(text: string, heading: string): string[] {
  const level = heading.indexOf(' ');
  const out: string[] = [];
  let inside = false;
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    const m = /^(#+) /.exec(line);
    if (inside && m && m[1].length <= level) break;
    if (line === heading) inside = true;
    else if (inside) out.push(line);
  }
  expect(inside, `no section '${heading}'`).toBe(true);
  return out;
}

/** The flags named in the first cell of the `| flag |` or `| option |` table of a command's docs section. */
function docFlags(command: Command): ShownFlag[] {
  const { file, heading } = FLAG_TABLES[command];
  const lines = sectionLines(read(file), heading);
  const start = lines.findIndex((l) => /^\|\s*(flag|option)\s*\|/.test(l));
  expect(start, `no flag table in ${file} '${heading}'`).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i]);
  const flags: ShownFlag[] = [];
  for (const row of rows) {
    const cell = row.split(/(?<!\\)\|/)[1];
    let short: string | undefined;
    for (const [, code] of cell.matchAll(/`([^`]+)`/g)) {
      const text = code.replace(/\\\|/g, '|');
      const m = /^(?:-([a-zA-Z])|--([a-z][a-z0-9-]*)(?: (\S+))?)$/.exec(text);
      expect(m, `'${text}' in ${file} is not a flag`).not.toBeNull();
      if (m?.[1] !== undefined) short = m[1];
      else if (m) {
        flags.push({ name: m[2], short, value: m[3] });
        short = undefined;
      }
    }
  }
  return flags;
}

/** The rows of a command's docs flag table by the long flag they name. */
function docRows(command: Command): Map<string, string> {
  const { file, heading } = FLAG_TABLES[command];
  const rows = new Map<string, string>();
  for (const line of sectionLines(read(file), heading)) {
    const m = /^\|[^|]*`--([a-z][a-z0-9-]*)/.exec(line);
    if (m && !rows.has(m[1])) rows.set(m[1], line);
  }
  return rows;
}

/** The flags of the "Options" rows of a help page. */
function helpFlags(help: string): ShownFlag[] {
  const flags: ShownFlag[] = [];
  for (const line of help.split('\n')) {
    const m = /^ {2}(?:-([a-zA-Z]), | {4})--([a-z][a-z0-9-]*)(?: (\S+))?(?: {2,}|$)/.exec(line);
    if (m) flags.push({ name: m[2], short: m[1], value: m[3] });
  }
  return flags;
}

/** How the parser's definition shows a flag. */
function specFlag(f: FlagSpec): ShownFlag {
  return { name: f.name, short: f.short, value: f.value };
}

describe.each(COMMANDS)('rstwatch %s: flags in the parser, --help and the docs', (command) => {
  const specs = COMMAND_FLAGS[command];
  const byName = (flags: readonly ShownFlag[]): Map<string, ShownFlag> => new Map(flags.map((f) => [f.name, f]));

  it('--help shows exactly the flags the parser accepts, with their short forms and value names', () => {
    const shown = helpFlags(helpText(command, DEFAULT_HELP_WIDTH));
    expect(shown.map((f) => f.name).sort()).toEqual(specs.map((f) => f.name).sort());
    const help = byName(shown);
    for (const f of specs) expect(help.get(f.name), `--${f.name}`).toEqual(specFlag(f));
  });

  it('the docs table names every flag the parser accepts, with the same short form and value name', () => {
    const docs = byName(docFlags(command));
    for (const f of specs) {
      const d = docs.get(f.name);
      expect(d, `--${f.name} is not in ${FLAG_TABLES[command].file}`).toBeDefined();
      expect(d, `--${f.name} in ${FLAG_TABLES[command].file}`).toEqual(specFlag(f));
    }
  });

  it('every number flag gives its range (`MIN to MAX`) in --help and in its docs row', () => {
    const help = helpText(command, 10_000).split('\n');
    const rows = docRows(command);
    for (const f of specs) {
      if (f.range === undefined) continue;
      const range = rangeText(f.range);
      expect(help.find((l) => new RegExp(`^ {2}(?:-[a-zA-Z], | {4})--${f.name} `).test(l)) ?? '', `--${f.name} in --help`).toContain(`; ${range} [`);
      expect(rows.get(f.name) ?? '', `--${f.name} in ${FLAG_TABLES[command].file}`).toContain(range);
    }
  });

  it('the parser accepts every flag the docs table names, as the docs write it', () => {
    const specNames = new Set(specs.map((f) => f.name));
    for (const d of docFlags(command)) {
      expect(specNames.has(d.name), `--${d.name} (${FLAG_TABLES[command].file}) is not a ${command} flag`).toBe(true);
      // A value name in the docs means the flag takes a value; none means it is a switch.
      const argv = d.value === undefined ? [`--${d.name}`] : [`--${d.name}`, '1'];
      expect(() => parseFlags(argv, specs, {}, command), argv.join(' ')).not.toThrow();
      expect(parseFlags(argv, specs, {}, command).values[d.name]).toBeDefined();
      if (d.short !== undefined) {
        const shortArgv = d.value === undefined ? [`-${d.short}`] : [`-${d.short}`, '1'];
        expect(parseFlags(shortArgv, specs, {}, command).values[d.name], shortArgv.join(' ')).toBeDefined();
      }
    }
  });
});

describe('the main help', () => {
  it('names every command and how to get its help', () => {
    const help = helpText('rstwatch', DEFAULT_HELP_WIDTH);
    for (const c of COMMANDS) expect(help).toMatch(new RegExp(`^ {2}rstwatch ${c} `, 'm'));
    expect(help).toMatch(/rstwatch COMMAND --help/);
  });
});

describe('help layout', () => {
  it('takes the terminal width, 80 columns when there is none, clamped to a readable range', () => {
    expect(helpWidth(undefined)).toBe(DEFAULT_HELP_WIDTH);
    expect(helpWidth(0)).toBe(DEFAULT_HELP_WIDTH);
    expect(helpWidth(Number.NaN)).toBe(DEFAULT_HELP_WIDTH);
    expect(helpWidth(72)).toBe(72);
    expect(helpWidth(72.9)).toBe(72);
    expect(helpWidth(10)).toBe(MIN_HELP_WIDTH);
    expect(helpWidth(400)).toBe(MAX_HELP_WIDTH);
  });

  const widths = [MIN_HELP_WIDTH, 45, 60, 72, DEFAULT_HELP_WIDTH, 99, MAX_HELP_WIDTH];
  const pages = ['rstwatch', ...COMMANDS] as const;

  it.each(pages.flatMap((page) => widths.map((width) => [page, width] as const)))('%s help fits in %i columns', (page, width) => {
    const help = helpText(page, width);
    for (const line of help.split('\n')) expect(line.length, line).toBeLessThanOrEqual(width);
    expect(help.endsWith('\n')).toBe(true);
  });

  it.each(COMMANDS.flatMap((c) => widths.map((width) => [c, width] as const)))(
    '%s help at %i columns: option descriptions hang in a second column',
    (command, width) => {
      const lines = helpText(command, width).split('\n');
      const start = lines.findIndex((l) => l.startsWith('Options'));
      const end = lines.indexOf('', start);
      const rows = lines.slice(start, end).filter((l) => l.startsWith('  '));
      // Every line of the block is a flag (at column 2, its description beside it or below) or a
      // description line; every description starts at the same column, past the names.
      const columns = new Set<number>();
      for (const l of rows) {
        const beside = /^ {2}(?: {4})?-(?:\S| (?! ))*\s{2,}(?=\S)/.exec(l);
        if (beside) columns.add(beside[0].length);
        else if (!/^ {2}(?: {4})?-/.test(l)) columns.add(l.length - l.trimStart().length);
      }
      expect(columns.size, [...columns].join(', ')).toBe(1);
      expect([...columns][0]).toBeGreaterThan(2);
      const column = [...columns][0];
      // Every description word is there, in order.
      const flatten = (s: string): string => s.split(/\s+/).join(' ');
      const text = rows.map((l) => l.trim()).join(' ');
      for (const f of COMMAND_FLAGS[command]) {
        const words = flatten(f.help);
        if (words.split(' ').every((w) => w.length <= width - column)) expect(flatten(text)).toContain(words);
      }
    },
  );

  it('wraps at spaces, cuts only words longer than a line, and hangs the following lines', () => {
    expect(wrapWords('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrapWords('  spaced   out\n text ', 80)).toEqual(['spaced out text']);
    expect(wrapWords('abcdefghij xy', 4)).toEqual(['abcd', 'efgh', 'ij', 'xy']);
    expect(wrapWords('first line then rest', 10, 6)).toEqual(['first line', 'then', 'rest']);
    expect(renderHelp([{ text: 'Usage: rstwatch replay [options] FILE...', hang: 7 }], 22)).toBe('Usage: rstwatch replay\n       [options]\n       FILE...\n');
  });

  it('sizes the name column to the longest name, at most half the width; a longer name gets a line of its own', () => {
    expect(
      renderHelp(
        [
          {
            heading: 'Options:',
            rows: [
              ['--a', 'short one'],
              ['--bb X', 'two'],
            ],
          },
        ],
        40,
      ),
    ).toBe('Options:\n  --a     short one\n  --bb X  two\n');
    const out = renderHelp(
      [
        {
          rows: [
            ['--a', 'short one'],
            ['--a-very-long-flag-name VALUE', 'its description'],
          ],
        },
      ],
      40,
    );
    const column = ' '.repeat(2 + 16 + 2);
    expect(out).toBe(`  --a${column.slice(5)}short one\n  --a-very-long-flag-name VALUE\n${column}its description\n`);
  });
});
