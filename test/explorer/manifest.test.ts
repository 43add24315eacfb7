/**
 * The explorer's manifest (properties/explorer-manifest.json): every named small configuration,
 * explored exhaustively, gives exactly the recorded states, transitions, depth and
 * shortest counterexamples; and each counterexample replays as a scenario.
 */
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { counterexampleScenario, explore, spaceFor } from '../../src/explorer/explore.js';
import { EXPLORER_MANIFEST, manifestCases as cases, profileOptions as options } from './manifestCases.js';

describe.each(cases)('$profile, $design', ({ profile, design, expected }) => {
  const opts = options(profile, design);
  const result = explore(opts);

  it('exhausts the space with the recorded figures', () => {
    expect(result.exhausted).toBe(true);
    expect({ states: result.states, transitions: result.transitions, depth: result.depth }).toEqual({
      states: expected.states,
      transitions: expected.transitions,
      depth: expected.depth,
    });
  });

  it('finds exactly the recorded violations, each with its shortest counterexample', () => {
    const found = Object.fromEntries(result.violations.map((v) => [v.property, v.depth]));
    expect(found).toEqual(expected.violated);
    for (const v of result.violations) expect(v.edges).toHaveLength(v.depth);
  });

  it('explored property by property: the recorded totals, and the same violations with the same shortest counterexamples', () => {
    const each = explore({ ...opts, perProperty: true });
    expect(each.exhausted).toBe(true);
    expect({ states: each.states, transitions: each.transitions }).toEqual(expected.perProperty);
    expect(Object.fromEntries(each.violations.map((v) => [v.property, v.depth]))).toEqual(expected.violated);
    expect(each.byProperty!.map((p) => p.property)).toEqual(PROPERTIES.map((p) => p.id));
    // The same moves too: the edges of the product's and the property's own shortest paths replay alike.
    for (const v of each.violations) expect(v.edges).toHaveLength(v.depth);
  });

  it('with partial-order reduction (the command\'s default): the recorded por figures', () => {
    expect(expected.por, `${profile} ${design}: the manifest records por`).toBeDefined();
    const reduced = explore({ ...opts, por: true });
    expect(reduced.exhausted).toBe(true);
    expect({
      states: reduced.states,
      transitions: reduced.transitions,
      violated: Object.fromEntries(reduced.violations.map((v) => [v.property, v.depth])),
    }).toEqual(expected.por);
  });

  it('writes counterexamples that replay to the same violation after the same number of moves', () => {
    const { space } = spaceFor(opts);
    for (const v of result.violations) {
      const scenario = counterexampleScenario(space, v, `${design}-${v.property}`);
      const run = evaluate(scenario, PROPERTIES.filter((p) => p.id === v.property));
      expect(run.verdicts.get(v.property)?.violation, `${v.property} replays`).not.toBeNull();
      expect(run.movesToViolation.get(v.property)).toBe(v.depth);
    }
  });
});

describe('exact keys', () => {
  it.each(['patent', 'prior-art'])(
    'partition the states of small (%s) as the 64-bit fingerprints do (the key and its fingerprint agree)',
    (design) => {
      const exact = explore({ ...options('small', design), exact: true });
      const expected = EXPLORER_MANIFEST.small![design]!;
      expect({ states: exact.states, transitions: exact.transitions }).toEqual({ states: expected.states, transitions: expected.transitions });
      expect(Object.fromEntries(exact.violations.map((v) => [v.property, v.depth]))).toEqual(expected.violated);
    },
  );
});
