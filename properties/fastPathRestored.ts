/**
 * L2, fast path restored (spec §6): after a fault, reverse data reaches the client over a
 * fast path again by the L1 deadline + the client's new request + probe detection
 * (timeout × retries) + the new path's first-packet misses and offloads in both directions.
 *
 * Preconditions, beyond L1's: the slow path and PVL-Control stay up; the client reacts
 * (it acks, and hangs before the relay timeout expires, so that VGW data makes it send a
 * new request); at most one fast path is unhealthy, and its failure is visible to the
 * ENI's forward probe (down, or its ENI link cut). A reverse-only failure (E2) is
 * excluded: the probe cannot see it (see the `reverse-link-down` scenario).
 */
import { eventually } from '../src/checker/property.js';
import { failoverApplicable, failoverHealthy, isFastPath } from '../src/checker/observe.js';
import { computeBounds } from '../src/sim/bounds.js';
import { recoveryObligation, type RecoveryObligation } from './recoveryMonitor.js';

/** What the monitor chart needs to know of this property (recoveryMonitor.ts). */
export const fastPathRestoredObligation: RecoveryObligation = {
  budgetMs: (s) => computeBounds(s.config, s.workload).l2.ms,
  floorMs: (s) => computeBounds(s.config, s.workload).l2FloorMs,
  applicable: failoverApplicable,
  healthy: (world, s) => failoverHealthy(world, s.config, s.faultModel),
  movingDeadline: false,
  isResponse: (via) => isFastPath(via),
};

export const fastPathRestored = eventually(
  'L2',
  'Fast path restored',
  'spec §6 L2; C1, [¶79]-[¶82]',
  'After a fault, reverse data reaches the client over a fast path again by the L2 deadline. Needs L1\'s preconditions, SP and control up, a client that reacts, and at most one unhealthy fast path whose failure the ENI\'s probe can see.',
  recoveryObligation(fastPathRestoredObligation),
);
