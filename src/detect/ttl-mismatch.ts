/**
 * `ttl_mismatch`: the RST does not look like it left the stack that sent the server's other
 * packets: its initial TTL differs from theirs, or its hop distance differs by more than
 * `thresholdHops`. Without a baseline there is no verdict.
 */
import { hopDistance, initialTtl } from './ttl.js';

/**
 * @param rstTtl the RST's TTL or hop limit
 * @param baselineInitialTtl the initial TTL the server's own packets show
 * @param baselineHops their hop distance
 * @param baselineSamples how many packets the baseline rests on (0: none)
 * @param thresholdHops largest hop difference still taken as the same stack
 */
export function ttlMismatch(rstTtl: number, baselineInitialTtl: number, baselineHops: number, baselineSamples: number, thresholdHops: number): boolean {
  if (baselineSamples === 0) return false;
  if (initialTtl(rstTtl) !== baselineInitialTtl) return true;
  return Math.abs(hopDistance(rstTtl) - baselineHops) > thresholdHops;
}
