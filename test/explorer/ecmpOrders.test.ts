/**
 * The explorer from every ECMP member order (ExploreOptions.ecmpOrders, Profile.ecmpOrders):
 * one initial state per order of the ENI's next-hop group, each at depth 0; the same space
 * breadth first, in parallel (exploreShare) and per property; a counterexample that starts
 * from an order other than the configured one carries it, so that replay reproduces it.
 */
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { counterexampleScenario, ecmpOrdersOf, explore, spaceFor, type ExploreOptions } from '../../src/explorer/explore.js';
import { controlBuffer, exploreShare } from '../../src/explorer/parallel.js';
import { profileSpace } from '../../src/explorer/profiles.js';
import { SharedFingerprintSet } from '../../src/explorer/sharedSet.js';
import { runExplore } from '../../src/explorer/workers.js';

/** three-paths, prior-art, one fault: a crash of fp1 only. f1 hashes to the last member of the order. */
function crashFp1(ecmpOrders?: 'all'): ExploreOptions {
  const space = profileSpace('three-paths', 'prior-art');
  return {
    scenario: space.scenario,
    faultMenu: [{ kind: 'crash', node: 'fp1' }],
    maxFaults: 1,
    properties: PROPERTIES.filter((p) => p.id === 'L1'),
    maxDepth: 100_000,
    ...(ecmpOrders ? { ecmpOrders } : {}),
  };
}

describe('ecmpOrdersOf', () => {
  it('lists every permutation once, the identity first', () => {
    expect(ecmpOrdersOf(2)).toEqual([
      [1, 2],
      [2, 1],
    ]);
    const four = ecmpOrdersOf(4);
    expect(four).toHaveLength(24);
    expect(new Set(four.map((o) => o.join())).size).toBe(24);
    expect(four[0]).toEqual([1, 2, 3, 4]);
  });
});

describe('from every ECMP order', () => {
  const one = explore(crashFp1());
  const all = explore(crashFp1('all'));

  it('explores six initial states, at depth 0 each, and more states than from one order', () => {
    expect(one.initialStates).toBe(1);
    expect(all.initialStates).toBe(6);
    expect(all.exhausted && one.exhausted).toBe(true);
    expect(all.states).toBeGreaterThan(one.states);
    expect(explore({ ...crashFp1('all'), maxDepth: 0 }).states).toBe(6);
  });

  it('finds what one order cannot: a crash of fp1 is harmless while f1 sits on fp3 (the configured order), fatal where fp1 is last', () => {
    expect(one.violations).toEqual([]);
    expect(all.violations.map((v) => v.property)).toEqual(['L1']);
    // The first order breadth first whose last member is fp1: [2, 3, 1].
    const v = all.violations[0]!;
    const { space } = spaceFor(crashFp1('all'));
    expect(space.starts[v.start]!.ecmpOrder).toEqual([2, 3, 1]);
  });

  it("the counterexample's scenario carries its order, and replays to the same violation at the same move (and not without the order)", () => {
    const { space } = spaceFor(crashFp1('all'));
    const v = all.violations[0]!;
    const scenario = counterexampleScenario(space, v, 'prior-art-L1');
    expect(scenario.config.ecmpOrder).toEqual([2, 3, 1]);
    expect(scenario.description).toContain('ECMP order [2, 3, 1]');
    const run = evaluate(scenario, PROPERTIES.filter((p) => p.id === 'L1'));
    expect(run.verdicts.get('L1')?.violation).not.toBeNull();
    expect(run.movesToViolation.get('L1')).toBe(v.depth);
    const { ecmpOrder: _order, ...configured } = scenario.config;
    const without = evaluate({ ...scenario, config: configured }, PROPERTIES.filter((p) => p.id === 'L1'));
    expect(without.verdicts.get('L1')?.violation ?? null).toBeNull();
  });

  it('runExplore (the command) writes the order into the scenario too', () => {
    const space = profileSpace('three-paths', 'prior-art');
    const reply = runExplore(
      { scenario: space.scenario, propertyIds: ['L1'], faultKinds: [], maxFaults: 1, maxDepth: 100_000, delays: 'bounds', exact: false, ecmpOrders: 'all' },
      PROPERTIES,
    );
    // faultKinds [] offers no fault: L1 holds, and every order was a start.
    expect(reply.result.initialStates).toBe(6);
    expect(reply.result.violations).toEqual([]);
  });

  it('per property, with partial-order reduction, lean, and in a parallel share: the same initial states and verdicts', () => {
    const o = crashFp1('all');
    const each = explore({ ...o, perProperty: true });
    expect(each.initialStates).toBe(6);
    expect(each.states).toBe(all.states);
    expect(each.violations.map((v) => [v.property, v.depth, v.start])).toEqual(all.violations.map((v) => [v.property, v.depth, v.start]));
    const por = explore({ ...o, por: true });
    expect(por.initialStates).toBe(6);
    expect(por.violations.map((v) => v.property)).toEqual(['L1']);
    expect(explore({ ...o, lean: true }).states).toBe(all.states);
    const shared = new SharedFingerprintSet(18);
    const share = exploreShare(o, shared, controlBuffer(1), 0, 1, new Map());
    expect(share.initialStates).toBe(6);
    expect(shared.size).toBe(all.states);
    expect(share.violated).toEqual(['L1']);
  });

  it('a shard counts every initial state in the shared prefix', () => {
    const shard = explore({ ...crashFp1('all'), shard: { index: 1, count: 2 } });
    expect(shard.initialStates).toBe(6);
    expect(shard.split!.prefixStates).toBeGreaterThanOrEqual(6);
  });

  it('refuses a fault of the ENI: a restarted ENI would forget the order it started with', () => {
    expect(() => explore({ ...crashFp1('all'), faultMenu: [{ kind: 'crash', node: 'eni' }] })).toThrow(/ecmpOrders 'all'.*ENI/);
  });
});
