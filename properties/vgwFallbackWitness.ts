/** W1, a witness (sometimes): reverse data reaches the client through the VGW (route ② of Fig. 5). */
import { sometimes, on } from '../src/checker/property.js';
import { reverseAtClient } from '../src/checker/observe.js';

export const vgwFallbackWitness = sometimes<null>(
  'W1',
  'VGW fallback happens',
  'spec §3.2 steps 8-9; [¶77], [¶78]',
  'In some run, reverse data reaches the client through the VGW: the fallback is exercised, not merely never needed.',
  {
    observes: [on.deliveries('data', 'client')],
    init: () => null,
    step: (data, obs, report) => {
      if (reverseAtClient(obs)?.via === 'vgw') report.witness();
      return data;
    },
  },
);
