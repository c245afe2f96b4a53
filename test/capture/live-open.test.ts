/**
 * Opening live captures, for real, without traffic: unknown interfaces (both backends), permission
 * denied (a child process run as `nobody`), bad filters, the default filter per link type
 * (compiled by libpcap, through tcpdump -d), and listInterfaces. Needs root (as every live test): without it the
 * tests fail with a message, none is skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FILTER, DEFAULT_SNAPLEN, defaultFilter } from '../../src/capture/bpf-filter.js';
import { LinkType } from '../../src/capture/frame-sink.js';
import { listInterfaces } from '../../src/capture/interfaces.js';
import { openLiveSource } from '../../src/capture/live-source.js';
import type { LiveCaptureOptions } from '../../src/capture/packet-source.js';
import { ERROR_CODES, type RstwatchError } from '../../src/base/errors.js';
import { requireRoot } from '../../kit/netns.js';
import { writePcap } from '../../kit/pcap-writer.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('fixtures/capture-child.mjs', import.meta.url));

const options = (interfaceName: string, filter = DEFAULT_FILTER): LiveCaptureOptions => ({
  interfaceName,
  snaplen: DEFAULT_SNAPLEN,
  promiscuous: false,
  immediate: true,
  bufferBytes: 1 << 20,
  timeoutMs: 100,
  filter,
  maxBatchFrames: 256,
  queueBytes: 1 << 20,
});

let scratch: string;

/**
 * Compiles `expr` for link type `dlt` with libpcap, as the capture's setFilter does, without a
 * device: tcpdump -d on an empty capture file of that link type (`-d` prints the compiled program).
 */
function compileWithLibpcap(dlt: number, expr: string): { ok: boolean; message: string } {
  const file = join(scratch, `empty-${dlt}.pcap`);
  writeFileSync(file, writePcap([], { linkType: dlt, snaplen: DEFAULT_SNAPLEN }));
  const r = spawnSync('tcpdump', ['-d', '-r', file, expr], { encoding: 'utf8', timeout: 15_000 });
  if (r.error) throw r.error;
  return r.status === 0 ? { ok: true, message: '' } : { ok: false, message: r.stderr.trim() };
}

function openError(fn: () => unknown): RstwatchError {
  try {
    fn();
  } catch (err) {
    return err as RstwatchError;
  }
  throw new Error('expected the open to fail');
}

beforeAll(() => {
  requireRoot('test/capture/live-open.test.ts');
  scratch = mkdtempSync(join(tmpdir(), 'rw-open-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('an interface that does not exist', () => {
  it.each(['native', 'cap'] as const)('%s: RSTWATCH_ERR_CAPTURE_OPEN (exit 5) listing the real interfaces', (backend) => {
    const err = openError(() => openLiveSource(options('rw-nosuch0'), backend));
    expect(err.name).toBe('RstwatchError');
    expect(err.code).toBe('RSTWATCH_ERR_CAPTURE_OPEN');
    expect(err.exitCode).toBe(5);
    expect(ERROR_CODES.RSTWATCH_ERR_CAPTURE_OPEN.exitCode).toBe(5);
    expect(err.message).toContain("no such capture interface 'rw-nosuch0'");
    const names = listInterfaces().map((d) => d.name);
    expect(names).toContain('lo');
    expect(names).toContain('any');
    const available = err.message.slice(err.message.indexOf('available: ') + 'available: '.length).split(', ');
    for (const n of ['lo', 'any']) expect(available).toContain(n);
    expect(err.hint).toMatch(/--list-interfaces/);
  });
});

describe('permission denied', () => {
  it('native, as user nobody: RSTWATCH_ERR_CAPTURE_OPEN with the CAP_NET_RAW and setcap hint', () => {
    const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, CHILD, JSON.stringify({ interfaceName: 'lo' })], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(r.status, r.stderr).toBe(3);
    const { error } = JSON.parse(r.stdout.trim().split('\n')[0]) as { error: { code: string; message: string; hint: string } };
    expect(error.code).toBe('RSTWATCH_ERR_CAPTURE_OPEN');
    expect(error.message).toMatch(/permission denied capturing on 'lo'/);
    expect(error.hint).toContain('CAP_NET_RAW');
    expect(error.hint).not.toContain('CAP_NET_ADMIN'); // promiscuous mode needs no more (issue 11)
    expect(error.hint).toContain('setcap cap_net_raw+eip $(readlink -f $(which node))');
  });
});

describe('filters', () => {
  it("a filter that does not compile: RSTWATCH_ERR_CONFIG with libpcap's message", () => {
    const err = openError(() => openLiveSource(options('lo', 'tcp and nonsense[')));
    expect(err.code).toBe('RSTWATCH_ERR_CONFIG');
    expect(err.message).toMatch(/syntax error/);
  });

  it("DEFAULT_FILTER compiles on Ethernet and, as libpcap's `vlan` allows, nowhere else", () => {
    expect(compileWithLibpcap(LinkType.ETHERNET, DEFAULT_FILTER)).toEqual({ ok: true, message: '' });
    for (const dlt of [LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL, LinkType.RAW_DLT12]) {
      const r = compileWithLibpcap(dlt, DEFAULT_FILTER);
      expect(r.ok).toBe(false);
      expect(r.message).toMatch(/no VLAN support/);
    }
  });

  it.each([LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL, LinkType.RAW_DLT12])(
    'defaultFilter(%i) compiles for its link type',
    (dlt) => {
      expect(compileWithLibpcap(dlt, defaultFilter(dlt))).toEqual({ ok: true, message: '' });
    },
  );

  it('on `any` the default filter is adapted (LINUX_SLL2, no vlan) and the capture opens', () => {
    const src = openLiveSource(options('any'));
    try {
      expect(src.linkType).toBe(LinkType.LINUX_SLL2);
      expect((src as unknown as { filter: string }).filter).toBe(defaultFilter(LinkType.LINUX_SLL2));
      expect(src.stats()).toMatchObject({ received: expect.any(Number), droppedKernel: 0, droppedInterface: 0, droppedQueue: 0, queued: 0, queueBytes: 0 });
    } finally {
      src.close();
      src.close();
    }
  });
});

describe('listInterfaces', () => {
  it('lists devices with names, addresses and flags (lo is up and loopback, with 127.0.0.1)', () => {
    const lo = listInterfaces().find((d) => d.name === 'lo');
    expect(lo?.flags).toMatchObject({ up: true, loopback: true });
    expect(lo?.addresses).toContainEqual({ family: 'inet', address: '127.0.0.1', netmask: '255.0.0.0' });
  });
});
