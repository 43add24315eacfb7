/**
 * Symmetry reduction (docs/explorer.md, "Symmetry reduction"): on every profile of the
 * explorer manifest, both designs, the same verdicts and shortest counterexamples with and
 * without it, with and without partial-order reduction; on three-paths fewer states, as the
 * manifest records (at least 3x fewer, from every ECMP member order); counterexamples found
 * with it replay as real runs. Soundness, state by state: in the whole reachable graph of
 * each space, the states the reduction merges have the same successors up to the reduction
 * (the partition is a bisimulation). From one fixed ECMP order the hash tells the fast paths
 * apart, and without the pinning it is not.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { DEFAULT_CONFIG, DEFAULT_WORKLOAD } from '../../src/config/defaults.js';
import { buildSystem } from '../../src/engine/system.js';
import { explore, horizonFor, initialState, counterexampleScenario, spaceFor, type ExploreOptions } from '../../src/explorer/explore.js';
import { successors } from '../../src/explorer/successors.js';
import { ecmpPick } from '../../models/eni.js';
import { main } from '../../src/cli/main.js';
import { bufferIo } from '../../src/cli/io.js';
import { parseExplorerManifest } from '../../src/explorer/manifest.js';
import { faultMenu, profileSymmetry } from '../../src/explorer/profiles.js';
import { makeSymmetry, reorderMembers, symmetricKeyMaker, symmetryProblem, type SymmetryGroups } from '../../src/explorer/symmetry.js';
import type { ExplorerState, KeyMaker } from '../../src/explorer/codec.js';
import { EXPLORER_MANIFEST, manifestCases as cases, depthsOf as depths, profileOptions as options } from './manifestCases.js';

/** The profile's groups, or (no groups of its own) all its fast paths: the reduction must not change a thing there. */
function groupsFor(profile: string, fastPaths: number): SymmetryGroups {
  const own = profileSymmetry(profile);
  return own.length > 0 ? own : [Array.from({ length: fastPaths }, (_, i) => `fp${i + 1}`)];
}

describe.each(cases)('$profile, $design: with and without symmetry reduction', ({ profile, design, expected }) => {
  const opts = options(profile, design);
  const symmetry = groupsFor(profile, opts.scenario.config.fastPaths);
  const runs = [false, true].map((por) => ({
    por,
    full: explore({ ...opts, por }),
    reduced: explore({ ...opts, por, symmetry }),
  }));

  it('the same verdicts and the same shortest counterexamples, with and without partial-order reduction', () => {
    for (const { full, reduced } of runs) {
      expect(full.exhausted && reduced.exhausted).toBe(true);
      expect(depths(reduced)).toEqual(depths(full));
      expect([...reduced.witnessed].sort()).toEqual([...full.witnessed].sort());
      expect(reduced.states).toBeLessThanOrEqual(full.states);
      // From every ECMP order, which fast path carries a flow is symmetric: the issue's 3x at least.
      if (opts.ecmpOrders === 'all') expect(full.states).toBeGreaterThanOrEqual(3 * reduced.states);
    }
  });

  it('the figures the manifest records (symmetry, symmetry.por), or none changed where the profile has no groups', () => {
    const [plain, por] = runs;
    if (expected.symmetry) {
      expect({ states: plain!.reduced.states, transitions: plain!.reduced.transitions, violated: depths(plain!.reduced) }).toEqual({
        states: expected.symmetry.states,
        transitions: expected.symmetry.transitions,
        violated: expected.symmetry.violated,
      });
      expect({ states: por!.reduced.states, transitions: por!.reduced.transitions, violated: depths(por!.reduced) }).toEqual(expected.symmetry.por);
    } else {
      // Two fast paths: the hash pins the flow's member, no other fast path is left to permute with.
      expect(plain!.reduced.states).toBe(expected.states);
      expect(por!.reduced.states).toBe(expected.por!.states);
    }
  });

  it('counterexamples found with it replay as real runs, to the same violation at the same move', () => {
    for (const por of [false, true]) {
      const o = { ...opts, por, symmetry };
      const r = runs.find((x) => x.por === por)!.reduced;
      const { space } = spaceFor(o);
      for (const v of r.violations) {
        expect(v.edges).toHaveLength(v.depth);
        const scenario = counterexampleScenario(space, v, `${design}-${v.property}`);
        const run = evaluate(scenario, PROPERTIES.filter((p) => p.id === v.property));
        expect(run.verdicts.get(v.property)?.violation, `${v.property} replays`).not.toBeNull();
        expect(run.movesToViolation.get(v.property)).toBe(v.depth);
      }
    }
  });
});

/**
 * Every reachable state of a space (no reduction), each with its successors; classes of
 * states by `canonical`, and those whose members do not all have the same successors up to
 * `canonical` (with the same violations on the way): a reduction is sound when there are none.
 */
function unstableClasses(
  o: ExploreOptions,
  canonical: KeyMaker,
): { reachable: number; classes: number; unstable: ExplorerState[][]; merged: ExplorerState[][] } {
  const { space, keys: exact } = spaceFor({ ...o, symmetry: [] });
  const key = (k: KeyMaker, s: ExplorerState) => k.fingerprint(s).join(':');
  // Every initial state (one per ECMP order where the space starts from all of them).
  const roots = space.starts.map((_, k) => initialState(space, k).state);
  const seen = new Set(roots.map((r) => key(exact, r)));
  const classes = new Map<string, Map<string, { next: string; state: ExplorerState }>>();
  let frontier = roots;
  while (frontier.length > 0) {
    const next: ExplorerState[] = [];
    for (const s of frontier) {
      const succ = successors(space, s);
      const after = [...new Set(succ.map((c) => `${key(canonical, c.state)}${(c.violations ?? []).map((v) => `!${v.property}`).join('')}`))].sort().join(',');
      const c = key(canonical, s);
      let members = classes.get(c);
      if (!members) classes.set(c, (members = new Map()));
      members.set(key(exact, s), { next: after, state: s });
      for (const x of succ) {
        const k = key(exact, x.state);
        if (seen.has(k)) continue;
        seen.add(k);
        next.push(x.state);
      }
    }
    frontier = next;
  }
  const unstable = [...classes.values()]
    .filter((members) => new Set([...members.values()].map((m) => m.next)).size > 1)
    .map((members) => [...members.values()].map((m) => m.state));
  const merged = [...classes.values()].filter((members) => members.size > 1).map((members) => [...members.values()].map((m) => m.state));
  return { reachable: seen.size, classes: classes.size, unstable, merged };
}

/** The reduced keys; pinned as the explorer pins them unless told (no pinning when every ECMP order is explored). */
function canonicalKeys(o: ExploreOptions, groups: SymmetryGroups, pinByHash = o.ecmpOrders !== 'all'): KeyMaker {
  const { sys, keys } = spaceFor({ ...o, symmetry: [] });
  return symmetricKeyMaker(sys, keys, makeSymmetry(sys, groups), o.properties, horizonFor(o.scenario), { pinByHash });
}

describe.each(cases)('$profile, $design: the states symmetry reduction merges are bisimilar', ({ profile, design }) => {
  it('in the whole reachable graph, every class of merged states has one set of successor classes', () => {
    const o = options(profile, design);
    const groups = groupsFor(profile, o.scenario.config.fastPaths);
    const r = unstableClasses(o, canonicalKeys(o, groups));
    expect(r.unstable).toEqual([]);
    // Every state is one reduced state: the manifest's count without the reduction, the reduced one with it.
    expect(r.reachable).toBe(EXPLORER_MANIFEST[profile]![design]!.states);
    expect(r.classes).toBe(EXPLORER_MANIFEST[profile]![design]!.symmetry?.states ?? r.reachable);
  });
});

/** three-paths from one fixed ECMP order (the configured one), as it was explored before every order was. */
function oneOrder(design: string): ExploreOptions {
  const { ecmpOrders: _every, ...o } = options('three-paths', design);
  return o;
}

describe('what the ECMP hash allows on three-paths from one fixed order', () => {
  const fp = (n: number) => `10.1.0.${n}`;

  it('the hash picks the last live member for f1, whatever the live list: the flow is on fp3 until fp3 fails', () => {
    expect(ecmpPick('f1', [fp(1), fp(2), fp(3)])).toBe(fp(3));
    expect(ecmpPick('f1', [fp(1), fp(2)])).toBe(fp(2));
    expect(ecmpPick('f1', [fp(1), fp(3)])).toBe(fp(3));
    // So no permutation of the fast paths commutes with the pick over every live list of one order...
    // ... unless the order is renamed with them: the last member of the order, whichever it is.
    expect(ecmpPick('f1', [fp(1), fp(2), fp(3)], [fp(3), fp(1), fp(2)])).toBe(fp(2));
    expect(ecmpPick('f1', [fp(1), fp(2)], [fp(2), fp(1), fp(3)])).toBe(fp(1));
  });

  it('without pinning the members the hash tells apart, states are merged that are not bisimilar (a crash before the first pick)', () => {
    const o = oneOrder('patent');
    const r = unstableClasses(o, canonicalKeys(o, [['fp1', 'fp2', 'fp3']], false));
    expect(r.unstable.length).toBeGreaterThan(0);
    // Those are states before the flow's first packet: the ENI has no member for f1 yet, and one fast path is down.
    for (const members of r.unstable) {
      for (const s of members) {
        expect((s.world.actors.eni!.xs.context as { flows: Record<string, string> }).flows).toEqual({});
        expect(Object.keys(s.world.down)).toHaveLength(1);
      }
    }
  });

  it.each(['patent', 'prior-art'])('%s: every merge is of a state after a crash of idle fp1 with its mirror image after a crash of idle fp2: under 2x', (design) => {
    const o = oneOrder(design);
    const r = unstableClasses(o, canonicalKeys(o, [['fp1', 'fp2', 'fp3']]));
    expect(r.unstable).toEqual([]);
    expect(r.merged.length).toBeGreaterThan(0);
    for (const members of r.merged) {
      expect(members.map((s) => Object.keys(s.world.down).join()).sort()).toEqual(['fp1', 'fp2']);
      for (const s of members) expect((s.world.actors.eni!.xs.context as { flows: Record<string, string> }).flows).toEqual({ f1: fp(3) });
    }
    // So the reduction is at most the states after a crash of fp2: the fault-free states and those after
    // a crash of fp3 (the flow's member) are fixed by every permutation that keeps fp3 in place.
    const afterIdleCrash = r.merged.length;
    expect(r.reachable - r.classes).toBe(afterIdleCrash);
    expect(r.reachable / r.classes).toBeLessThan(2);
    // One order's whole space is as large as every order's reduced one: the reduction explores all six for the price of one.
    expect(r.reachable).toBe(EXPLORER_MANIFEST['three-paths']![design]!.symmetry!.states);
  });
});

describe('three-paths from every ECMP order', () => {
  it('starts from six initial states, one per order, which symmetry makes one', () => {
    const o = options('three-paths', 'patent');
    expect(o.ecmpOrders).toBe('all');
    const { space, keys } = spaceFor(o);
    expect(space.starts.map((s) => s.ecmpOrder)).toEqual([
      [1, 2, 3],
      [1, 3, 2],
      [2, 1, 3],
      [2, 3, 1],
      [3, 1, 2],
      [3, 2, 1],
    ]);
    const roots = space.starts.map((_, k) => initialState(space, k).state);
    expect(new Set(roots.map((r) => keys.key(r))).size).toBe(6);
    const reduced = canonicalKeys(o, profileSymmetry('three-paths'));
    expect(new Set(roots.map((r) => reduced.key(r))).size).toBe(1);
    expect(explore({ ...o, maxDepth: 0 }).initialStates).toBe(6);
    expect(explore({ ...o, maxDepth: 0, symmetry: profileSymmetry('three-paths') }).initialStates).toBe(1);
  });

  it.each(['patent', 'prior-art'])('%s: symmetry cuts the distinct states by at least 3x, without and with partial-order reduction (the manifest)', (design) => {
    const m = EXPLORER_MANIFEST['three-paths']![design]!;
    expect(m.states / m.symmetry!.states).toBeGreaterThanOrEqual(3);
    expect(m.por!.states / m.symmetry!.por!.states).toBeGreaterThanOrEqual(3);
    expect(m.symmetry!.violated).toEqual(m.violated);
    expect(m.symmetry!.por!.violated).toEqual(m.por!.violated);
  });
});

describe('renaming', () => {
  const config = { ...DEFAULT_CONFIG, fastPaths: 3 };
  const sys = buildSystem('patent', config, DEFAULT_WORKLOAD);
  const sym = makeSymmetry(sys, [['fp1', 'fp2', 'fp3']]);
  const swap12 = sym.renamings.find((r) => r.nodes.get('fp1') === 'fp2' && r.nodes.get('fp2') === 'fp1')!;

  it('renames node ids and every address of a node, standing alone, and nothing else', () => {
    expect(sym.renamings).toHaveLength(6);
    expect(sym.renamings[0]!.identity).toBe(true);
    expect(sym.rename(swap12, 'lvs->fp1,fp2>eni,fp3')).toBe('lvs->fp2,fp1>eni,fp3');
    expect(sym.rename(swap12, '"probe:10.1.0.1" "10.1.2.2" "192.168.1.1" 10.1.0.10 10.1.0.200 f1 fp10')).toBe(
      '"probe:10.1.0.2" "10.1.2.1" "192.168.1.2" 10.1.0.10 10.1.0.200 f1 fp10',
    );
  });

  it("puts a renamed ENI back in its configured member order: slots follow their members, live is re-sorted", () => {
    const original =
      '{"paths":"forwarding","slot1":"down","slot2":"probing","slot3":"up"}|{"members":["10.1.0.1","10.1.0.2","10.1.0.3"],"live":["10.1.0.2","10.1.0.3"],"flows":{"f1":"10.1.0.2"}}';
    const renamed = reorderMembers(sym.rename(swap12, original), original);
    expect(renamed).toBe(
      '{"paths":"forwarding","slot1":"probing","slot2":"down","slot3":"up"}|{"members":["10.1.0.1","10.1.0.2","10.1.0.3"],"live":["10.1.0.1","10.1.0.3"],"flows":{"f1":"10.1.0.1"}}',
    );
  });

  it('refuses groups that are not interchangeable: kinds, unknown nodes, links, the fault menu', () => {
    const menu = faultMenu(['crash'], 3);
    expect(symmetryProblem(sys, [['fp1', 'fp2', 'fp3']], menu)).toBeNull();
    expect(symmetryProblem(sys, [['fp1', 'lvs']], menu)).toMatch(/different kinds/);
    expect(symmetryProblem(sys, [['fp1', 'fp9']], menu)).toMatch(/not a node/);
    expect(symmetryProblem(sys, [['fp1']], menu)).toMatch(/two nodes or more/);
    expect(symmetryProblem(sys, [['fp1', 'fp2', 'fp3']], menu.filter((f) => !('node' in f) || f.node !== 'fp3'))).toMatch(/fault menu/);
    const slow = buildSystem('patent', { ...config, links: { 'lvs->fp2': { delayMs: [1, 5] } } }, DEFAULT_WORKLOAD);
    expect(symmetryProblem(slow, [['fp1', 'fp2', 'fp3']], menu)).toMatch(/link/);
    expect(symmetryProblem(slow, [['fp1', 'fp3']], menu.filter((f) => !('node' in f) || f.node !== 'fp2'))).toBeNull();
    expect(() => explore({ ...options('three-paths', 'patent'), faultMenu: menu.slice(0, 1), symmetry: [['fp1', 'fp2', 'fp3']] })).toThrow(/no symmetry reduction: the fault menu/);
  });
});

describe('one keying routine', () => {
  it('with no groups (the identity alone) the symmetric key maker keys every state as the base does: the same parts, times and folds', () => {
    // Both key makers share codec.ts's Keying; a part, time or fold written into one path only would tell them apart here.
    const o = { ...options('three-paths', 'patent'), faultMenu: faultMenu(['crash', 'restart'], 3) };
    const { space, keys, sys } = spaceFor({ ...o, symmetry: [] });
    const identity = symmetricKeyMaker(sys, keys, makeSymmetry(sys, []), o.properties, horizonFor(o.scenario), { folds: o.scenario });
    let frontier = [initialState(space).state];
    let compared = 0;
    let faulted = 0;
    for (let depth = 0; depth < 40 && frontier.length > 0; depth++) {
      const next: ExplorerState[] = [];
      for (const s of frontier) {
        expect(identity.fingerprint(s)).toEqual(keys.fingerprint(s));
        expect(identity.key(s)).toBe(keys.key(s));
        compared++;
        if (s.faults > 0) faulted++;
        for (const c of successors(space, s).slice(0, 3)) next.push(c.state);
      }
      frontier = next.slice(0, 40);
    }
    expect(compared).toBeGreaterThan(500);
    expect(faulted).toBeGreaterThan(100);
  });
});

describe('modes of the search', () => {
  it('exact keys and the lean mode reduce alike', () => {
    const o = { ...options('three-paths', 'prior-art'), por: true, symmetry: profileSymmetry('three-paths') };
    const fingerprints = explore(o);
    expect(explore({ ...o, exact: true }).states).toBe(fingerprints.states);
    expect(explore({ ...o, lean: true }).states).toBe(fingerprints.states);
    expect(fingerprints.states).toBe(EXPLORER_MANIFEST['three-paths']!['prior-art']!.symmetry!.por!.states);
  });
});

describe('the manifest and the command', () => {
  it('a malformed symmetry entry in the explorer manifest is an error naming the field', () => {
    const json = { profiles: { 'three-paths': { patent: { states: 1, transitions: 1, depth: 1, violated: {}, perProperty: { states: 1, transitions: 1 }, symmetry: { states: -1, transitions: 1, violated: {} } } } } };
    expect(() => parseExplorerManifest(json, 'm.json', ['three-paths'], ['patent'])).toThrow(/m\.json: profiles\.three-paths\.patent\.symmetry\.states/);
  });

  it("explore: on by default for three-paths' own space, off with --no-symmetry or a space of other flags, and said so", async () => {
    const run = async (args: string[]) => {
      const io = bufferIo(mkdtempSync(join(tmpdir(), 'pvl-sym-')));
      const code = await main(['explore', '--profile', 'three-paths', ...args], io);
      return { code, out: io.stdout() };
    };
    const expected = EXPLORER_MANIFEST['three-paths']!.patent!;
    const on = await run(['--format', 'json']);
    expect(on.code).toBe(0);
    expect(JSON.parse(on.out)).toMatchObject({ initialStates: 1, states: expected.symmetry!.por!.states, asExpected: true, exploration: { symmetry: [['fp1', 'fp2', 'fp3']], ecmpOrders: 'all' } });
    const off = await run(['--no-symmetry', '--format', 'json']);
    expect(off.code).toBe(0);
    expect(JSON.parse(off.out)).toMatchObject({ initialStates: 6, states: expected.por!.states, asExpected: true, exploration: { symmetry: null, ecmpOrders: 'all' } });
    const other = await run(['--max-faults', '1']);
    expect(other.out).toContain("no symmetry (shown sound for the profile's own space and designs only)");
    expect(other.out).toContain(`distinct states  ${expected.por!.states}`);
    const text = (await run([])).out;
    expect(text).toContain('partial-order reduction, symmetry {fp1,fp2,fp3}');
    expect(text).toContain('initial states   1 (of 6 ECMP member orders, one per orbit under symmetry)');
    expect(other.out).toContain('initial states   6 (one per ECMP member order)');
    // A seeded bug is another model: not shown sound there.
    const mutant = await run(['--design', 'eni-never-probes', '--format', 'json']);
    expect(JSON.parse(mutant.out).exploration.symmetry).toBeNull();
  });
});
