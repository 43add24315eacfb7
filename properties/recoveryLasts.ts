/**
 * L4, recovery lasts: once reverse delivery has resumed after a fault (reverse data the
 * server sent after the fault reached the client), and no new fault comes, the flow's
 * reverse data is not black-holed again: no reverse packet the server sent after the
 * resumption is lost to a dead end (a cut link, a node that is down or gray, an address
 * nobody has). A lossy link's random losses are not a black hole.
 *
 * The spec promises recovery (L1, L2) and that the VGW falls silent (L3), not that the
 * recovered path works; E2 (a reverse-only link failure) is where the patent's design
 * breaks this: the ENI's forward probe succeeds, the LVS relearns the broken fast path and
 * reverse data is black-holed again every relay timeout (the `reverse-link-down` finding).
 * Under L3 that oscillation was a void (a cut fast path link broke L3's precondition);
 * under L4 it is a violation.
 *
 * Needs: valid tenant ids; after the fault, the spec's preconditions (§6: a fast path
 * healthy both ways, SP, VGW and control up, the detour healthy; src/checker/observe.ts
 * specHealthy) or, under the patent fault model, L2's; no crash or restart of the client,
 * the ENI or the server (their session state). Checked under the extended fault model
 * (properties/index.ts, propertiesFor).
 */
import type { DataMsg } from '../models/protocol.js';
import { always, at, on, type At } from '../src/checker/property.js';
import { delivered, failoverHealthy, faultsOf, LOST_TO_FAILURE, reverseAtClient, sessionStateLost, tenantIdsValid } from '../src/checker/observe.js';

interface Data {
  /** The last fault's time; null before any. */
  faultAt: At | null;
  /** The preconditions held after the last fault. */
  healthy: boolean;
  /** Per flow: when reverse delivery resumed after the last fault (kept absolute in the explorer's key, as it always was). */
  resumed: Readonly<Record<string, number>>;
}

const BLACK_HOLES = [...LOST_TO_FAILURE, 'gray-failure'];
const isBlackHole = (reason: string) => BLACK_HOLES.includes(reason) || reason.startsWith('no-route');
const NONE: Readonly<Record<string, number>> = {};

export const recoveryLasts = always<Data>(
  'L4',
  'Recovery lasts',
  'spec §6 (L1-L3, E2); [¶45], C1',
  'Once reverse delivery has resumed after a fault, and no new fault comes, the flow\'s reverse data is not black-holed again (lost to a cut link, a node down or gray, a stale address). Needs: valid tenant ids; the spec\'s preconditions after the fault (a fast path healthy both ways; SP, VGW, control and the VGW detour up); no crash or restart of the client, ENI or server.',
  {
    situation: 'reverse data reaching the client after delivery resumed, with no new fault',
    observes: [on.start(), on.faults(), on.deliveries('data', 'client'), on.drops()],
    times: ['faultAt'],
    init: () => ({ faultAt: null, healthy: false, resumed: NONE }),
    step: (data, obs, report) => {
      const s = obs.scenario;
      if (!tenantIdsValid(s.config, s.workload)) {
        if (obs.prev === null) report.void();
        return data;
      }
      let next = data;
      if (faultsOf(obs).length > 0) {
        const healthy = !sessionStateLost(obs) && failoverHealthy(obs.world, s.config, s.faultModel);
        if (!healthy) report.void();
        next = { faultAt: at(obs.world.now), healthy, resumed: NONE };
      }
      if (next.faultAt === null || !next.healthy) return next;
      const rev = reverseAtClient(obs);
      if (rev && rev.originAt > next.faultAt) {
        if (next.resumed[rev.flow] === undefined) {
          report.trigger();
          return { ...next, resumed: { ...next.resumed, [rev.flow]: obs.world.now } };
        }
        report.exercise();
      }
      for (const e of obs.events) {
        if (e.event !== 'drop' || !e.msg || e.msg.type !== 'data' || e.msg.dir !== 'rev') continue;
        const flow = (e.msg as DataMsg).flow;
        const since = next.resumed[flow];
        if (since === undefined || !isBlackHole(e.reason)) continue;
        // When the server sent it: a packet lost as it was sent carries on the one delivered in this step.
        const carried = e.stage === 'send' ? delivered(obs) : (obs.prev?.inFlight.find((m) => m.id === e.id) ?? null);
        if (!carried || carried.originAt <= since) continue;
        report.exercise();
        report.violate(
          obs.world.now,
          `flow ${flow}'s reverse data is black-holed again (${e.reason} on ${e.from}->${e.to ?? '?'}) at ${obs.world.now} ms, after delivery resumed at ${since} ms following the fault at ${next.faultAt} ms, with no fault since`,
          flow,
        );
        break;
      }
      return next;
    },
  },
);
