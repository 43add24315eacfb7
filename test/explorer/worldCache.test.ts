/**
 * The cache of world moves and monitor steps (src/explorer/worldCache.ts) is an
 * optimisation only: a cache that starts afresh all the time gives the same exploration;
 * monitor states with one identity are one object, and states whose identity hashes
 * collide but differ stay apart.
 */
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import type { MonitorState } from '../../src/checker/property.js';
import { explorePerProperty, initialState, spaceFor, worldCacheFor } from '../../src/explorer/explore.js';
import { successors, type Successor } from '../../src/explorer/successors.js';
import { loadExplorerManifest } from '../../src/cli/exploreManifest.js';
import { profileSpace } from '../../src/explorer/profiles.js';
import { LEAN_CACHE_LIMIT, WorldCache } from '../../src/explorer/worldCache.js';
import type { World } from '../../src/engine/world.js';
import type { MonitorIdentity } from '../../src/explorer/codec.js';

/** properties/explorer-manifest.json, as `explore` reads it at run time. */
const EXPLORER_MANIFEST = loadExplorerManifest().manifest;

describe('the world cache', () => {
  it('explores the same states, transitions and shortest counterexamples when it starts afresh every 50 worlds', () => {
    const options = { ...profileSpace('small', 'prior-art'), properties: PROPERTIES, maxDepth: 100_000 };
    const tiny = explorePerProperty(options, worldCacheFor(options.scenario, 50));
    const expected = EXPLORER_MANIFEST.small!['prior-art']!;
    expect({ states: tiny.states, transitions: tiny.transitions }).toEqual(expected.perProperty);
    expect(Object.fromEntries(tiny.violations.map((v) => [v.property, v.depth]))).toEqual(expected.violated);
  });

  it('keeps the moves of at most LEAN_CACHE_LIMIT worlds when lean: one node per world while it lasts, afresh past the bound', () => {
    // Worlds told apart by their time alone: the key is the caller's.
    const cache = new WorldCache((w) => w.now, 500_000, 0.6, true);
    const world = (now: number) => ({ now }) as unknown as World;
    const first = cache.node(world(0));
    expect(cache.node(world(0))).toBe(first);
    for (let t = 1; t < LEAN_CACHE_LIMIT; t++) cache.node(world(t));
    expect(cache.node(world(0))).toBe(first);
    cache.node(world(LEAN_CACHE_LIMIT));
    expect(cache.node(world(0))).not.toBe(first);
  });

  it('keeps one monitor state per identity, and apart those whose hashes collide', () => {
    const cache = new WorldCache(() => 0);
    const property = PROPERTIES[0]!;
    const state = (n: number): MonitorState<unknown> => ({
      verdict: { violation: null, triggers: 0, disruptive: 0, voided: 0, witnessed: false, samples: [] },
      data: n,
    });
    // Every identity hashes alike; the whole identity tells them apart.
    const identities = new Map<MonitorState<unknown>, MonitorIdentity>();
    const identify = (_i: number, m: MonitorState<unknown>): MonitorIdentity => {
      let id = identities.get(m);
      if (!id) identities.set(m, (id = { a: m.data as number, b: 0, times: [], hash: 7 }));
      return id;
    };
    const one = state(1);
    const two = state(2);
    expect(cache.canonical(property, 0, one, identify)).toBe(one);
    expect(cache.canonical(property, 0, two, identify)).toBe(two);
    expect(cache.canonical(property, 0, state(1), identify)).toBe(one);
    expect(cache.canonical(property, 0, state(2), identify)).toBe(two);
  });
});

describe('counterexamples whatever world of a key the cache holds', () => {
  // A world's moves come from the world of its key the cache holds, whose ids and move order
  // may differ from those met when a state was found: the rebuilt path is checked step by
  // step against the fingerprints the states were added with (explore.ts, rebuildEdges).
  it('rebuilds the path of each violation to a state that violates it, with a cache of one world', () => {
    const cases = [['prior-art', 2, 'L1'], ['prior-art', 2, 'L2'], ['patent', 3, 'L2']] as const;
    for (const [design, maxFaults, id] of cases) {
      const options = { ...profileSpace('small', design), properties: PROPERTIES.filter((p) => p.id === id), maxDepth: 100_000, maxFaults, por: true };
      const worlds = worldCacheFor(options.scenario, 1);
      const r = explorePerProperty(options, worlds);
      const { space } = spaceFor(options, worlds);
      for (const v of r.violations) {
        expect(v.edges).toHaveLength(v.depth);
        let state = initialState(space, v.start).state;
        let last: Successor | undefined;
        for (const edge of v.edges) {
          last = successors(space, state).find((s) => JSON.stringify(s.edge) === JSON.stringify(edge));
          expect(last, `${design} ${v.property}: every edge is a move of the state before it`).toBeDefined();
          state = last!.state;
        }
        expect(last!.violations?.map((x) => x.property)).toContain(v.property);
      }
    }
  });
});
