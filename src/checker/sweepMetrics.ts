/**
 * What a parameter sweep measures besides the verdicts: the cost of a setting on healthy
 * paths. Two monitors in the properties' framework (pure, plain data), never violated:
 * they call `report.exercise()` in each step where the needless thing happens, so that
 * the checker's coverage counts (exercised runs / steps) are their figures, and they
 * merge and shard like every other count. They are not properties: they are not in
 * PROPERTIES nor in the manifest, and only `pvlcheck sweep` runs them.
 *
 * - needless VGW fallback: the LVS switches a flow's reverse data to the VGW while the
 *   flow's fast path is healthy both ways: the path the LVS learned is the one the ENI
 *   sends the flow to, that fast path is up at that address, and every hop client → ENI →
 *   fast path → LVS and back is up (as are the client, the ENI, the LVS and the server). A relay timeout below the client's forward gap does
 *   this (E10), with nothing wrong in the network. Counted at the switch (not for every
 *   packet the detour then carries); runs whose client never sends (a silent sink, E6) are
 *   left out: it gets the VGW whatever the setting.
 * - needless ENI failover: the ENI declares a fast path down (its probes failed) while it
 *   is healthy: up, at the address the ENI probes, both probe hops up. A probe timeout
 *   below the round trip, or a lost probe (E9), does this.
 *
 * A lossy hop counts as up (it still carries most packets: a fallback it causes is counted
 * as needless too), unless it loses every packet.
 */
import type { Config } from '../config/types.js';
import type { LvsContext } from '../../models/lvs.js';
import { fastPathIds, type System } from '../engine/system.js';
import { clusterMember, type World } from '../engine/world.js';
import type { EniContext } from '../../models/eni.js';
import { chartOf, eniChange, isLvs, sendsOf } from './observe.js';
import { always, on, type AnyProperty, type Observation } from './property.js';

/** A link that carries packets: not cut, and not set to lose every one. */
function linkUp(world: World, config: Config, id: string): boolean {
  const state = world.links[id];
  if (state?.up === false) return false;
  return (state?.loss ?? config.links[id]?.loss ?? config.loss) < 1;
}

/** The fast path that answers at `ip` now (its current address), or null. */
function fastPathAt(sys: System, world: World, config: Config, ip: string): string | null {
  for (const fp of fastPathIds(config.fastPaths)) {
    if (sys.nodes[fp]?.ip(world.epochs[fp] ?? 0) === ip) return fp;
  }
  return null;
}

function fastPathUp(world: World, fp: string): boolean {
  return !world.down[fp] && world.modes?.[fp] === undefined;
}

export const NEEDLESS_VGW = 'needless-vgw';
export const NEEDLESS_FAILOVER = 'needless-failover';

interface VgwData {
  /** Flows whose reverse data the LVS last sent to the VGW (sorted). */
  onVgw: readonly string[];
}

/** Is the flow's whole fast path healthy: the one the LVS learned, which the ENI also sends the flow to, up both ways? */
function flowPathHealthy(obs: Observation, flow: string): boolean {
  const { world, sys } = obs;
  // The LVS that has the flow: `lvs`, or the cluster member the ECMP names now.
  const at = sys.lvsService ? clusterMember(sys, world.down, flow) : 'lvs';
  if (at === null) return false;
  const lvs = chartOf<LvsContext>(obs, `${at}/${flow}`);
  const path = lvs ? lvs.context.pathVirtIp : null;
  if (path === null) return false;
  const fp = fastPathAt(sys, world, obs.scenario.config, path);
  if (fp === null || !fastPathUp(world, fp)) return false;
  // The flow's own client and ENI (`client`/`eni`, or `clientK`/`eniK` of several).
  const { client, eni: eniId } = sys.tenancy[flow] ?? { client: 'client', eni: 'eni' };
  const member = chartOf<EniContext>(obs, eniId)?.context.flows[flow];
  if (member !== path) return false;
  if ([client, eniId, at, 'server'].some((n) => world.down[n])) return false;
  return [`${client}->${eniId}`, `${eniId}->${fp}`, `${fp}->${at}`, `${at}->${fp}`, `${fp}->${eniId}`, `${eniId}->${client}`].every((l) => linkUp(world, obs.scenario.config, l));
}

export const needlessVgw = always<VgwData>(
  NEEDLESS_VGW,
  'Needless VGW fallback',
  'sweep figure (E10)',
  "The LVS switches a flow's reverse data to the VGW while the flow's fast path is healthy both ways (the path it learned, which the ENI sends the flow to).",
  {
    situation: 'a switch to the VGW on a healthy fast path',
    observes: [on.sends('data', 'lvs')],
    init: () => ({ onVgw: [] }),
    step: (data, obs, report) => {
      // A client that never sends (a silent sink, E6) has the VGW whatever the setting: not counted.
      if (obs.scenario.workload.ackEvery <= 0) return data;
      let onVgw = data.onVgw;
      for (const e of sendsOf(obs)) {
        if (!isLvs(obs.sys, e.from) || e.msg.type !== 'data' || e.msg.dir !== 'rev') continue;
        const flow = e.msg.flow;
        const was = onVgw.includes(flow);
        if (e.to === 'vgw' && !was) {
          // The switch (the relay timer fired): needless if nothing on the flow's path is broken.
          if (flowPathHealthy(obs, flow)) report.exercise();
          onVgw = [...onVgw, flow].sort();
        } else if (e.to !== 'vgw' && was) {
          onVgw = onVgw.filter((f) => f !== flow);
        }
      }
      return onVgw === data.onVgw ? data : { onVgw };
    },
  },
);

export const needlessFailover = always<null>(
  NEEDLESS_FAILOVER,
  'Needless ENI failover',
  'sweep figure (E9)',
  'The ENI declares a fast path down while it is healthy (up, at the probed address, both probe hops up).',
  {
    situation: 'a healthy fast path declared down by the ENI',
    observes: [on.chartChanges('eni')],
    init: () => null,
    step: (data, obs, report) => {
      const change = eniChange(obs);
      if (!change || change.removed.length === 0) return data;
      const { world, sys } = obs;
      for (const member of change.removed) {
        const fp = fastPathAt(sys, world, obs.scenario.config, member);
        if (fp === null || !fastPathUp(world, fp)) continue;
        if (![`eni->${fp}`, `${fp}->eni`].every((l) => linkUp(world, obs.scenario.config, l))) continue;
        report.exercise();
        break;
      }
      return data;
    },
  },
);

/** The sweep's own monitors, run with the properties. */
export const SWEEP_METRICS: readonly AnyProperty[] = [needlessVgw, needlessFailover];
