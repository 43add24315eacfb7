/**
 * The lean mode (`explore --lean`, ExploreOptions.lean): no cache of world moves or monitor
 * steps, no canonical monitor states, no table of hashed strings, small engine caches, a
 * compact visited set; and the depth-first search the command runs it with
 * (ExploreOptions.depthFirst), which holds its path instead of a breadth-first level and keeps
 * no parent links. Both trade speed or shortest paths for memory and must explore exactly the
 * states of the default mode. (Their bytes per state are measured by `npm run bench`, not here.)
 */
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { cacheLimitNow } from '../../src/engine/runner.js';
import { counterexampleScenario, explore, spaceFor, type ExploreOptions } from '../../src/explorer/explore.js';
import { LEAN_CACHE_LIMIT } from '../../src/explorer/worldCache.js';
import { FingerprintSet } from '../../src/explorer/fingerprints.js';
import { profileSymmetry } from '../../src/explorer/profiles.js';
import { EXPLORER_MANIFEST, depthsOf, profileOptions } from './manifestCases.js';

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

/** A violation found is the property's, on a path that replays to it. */
function expectReplayable(o: ExploreOptions, r: ReturnType<typeof explore>, depthFirst: boolean): void {
  const { space } = spaceFor(o);
  for (const v of r.violations) {
    expect(v.edges).toHaveLength(v.depth);
    const scenario = counterexampleScenario(space, v, `lean-${v.property}`, depthFirst);
    const run = evaluate(scenario, PROPERTIES.filter((p) => p.id === v.property));
    expect(run.verdicts.get(v.property)?.violation, `${v.property} replayed`).not.toBeNull();
    expect(scenario.description).toMatch(depthFirst ? /depth first.*not the shortest/ : /^Shortest/);
  }
}

describe('lean and depth first (what `explore --lean` runs)', () => {
  const cases = ['small', 'small-races', 'cluster', 'tenants'].flatMap((profile) =>
    Object.keys(EXPLORER_MANIFEST[profile]!).map((design) => ({ profile, design })),
  );
  it.each(cases)('$profile, $design: the states, transitions and verdicts of the default mode, counterexamples no shorter and replayable', ({ profile, design }) => {
    const o = { ...profileOptions(profile, design), lean: true, depthFirst: true };
    const expected = EXPLORER_MANIFEST[profile]![design]!;
    const r = explore(o);
    expect({ states: r.states, transitions: r.transitions, exhausted: r.exhausted, violated: Object.keys(depthsOf(r)).sort() }).toEqual({
      states: expected.states,
      transitions: expected.transitions,
      exhausted: true,
      violated: Object.keys(expected.violated).sort(),
    });
    expect(r.depthFirst).toBe(true);
    for (const [id, moves] of Object.entries(depthsOf(r))) expect(moves).toBeGreaterThanOrEqual(expected.violated[id]!);
    expect([...r.witnessed].sort()).toEqual([...explore(profileOptions(profile, design)).witnessed].sort());
    expectReplayable(o, r, true);
  });

  it('with partial-order reduction: the reduced space of the default mode', () => {
    for (const design of ['patent', 'prior-art']) {
      const r = explore({ ...options(design), por: true, lean: true, depthFirst: true });
      const por = EXPLORER_MANIFEST.small![design]!.por!;
      expect([r.states, r.transitions, Object.keys(depthsOf(r)).sort()]).toEqual([por.states, por.transitions, Object.keys(por.violated).sort()]);
    }
  });

  it('from several initial states (every ECMP order, symmetry): the same states, and each counterexample replays from its own start', () => {
    const o = { ...profileOptions('three-paths', 'prior-art'), por: true, symmetry: profileSymmetry('three-paths'), lean: true, depthFirst: true };
    const r = explore(o);
    const expected = EXPLORER_MANIFEST['three-paths']!['prior-art']!.symmetry!.por!;
    expect([r.states, r.transitions, Object.keys(depthsOf(r)).sort()]).toEqual([expected.states, expected.transitions, Object.keys(expected.violated).sort()]);
    expectReplayable(o, r, true);
  });

  it('a depth bound cuts the search wherever a state at the bound is left unexpanded, and the longest path it took is its depth', () => {
    const o = { ...options('prior-art'), lean: true, depthFirst: true };
    const whole = explore(o);
    expect(whole.exhausted).toBe(true);
    // A state at the bound is not expanded, even where its successors were all seen: a cut, so inconclusive.
    for (const maxDepth of [whole.depth, 60]) {
      const cut = explore({ ...o, maxDepth });
      expect([cut.exhausted, cut.cutBy]).toEqual([false, 'depth']);
      expect(cut.depth).toBeLessThanOrEqual(maxDepth);
    }
    const bounded = explore({ ...o, maxDepth: whole.depth + 1 });
    expect([bounded.exhausted, bounded.states]).toEqual([true, whole.states]);
  });

  it('per property and in shards: the same totals and split as breadth first', () => {
    const o = { ...options('prior-art'), lean: true, depthFirst: true };
    const each = explore({ ...o, perProperty: true });
    const perProperty = EXPLORER_MANIFEST.small!['prior-art']!.perProperty!;
    expect([each.states, each.transitions, each.depthFirst]).toEqual([perProperty.states, perProperty.transitions, true]);
    for (const index of [1, 2]) {
      const shard = { index, count: 2 };
      const deep = explore({ ...o, shard });
      const broad = explore({ ...options('prior-art'), shard });
      expect([deep.states, deep.transitions, deep.split, Object.keys(depthsOf(deep)).sort()]).toEqual([broad.states, broad.transitions, broad.split, Object.keys(depthsOf(broad)).sort()]);
    }
  });

  it('stops at --max-states and when the properties asked for are found, as breadth first', () => {
    const o = { ...options('prior-art'), lean: true, depthFirst: true };
    const few = explore({ ...o, maxStates: 1000 });
    expect([few.states, few.cutBy, few.exhausted]).toEqual([1000, 'states', false]);
    const found = explore({ ...o, stopWhenFound: ['L1'] });
    expect(found.cutBy).toBe('found');
    expect(found.violations.map((v) => v.property)).toContain('L1');
    expectReplayable(o, found, true);
  });

  it('holds the engine and monitor chart caches at the lean bound while it searches, and gives the usual bound back', () => {
    const seen = new Set<number>();
    const r = explore({ ...options('prior-art'), lean: true, depthFirst: true, poll: () => (seen.add(cacheLimitNow()), null) });
    expect([...seen]).toEqual([LEAN_CACHE_LIMIT]);
    expect(cacheLimitNow()).toBeGreaterThan(LEAN_CACHE_LIMIT);
    // The heap at its highest is never below its level at the end.
    expect(r.peakHeapBytesPerState).toBeGreaterThanOrEqual(r.heapBytesPerState);
    expect(explore({ ...options('prior-art'), depthFirst: true }).peakHeapBytesPerState).toBeUndefined();
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

  it('without links (depth first): the same states in the table alone, and no paths', () => {
    const set = new FingerprintSet(false, 4, true, false);
    const n = 5000;
    for (let i = 0; i < n; i++) expect(set.addPair(Math.imul(i, 0x9e3779b1) >>> 0, (i ^ 0x5bd1e995) >>> 0, -1, 70_000)).toBe(i);
    for (let i = 0; i < n; i++) expect(set.addPair(Math.imul(i, 0x9e3779b1) >>> 0, (i ^ 0x5bd1e995) >>> 0, 0, 0)).toBe(-1);
    expect(set.size).toBe(n);
    expect(() => set.pathTo(1)).toThrow(/no paths/);
    // 12 bytes a slot at a load of 3/8 to 3/4.
    expect(set.bytesPerState()).toBeLessThanOrEqual(32);
    expect(set.tableBytes()).toBeCloseTo(set.bytesPerState() * n);
  });
});

describe('the visited set of a breadth-first search', () => {
  it('grows past several sizes and keeps every state, its parent and ordinal', () => {
    const set = new FingerprintSet(false, 4);
    const n = 40_000;
    const hi = (i: number) => Math.imul(i, 0x9e3779b1) >>> 0;
    const lo = (i: number) => (i ^ 0x5bd1e995) >>> 0;
    for (let i = 0; i < n; i++) expect(set.addPair(hi(i), lo(i), i - 1, i % 11)).toBe(i);
    for (let i = 0; i < n; i++) expect(set.addPair(hi(i), lo(i), 0, 0)).toBe(-1);
    expect(set.size).toBe(n);
    // The root has no move into it: the path is the ordinals of the states after it.
    expect(set.pathTo(n - 1)).toEqual(Array.from({ length: n - 1 }, (_, i) => (i + 1) % 11));
    // Doubling from 16 slots: 2^17 past 2^15 states at a load of at most 1/2, 12 bytes a slot;
    // the links (8 bytes a state) double from 16 to 2^16.
    expect(set.tableBytes()).toBe(12 * 2 ** 17 + 8 * 2 ** 16);
  });
});
