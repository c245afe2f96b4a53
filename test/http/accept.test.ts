import { describe, expect, it } from 'vitest';
import { prefersOpenMetrics } from '../../src/http/accept.js';

describe('prefersOpenMetrics', () => {
  it.each<[string | undefined, boolean]>([
    [undefined, false],
    ['', false],
    ['*/*', false], // curl
    ['text/plain', false],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', false], // a browser
    // Prometheus 2.x's scrape header
    ['application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', true],
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', true],
    ['application/openmetrics-text', true],
    ['application/openmetrics-text;version=0.0.1', true],
    ['Application/OpenMetrics-Text; Version="1.0.0"', true],
    ['application/openmetrics-text;version=2.0.0', false], // a version prom-client does not write
    ['application/openmetrics-text;q=0', false],
    ['application/openmetrics-text;q=0.3, text/plain', false],
    ['text/plain;q=0.5, application/openmetrics-text', true],
    ['application/openmetrics-text, text/plain', true], // equal: the explicit OpenMetrics wins
    ['application/json', false],
    ['application/openmetrics-text;q=junk', false],
  ])('%j -> %s', (accept, expected) => {
    expect(prefersOpenMetrics(accept)).toBe(expected);
  });
});
