/**
 * Every violation is reported, whatever else happens on its step: a step reports the
 * properties whose monitors it newly violates, so a property violated on the same step as
 * another, or already in an initial state, would otherwise stay violated unreported in every
 * state after it, and the search would say it holds.
 */
import { describe, expect, it } from 'vitest';
import { always, on } from '../../src/checker/property.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { parseScenarioText, scenarioToJson } from '../../src/config/scenario.js';
import { counterexampleScenario, explore, spaceFor } from '../../src/explorer/explore.js';
import { profileSpace } from '../../src/explorer/profiles.js';
import { reverseResumes } from '../../properties/reverseResumes.js';

describe('violations on one step', () => {
  it('reports both of two properties violated on the same step, with the same shortest counterexample', () => {
    // A twin of L1 under another name: violated on exactly L1's steps.
    const twin = { ...reverseResumes, id: 'L1-twin' };
    for (const por of [false, true]) {
      const r = explore({ ...profileSpace('small', 'prior-art'), properties: [reverseResumes, twin], maxDepth: 100_000, por });
      const depths = Object.fromEntries(r.violations.map((v) => [v.property, v.depth]));
      expect(depths['L1-twin'], `por ${por}`).toBeDefined();
      expect(depths['L1-twin']).toBe(depths['L1']);
    }
  });

  it("gives a violation's path as plain data: cloned and spread, every edge keeps its fields", () => {
    for (const depthFirst of [false, true]) {
      const r = explore({ ...profileSpace('small', 'prior-art'), properties: [reverseResumes], maxDepth: 100_000, depthFirst });
      const edges = r.violations[0]!.edges;
      expect(edges.length, `depth first ${depthFirst}`).toBeGreaterThan(0);
      expect(structuredClone(edges)).toEqual(JSON.parse(JSON.stringify(edges)));
      expect(edges.map((e) => ({ ...e }))).toEqual(JSON.parse(JSON.stringify(edges)));
      expect(edges.some((e) => e.kind === 'event' && typeof { ...e }.signature === 'string')).toBe(true);
    }
  });

  it('reports a property an initial state already violates, at depth 0', () => {
    const brokenAtStart = always<null>('X0', 'violated at the start', 'test', 'Violated by the first observation.', {
      situation: 'the start of a run',
      observes: [on.start()],
      init: () => null,
      step: (data, obs, report) => {
        report.exercise();
        report.violate(obs.world.now, 'violated at the start');
        return data;
      },
    });
    const options = { ...profileSpace('small', 'patent'), properties: [brokenAtStart], maxDepth: 100_000 };
    const r = explore(options);
    expect(r.violations.map((v) => [v.property, v.depth, v.edges.length])).toEqual([['X0', 0, 0]]);
    // Its counterexample is a scenario `replay` accepts, and replays to the violation.
    const scenario = parseScenarioText(scenarioToJson(counterexampleScenario(spaceFor(options).space, r.violations[0]!, 'x0')), 'x0.json');
    expect(evaluate(scenario, [brokenAtStart]).verdicts.get('X0')?.violation).not.toBeNull();
    // Sought and found in the initial state: nothing more is searched.
    const sought = explore({ ...options, stopWhenFound: ['X0'] });
    expect([sought.cutBy, sought.states, sought.violations.map((v) => v.depth)]).toEqual(['found', 1, [0]]);
  });
});
