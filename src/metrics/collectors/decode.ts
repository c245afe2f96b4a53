/** The `decode` collector: decode errors and skipped frames by reason (sink.statusCounts). */
import type { PipelineSink } from '../../pipeline/pipeline-sink.js';
import { DECODE_STATUS_COUNT, DECODE_STATUS_NAMES, DecodeStatus, FIRST_ERROR_STATUS } from '../../wire/status.js';
import type { Sample } from '../collector.js';
import { COLLECTORS, METRICS } from '../names.js';
import type { AddFamily, Shared } from '../sources.js';

/** Registers the decode statuses: a fixed, small set, all exported from the start (rate() sees the first one). */
export function registerDecode(add: AddFamily, shared: Shared): void {
  const { sink } = shared.sources;
  add(METRICS.decodeErrors, COLLECTORS.decode, () => statusSamples(sink, FIRST_ERROR_STATUS, DECODE_STATUS_COUNT));
  add(METRICS.framesSkipped, COLLECTORS.decode, () => statusSamples(sink, DecodeStatus.SKIP_NOT_IP, FIRST_ERROR_STATUS));
}

/** Decode-status counts for statuses `from` .. `to - 1`, labelled by reason. */
function statusSamples(sink: PipelineSink, from: number, to: number): Sample[] {
  const out: Sample[] = [];
  for (let s = from; s < to; s++) out.push({ labels: { reason: DECODE_STATUS_NAMES[s] }, value: sink.statusCounts[s] });
  return out;
}
