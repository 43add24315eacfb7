/** W3, a witness (sometimes): after the VGW detour, reverse data comes over a fast path again (route ③). */
import { sometimes, on } from '../src/checker/property.js';
import { nodeKind, reverseAtClient } from '../src/checker/observe.js';

/** Flows that have received reverse data through the VGW. */
type Data = Readonly<Record<string, true>>;

export const restorationWitness = sometimes<Data>(
  'W3',
  'Fast path restored after the VGW',
  'spec §3.2 steps 11-13; [¶80]-[¶82]',
  'In some run, a flow that received reverse data through the VGW receives it over a fast path again.',
  {
    observes: [on.deliveries('data', 'client')],
    init: () => ({}),
    step: (data, obs, report) => {
      const rev = reverseAtClient(obs);
      if (!rev) return data;
      if (rev.via === 'vgw') return data[rev.flow] ? data : { ...data, [rev.flow]: true };
      if (data[rev.flow] && nodeKind(obs, rev.via) === 'fp') report.witness();
      return data;
    },
  },
);
