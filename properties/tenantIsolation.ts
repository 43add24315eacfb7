/**
 * S3, tenant isolation (spec §6): a packet reaches the LVS, the real server, the VGW or
 * the client only with a tenant id the tenant table holds for its direction (CVNI
 * forward, VNI reverse): a packet with an invalid or spoofed id is never forwarded past
 * the slow path (INF; [¶72], [¶75]).
 */
import { always, on } from '../src/checker/property.js';
import { deliveries } from '../src/checker/observe.js';
import { tenantIdValid } from '../models/slowPath.js';

const BEYOND_PVL = new Set(['lvs', 'server', 'vgw', 'client']);

export const tenantIsolation = always<null>(
  'S3',
  'Tenant isolation',
  'spec §6 S3 (INF); [¶72], [¶75]',
  'No packet with a tenant id outside the tenant table (for its direction) gets past the PVL: to the LVS, the server, the VGW or the client.',
  {
    situation: 'PVL packets delivered to the LVS, the server, the VGW or the client',
    observes: [on.deliveries('data')],
    init: () => null,
    step: (data, obs, report) => {
      for (const e of deliveries(obs)) {
        if (e.msg.type !== 'data' || !BEYOND_PVL.has(e.to)) continue;
        // The server's own replies to the LVS start beyond the PVL: only PVL output counts.
        if (e.from === 'server' || e.from === 'lvs') continue;
        report.exercise();
        if (!tenantIdValid(obs.sys.config.tenants, e.msg)) {
          report.violate(e.t, `${e.msg.flow}'s ${e.msg.dir} packet with tenant id ${e.msg.vni} reached ${e.to} (from ${e.from})`);
        }
      }
      return data;
    },
  },
);
