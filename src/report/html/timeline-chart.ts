/**
 * The timeline as an SVG chart drawn here, from numbers only: attempts per time bucket by outcome,
 * the failures stacked in one panel and the accepted in another below it, each on its own scale
 * (a few refusals among many accepted attempts would be a sliver on one scale), over one time axis
 * in UTC. Every bar has a tooltip with its counts. No script draws it: it shows as soon as the page
 * does, prints as drawn, and needs nothing from anywhere. At most MAX_BARS bars: beyond that,
 * neighbouring buckets are summed into one bar, and the caption says so.
 */
import { bucketWidth, compactCount, count, NONE, utcTime } from './format.js';
import { markup, raw, type Html } from './markup.js';
import { ACCEPTED_STYLE, FAILURE_STYLES, OUTCOME_STYLES, type OutcomeStyle } from './outcome-colours.js';
import type { Outcomes, Timeline, TimelineBucket } from './report-fields.js';
import { timeStep, timeTicks } from './time-axis.js';

/** Most bars drawn; more buckets are summed in runs of equal length. */
export const MAX_BARS = 480;

/** The drawing's size in SVG units (it is scaled to the page's width). */
const WIDTH = 1200;
const LEFT = 64;
const RIGHT = 16;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const FAILURES_TOP = 20;
const FAILURES_HEIGHT = 150;
const ACCEPTED_TOP = FAILURES_TOP + FAILURES_HEIGHT + 26;
const ACCEPTED_HEIGHT = 54;
const AXIS_TOP = ACCEPTED_TOP + ACCEPTED_HEIGHT;
const HEIGHT = AXIS_TOP + 36;
/** Most time ticks along the axis (labels up to `18:00:00.125` wide). */
const MAX_TIME_TICKS = 10;

/** One bar: buckets [from, to) summed. */
interface Bar extends Outcomes {
  from: number;
  to: number;
}

/** A panel of the chart: the outcomes it stacks, where it is, its title, how many grid steps at most. */
interface Panel {
  styles: readonly OutcomeStyle[];
  top: number;
  height: number;
  title: string;
  steps: number;
}

/** The least height of a segment with a count, so that one refusal beside thousands still shows. */
const MIN_SEGMENT = 1;

/** The chart section's body: legend, chart and caption; or a sentence saying why there is none. */
export function timelineChart(timeline: Timeline | null | undefined, totals: Outcomes): Html {
  if (!timeline || !Array.isArray(timeline.buckets)) {
    return markup`<p class="note">This report has no timeline (it was written by an rstwatch without one).</p>`;
  }
  const width = timeline.bucket_seconds;
  const buckets = timeline.buckets;
  if (buckets.length === 0 || !(typeof width === 'number' && width > 0)) return markup`<p class="note">No attempt: nothing to draw.</p>`;
  const perBar = Math.ceil(buckets.length / MAX_BARS);
  const bars = sumBars(buckets, perBar);
  const origin = originMs(buckets, width);
  const svg = [
    panelSvg(bars, buckets.length, { styles: FAILURE_STYLES, top: FAILURES_TOP, height: FAILURES_HEIGHT, title: 'failed attempts', steps: 4 }),
    panelSvg(bars, buckets.length, { styles: [ACCEPTED_STYLE], top: ACCEPTED_TOP, height: ACCEPTED_HEIGHT, title: 'accepted attempts', steps: 2 }),
    origin === null ? '' : timeAxisSvg(origin, buckets.length * width * 1000),
    hoverSvg(bars, buckets, width, perBar),
  ].join('');
  const first = buckets[0].start;
  const last = buckets[buckets.length - 1].start;
  const axis = origin === null ? ' (times beyond the range of a date: no time axis)' : '';
  const unknown =
    timeline.unknown_time && timeline.unknown_time.attempts > 0
      ? ` ${count(timeline.unknown_time.attempts)} attempts whose first SYN has no known time are not drawn.`
      : '';
  const summed = perBar > 1 ? `, ${perBar} buckets summed per bar` : '';
  return markup`${legend(totals)}
<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="attempts per time bucket by outcome">${raw(svg)}</svg>
<p class="caption">Attempts by the time of their first SYN, ${bucketWidth(width)} per bucket${summed}: ${count(buckets.length)} buckets from ${utcTime(first)} to ${utcTime(last)} UTC${axis}. Failures above, stacked; accepted below; each panel on its own scale (a count of 1 or more is at least 1 px tall). Point at a bar for its counts.${unknown}</p>`;
}

/** The legend: each outcome's swatch, name and total. */
function legend(totals: Outcomes): Html {
  const items = OUTCOME_STYLES.map((s) => markup`<li title="${s.meaning}"><span class="swatch ${s.key}"></span>${s.label} <b>${count(totals[s.key])}</b></li>`);
  return markup`<ul class="legend">${items}</ul>`;
}

/** The buckets summed in runs of `perBar`. */
function sumBars(buckets: readonly TimelineBucket[], perBar: number): Bar[] {
  const bars: Bar[] = [];
  for (let from = 0; from < buckets.length; from += perBar) {
    const bar: Bar = { from, to: Math.min(buckets.length, from + perBar), attempts: 0, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 0 };
    for (let i = from; i < bar.to; i++) {
      for (const key of ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered'] as const) bar[key] += Number(buckets[i][key]) || 0;
    }
    bars.push(bar);
  }
  return bars;
}

/** The start of the first bucket in ms since the epoch, from the first bucket with a known start; null when none has one. */
function originMs(buckets: readonly TimelineBucket[], widthSeconds: number): number | null {
  for (let i = 0; i < buckets.length; i++) {
    const ms = typeof buckets[i].start === 'string' ? Date.parse(buckets[i].start as string) : NaN;
    if (Number.isFinite(ms)) return ms - i * widthSeconds * 1000;
  }
  return null;
}

/** x of the left edge of bucket `i` of `n`. */
function xAt(i: number, n: number): number {
  return LEFT + (i / n) * PLOT_WIDTH;
}

/** A number for an SVG attribute, to a hundredth. */
function fixed(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** The smallest round step (1, 2 or 5 times a power of ten, at least 1) that splits `max` into at most `parts`. */
export function countStep(max: number, parts: number): number {
  const raw = Math.max(1, max / parts);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

/** One panel: its title, grid and count labels, and a path per outcome (every bar's segment of it, stacked in `styles` order). */
function panelSvg(bars: readonly Bar[], buckets: number, panel: Panel): string {
  const highest = Math.max(0, ...bars.map((b) => panel.styles.reduce((s, st) => s + b[st.key], 0)));
  const step = countStep(highest, panel.steps);
  const top = Math.max(step, Math.ceil(highest / step) * step);
  const bottom = panel.top + panel.height;
  let out = `<text class="panel" x="${LEFT}" y="${panel.top - 6}">${panel.title}${highest === 0 ? ': none' : ''}</text>`;
  for (let v = 0; v <= top; v += step) {
    const y = fixed(bottom - (v / top) * panel.height);
    out += `<line class="grid${v === 0 ? ' base' : ''}" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y}" y2="${y}"/><text class="y" x="${LEFT - 6}" y="${y}">${compactCount(v)}</text>`;
  }
  const paths = panel.styles.map(() => '');
  for (const bar of bars) {
    const x = xAt(bar.from, buckets);
    const w = xAt(bar.to, buckets) - x;
    const inner = w > 3 ? w - 1 : w;
    let base = bottom;
    panel.styles.forEach((st, k) => {
      if (!(bar[st.key] > 0)) return;
      const h = Math.max(MIN_SEGMENT, (bar[st.key] / top) * panel.height);
      paths[k] += `M${fixed(x)} ${fixed(base - h)}h${fixed(inner)}v${fixed(h)}h${fixed(-inner)}z`;
      base -= h;
    });
  }
  panel.styles.forEach((st, k) => {
    if (paths[k] !== '') out += `<path class="bar ${st.key}" fill="${st.colour}" d="${paths[k]}"/>`;
  });
  return out;
}

/** The time axis under the panels: ticks with their UTC labels, the date (or year) where it changes. */
function timeAxisSvg(originMs: number, spanMs: number): string {
  const ticks = timeTicks(originMs, originMs + spanMs, timeStep(spanMs, MAX_TIME_TICKS));
  let out = '';
  for (const t of ticks) {
    const at = LEFT + ((t.ms - originMs) / spanMs) * PLOT_WIDTH;
    const x = fixed(at);
    // A label near the right end ends at its tick, so the drawing does not cut it.
    const cls = at > WIDTH - RIGHT - 48 ? 'x end' : 'x';
    out += `<line class="tick" x1="${x}" x2="${x}" y1="${AXIS_TOP}" y2="${AXIS_TOP + 5}"/><text class="${cls}" x="${x}" y="${AXIS_TOP + 17}">${t.label}</text>`;
    if (t.context !== null) out += `<text class="${cls} context" x="${x}" y="${AXIS_TOP + 31}">${t.context}</text>`;
  }
  return `${out}<text class="x unit" x="${WIDTH - RIGHT}" y="${AXIS_TOP + 31}">UTC</text>`;
}

/** A transparent column over each bar with at least one attempt, whose tooltip gives its time and counts. */
function hoverSvg(bars: readonly Bar[], buckets: readonly TimelineBucket[], widthSeconds: number, perBar: number): string {
  let out = '';
  for (const bar of bars) {
    if (bar.attempts === 0 && OUTCOME_STYLES.every((s) => bar[s.key] === 0)) continue;
    const x = xAt(bar.from, buckets.length);
    const w = xAt(bar.to, buckets.length) - x;
    const when = buckets[bar.from].start;
    const span = perBar > 1 ? `${bar.to - bar.from} buckets of ${bucketWidth(widthSeconds)}` : bucketWidth(widthSeconds);
    const counts = OUTCOME_STYLES.map((s) => `${count(bar[s.key])} ${s.label}`).join(', ');
    const title = markup`${typeof when === 'string' ? utcTime(when) : NONE} UTC, ${span}: ${count(bar.attempts)} attempts; ${counts}`;
    out += `<rect class="hit" x="${fixed(x)}" y="${FAILURES_TOP}" width="${fixed(w)}" height="${AXIS_TOP - FAILURES_TOP}"><title>${title.text}</title></rect>`;
  }
  return out;
}
