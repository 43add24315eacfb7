/**
 * The lean mode (`explore --lean`, ExploreOptions.lean): no cache of world moves or monitor
 * steps, no canonical monitor states, no table of hashed strings, a compact visited set.
 * It trades speed for memory and must explore exactly the states of the default mode.
 * (Its bytes per state are measured by `npm run bench`, not here.)
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explorer/explore.js';
import { FingerprintSet } from '../../src/explorer/fingerprints.js';
import { profileOptions } from './manifestCases.js';

const options = (design: string) => profileOptions('small', design);

const summary = (r: ReturnType<typeof explore>) => ({
  states: r.states,
  transitions: r.transitions,
  depth: r.depth,
  exhausted: r.exhausted,
  violated: Object.fromEntries(r.violations.map((v) => [v.property, v.depth])),
  witnessed: [...r.witnessed].sort(),
});

describe.each(['patent', 'prior-art'])('small, %s: lean explores what the default explores', (design) => {
  it.each([false, true])('with partial-order reduction %s: the same states, transitions, depth and verdicts', (por) => {
    const usual = explore({ ...options(design), por });
    const lean = explore({ ...options(design), por, lean: true });
    expect(summary(lean)).toEqual(summary(usual));
    expect(lean.violations.map((v) => v.edges.length)).toEqual(usual.violations.map((v) => v.edges.length));
  });
});

describe('the compact visited set', () => {
  it('keeps every state, its parent and its ordinal (past 2^16 ordinals too), and knows a state again', () => {
    const set = new FingerprintSet(false, 4, true);
    const n = 5000;
    for (let i = 0; i < n; i++) expect(set.addPair(Math.imul(i, 0x9e3779b1) >>> 0, (i ^ 0x5bd1e995) >>> 0, i - 1, i === 4000 ? 70_000 : i % 7)).toBe(i);
    for (let i = 0; i < n; i++) expect(set.addPair(Math.imul(i, 0x9e3779b1) >>> 0, (i ^ 0x5bd1e995) >>> 0, 0, 0)).toBe(-1);
    expect(set.size).toBe(n);
    const path = set.pathTo(4001);
    expect(path).toHaveLength(4001);
    expect(path[3999]).toBe(70_000);
    expect(path[4000]).toBe(4001 % 7);
    // At a load of at most 3/4 and 6 bytes of links, no more than 64 bytes a state.
    expect(set.bytesPerState()).toBeLessThanOrEqual(64);
  });
});
