/**
 * W5, a witness (sometimes): a first packet that needs the slow path is lost because the
 * slow path is down, cut off, or has no configuration (PVL-Control was down when it came
 * back): no new offload, so step 10 of the recovery cannot happen (E8). The spec promises
 * nothing here (§5: "SP failure: no new offloads"); docs/findings.md names it
 * (`slow-path-or-control-down`).
 */
import { LOST_TO_FAILURE as LOST } from '../src/checker/observe.js';
import { sometimes, on } from '../src/checker/property.js';

export const slowPathBlockWitness = sometimes<null>(
  'W5',
  'Slow path down blocks offloads',
  'spec §5 (SP failure), E8; [¶71], [¶72], [¶75]',
  'In some run, a first packet a fast path misses to the slow path is lost: the slow path is down or cut off, or unconfigured because PVL-Control was down (E8). No offload follows.',
  {
    observes: [on.drops()],
    init: () => null,
    step: (data, obs, report) => {
      for (const e of obs.events) {
        if (e.event !== 'drop' || e.msg?.type !== 'data') continue;
        if ((e.to === 'sp' && LOST.includes(e.reason)) || (e.from === 'sp' && e.reason === 'slow-path-unconfigured')) report.witness();
      }
      return data;
    },
  },
);
