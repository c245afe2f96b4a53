/**
 * The page's timeline chart and what it is made of: the UTC time axis (round ticks, labels to the
 * step's precision, the date where it changes), the count scale, bars summed beyond MAX_BARS with
 * every count kept (the tooltips add up to the totals), and the number and time formats.
 */
import { describe, expect, it } from 'vitest';
import { bucketWidth, count, duration, percent, utcTime } from '../../src/report/html/format.js';
import { escapeHtml, markup, raw } from '../../src/report/html/markup.js';
import { countStep, MAX_BARS, timelineChart } from '../../src/report/html/timeline-chart.js';
import { timeStep, timeTicks } from '../../src/report/html/time-axis.js';
import type { Outcomes, Timeline } from '../../src/report/html/report-fields.js';

const T0 = Date.parse('2026-12-03T18:00:00.000Z');

describe('time axis (UTC)', () => {
  it.each([
    [70, 10, { ms: 10 }],
    [1000, 10, { ms: 100 }],
    [7_200_000, 10, { ms: 900_000 }],
    [86_400_000 * 30, 10, { ms: 86_400_000 * 7 }],
    [86_400_000 * 200, 10, { months: 1 }],
    [86_400_000 * 2119, 10, { months: 12 }],
    [0, 10, { ms: 1 }],
  ])('a span of %d ms with at most %d ticks steps by %j', (span, max, step) => {
    expect(timeStep(span, max)).toEqual(step);
  });

  it('labels ticks of 10 ms to the hundredth of a second, the date on the first', () => {
    const ticks = timeTicks(T0 + 3, T0 + 73, { ms: 10 });
    expect(ticks.map((t) => t.label)).toEqual(['18:00:00.01', '18:00:00.02', '18:00:00.03', '18:00:00.04', '18:00:00.05', '18:00:00.06', '18:00:00.07']);
    expect(ticks.map((t) => t.context)).toEqual(['2026-12-03', null, null, null, null, null, null]);
  });

  it('puts the date again where a day starts, at 00:00 UTC', () => {
    const from = Date.parse('2026-12-03T23:10:00Z');
    const ticks = timeTicks(from, from + 7_200_000, { ms: 900_000 });
    expect(ticks.map((t) => `${t.label}${t.context ? ` ${t.context}` : ''}`)).toEqual([
      '23:15 2026-12-03',
      '23:30',
      '23:45',
      '00:00 2026-12-04',
      '00:15',
      '00:30',
      '00:45',
      '01:00',
    ]);
  });

  it('labels ticks of days with the month and day, the year where it changes', () => {
    const from = Date.parse('2026-12-20T05:00:00Z');
    const ticks = timeTicks(from, from + 30 * 86_400_000, { ms: 7 * 86_400_000 });
    expect(ticks.map((t) => [t.label, t.context])).toEqual([
      ['12-24', '2026'],
      ['12-31', null],
      ['01-07', '2027'],
      ['01-14', null],
    ]);
  });

  it('steps of months or years fall on the first of a month, of a quarter, of a year', () => {
    const quarters = timeTicks(Date.parse('2026-02-15T10:00:00Z'), Date.parse('2026-12-31T00:00:00Z'), { months: 3 });
    expect(quarters.map((t) => [new Date(t.ms).toISOString(), t.label, t.context])).toEqual([
      ['2026-04-01T00:00:00.000Z', '2026-04', null],
      ['2026-07-01T00:00:00.000Z', '2026-07', null],
      ['2026-10-01T00:00:00.000Z', '2026-10', null],
    ]);
    const years = timeTicks(Date.parse('2009-10-05T06:06:07Z'), Date.parse('2015-07-25T13:43:20Z'), { months: 12 });
    expect(years.map((t) => t.label)).toEqual(['2010', '2011', '2012', '2013', '2014', '2015']);
    expect(timeTicks(Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-03-01T00:00:00Z'), { months: 1 }).map((t) => t.label)).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
  });
});

describe('count scale', () => {
  it.each([
    [0, 4, 1],
    [3, 4, 1],
    [120, 4, 50],
    [80534, 4, 50000],
    [200, 2, 100],
    [1_000_001, 4, 500_000],
  ])('%d in at most %d steps: step %d', (max, parts, step) => {
    expect(countStep(max, parts)).toBe(step);
  });
});

/** A timeline of `n` buckets of `seconds` from T0, `f(i)` in bucket i. */
function timeline(n: number, seconds: number, f: (i: number) => Omit<Outcomes, 'attempts'>): Timeline {
  const buckets = Array.from({ length: n }, (_, i) => {
    const o = f(i);
    return { start: new Date(T0 + i * seconds * 1000).toISOString(), attempts: o.accepted + o.refused + o.icmp_rejected + o.unanswered, ...o };
  });
  return { bucket_seconds: seconds, buckets };
}

function totals(t: Timeline): Outcomes {
  const sum: Outcomes = { attempts: 0, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 0 };
  for (const b of t.buckets) for (const k of Object.keys(sum) as (keyof Outcomes)[]) sum[k] += b[k];
  return sum;
}

/** Each bar's tooltip: its attempts and outcome counts. */
function tooltips(svg: string): Outcomes[] {
  return [...svg.matchAll(/<title>[^<]*: ([\d,]+) attempts; ([\d,]+) refused, ([\d,]+) ICMP rejected, ([\d,]+) unanswered, ([\d,]+) accepted<\/title>/g)].map(
    (m) => {
      const [attempts, refused, icmp, unanswered, accepted] = m.slice(1).map((v) => Number(v.replaceAll(',', '')));
      return { attempts, refused, icmp_rejected: icmp, unanswered, accepted };
    },
  );
}

describe('timeline chart', () => {
  it('draws a bar per bucket with a tooltip per non-empty one, its counts adding up to the totals', () => {
    const t = timeline(71, 0.001, (i) => ({ accepted: i % 3, refused: i === 0 ? 5000 : 1, icmp_rejected: i % 7 === 0 ? 2 : 0, unanswered: 0 }));
    const out = timelineChart(t, totals(t)).text;
    const tips = tooltips(out);
    expect(tips).toHaveLength(71);
    expect(tips.reduce((s, x) => s + x.refused, 0)).toBe(totals(t).refused);
    expect(out).toContain('1 ms per bucket: 71 buckets from 2026-12-03 18:00:00.000 to 2026-12-03 18:00:00.070 UTC');
    expect(out).toMatch(/<path class="bar refused" fill="#D55E00" d="M/);
    // One refusal beside 5000 is still drawn: at least 1 unit tall.
    const heights = [...(/<path class="bar refused"[^>]* d="([^"]*)"/.exec(out)?.[1] ?? '').matchAll(/v([\d.]+)/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(71);
    expect(Math.min(...heights)).toBe(1);
    expect(out).toContain('>18:00:00.01</text>');
    expect(out).toContain('>UTC</text>');
  });

  it(`sums neighbouring buckets beyond ${MAX_BARS} bars, keeping every count`, () => {
    const t = timeline(1000, 1, (i) => ({ accepted: 10, refused: i % 10, icmp_rejected: 0, unanswered: i % 2 }));
    const out = timelineChart(t, totals(t)).text;
    const tips = tooltips(out);
    expect(tips).toHaveLength(Math.ceil(1000 / 3));
    const sum = tips.reduce((s, x) => ({ ...s, refused: s.refused + x.refused, unanswered: s.unanswered + x.unanswered, accepted: s.accepted + x.accepted }), {
      refused: 0,
      unanswered: 0,
      accepted: 0,
    });
    expect(sum).toEqual({ refused: totals(t).refused, unanswered: totals(t).unanswered, accepted: totals(t).accepted });
    expect(out).toContain('1 s per bucket, 3 buckets summed per bar: 1,000 buckets');
  });

  it('says how many attempts had no known time and are not drawn', () => {
    const t = {
      ...timeline(3, 1, () => ({ accepted: 1, refused: 1, icmp_rejected: 0, unanswered: 0 })),
      unknown_time: { attempts: 4, accepted: 0, refused: 4, icmp_rejected: 0, unanswered: 0 },
    };
    expect(timelineChart(t, totals(t)).text).toContain('Point at a bar for its counts. 4 attempts whose first SYN has no known time are not drawn.</p>');
  });

  it('without times (beyond the range of a date) draws the bars without a time axis', () => {
    const t = timeline(3, 1, () => ({ accepted: 1, refused: 1, icmp_rejected: 0, unanswered: 0 }));
    for (const b of t.buckets) b.start = null;
    const out = timelineChart(t, totals(t)).text;
    expect(out).toContain('(times beyond the range of a date: no time axis)');
    expect(out).not.toContain('>UTC</text>');
    expect(tooltips(out)).toHaveLength(3);
  });
});

describe('formats', () => {
  it.each([
    [count(65535), '65,535'],
    [count(1234567.5), '1,234,567.5'],
    [count('7'), '–'],
    [count(null), '–'],
    [percent(0), '0%'],
    [percent(1), '100%'],
    [percent(0.052), '5.2%'],
    [percent(80534 / 80535), '>99.9%'],
    [percent(1 / 80535), '<0.1%'],
    [percent(null), '–'],
    [bucketWidth(0.001), '1 ms'],
    [bucketWidth(60), '1 min'],
    [bucketWidth(600), '10 min'],
    [bucketWidth(21600), '6 h'],
    [bucketWidth(86400), '1 day'],
    [bucketWidth(90), '90 s'],
    [bucketWidth(0.0005), '500 us'],
    [duration(0.071), '71.0 ms'],
    [duration(7197.492), '119 min 57 s'],
    [utcTime('2026-12-03T18:00:00.123Z'), '2026-12-03 18:00:00.123'],
    [utcTime('2026-12-03T18:00:00.123Z', '2026-12-03'), '18:00:00.123'],
    [utcTime(null), 'out of range'],
    [utcTime('<b>'), '–'],
  ])('%s is %s', (got, want) => {
    expect(got).toBe(want);
  });
});

describe('markup', () => {
  it('escapes every interpolation but markup it made, lists item by item, nothing for null', () => {
    const inner = markup`<i>${'<b>'}</i>`;
    expect(markup`<p title="${`"'&`}">${inner}${['<a>', raw('<br>')]}${null}${undefined}${false}${0}</p>`.text).toBe(
      '<p title="&quot;&#39;&amp;"><i>&lt;b&gt;</i>&lt;a&gt;<br>0</p>',
    );
    expect(escapeHtml(`<script>&"'`)).toBe('&lt;script&gt;&amp;&quot;&#39;');
  });
});
