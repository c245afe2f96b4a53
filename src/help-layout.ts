/**
 * Help text laid out for a terminal: prose wrapped to the width, and two-column lists (options,
 * commands, exit statuses) whose second column hangs at one indent. Pure: the caller picks the
 * width (`helpWidth`) and writes the string.
 */

/** Layout width when standard output is not a terminal, columns. */
export const DEFAULT_HELP_WIDTH = 80;
/** Narrowest layout, columns: below it a second column has no room. */
export const MIN_HELP_WIDTH = 40;
/** Widest layout, columns: longer lines are hard to read (clap caps its help at 100 too). */
export const MAX_HELP_WIDTH = 100;

/** Spaces before the first column of a row. */
const ROW_INDENT = 2;
/** Spaces between the two columns. */
const COLUMN_GAP = 2;

/** The layout width for a terminal `columns` wide (undefined or 0: not a terminal), clamped. */
export function helpWidth(columns: number | undefined): number {
  if (columns === undefined || !Number.isFinite(columns) || columns <= 0) return DEFAULT_HELP_WIDTH;
  return Math.min(MAX_HELP_WIDTH, Math.max(MIN_HELP_WIDTH, Math.floor(columns)));
}

/** One paragraph of prose; lines after the first are indented by `hang` spaces. */
export interface HelpText {
  readonly text: string;
  readonly hang?: number;
}

/** Rows of two columns (a name and its description), under an optional heading. */
export interface HelpRows {
  readonly heading?: string;
  readonly rows: readonly (readonly [string, string])[];
}

/** A block of a help page; blocks are separated by a blank line. */
export type HelpBlock = HelpText | HelpRows;

/**
 * Splits `text` into lines of at most `firstWidth` (the first line) and `restWidth` columns (the
 * others), at spaces; whitespace runs count as one space. A word longer than a line is cut.
 */
export function wrapWords(text: string, firstWidth: number, restWidth = firstWidth): string[] {
  const lines: string[] = [];
  let line = '';
  const room = (): number => (lines.length === 0 ? firstWidth : restWidth);
  for (let word of text.split(/\s+/)) {
    while (word.length > room()) {
      if (line !== '') lines.push(line);
      line = '';
      const cut = room();
      lines.push(word.slice(0, cut));
      word = word.slice(cut);
    }
    if (word === '') continue;
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= room()) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function renderText(block: HelpText, width: number): string[] {
  const hang = block.hang ?? 0;
  const lines = wrapWords(block.text, width, width - hang);
  return lines.map((l, i) => (i === 0 ? l : ' '.repeat(hang) + l));
}

/**
 * Rows: the names in a column as wide as the longest (at most half the width), the descriptions
 * wrapped beside them; a name too long for its column gets a line of its own.
 */
function renderRows(block: HelpRows, width: number): string[] {
  const out = block.heading === undefined ? [] : wrapWords(block.heading, width);
  const longest = Math.max(0, ...block.rows.map(([name]) => name.length));
  const nameWidth = Math.min(longest, Math.floor(width / 2) - ROW_INDENT - COLUMN_GAP);
  const descColumn = ROW_INDENT + nameWidth + COLUMN_GAP;
  const pad = ' '.repeat(descColumn);
  for (const [name, description] of block.rows) {
    const desc = wrapWords(description, width - descColumn);
    const names = name.length <= width - ROW_INDENT ? [name] : wrapWords(name, width - ROW_INDENT);
    const first = ' '.repeat(ROW_INDENT) + names[names.length - 1];
    out.push(...names.slice(0, -1).map((n) => ' '.repeat(ROW_INDENT) + n));
    if (names.length === 1 && name.length <= nameWidth && desc.length > 0) {
      out.push(first.padEnd(descColumn) + desc[0], ...desc.slice(1).map((l) => pad + l));
    } else {
      out.push(first, ...desc.map((l) => pad + l));
    }
  }
  return out;
}

/** Lays `blocks` out in lines of at most `width` columns; the text ends with a newline. */
export function renderHelp(blocks: readonly HelpBlock[], width: number): string {
  return `${blocks.map((b) => ('rows' in b ? renderRows(b, width) : renderText(b, width)).join('\n')).join('\n\n')}\n`;
}
