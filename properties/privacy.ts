/**
 * S1, privacy (spec §6): the client's state never holds an address of the LVS, the real
 * server, a fast path, the slow path, PVL-Control or the VGW; the LVS and the server never
 * hold the client's real IP (INF); everything the client receives comes from its ENI
 * [¶42, ¶64, C8].
 */
import { always, type Report } from '../src/checker/property.js';
import { changedActors, deliveries, type ActorChange } from '../src/checker/observe.js';
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

interface ClientAddresses {
  /** Quoted, as in a snapshot's JSON key: every client's real IP. */
  quoted: string[];
  /** Each client node's own ENI. */
  eniOf: Map<string, string>;
}
const clientAddressesOf = new WeakMap<System, ClientAddresses>();
/** The clients of a run (one `client`, or `client1` … `clientK`), read from the system's node kinds. */
function clientAddresses(sys: System): ClientAddresses {
  let a = clientAddressesOf.get(sys);
  if (!a) {
    a = {
      quoted: sys.clients.map((c) => JSON.stringify(sys.nodes[c.client]!.ip(0))),
      eniOf: new Map(sys.clients.map((c) => [c.client, c.eni])),
    };
    clientAddressesOf.set(sys, a);
  }
  return a;
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
      const { world, sys } = obs;
      const clients = clientAddresses(sys);
      const changed = changedActors(obs);
      if (changed.length > 0) {
        let maxEpoch = 0;
        for (const e of Object.values(world.epochs)) maxEpoch = Math.max(maxEpoch, e);
        const hidden = infrastructureAddresses(obs.sys.config.fastPaths, maxEpoch, obs.sys.config.lvsMembers);
        checkActors(sys, world, changed, hidden, clients.quoted, report);
      }
      for (const e of deliveries(obs)) {
        const kind = sys.nodes[e.to]?.kind;
        if (kind === 'client' || kind === 'lvs' || kind === 'server') report.exercise();
        if (kind === 'client' && e.from !== clients.eniOf.get(e.to)) {
          report.violate(e.t, `${sys.clients.length === 1 ? 'the client' : `the client ${e.to}`} received a packet from ${e.from}, not from its ENI`);
        }
        if (kind === 'lvs' || kind === 'server') {
          const json = JSON.stringify(e.msg);
          const leak = clients.quoted.find((ip) => json.includes(ip));
          if (leak) report.violate(e.t, `a packet to ${e.to} carries ${sys.clients.length === 1 ? "the client's real IP" : `a client's real IP ${leak}`}`);
        }
      }
      return data;
    },
  },
);

/** The statecharts that changed in this step: what their state holds. */
function checkActors(sys: System, world: World, changed: readonly ActorChange[], hidden: string[], clientIps: string[], report: Report): void {
  for (const { key, after: snap } of changed) {
    if (!snap) continue;
    const kind = sys.nodes[actorNode(key)]?.kind;
    if (kind === 'client' || kind === 'lvs' || kind === 'server') report.exercise();
    if (kind === 'client') {
      const leak = hidden.find((ip) => snap.key.includes(ip));
      if (leak) report.violate(world.now, `the client's state (${key}) holds the infrastructure address ${leak}`);
    } else if (kind === 'lvs' || kind === 'server') {
      const leak = clientIps.find((ip) => snap.key.includes(ip));
      if (leak) report.violate(world.now, `${key}'s state holds the client's real IP ${leak}`);
    }
  }
}
