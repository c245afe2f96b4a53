/** The `build` collector: rstwatch_build_info{version}. */
import { COLLECTORS, METRICS } from '../names.js';
import type { AddFamily, Shared } from '../sources.js';

/** Registers rstwatch_build_info. */
export function registerBuild(add: AddFamily, shared: Shared): void {
  const labels = { version: shared.sources.version };
  add(METRICS.buildInfo, COLLECTORS.build, () => [{ labels, value: 1 }]);
}
