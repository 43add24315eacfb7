/**
 * S2, validate before offload (spec §6): a fast path holds an entry for a direction of a
 * flow, and forwards that direction, only after the slow path validated the tenant id —
 * CVNI for forward, VNI for reverse — and offloaded the entry to it [¶72, ¶75, C5].
 * A crash or restart empties a fast path's table, and so what it may forward.
 */
import { always, on } from '../src/checker/property.js';
import { chartChanges, deliveries, faultsOf, nodeKind, sendsOf } from '../src/checker/observe.js';
import { tenantIdValid } from '../models/slowPath.js';
import type { FastPathContext } from '../models/fastPath.js';

/** fast path -> "dir:flow" entries installed by a validated offload. */
type Validated = Readonly<Record<string, Readonly<Record<string, true>>>>;

export const validateBeforeOffload = always<Validated>(
  'S2',
  'Validate before offload',
  'spec §6 S2; [¶72], [¶75], C5',
  'A fast path has, and forwards from, an entry for a flow direction only after the slow path validated its tenant id (CVNI forward, VNI reverse) and offloaded it.',
  {
    situation: 'offloads to fast paths, fast-path forwards and fast-path table changes',
    observes: [on.faults(), on.deliveries('offload', 'fp'), on.sends('data', 'fp'), on.chartChanges('fp')],
    init: () => ({}),
    step: (data, obs, report) => {
      let validated = data;
      const tenants = obs.sys.config.tenants;
      for (const f of faultsOf(obs)) {
        if ((f.kind === 'crash' || f.kind === 'restart') && f.node && nodeKind(obs, f.node) === 'fp') {
          validated = { ...validated, [f.node]: {} };
        }
      }
      for (const e of deliveries(obs)) {
        const m = e.msg;
        if (m.type === 'offload' && e.from === 'sp' && nodeKind(obs, e.to) === 'fp') {
          report.exercise();
          if (tenantIdValid(tenants, m)) {
            validated = { ...validated, [e.to]: { ...validated[e.to], [`${m.dir}:${m.flow}`]: true } };
          } else {
            report.violate(e.t, `the slow path offloaded ${m.flow}'s ${m.dir} entry to ${e.to} with ${m.dir === 'fwd' ? 'CVNI' : 'VNI'} ${m.vni}, which the tenant table does not hold`);
          }
        }
      }
      // Forwarding is judged when the fast path decides it: at the send (what is still on
      // the wire when it crashes arrives later, legitimately).
      for (const e of sendsOf(obs)) {
        const m = e.msg;
        const toKind = e.to === null ? undefined : nodeKind(obs, e.to);
        if (m.type !== 'data' || nodeKind(obs, e.from) !== 'fp' || (toKind !== 'lvs' && toKind !== 'eni')) continue;
        report.exercise();
        if (!validated[e.from]?.[`${m.dir}:${m.flow}`]) {
          report.violate(e.t, `${e.from} forwarded ${m.flow}'s ${m.dir} packet to ${e.to} without an entry the slow path validated`);
        }
      }
      for (const { actor: fp, after } of chartChanges<FastPathContext>(obs, 'fp')) {
        if (!after) continue;
        report.exercise();
        const ctx = after.context;
        for (const dir of ['fwd', 'rev'] as const) {
          for (const flow of Object.keys(ctx[dir] ?? {})) {
            if (!validated[fp]?.[`${dir}:${flow}`]) {
              report.violate(obs.world.now, `${fp} holds a ${dir} entry for ${flow} that no validated offload installed`);
            }
          }
        }
      }
      return validated;
    },
  },
);
