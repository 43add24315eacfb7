/**
 * Partial-order reduction (docs/explorer.md, "Partial-order reduction"): on every profile of
 * the explorer manifest, both designs, the same verdicts with and without it, shortest
 * counterexamples at most two moves longer with it (the unreduced shortest still there
 * without it), counterexamples that replay, and the reduction only where it may apply.
 */
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { enabledMoves, nextEventTime } from '../../src/engine/world.js';
import { counterexampleScenario, explore, initialState, spaceFor } from '../../src/explorer/explore.js';
import { successors } from '../../src/explorer/successors.js';
import type { ExplorerState } from '../../src/explorer/codec.js';
import { manifestCases as cases, depthsOf as depths, profileOptions as options } from './manifestCases.js';

describe.each(cases)('$profile, $design: with and without partial-order reduction', ({ profile, design, expected }) => {
  const opts = options(profile, design);
  const full = explore({ ...opts, por: false });
  const reduced = explore({ ...opts, por: true });

  it('the same verdicts: violated, witnessed, every other property holds', () => {
    expect(full.exhausted && reduced.exhausted).toBe(true);
    expect(Object.keys(depths(reduced)).sort()).toEqual(Object.keys(depths(full)).sort());
    expect([...reduced.witnessed].sort()).toEqual([...full.witnessed].sort());
  });

  it('shortest counterexamples at most two moves longer with it; without it (--no-por) the unreduced shortest', () => {
    expect(depths(full)).toEqual(expected.violated);
    for (const [property, moves] of Object.entries(depths(full))) {
      const withPor = depths(reduced)[property]!;
      expect(withPor, property).toBeGreaterThanOrEqual(moves);
      expect(withPor, property).toBeLessThanOrEqual(moves + 2);
    }
  });

  it('visits fewer states, and counterexamples found with it replay to the same violation', () => {
    expect(reduced.states).toBeLessThan(full.states);
    const o = { ...opts, por: true };
    const { space } = spaceFor(o);
    for (const v of reduced.violations) {
      expect(v.edges).toHaveLength(v.depth);
      const scenario = counterexampleScenario(space, v, `${design}-${v.property}`);
      const run = evaluate(scenario, PROPERTIES.filter((p) => p.id === v.property));
      expect(run.verdicts.get(v.property)?.violation, `${v.property} replays`).not.toBeNull();
      expect(run.movesToViolation.get(v.property)).toBe(v.depth);
    }
  });
});

describe('where the reduction applies', () => {
  it('never where a fault is offered, never for an event due at a node where another is due; otherwise one event, with every choice of its step', () => {
    const opts = { ...options('small', 'prior-art'), por: true };
    const { space: reducedSpace } = spaceFor(opts);
    const { space: fullSpace } = spaceFor({ ...opts, por: false });
    const nodeOf = (s: ExplorerState, m: ReturnType<typeof enabledMoves>[number]): string =>
      m.kind === 'deliver' ? s.world.inFlight.find((x) => x.id === m.id)!.to : s.world.timers.find((x) => x.id === (m as { id: number }).id)!.actor.split('/')[0]!;
    let level: ExplorerState[] = [initialState(reducedSpace).state];
    const seen = new Set<string>();
    let reducedStates = 0;
    let sameNodeStates = 0;
    for (let depth = 0; depth < 60 && level.length > 0; depth++) {
      const next: ExplorerState[] = [];
      for (const s of level) {
        const mine = successors(reducedSpace, s);
        const all = successors(fullSpace, s);
        const due = nextEventTime(s.world);
        const faultsOffered = s.faults < opts.maxFaults && due !== Infinity && (!s.busyInstant || due > s.world.now);
        const nodes = enabledMoves(s.world).map((m) => nodeOf(s, m));
        const sameNode = new Set(nodes).size < nodes.length;
        if (mine.length < all.length) {
          reducedStates++;
          expect(faultsOffered).toBe(false);
          // One event: every successor kept is an event move with one signature...
          const signatures = new Set(mine.map((x) => (x.edge.kind === 'event' ? x.edge.signature : 'fault')));
          expect(signatures.size).toBe(1);
          // ... at a node where no other event is due now.
          const sig = [...signatures][0]!;
          const head = sig.slice(1).split(':')[0]!;
          const node = sig.startsWith('d') ? head.split('>')[1]! : head.split('/')[0]!;
          expect(nodes.filter((n) => n === node)).toHaveLength(1);
        } else expect(mine).toHaveLength(all.length);
        if (sameNode && !faultsOffered) sameNodeStates++;
        for (const x of mine) {
          const key = reducedSpace.fingerprint(x.state.world, x.state.monitors, x.state.faults, x.state.busyInstant);
          if (seen.has(key)) continue;
          seen.add(key);
          next.push(x.state);
        }
      }
      level = next;
    }
    // The test saw both: states it reduced, and states with two events due at one node.
    expect(reducedStates).toBeGreaterThan(0);
    expect(sameNodeStates).toBeGreaterThan(0);
  });
});
