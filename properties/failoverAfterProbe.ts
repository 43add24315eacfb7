/**
 * S8 (spec §6): the ENI moves a flow off its current fast path only after a failed probe
 * [C1] or an ECMP removal [¶67]: only in a step where the set of members it believes
 * live shrank. (With hash-threshold ECMP and routine probing, re-adding a member moves
 * flows between healthy members: this property then fails, see docs/properties.md.)
 */
import { always, on } from '../src/checker/property.js';
import { eniChange } from '../src/checker/observe.js';

export const failoverAfterProbe = always<null>(
  'S8',
  'Failover only after a failed probe',
  'spec §6 S8; C1, [¶67]',
  'The ENI moves a flow off its fast path only in a step where a member was removed (a failed probe).',
  {
    situation: 'the ENI moves a flow off its fast path',
    observes: [on.chartChanges('eni')],
    init: () => null,
    step: (data, obs, report) => {
      const change = eniChange(obs);
      if (!change || change.moved.length === 0) return data;
      report.exercise();
      if (change.removed.length > 0) return data;
      for (const [flow, from, to] of change.moved) {
        report.violate(obs.world.now, `the ENI moved ${flow} from ${from} to ${to} without a failed probe or a removed member`);
      }
      return data;
    },
  },
);
