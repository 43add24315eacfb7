/**
 * Folds (docs/explorer.md, "Folds"): the key leaves out what the properties' declarations
 * say nothing can read any more. On every profile of the explorer manifest, both designs,
 * and on `small` with more faults, the same verdicts and the same shortest counterexamples
 * with and without them (ExploreOptions.folds, `--no-folds`), in no more states; and a
 * timer set beyond reach (the relay-timer-never-fires mutant) no longer keeps the search
 * from exhausting.
 */
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { counterexampleScenario, explore, spaceFor } from '../../src/explorer/explore.js';
import { FAR_MS, farTimerTimes, messageRanker, splitterFor } from '../../src/explorer/codec.js';
import type { World } from '../../src/engine/world.js';
import { setup } from 'xstate';
import { monitorRunner } from '../../src/checker/chartMonitor.js';
import type { AnyProperty } from '../../src/checker/property.js';
import { manifestCases as cases, depthsOf as depths, profileOptions as options } from './manifestCases.js';

describe.each(cases)('$profile, $design: with and without folds', ({ profile, design, expected }) => {
  const opts = options(profile, design);
  const unfolded = explore({ ...opts, folds: false });
  const folded = explore({ ...opts, folds: true });

  it('the same verdicts and shortest counterexamples, in no more states; the manifest records the unfolded figures', () => {
    expect(unfolded.exhausted && folded.exhausted).toBe(true);
    expect(depths(folded)).toEqual(depths(unfolded));
    expect([...folded.witnessed].sort()).toEqual([...unfolded.witnessed].sort());
    expect(folded.states).toBeLessThanOrEqual(unfolded.states);
    expect(expected.unfolded, `${profile} ${design}: the manifest records unfolded`).toEqual({
      states: unfolded.states,
      transitions: unfolded.transitions,
      violated: depths(unfolded),
    });
  });

  it('counterexamples found with folds replay to the same violation', () => {
    const { space } = spaceFor({ ...opts, folds: true });
    for (const v of folded.violations) {
      const scenario = counterexampleScenario(space, v, `${design}-${v.property}`);
      const run = evaluate(scenario, PROPERTIES.filter((p) => p.id === v.property));
      expect(run.verdicts.get(v.property)?.violation, `${v.property} replays`).not.toBeNull();
      expect(run.movesToViolation.get(v.property)).toBe(v.depth);
    }
  });
});

describe.each(['patent', 'prior-art'])('small, %s, 2 faults, partial-order reduction: with and without folds', (design) => {
  it('the same verdicts and shortest counterexamples, in fewer states', () => {
    const opts = { ...options('small', design, 2), por: true };
    const unfolded = explore({ ...opts, folds: false });
    const folded = explore({ ...opts, folds: true });
    expect(unfolded.exhausted && folded.exhausted).toBe(true);
    expect(depths(folded)).toEqual(depths(unfolded));
    expect([...folded.witnessed].sort()).toEqual([...unfolded.witnessed].sort());
    expect(folded.states).toBeLessThan(unfolded.states);
  });
});

describe('a timer beyond reach (relay-timer-never-fires: 2^40 ms)', () => {
  const opts = options('small', 'relay-timer-never-fires');
  const folded = explore({ ...opts, folds: true });

  it('exhausts with folds and without, with the same shortest counterexamples', () => {
    // The world keeps no timer armed for never (NEVER_MS, world.ts), so the mutant's 2^40 ms
    // relay timer is gone either way; the fold keys the far timers the world keeps (below).
    expect(folded.exhausted).toBe(true);
    const unfolded = explore({ ...opts, folds: false });
    expect(unfolded.exhausted).toBe(true);
    expect(depths(folded)).toEqual(depths(unfolded));
    expect(Object.keys(depths(folded)).sort()).toEqual(['L1', 'L2']);
  });

  it('keys a far timer from the nearest far one, and refuses one nearer than twice the bound', () => {
    const timer = (id: number, at: number) => ({ id, at, actor: 'lvs', name: 'relay', event: { type: 'x' } });
    const world = (now: number, ats: number[]) => ({ now, timers: ats.map((at, k) => timer(k, at)) }) as unknown as World;
    expect(farTimerTimes(world(10, [20, 30]))).toBeNull();
    expect(farTimerTimes(world(10, [20, 10 + 2 ** 40, 15 + 2 ** 40]))).toEqual([10, FAR_MS, FAR_MS + 5]);
    expect(farTimerTimes(world(10 + 2 ** 39, [20 + 2 ** 39, 10 + 2 ** 40]))).toEqual([10, FAR_MS]);
    expect(() => farTimerTimes(world(0, [FAR_MS + 1]))).toThrow(/--no-folds/);
  });
});

describe("a time compared only with messages' send times", () => {
  it('is keyed by how many of the send times in flight, and now, are later than it', () => {
    const rank = messageRanker();
    const msg = (sentAt: number, originAt: number) => ({ sentAt, originAt });
    const world = { now: 20, inFlight: [msg(18, 12), msg(19, 19)], timers: [] } as unknown as World;
    // Times in flight 12, 18, 19 and now 20: later than 20: none; than 19: one; than 15: two (18, 19) and now.
    expect(rank(world, 20) - rank(world, 20)).toBe(0);
    expect([20, 19, 18, 15, 13, 12, 5].map((t) => rank(world, t) - rank(world, 20))).toEqual([0, 1, 2, 3, 3, 3, 4]);
  });
});

describe('declarations', () => {
  it('a chart whose reads name a state it does not have is refused', () => {
    const l1 = PROPERTIES.find((p) => p.id === 'L1')!;
    const typo = { ...l1, chart: { ...l1.chart!, reads: { ...l1.chart!.reads, awaitng: [] } } };
    expect(() => splitterFor(typo, options('small', 'patent').scenario)).toThrow(/awaitng/);
    expect(() => splitterFor(l1, options('small', 'patent').scenario)).not.toThrow();
  });

  it("a chart state named like an object's member reads as undeclared: every field kept", () => {
    const machine = setup({}).createMachine({ id: 'odd', initial: 'toString', context: { kept: 1 }, states: { toString: { on: { go: 'idle' } }, idle: {} } });
    const odd = { id: 'X1', chart: { machine, times: [], reads: { idle: [] } } } as unknown as AnyProperty;
    const snap = monitorRunner(machine).initial(undefined).snap;
    const key = splitterFor(odd, options('small', 'patent').scenario)({ instances: { f1: { snap, origin: 0, timers: [] } } });
    expect(JSON.stringify(key)).toContain('kept');
  });
});
