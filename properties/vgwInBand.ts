/**
 * S7 (spec §6): the LVS uses the VGW for a session only if the VGW-IP arrived in-band,
 * on a forward packet of that session [¶48], [¶73].
 */
import { always, on } from '../src/checker/property.js';
import { forwardAtLvs, sentToVgw } from '../src/checker/observe.js';
import { IP } from '../src/engine/system.js';

/** Per flow: the VGW-IP that arrived in-band, if any. */
type Data = Readonly<Record<string, string>>;

export const vgwInBand = always<Data>(
  'S7',
  'VGW-IP learned in-band',
  'spec §6 S7; [¶48], [¶73]',
  'The LVS sends a session to the VGW only after that session\'s forward traffic carried the VGW-IP.',
  {
    situation: 'reverse data sent to the VGW',
    observes: [on.deliveries('data', 'lvs'), on.sends('data', 'lvs')],
    init: () => ({}),
    step: (data, obs, report) => {
      let next = data;
      const fwd = forwardAtLvs(obs);
      if (fwd?.vgwIp !== undefined && data[fwd.flow] !== fwd.vgwIp) next = { ...data, [fwd.flow]: fwd.vgwIp };
      for (const m of sentToVgw(obs)) {
        report.exercise();
        if (next[m.flow] !== IP.vgw) {
          report.violate(obs.world.now, `the LVS sent ${m.flow}'s reverse data to the VGW, whose address never arrived in-band for it`);
        }
      }
      return next;
    },
  },
);
