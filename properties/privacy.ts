/**
 * S1, privacy (spec §6): the client's state never holds an address of the LVS, the real
 * server, a fast path, the slow path, PVL-Control or the VGW; the LVS and the server never
 * hold the client's real IP (INF); everything the client receives comes from its ENI
 * [¶42, ¶64, C8].
 */
import { always, on, type Report } from '../src/checker/property.js';
import { chartChanges, deliveries, messageJson, stringsIn, type ChartChange } from '../src/checker/observe.js';
import { IP, type System } from '../src/engine/system.js';
import type { World } from '../src/engine/world.js';

const WATCHED: ReadonlySet<string> = new Set(['client', 'lvs', 'server']);

/** The infrastructure's addresses: fast paths' at every epoch (restart) so far, and an LVS cluster's members. */
function infrastructureAddresses(fastPaths: number, maxEpoch: number, lvsMembers: number): string[] {
  const ips: string[] = [IP.lvs, IP.server, IP.vgw, IP.sp, IP.control];
  if (lvsMembers > 1) for (let k = 1; k <= lvsMembers; k++) ips.push(IP.lvsMember(k));
  for (let e = 0; e <= maxEpoch; e++) {
    for (let n = 1; n <= fastPaths; n++) ips.push(IP.fpVirt(n, e), IP.fpPhys(n, e));
  }
  return ips;
}

/** The clients' real IPs (one `client`, or `client1` … `clientK`), read from the system's plan. */
function clientIps(sys: System): string[] {
  return sys.clients.map((c) => sys.nodes[c.client]!.ip(0));
}

/** A client node's own ENI. */
function eniOf(sys: System, client: string): string | undefined {
  return sys.clients.find((c) => c.client === client)?.eni;
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
      const { world, sys } = obs;
      const changed = chartChanges(obs).filter((c) => WATCHED.has(c.kind));
      if (changed.length > 0) checkCharts(world, sys, changed, report);
      let ips: string[] | undefined;
      for (const e of deliveries(obs)) {
        const kind = sys.nodes[e.to]?.kind;
        if (kind === 'client' || kind === 'lvs' || kind === 'server') report.exercise();
        if (kind === 'client' && e.from !== eniOf(sys, e.to)) {
          report.violate(e.t, `${sys.clients.length === 1 ? 'the client' : `the client ${e.to}`} received a packet from ${e.from}, not from its ENI`);
        }
        if (kind === 'lvs' || kind === 'server') {
          const json = messageJson(e.msg);
          const leak = (ips ??= clientIps(sys)).find((ip) => json.includes(JSON.stringify(ip)));
          if (leak) report.violate(e.t, `a packet to ${e.to} carries ${sys.clients.length === 1 ? "the client's real IP" : `a client's real IP ${leak}`}`);
        }
      }
      return data;
    },
  },
);

/**
 * The clients', the LVS's and the server's statecharts that changed in this step: what their
 * state holds. The addresses each side must not hold are listed only when a chart of that
 * side changed (most steps change only the LVS's or the server's).
 */
function checkCharts(world: World, sys: System, changed: readonly ChartChange[], report: Report): void {
  let hidden: string[] | undefined;
  let ips: string[] | undefined;
  for (const { actor, kind, after } of changed) {
    if (!after) continue;
    report.exercise();
    const held = stringsIn(after);
    if (kind === 'client') {
      hidden ??= infrastructureAddresses(sys.config.fastPaths, maxEpoch(world), sys.config.lvsMembers);
      const leak = hidden.find((ip) => held.has(ip));
      if (leak) report.violate(world.now, `the client's state (${actor}) holds the infrastructure address ${JSON.stringify(leak)}`);
    } else {
      ips ??= clientIps(sys);
      const leak = ips.find((ip) => held.has(ip));
      if (leak) report.violate(world.now, `${actor}'s state holds the client's real IP ${JSON.stringify(leak)}`);
    }
  }
}

/** The highest epoch (restart at a new address) of any node so far. */
function maxEpoch(world: World): number {
  let max = 0;
  for (const node in world.epochs) max = Math.max(max, world.epochs[node]!);
  return max;
}
