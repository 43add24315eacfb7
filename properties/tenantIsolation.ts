/**
 * S3, tenant isolation (spec §6), across the slow path, the fast paths, the LVS and the VGW:
 * - a packet reaches the LVS, the real server, the VGW or a client only with a tenant id the
 *   tenant table holds for its direction (CVNI forward, VNI reverse): a packet with an
 *   invalid or spoofed id is never forwarded past the slow path (INF; [¶72], [¶75]);
 * - a flow's reverse data is forwarded past the PVL (a fast path to an ENI) only when its
 *   VNI and the flow's CVNI are one tenant entry's pair: a tenant A CVNI with a tenant B
 *   VNI is never served [¶72, ¶75];
 * - a packet of one tenant's flow never reaches another tenant's client or ENI, whichever
 *   way it came (a fast path, the VGW).
 * Nodes are told by their kind (client, eni, ...), so that it holds for `client` and for
 * `client1` … `clientK` alike.
 */
import { always, on } from '../src/checker/property.js';
import { deliveries } from '../src/checker/observe.js';
import { tenantIdValid, tenantPairValid } from '../models/slowPath.js';
import type { System } from '../src/engine/system.js';

const BEYOND_PVL = new Set(['lvs', 'server', 'vgw', 'client']);

/** The tenant (index into config.tenants) of a client or ENI node. */
function tenantOf(sys: System, node: string): number | undefined {
  return sys.clients.find((c) => c.client === node || c.eni === node)?.tenant;
}

export const tenantIsolation = always<null>(
  'S3',
  'Tenant isolation',
  'spec §6 S3 (INF); [¶72], [¶75]',
  "No packet with a tenant id outside the tenant table gets past the PVL (to the LVS, the server, the VGW or a client); a flow's reverse data leaves a fast path only if its VNI pairs with the flow's CVNI in one tenant entry; no packet of one tenant's flow reaches another tenant's client or ENI.",
  {
    situation: 'PVL packets delivered to the LVS, the server, the VGW or the client',
    observes: [on.deliveries('data')],
    init: () => null,
    step: (data, obs, report) => {
      const { sys } = obs;
      for (const e of deliveries(obs)) {
        if (e.msg.type !== 'data') continue;
        const to = sys.nodes[e.to]?.kind;
        const from = sys.nodes[e.from]?.kind;
        const flow = sys.tenancy[e.msg.flow];
        if (flow !== undefined && (to === 'client' || to === 'eni')) {
          const tenant = tenantOf(sys, e.to);
          if (tenant !== undefined && tenant !== flow.tenant) {
            report.violate(e.t, `${e.msg.flow} (tenant ${flow.tenant}'s) ${e.msg.dir} packet reached ${e.to}, tenant ${tenant}'s (from ${e.from})`);
          }
        }
        // Ids outside the table are the first rule's (below, where they get past the PVL); this one is about valid ids of two tenants.
        if (
          flow !== undefined && to === 'eni' && from === 'fp' && e.msg.dir === 'rev' &&
          tenantIdValid(sys.config.tenants, e.msg) && !tenantPairValid(sys.config.tenants, flow.cvni, e.msg.vni)
        ) {
          report.violate(e.t, `${e.msg.flow}'s reverse packet with VNI ${e.msg.vni} left ${e.from} for ${e.to}, but the flow's CVNI ${flow.cvni} is not its tenant's pair`);
        }
        if (to === undefined || !BEYOND_PVL.has(to)) continue;
        // The server's own replies to the LVS start beyond the PVL: only PVL output counts.
        if (from === 'server' || from === 'lvs') continue;
        report.exercise();
        if (!tenantIdValid(sys.config.tenants, e.msg)) {
          report.violate(e.t, `${e.msg.flow}'s ${e.msg.dir} packet with tenant id ${e.msg.vni} reached ${e.to} (from ${e.from})`);
        }
      }
      return data;
    },
  },
);
