/**
 * What the table and CSV tests share: a replay summary of crafted frames (a real replay of a
 * written capture, so the port rows come from the tracker's own counters), and frame makers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ethernet, icmp4Unreach, tcp4 } from '../../kit/craft.js';
import { writePcap } from '../../kit/pcap-writer.js';
import { replayForReport, type ReportRunOptions } from '../../src/report/replay-run.js';
import { summarizeReplay } from '../../src/report/replay-report.js';
import type { ReportInput } from '../../src/report/table.js';

const dir = mkdtempSync(join(tmpdir(), 'rstwatch-table-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Capture time of the first frame, seconds: 2023-11-14T22:13:20Z. */
export const T0 = 1_700_000_000;

/** A frame at `at` seconds after T0. */
export interface Timed {
  at: number;
  frame: Uint8Array;
}

let files = 0;

/** The summary of a replay of `frames` (Ethernet, at T0 + `at`), as the replay command builds it. */
export async function summaryOf(frames: readonly Timed[], options: ReportRunOptions = {}): Promise<ReportInput> {
  const path = join(dir, `capture-${files++}.pcap`);
  const records = frames.map(({ at, frame }) => {
    // Seconds and nanoseconds apart: (T0 + at) * 1e9 is beyond a double's exact integers (10 ms
    // would be written as 9.999872 ms).
    const ns = Math.round((at - Math.floor(at)) * 1e9);
    return { data: frame, tsSec: T0 + Math.floor(at) + Math.floor(ns / 1e9), tsNsec: ns % 1e9 };
  });
  writeFileSync(path, writePcap(records, { linkType: 1, nanosecond: true }));
  const result = await replayForReport([path], options);
  if (result.error) throw result.error;
  return summarizeReplay(result, { version: 'test', attemptTimeoutSeconds: 0, maxAttempts: 1024, topN: 10 });
}

/** A client's SYN to `server:port` from `client:sport`, ISN `seq`. */
export function syn(client: string, sport: number, server: string, port: number, seq = 1000): Uint8Array {
  // client.sport > server.port: Flags [S], seq <seq>
  return ethernet(tcp4({ src: client, dst: server, sport, dport: port, flags: 'S', seq }));
}

/** The server's RST+ACK refusing that SYN (ack ISN + 1). */
export function rst(client: string, sport: number, server: string, port: number, seq = 1000): Uint8Array {
  // server.port > client.sport: Flags [R.], seq 0, ack <seq + 1>
  return ethernet(tcp4({ src: server, dst: client, sport: port, dport: sport, flags: 'R.', seq: 0, ack: seq + 1 }));
}

/** The server's SYN-ACK accepting that SYN. */
export function synAck(client: string, sport: number, server: string, port: number, seq = 1000): Uint8Array {
  // server.port > client.sport: Flags [S.], seq 5000, ack <seq + 1>
  return ethernet(tcp4({ src: server, dst: client, sport: port, dport: sport, flags: 'S.', seq: 5000, ack: seq + 1 }));
}

/** An ICMP destination unreachable with `code` from `sender`, quoting that SYN. */
export function unreachable(sender: string, code: number, client: string, sport: number, server: string, port: number): Uint8Array {
  // sender > client: ICMP <server> tcp port <port> unreachable (code <code>)
  const quote = tcp4({ src: client, dst: server, sport, dport: port, flags: 'S', seq: 1000 });
  return ethernet(icmp4Unreach({ src: sender, dst: client, code, quote }));
}
