/**
 * Every capture in pcaps/ is replayed and checked against the expected counts that
 * pcaps/README.md states for it (one `### file [(flags)]` section with a per-port table each), and
 * against the independent tshark oracle. The README is the single statement of what each fixture
 * must produce; a capture without a section fails.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadReplayConfig } from '../../src/config.js';
import { replayForReport } from '../../src/report/replay-run.js';
import { buildReplayReport } from '../../src/report/replay-report.js';
import { oracleCounts } from '../../kit/tshark-oracle.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pcaps = join(root, 'pcaps');
const FIELDS = ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered', 'syn_retransmits'] as const;

interface Section {
  file: string;
  flags: string[];
  ports: Record<number, number[]>;
  total: number[] | undefined;
  decodeErrors: Record<string, number>;
  skipped: Record<string, number> | undefined;
  warnings: number;
}

/** Parses the `### file (flags)` sections of pcaps/README.md. */
function parseReadme(text: string): Section[] {
  const sections: Section[] = [];
  let cur: Section | undefined;
  let header: string[] | undefined;
  for (const line of text.split('\n')) {
    const h = /^###\s+`?([\w.-]+\.(?:pcap|pcapng))`?(?:\s+\(([^)]*)\))?\s*$/.exec(line);
    if (h) {
      cur = { file: h[1], flags: h[2] ? h[2].split(/\s+/) : [], ports: {}, total: undefined, decodeErrors: {}, skipped: undefined, warnings: 0 };
      sections.push(cur);
      header = undefined;
      continue;
    }
    if (!cur) continue;
    const json = /^- (decode_errors|skipped):\s*`(\{.*\})`/.exec(line);
    if (json) {
      const value = JSON.parse(json[2]) as Record<string, number>;
      if (json[1] === 'decode_errors') cur.decodeErrors = value;
      else cur.skipped = value;
      continue;
    }
    const warn = /^- warnings:\s*(\d+)/.exec(line);
    if (warn) cur.warnings = Number(warn[1]);
    if (!line.startsWith('|')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim().replace(/`/g, ''));
    if (cells[0] === 'port') {
      header = cells;
      continue;
    }
    if (!header || /^:?-+/.test(cells[0])) continue;
    const pick = FIELDS.map((f) => {
      const at = header!.indexOf(f);
      if (at < 0) throw new Error(`pcaps/README.md: the table of ${cur!.file} has no '${f}' column`);
      return Number(cells[at].replace(/\s*\(.*\)$/, ''));
    });
    if (/^total/i.test(cells[0])) cur.total = pick;
    else cur.ports[Number(cells[0])] = pick;
  }
  return sections;
}

const tmp = mkdtempSync(join(tmpdir(), 'rstwatch-fixture-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const readme = readFileSync(join(pcaps, 'README.md'), 'utf8');
const sections = parseReadme(readme);
const captures = readdirSync(pcaps)
  .filter((f) => /\.(pcap|pcapng)$/.test(f))
  .sort();

describe('pcaps/README.md', () => {
  it('has a section with a port table for every capture in pcaps/, and no section without a capture', () => {
    const described = new Set(sections.map((s) => s.file));
    expect(captures.filter((c) => !described.has(c))).toEqual([]);
    expect([...described].filter((d) => !captures.includes(d))).toEqual([]);
    for (const s of sections) expect(Object.keys(s.ports).length, s.file).toBeGreaterThan(0);
  });

  it('every table total is the sum of its rows', () => {
    for (const s of sections) {
      if (!s.total) continue;
      const sum = FIELDS.map((_, i) => Object.values(s.ports).reduce((a, r) => a + r[i], 0));
      expect(sum, s.file).toEqual(s.total);
    }
  });
});

describe.each(sections.map((s) => [`${s.file}${s.flags.length ? ` ${s.flags.join(' ')}` : ''}`, s] as const))('fixture %s', (_label, s) => {
  const file = join(pcaps, s.file);

  it('replays to the counts pcaps/README.md states', async () => {
    const config = loadReplayConfig([...s.flags, file], {});
    const warnings: string[] = [];
    const result = await replayForReport(config.files, {
      attemptTimeoutSeconds: config.attemptTimeoutSeconds,
      localNets: config.localNets,
      onWarning: (w) => warnings.push(w),
    });
    expect(result.error).toBeUndefined();
    const report = buildReplayReport(result, {
      version: 'test',
      attemptTimeoutSeconds: config.attemptTimeoutSeconds,
      maxAttempts: config.maxAttempts,
      topN: 5,
    });
    const got: Record<number, number[]> = {};
    for (const p of report.ports) got[p.port] = FIELDS.map((f) => p[f]);
    expect(got).toEqual(s.ports);
    expect(report.decode_errors).toEqual(s.decodeErrors);
    if (s.skipped) expect(report.skipped).toEqual(s.skipped);
    expect(warnings).toHaveLength(s.warnings);
    const t = report.totals;
    expect(t.accepted + t.refused + t.icmp_rejected + t.unanswered).toBe(t.attempts);
  });

  it('agrees with the independent tshark count', () => {
    const timeout = s.flags.includes('--attempt-timeout') ? Number(s.flags[s.flags.indexOf('--attempt-timeout') + 1]) : 0;
    // tshark exits 2 on a cut last record: give it the complete records only (what rstwatch counts).
    const oracle = oracleCounts(s.warnings > 0 ? completeRecordsOnly(file) : file, { attemptTimeoutSeconds: timeout });
    const got: Record<number, number[]> = {};
    for (const p of oracle.ports) got[p.port] = FIELDS.map((f) => p[f]);
    expect(got).toEqual(s.ports);
  });
});

/** A copy of a little-endian classic pcap without its cut last record. */
function completeRecordsOnly(file: string): string {
  const b = readFileSync(file);
  let off = 24;
  while (off + 16 <= b.length && off + 16 + b.readUInt32LE(off + 8) <= b.length) off += 16 + b.readUInt32LE(off + 8);
  const out = join(tmp, 'complete.pcap');
  writeFileSync(out, b.subarray(0, off));
  return out;
}
