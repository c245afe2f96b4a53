/**
 * A table of rows as the page shows it: a header whose columns sort on a click (page-script.ts),
 * numbers right-aligned, a foot row for what was left out, in a box that scrolls on screen and
 * unfolds on paper, where only its first PRINT_ROWS rows are printed (a scan's page would
 * otherwise print some fifteen pages of one-refusal rows). Every cell is text (escaped) unless a column makes `Html` of its own.
 */
import { markup, type Html } from './markup.js';

/** Rows of a table printed: on paper the rest of the rows shown on screen are left off, and a line under the table says so. */
export const PRINT_ROWS = 50;

/** A column: its header, how to show a row's cell, whether it holds numbers. */
export interface Column<R> {
  head: string;
  /** The header's tooltip: what the column means. */
  title?: string;
  /** Right-aligned, sorted as numbers. */
  numeric?: boolean;
  /** The cell: text, or `Html` the column made. */
  cell: (row: R) => unknown;
}

/** What the table needs besides its rows. */
export interface TableOptions {
  /** The table's id (a link target). */
  id: string;
  /** Said instead of an empty table. */
  empty: string;
  /** Cells of a last row, not sorted with the others (what was left out, summed). */
  foot?: readonly unknown[];
}

/** The table of `rows` under `columns`, in a scrolling box. */
export function dataTable<R>(columns: readonly Column<R>[], rows: readonly R[], options: TableOptions): Html {
  if (rows.length === 0 && !options.foot) return markup`<p class="note">${options.empty}</p>`;
  const cls = (c: Column<R>): string | null => (c.numeric ? 'n' : null);
  const head = columns.map((c) => markup`<th${attr('class', cls(c))}${attr('title', c.title)} scope="col">${c.head}</th>`);
  const body = rows.map((r) => markup`<tr>${columns.map((c) => markup`<td${attr('class', cls(c))}>${c.cell(r)}</td>`)}</tr>\n`);
  const foot = options.foot ? markup`<tfoot><tr>${options.foot.map((cell, i) => markup`<td${attr('class', cls(columns[i]))}>${cell}</td>`)}</tr></tfoot>` : '';
  const paper =
    rows.length > PRINT_ROWS
      ? markup`<p class="print-only">On paper, the first ${PRINT_ROWS} of the ${rows.length} rows above are printed (the page on screen lists them all).</p>`
      : '';
  return markup`<div class="scroll"><table id="${options.id}" class="sortable"><thead><tr>${head}</tr></thead><tbody>
${body}</tbody>${foot}</table></div>${paper}`;
}

/** ` name="value"` (escaped), or nothing when `value` is null or undefined. */
function attr(name: string, value: string | null | undefined): Html {
  return value === null || value === undefined ? markup`` : markup` ${name}="${value}"`;
}
