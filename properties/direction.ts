/**
 * S5, direction (spec §6): forward packets travel client → ENI → fast path (→ slow path →
 * fast path) → LVS → server only; reverse packets server → LVS → fast path or VGW (→ slow
 * path → fast path) → ENI → client only. No hop crosses directions [¶56, ¶81].
 */
import { always, on } from '../src/checker/property.js';
import { deliveries, nodeKind } from '../src/checker/observe.js';
import type { Observation } from '../src/checker/property.js';

/** A hop's end as HOPS names it, by node kind: fp1 … are `fp`, client1 … `client`, eni1 … `eni`, lvs1 … `lvs`. */
const role = (obs: Observation, node: string): string => nodeKind(obs, node) ?? node;

const HOPS: Record<'fwd' | 'rev', Set<string>> = {
  fwd: new Set(['client>eni', 'eni>fp', 'fp>sp', 'sp>fp', 'fp>lvs', 'lvs>server']),
  rev: new Set(['server>lvs', 'lvs>fp', 'lvs>vgw', 'fp>sp', 'sp>fp', 'fp>eni', 'vgw>eni', 'eni>client']),
};

export const direction = always<null>(
  'S5',
  'Direction',
  'spec §6 S5; [¶56], [¶81]',
  'Forward packets only travel the forward hops (towards the server), reverse packets only the reverse hops (towards the client).',
  {
    situation: 'data and offload packets delivered',
    observes: [on.deliveries('data'), on.deliveries('offload')],
    init: () => null,
    step: (data, obs, report) => {
      for (const e of deliveries(obs)) {
        const m = e.msg;
        if (m.type !== 'data' && m.type !== 'offload') continue;
        report.exercise();
        const hop = `${role(obs, e.from)}>${role(obs, e.to)}`;
        if (!HOPS[m.dir].has(hop)) {
          report.violate(e.t, `a ${m.dir} ${m.type} packet of ${m.flow} went ${e.from} → ${e.to}, not a ${m.dir} hop`);
        }
        if (m.type === 'offload' && m.packet.dir !== m.dir) {
          report.violate(e.t, `an offload for ${m.flow}'s ${m.dir} direction carried a ${m.packet.dir} packet`);
        }
      }
      return data;
    },
  },
);
