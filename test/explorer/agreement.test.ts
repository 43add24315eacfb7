/**
 * On the named small configurations the exhaustive explorer and the random checker agree:
 * the same verdict for every property, and check's shrunk counterexample is at most two
 * moves longer than the explorer's shortest (spec: issue "Exhaustive explorer", §4).
 */
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { checkDesign } from '../../src/checker/check.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { profileCheckSpace } from '../../src/explorer/profiles.js';
import { manifestCases as cases } from './manifestCases.js';

describe.each(cases)('$profile, $design', ({ profile, design, expected }) => {
  it('check finds what the explorer finds, with counterexamples at most two moves longer', () => {
    // The same space as the explorer's: the profile's values, its fault menu, no spoofing.
    const outcome = checkDesign(design, { ...profileCheckSpace(profile), properties: PROPERTIES, runs: 80, seed: 42 });
    const violated = outcome.properties.filter((o) => o.counterexample).map((o) => o.property.id).sort();
    expect(violated).toEqual(Object.keys(expected.violated).sort());
    for (const o of outcome.properties) {
      const cx = o.counterexample;
      if (!cx) continue;
      const moves = evaluate(cx.scenario, [o.property]).movesToViolation.get(o.property.id)!;
      expect(moves, `${o.property.id}: check ${moves} moves, explorer ${expected.violated[o.property.id]}`).toBeLessThanOrEqual(
        expected.violated[o.property.id]! + 2,
      );
    }
  });
});
