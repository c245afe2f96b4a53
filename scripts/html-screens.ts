/**
 * Renders `--json` reports as the `--html` page and photographs each in headless Chromium, to look
 * at: a laptop's first screen (1366x768), the whole page at 1366 and at 1920 wide, and the whole
 * page as printed (A4 landscape, with its PDF). Says the page's size, and any request it made or
 * console error it raised (there should be none).
 *
 *   node node_modules/tsx/dist/cli.mjs scripts/html-screens.ts --out DIR NAME=REPORT.json...
 *
 * writes DIR/NAME.html, DIR/NAME-1366x768.png, DIR/NAME-1366-full.png, DIR/NAME-1920-full.png,
 * DIR/NAME-print.png and DIR/NAME.pdf. Needs Debian's chromium (scripts/setup.sh --test).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Chromium } from '../kit/chromium.js';
import { renderHtmlReport } from '../src/report/html/page.js';
import type { ReplayReport } from '../src/report/replay-report.js';

/** A4 landscape at 96 CSS pixels per inch, less the page's 12 mm margins. */
const PRINT_WIDTH = 1032;

function usage(): never {
  process.stderr.write('usage: html-screens.ts --out DIR NAME=REPORT.json...\n');
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf('--out');
  if (at < 0 || at + 1 >= argv.length) usage();
  const out = resolve(argv[at + 1]);
  const jobs = argv.filter((_, i) => i !== at && i !== at + 1).map((a) => a.split('=', 2));
  if (jobs.length === 0 || jobs.some((j) => j.length !== 2)) usage();
  mkdirSync(out, { recursive: true });
  const browser = await Chromium.launch();
  try {
    for (const [name, file] of jobs) {
      const report = JSON.parse(readFileSync(file, 'utf8')) as ReplayReport;
      const page = join(out, `${name}.html`);
      writeFileSync(page, renderHtmlReport(report));
      const url = pathToFileURL(page).href;
      const tab = await browser.newTab(1366, 768);
      await tab.open(url);
      await tab.screenshot(join(out, `${name}-1366x768.png`));
      await tab.screenshot(join(out, `${name}-1366-full.png`), true);
      await tab.setViewport(1920, 1080);
      await tab.screenshot(join(out, `${name}-1920-full.png`), true);
      await tab.setViewport(PRINT_WIDTH, 768);
      await tab.emulatePrint(true);
      await tab.screenshot(join(out, `${name}-print.png`), true);
      await tab.pdf(join(out, `${name}.pdf`));
      const size = readFileSync(page).length;
      const others = tab.requests.filter((r) => r !== url);
      process.stdout.write(
        `${name}: ${page} ${size} bytes; requests besides the page: ${others.length ? others.join(' ') : 'none'}; problems: ${tab.problems.length ? tab.problems.join(' | ') : 'none'}\n`,
      );
    }
  } finally {
    await browser.close();
  }
}

await main(process.argv.slice(2));
