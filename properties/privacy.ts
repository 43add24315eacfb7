/**
 * S1, privacy (spec §6): the client's state never holds an address of the LVS, the real
 * server, a fast path, the slow path, PVL-Control or the VGW; the LVS and the server never
 * hold the client's real IP (INF); everything the client receives comes from its ENI
 * [¶42, ¶64, C8].
 */
import { always, type Report } from '../src/checker/property.js';
import { changedActors, deliveries, isLvs, type ActorChange } from '../src/checker/observe.js';
import { IP, type System } from '../src/engine/system.js';
import { actorNode, type World } from '../src/engine/world.js';

const addressLists = new Map<string, string[]>();
/** Quoted, as the addresses appear in a snapshot's JSON key. */
function infrastructureAddresses(fastPaths: number, maxEpoch: number, lvsMembers: number): string[] {
  const id = `${fastPaths}/${maxEpoch}/${lvsMembers}`;
  let list = addressLists.get(id);
  if (!list) {
    const ips: string[] = [IP.lvs, IP.server, IP.vgw, IP.sp, IP.control];
    if (lvsMembers > 1) for (let k = 1; k <= lvsMembers; k++) ips.push(IP.lvsMember(k));
    for (let e = 0; e <= maxEpoch; e++) {
      for (let n = 1; n <= fastPaths; n++) ips.push(IP.fpVirt(n, e), IP.fpPhys(n, e));
    }
    list = ips.map((ip) => JSON.stringify(ip));
    addressLists.set(id, list);
  }
  return list;
}

export const privacy = always<null>(
  'S1',
  'Privacy',
  'spec §6 S1; [¶42], [¶64], C8',
  "The client never holds an infrastructure address and hears only from its ENI; the LVS and the server never hold the client's IP.",
  {
    situation: "the client's, the LVS's or the server's state changes, or a packet reaches one of them",
    init: () => null,
    step: (data, obs, report) => {
      const { world } = obs;
      const clientIp = JSON.stringify(IP.client);
      const changed = changedActors(obs);
      if (changed.length > 0) {
        let maxEpoch = 0;
        for (const e of Object.values(world.epochs)) maxEpoch = Math.max(maxEpoch, e);
        const hidden = infrastructureAddresses(obs.sys.config.fastPaths, maxEpoch, obs.sys.config.lvsMembers);
        checkActors(obs.sys, world, changed, hidden, clientIp, report);
      }
      for (const e of deliveries(obs)) {
        const toLvs = isLvs(obs.sys, e.to);
        if (e.to === 'client' || toLvs || e.to === 'server') report.exercise();
        if (e.to === 'client' && e.from !== 'eni') {
          report.violate(e.t, `the client received a packet from ${e.from}, not from its ENI`);
        }
        if ((toLvs || e.to === 'server') && JSON.stringify(e.msg).includes(clientIp)) {
          report.violate(e.t, `a packet to ${e.to} carries the client's real IP`);
        }
      }
      return data;
    },
  },
);

/** The statecharts that changed in this step: what their state holds. */
function checkActors(sys: System, world: World, changed: readonly ActorChange[], hidden: string[], clientIp: string, report: Report): void {
  for (const { key, after: snap } of changed) {
    if (!snap) continue;
    const node = actorNode(key);
    const lvs = isLvs(sys, node);
    if (node === 'client' || lvs || node === 'server') report.exercise();
    if (node === 'client') {
      const leak = hidden.find((ip) => snap.key.includes(ip));
      if (leak) report.violate(world.now, `the client's state (${key}) holds the infrastructure address ${leak}`);
    } else if ((lvs || node === 'server') && snap.key.includes(clientIp)) {
      report.violate(world.now, `${key}'s state holds the client's real IP ${clientIp}`);
    }
  }
}
