/** W2, a witness (sometimes): the ENI marks a fast path down after its probes fail and moves a flow. */
import { sometimes, on } from '../src/checker/property.js';
import { eniChange } from '../src/checker/observe.js';

export const failoverWitness = sometimes<null>(
  'W2',
  'ENI fails over',
  'spec §3.2 step 10; C1, [¶61]',
  'In some run, the ENI gives up on a probed fast path and moves a flow to another one.',
  {
    observes: [on.chartChanges('eni')],
    init: () => null,
    step: (data, obs, report) => {
      const change = eniChange(obs);
      if (change && change.removed.length > 0 && change.moved.some(([, , to]) => to !== null)) report.witness();
      return data;
    },
  },
);
