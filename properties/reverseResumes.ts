/**
 * L1, reverse delivery resumes (spec §6): after a fault, reverse data the server sends
 * reaches the client again by t_f + T_relay + Δscan + d(LVS→VGW→ENI→client) (plus the
 * wait for the server's next packet, bounds.ts), t_f being the LVS's last forward arrival.
 *
 * Preconditions: the flow's tenant ids are valid; the LVS, VGW, ENI, client, server and
 * the links of the VGW detour stay up and lossless while the obligation is open.
 * The prior-art design is expected to violate it [¶45].
 */
import { eventually } from '../src/checker/property.js';
import { reverseDetourHealthy, tenantIdsValid } from '../src/checker/observe.js';
import { computeBounds } from '../src/sim/bounds.js';
import { recoveryObligation, type RecoveryObligation } from './recoveryMonitor.js';

/** What the monitor chart needs to know of this property (recoveryMonitor.ts). */
export const reverseResumesObligation: RecoveryObligation = {
  budgetMs: (s) => computeBounds(s.config, s.workload).l1.ms,
  floorMs: (s) => computeBounds(s.config, s.workload).l1FloorMs,
  applicable: (s) => tenantIdsValid(s.config, s.workload),
  healthy: (world, s) => reverseDetourHealthy(world, s.config),
  movingDeadline: true,
  isResponse: () => true,
};

export const reverseResumes = eventually(
  'L1',
  'Reverse delivery resumes',
  'spec §6 L1; [¶77], C1',
  'After a fault, reverse data reaches the client again by t_f + T_relay + Δscan + the VGW detour (t_f: the LVS last heard forward traffic). Needs: valid tenant ids; the VGW detour (LVS, VGW, ENI, client, server and their links) up and lossless.',
  recoveryObligation(reverseResumesObligation),
);
