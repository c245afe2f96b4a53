import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, RstwatchError } from '../../src/errors.js';

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
