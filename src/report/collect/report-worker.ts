/**
 * The report thread (report-thread.ts), bundled on its own as dist/rstwatch-report-worker.js: reads
 * the ended attempts of the ring in order into the pair and timeline collector and the scan
 * finder, and when the replay's thread has closed the ring, sends back what they found (the pair
 * table's arrays moved, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ScanFinder } from '../scans.js';
import { AttemptRing, AttemptRingReader, RingState } from './attempt-ring.js';
import { MAX_ICMP_ANSWERERS, ReportCollector } from './report-collector.js';
import type { ReportJob, ThreadMessage } from './report-thread.js';

const job = workerData as ReportJob;
const ring = new AttemptRing(job.ring);
const post = (message: ThreadMessage, transfer: ArrayBuffer[] = []): void => parentPort?.postMessage(message, transfer);
try {
  const collector = new ReportCollector({ maxPairs: job.maxPairs, bucketSeconds: job.bucketSeconds });
  const scans = new ScanFinder();
  if (new AttemptRingReader(ring, [collector, scans]).run()) {
    const pairs = collector.pairs.state();
    post(
      {
        kind: 'done',
        pairs,
        timeline: collector.timeline.rows(),
        unknown: collector.timeline.unknown,
        icmpFromOther: collector.icmpFromOther,
        icmpAnswerers: collector.icmpAnswerers.top(MAX_ICMP_ANSWERERS),
        scans: scans.rows(),
        evictedKeys: scans.evictedKeys,
        droppedFailures: scans.droppedFailures,
      },
      [pairs.keys, pairs.counts, pairs.fails, pairs.first, pairs.last, pairs.used, collector.icmpFromOther].map((a) => a.buffer as ArrayBuffer),
    );
  } else {
    post({ kind: 'aborted' });
  }
} catch (err) {
  ring.end(RingState.Aborted);
  post({ kind: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
