import { describe, expect, it } from 'vitest';
import { DECODE_STATUS_COUNT, DECODE_STATUS_NAMES, DecodeStatus } from '../../src/wire/status.js';

/** An enum object's values, sorted: dense when they are its indexes 0 to count - 1, each once. */
function denseValues(e: Record<string, number>): number[] {
  return Object.values(e).sort((a, b) => a - b);
}

describe('DecodeStatus: the count derived from the one table', () => {
  it('decode statuses: values 0 to count - 1, a distinct reason for each', () => {
    expect(denseValues(DecodeStatus)).toEqual([...Array(DECODE_STATUS_COUNT).keys()]);
    expect(DECODE_STATUS_NAMES).toHaveLength(DECODE_STATUS_COUNT);
    expect(new Set(DECODE_STATUS_NAMES).size).toBe(DECODE_STATUS_COUNT);
    expect(DECODE_STATUS_NAMES[DecodeStatus.OK_TCP]).toBe('ok_tcp');
    expect(DECODE_STATUS_NAMES[DecodeStatus.ERR_TOO_MANY_VLAN_TAGS]).toBe('too_many_vlan_tags');
  });
});
