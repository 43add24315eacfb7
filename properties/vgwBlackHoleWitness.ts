/**
 * W4, a witness (sometimes): with the VGW (or its links) down, reverse data the LVS sends
 * through it during the fallback is lost: the black hole of E8. The spec promises nothing
 * here (§5: "VGW failure: no fallback"); this witness shows that the extended fault model
 * reaches it, and docs/findings.md names it (`vgw-down-black-hole`).
 */
import { isLvs, LOST_TO_FAILURE as LOST } from '../src/checker/observe.js';
import { sometimes, on } from '../src/checker/property.js';

export const vgwBlackHoleWitness = sometimes<null>(
  'W4',
  'VGW down black-holes the fallback',
  'spec §5 (VGW failure), E8; [¶77], [¶78]',
  'In some run, reverse data the LVS sends through the VGW is lost because the VGW or its links are down (E8): with the VGW gone the fallback has no fallback.',
  {
    observes: [on.drops()],
    init: () => null,
    step: (data, obs, report) => {
      for (const e of obs.events) {
        if (e.event !== 'drop' || e.msg?.type !== 'data' || e.msg.dir !== 'rev' || !LOST.includes(e.reason)) continue;
        // The VGW down (or cut off from the LVS), or its link to the ENI down: not the ENI itself down.
        if ((e.to === 'vgw' && isLvs(obs.sys, e.from)) || (e.from === 'vgw' && e.to !== null && obs.sys.nodes[e.to]?.kind === 'eni' && e.reason === 'link-down')) report.witness();
      }
      return data;
    },
  },
);
