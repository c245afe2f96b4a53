/**
 * The public real captures of ../shared/pcaps (a folder beside the repository, as CI lays it out;
 * not part of the project). Tests that read them call `sharedPcaps()` at load time, so that
 * without the folder their file fails at once with one message naming it, instead of each test
 * failing on its own with a file-not-found.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the shared captures are expected: ../shared/pcaps from the repository root. */
export const SHARED_PCAPS = resolve(fileURLToPath(new URL('../..', import.meta.url)), '../shared/pcaps');

/** SHARED_PCAPS, or a throw saying the folder is missing and where it was looked for. */
export function sharedPcaps(): string {
  if (!existsSync(join(SHARED_PCAPS, 'SOURCES.md'))) {
    throw new Error(
      `../shared is missing: this test reads the public captures in ${SHARED_PCAPS} (with SOURCES.md), ` +
        'which sit beside the repository, not in it. Clone the project next to shared/ (as CI does), ' +
        'or run only `npm run test:unit`, whose tests do not need it.',
    );
  }
  return SHARED_PCAPS;
}
