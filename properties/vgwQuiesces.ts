/**
 * L3, the VGW falls silent (spec §6): with no fault after time t, the LVS no longer sends
 * to the VGW after t + L2's bound. Before any fault, t is the start of the run: a healthy
 * run never needs the VGW (E10 is a misconfiguration, excluded by "the client reacts").
 * Same preconditions as L2; the reverse-only link failure of E2 is where the patent
 * design breaks it (oscillation), see the `reverse-link-down` scenario.
 */
import { always, at, on, type At } from '../src/checker/property.js';
import { failoverApplicable, failoverHealthy, faultsOf, sentToVgw, sessionStateLost } from '../src/checker/observe.js';
import { computeBounds } from '../src/sim/bounds.js';

interface Data {
  lastFaultAt: At;
  healthy: boolean;
  /** A node holding session state crashed or restarted (E7): nothing more is owed. */
  sessionLost: boolean;
}

export const vgwQuiesces = always<Data>(
  'L3',
  'VGW falls silent after recovery',
  'spec §6 L3',
  "With no fault after time t, the LVS sends nothing to the VGW after t + L2's bound. Same preconditions as L2.",
  {
    situation: "reverse data sent to the VGW while L2's preconditions hold",
    observes: [on.start(), on.faults(), on.sends('data', 'lvs')],
    times: ['lastFaultAt'],
    init: () => ({ lastFaultAt: at(0), healthy: true, sessionLost: false }),
    step: (data, obs, report) => {
      const s = obs.scenario;
      if (!failoverApplicable(s)) {
        if (obs.prev === null) report.void(); // a static precondition fails: say so once
        return data;
      }
      if (data.sessionLost) return data;
      let next = data;
      if (sessionStateLost(obs)) {
        report.void();
        return { ...data, sessionLost: true };
      }
      if (faultsOf(obs).length > 0) {
        next = { lastFaultAt: at(obs.world.now), healthy: failoverHealthy(obs.world, s.config, s.faultModel), sessionLost: false };
        if (next.healthy) report.trigger();
        else report.void();
      }
      const sent = sentToVgw(obs);
      if (sent.length > 0 && next.healthy) {
        report.exercise();
        // With an LVS cluster, a member failover's takeover comes on top (bounds.ts, takeoverMs).
        const b = computeBounds(s.config, s.workload);
        const bound = b.l2.ms + b.takeoverMs;
        if (obs.world.now > next.lastFaultAt + bound) {
          report.violate(
            obs.world.now,
            `the LVS still sends ${sent[0]!.flow}'s reverse data to the VGW at ${obs.world.now} ms, more than L2's bound (${bound} ms) after the last fault (${next.lastFaultAt} ms)`,
            sent[0]!.flow,
          );
        }
      }
      return next;
    },
  },
);
