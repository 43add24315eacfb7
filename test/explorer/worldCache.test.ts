/**
 * The cache of world moves and monitor steps (src/explorer/worldCache.ts) is an
 * optimisation only: a cache that starts afresh all the time gives the same exploration;
 * monitor states with one identity are one object, and states whose identity hashes
 * collide but differ stay apart.
 */
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import type { MonitorState } from '../../src/checker/property.js';
import { explorePerProperty, worldCacheFor } from '../../src/explorer/explore.js';
import { loadExplorerManifest } from '../../src/cli/exploreManifest.js';
import { profileSpace } from '../../src/explorer/profiles.js';
import { LEAN_WORLDS, WorldCache } from '../../src/explorer/worldCache.js';
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

  it('keeps the moves of at most LEAN_WORLDS worlds when lean: one node per world while it lasts, afresh past the bound', () => {
    // Worlds told apart by their time alone: the key is the caller's.
    const cache = new WorldCache((w) => w.now, 500_000, 0.6, true);
    const world = (now: number) => ({ now }) as unknown as World;
    const first = cache.node(world(0));
    expect(cache.node(world(0))).toBe(first);
    for (let t = 1; t < LEAN_WORLDS; t++) cache.node(world(t));
    expect(cache.node(world(0))).toBe(first);
    cache.node(world(LEAN_WORLDS));
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
