/**
 * S1, privacy (spec §6): the client's state never holds an address of the LVS, the real
 * server, a fast path, the slow path, PVL-Control or the VGW; the LVS and the server never
 * hold the client's real IP (INF); everything the client receives comes from its ENI
 * [¶42, ¶64, C8].
 */
import { always, on, type Report } from '../src/checker/property.js';
import { chartChanges, deliveries, stringsIn, type ChartChange } from '../src/checker/observe.js';
import { IP } from '../src/engine/system.js';
import type { World } from '../src/engine/world.js';

const WATCHED: ReadonlySet<string> = new Set(['client', 'lvs', 'server']);

/** The infrastructure's addresses: fast paths' at every epoch (restart) so far. */
function infrastructureAddresses(fastPaths: number, maxEpoch: number): string[] {
  const ips: string[] = [IP.lvs, IP.server, IP.vgw, IP.sp, IP.control];
  for (let e = 0; e <= maxEpoch; e++) {
    for (let n = 1; n <= fastPaths; n++) ips.push(IP.fpVirt(n, e), IP.fpPhys(n, e));
  }
  return ips;
}

export const privacy = always<null>(
  'S1',
  'Privacy',
  'spec §6 S1; [¶42], [¶64], C8',
  "The client never holds an infrastructure address and hears only from its ENI; the LVS and the server never hold the client's IP.",
  {
    situation: "the client's, the LVS's or the server's state changes, or a packet reaches one of them",
    observes: [on.chartChanges('client'), on.chartChanges('lvs'), on.chartChanges('server'), on.deliveries(undefined, 'client'), on.deliveries(undefined, 'lvs'), on.deliveries(undefined, 'server')],
    init: () => null,
    step: (data, obs, report) => {
      const { world } = obs;
      const clientIp = IP.client;
      const changed = chartChanges(obs).filter((c) => WATCHED.has(c.kind));
      if (changed.length > 0) {
        let maxEpoch = 0;
        for (const e of Object.values(world.epochs)) maxEpoch = Math.max(maxEpoch, e);
        const hidden = infrastructureAddresses(obs.sys.config.fastPaths, maxEpoch);
        checkCharts(world, changed, hidden, clientIp, report);
      }
      for (const e of deliveries(obs)) {
        if (e.to === 'client' || e.to === 'lvs' || e.to === 'server') report.exercise();
        if (e.to === 'client' && e.from !== 'eni') {
          report.violate(e.t, `the client received a packet from ${e.from}, not from its ENI`);
        }
        if ((e.to === 'lvs' || e.to === 'server') && JSON.stringify(e.msg).includes(JSON.stringify(clientIp))) {
          report.violate(e.t, `a packet to ${e.to} carries the client's real IP`);
        }
      }
      return data;
    },
  },
);

/** The client's, the LVS's and the server's statecharts that changed in this step: what their state holds. */
function checkCharts(world: World, changed: readonly ChartChange[], hidden: string[], clientIp: string, report: Report): void {
  for (const { actor, kind, after } of changed) {
    if (!after) continue;
    report.exercise();
    const held = stringsIn(after);
    if (kind === 'client') {
      const leak = hidden.find((ip) => held.has(ip));
      if (leak) report.violate(world.now, `the client's state (${actor}) holds the infrastructure address ${JSON.stringify(leak)}`);
    } else if (held.has(clientIp)) {
      report.violate(world.now, `${actor}'s state holds the client's real IP ${JSON.stringify(clientIp)}`);
    }
  }
}
