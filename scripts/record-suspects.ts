/**
 * record-suspects.ts: records the suspect-reset scenarios (kit/suspect-scenarios.ts: real
 * genuine and forged TCP resets between network namespaces, captured on the client's interface)
 * into pcaps/netns-suspects-v4.pcap and pcaps/netns-suspects-v6.pcap.
 *
 * usage: node node_modules/tsx/dist/cli.mjs scripts/record-suspects.ts [--out DIR]
 *   (as root). Files are written only when every scenario behaved as designed; exit 0 then,
 *   1 on a failure, 2 on a usage error, a missing tool or when not root.
 * Environment: RW_KEEP_WORK=1 keeps the work directory (captures, logs); RW_ATTACK_DEBUG=1 makes
 * the attacker print every frame it sees.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireRoot } from '../kit/netns.js';
import { checkDesign, checkTools, runSuspectScenarios, summarizeTtls } from '../kit/suspect-scenarios.js';
import { oracleCounts, type OraclePortCounts } from '../kit/tshark-oracle.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const SCENARIOS = join(ROOT, 'kit/suspect-scenarios.ts');

/** The leading doc comment of a source file, as plain text. */
function headerOf(file: string): string {
  return readFileSync(file, 'utf8')
    .split('*/')[0]
    .replace(/^\/\*\*|^ \* ?/gm, '');
}

/** The README table of one capture: port | attempts | accepted | refused | icmp_rejected | unanswered | syn_retransmits. */
export function portTable(ports: readonly OraclePortCounts[]): string {
  const rows = ['| port | attempts | accepted | refused | icmp_rejected | unanswered | syn_retransmits |', '|---:|---:|---:|---:|---:|---:|---:|'];
  const sum = [0, 0, 0, 0, 0, 0];
  for (const p of ports) {
    const v = [p.attempts, p.accepted, p.refused, p.icmp_rejected, p.unanswered, p.syn_retransmits];
    v.forEach((x, i) => (sum[i] += x));
    rows.push(`| ${p.port} | ${v.join(' | ')} |`);
  }
  rows.push(`| total | ${sum.join(' | ')} |`);
  return rows.join('\n');
}

async function recordMode(args: string[]): Promise<number> {
  let out = join(ROOT, 'pcaps');
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1]) out = resolve(args[++i]);
    else if (args[i] === '-h' || args[i] === '--help') {
      process.stdout.write(`${headerOf(SELF)}\n${headerOf(SCENARIOS)}\n`);
      return 0;
    } else {
      process.stderr.write(`record-suspects: unknown argument '${args[i]}' (try --help)\n`);
      return 2;
    }
  }
  try {
    requireRoot('scripts/record-suspects.ts');
    checkTools(false);
  } catch (err) {
    process.stderr.write(`record-suspects: ${(err as Error).message}\n`);
    return 2;
  }
  const work = mkdtempSync(join(tmpdir(), 'rw-suspects-'));
  try {
    const run = await runSuspectScenarios({ workDir: work, log: (l) => process.stderr.write(`record-suspects: ${l}\n`) });
    const problems = checkDesign(run);
    for (const f of ['v4', 'v6'] as const) {
      process.stdout.write(`\nnetns-suspects-${f}.pcap (counts from tshark)\n${portTable(oracleCounts(run.pcaps[f]).ports)}\n`);
    }
    process.stdout.write(`\nTTL / hop limit of the packets towards the client:\n${summarizeTtls(run.ttls).join('\n')}\n`);
    if (problems.length > 0) {
      for (const p of problems) process.stderr.write(`record-suspects: UNEXPECTED ${p}\n`);
      process.stderr.write('record-suspects: nothing written\n');
      return 1;
    }
    mkdirSync(out, { recursive: true });
    for (const f of ['v4', 'v6'] as const) {
      const dest = join(out, `netns-suspects-${f}.pcap`);
      copyFileSync(run.pcaps[f], `${dest}.tmp`);
      renameSync(`${dest}.tmp`, dest);
      process.stdout.write(`wrote ${dest}\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`record-suspects: ${(err as Error).stack ?? err}\n`);
    return 1;
  } finally {
    if (process.env.RW_KEEP_WORK) process.stderr.write(`record-suspects: kept ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === SELF) process.exitCode = await recordMode(process.argv.slice(2));
