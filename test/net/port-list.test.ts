import { describe, expect, it } from 'vitest';
import { isRstwatchError } from '../../src/base/errors.js';
import { parsePortList, PORTS_AND_RANGES, SINGLE_PORTS, type PortListSyntax } from '../../src/net/port-list.js';

/** What parsePortList throws for `text` in `syntax`. */
function rejection(text: string, syntax: PortListSyntax): { code: string; message: string; hint?: string } {
  let caught: unknown;
  try {
    parsePortList(text, syntax);
  } catch (err) {
    caught = err;
  }
  expect(isRstwatchError(caught)).toBe(true);
  return caught as { code: string; message: string; hint?: string };
}

describe('parsePortList: ports and ranges (live --ports)', () => {
  it.each<[string, number[]]>([
    ['', []],
    ['   ', []],
    ['22', [22]],
    ['22,80,443', [22, 80, 443]],
    [' 22 , 80 ', [22, 80]],
    ['8000-8003', [8000, 8001, 8002, 8003]],
    ['8000 - 8001', [8000, 8001]],
    ['443,80,443,80-80', [443, 80]],
    ['1,65535', [1, 65535]],
    ['65534-65535', [65534, 65535]],
  ])('%j -> %j', (text, ports) => {
    expect([...parsePortList(text)]).toEqual(ports);
    expect([...parsePortList(text, PORTS_AND_RANGES)]).toEqual(ports);
  });

  it('reads a full range', () => {
    expect(parsePortList('1-65535').size).toBe(65535);
  });

  it.each<[string, RegExp]>([
    ['22,,80', /empty item/],
    ['22,', /empty item/],
    ['http', /'http' is not a port or a range/],
    ['-5', /'-5' is not a port/],
    ['80-', /'80-' is not a port/],
    ['1-2-3', /'1-2-3' is not a port/],
    ['65536', /65536 is above 65535/],
    ['1-70000', /70000 is above 65535/],
    ['100-10', /range '100-10' ends before it starts/],
    ['22.5', /'22.5' is not a port/],
    ['123456', /123456 is above 65535/],
    ['0', /port list '0': 0 is below 1/],
    ['0-10', /port list '0-10': 0 is below 1/],
  ])('rejects %j with RSTWATCH_ERR_CONFIG', (text, message) => {
    const err = rejection(text, PORTS_AND_RANGES);
    expect(err.code).toBe('RSTWATCH_ERR_CONFIG');
    expect(err.message).toMatch(message);
    expect(err.message).toContain(`'${text}'`);
    expect(err.hint).toMatch(/22,80,443,8000-8100/);
  });
});

describe('parsePortList: single ports (diagnose --port, ?port=)', () => {
  it.each<[string, number[]]>([
    ['80', [80]],
    ['000080', [80]],
    [' 80 , 443 ', [80, 443]],
    ['443,80,443', [443, 80]],
    ['1,65535', [1, 65535]],
  ])('%j -> %j', (text, ports) => {
    expect([...parsePortList(text, SINGLE_PORTS)]).toEqual(ports);
  });

  it.each<[string, RegExp]>([
    ['', /port list '' is empty/],
    [' ', /port list ' ' is empty/],
    ['0', /port list '0': 0 is below 1/],
    ['65536', /65536 is above 65535/],
    ['0065536', /65536 is above 65535/],
    ['8000-8001', /'8000-8001' is not a port$/],
    ['80,', /empty item/],
    ['0x50', /'0x50' is not a port$/],
  ])('rejects %j with RSTWATCH_ERR_CONFIG', (text, message) => {
    const err = rejection(text, SINGLE_PORTS);
    expect(err.code).toBe('RSTWATCH_ERR_CONFIG');
    expect(err.message).toMatch(message);
    expect(err.hint).toMatch(/80,443 \(each 1 to 65535\)/);
  });
});
