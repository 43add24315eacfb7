/**
 * Every property declares the step facts it reads (`observes`, src/checker/property.ts), and
 * the checker and the explorer call its monitor only on steps that carry one of them: a
 * monitor wrapped to record its calls is called on exactly the steps that carry a declared
 * fact, and the same property called on every step (EVERY_FACT) gives the same verdicts,
 * exercise counts and moves to a violation, on the built-in scenarios, on generated runs
 * (patent and extended fault models), and the same states, transitions and violations in
 * the explorer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_PROPERTIES, PROPERTIES } from '../../properties/index.js';
import { runSpecArbitrary, toScenario } from '../../src/checker/arbitraries.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { EVERY_FACT, observesStep, on, type AnyProperty, type Fact, type Observation } from '../../src/checker/property.js';
import { actorNode } from '../../src/engine/world.js';
import { BUILTIN_NAMES, builtinScenario } from '../../src/config/builtins.js';
import type { Scenario } from '../../src/config/types.js';
import { explore } from '../../src/explorer/explore.js';
import { profileSpace } from '../../src/explorer/profiles.js';
import { record } from './helpers.js';

/** The same property, called on every step. */
const everyStep = (p: AnyProperty): AnyProperty => ({ ...p, observes: EVERY_FACT });

/** The same property, its monitor's calls recorded in `calls`. */
function counted(p: AnyProperty, calls: Observation[]): AnyProperty {
  return { ...p, step: (data, obs, report) => (calls.push(obs), p.step(data, obs, report)) };
}

function sameOutcome(scenario: Scenario, properties: readonly AnyProperty[]): void {
  const declared = evaluate(scenario, properties);
  const every = evaluate(scenario, properties.map(everyStep));
  for (const p of properties) {
    const what = `${scenario.name} (${scenario.design}) ${p.id}`;
    expect(declared.verdicts.get(p.id), what).toEqual(every.verdicts.get(p.id));
    expect(declared.exercised.get(p.id), what).toBe(every.exercised.get(p.id));
    expect(declared.movesToViolation.get(p.id), what).toBe(every.movesToViolation.get(p.id));
  }
}

describe('a monitor sees only the steps it observes', () => {
  it('every property declares what it observes', () => {
    for (const p of ALL_PROPERTIES) expect(p.observes.length, p.id).toBeGreaterThan(0);
  });

  it.each(['normal', 'fp-crash-reverse-only', 'reverse-link-down', 'vgw-down'])('is called on exactly the steps that carry a declared fact (%s)', (name) => {
    const scenario = builtinScenario(name, 'patent')!;
    const rec = record(scenario);
    let skipped = 0;
    for (const p of ALL_PROPERTIES) {
      const calls: Observation[] = [];
      evaluate(scenario, [counted(p, calls)]);
      const carrying = rec.observations.filter((o) => observesStep(p, o)).length;
      expect(calls.length, p.id).toBe(carrying);
      for (const o of calls) expect(observesStep(p, o), p.id).toBe(true);
      skipped += rec.observations.length - calls.length;
    }
    // Not a vacuous filter: most properties skip most steps.
    expect(skipped).toBeGreaterThan((ALL_PROPERTIES.length * rec.observations.length) / 2);
  });

  it('a step carries a fact exactly when its events and worlds say so', () => {
    const kind = (o: Observation, node: string | null) => (node === null ? undefined : o.sys.nodes[node]?.kind);
    const changedKinds = (o: Observation) => {
      const keys = new Set([...Object.keys(o.world.actors), ...Object.keys(o.prev?.actors ?? {})]);
      return [...keys].filter((k) => o.prev?.actors[k] !== o.world.actors[k]).map((k) => kind(o, actorNode(k)));
    };
    const naive: [Fact, (o: Observation) => boolean][] = [
      [on.deliveries('data', 'lvs'), (o) => o.events.some((e) => e.event === 'deliver' && e.msg.type === 'data' && kind(o, e.to) === 'lvs')],
      [on.deliveries('offload'), (o) => o.events.some((e) => e.event === 'deliver' && e.msg.type === 'offload')],
      [on.deliveries(undefined, 'client'), (o) => o.events.some((e) => e.event === 'deliver' && kind(o, e.to) === 'client')],
      [on.sends('data', 'fp'), (o) => o.events.some((e) => (e.event === 'send' || (e.event === 'drop' && e.stage === 'send')) && e.msg?.type === 'data' && kind(o, e.from) === 'fp')],
      [on.drops(), (o) => o.events.some((e) => e.event === 'drop')],
      [on.faults(), (o) => o.events.some((e) => e.event === 'fault')],
      [on.chartChanges('eni'), (o) => changedKinds(o).includes('eni')],
      [on.chartChanges(), (o) => changedKinds(o).length > 0],
      [on.time(), (o) => o.prev !== null && o.world.now > o.prev.now],
      [on.start(), (o) => o.prev === null],
    ];
    const rec = record(builtinScenario('fp-crash-reverse-only', 'patent')!);
    for (const [fact, holds] of naive) {
      let yes = 0;
      for (const o of rec.observations) {
        expect(observesStep({ observes: [fact] }, o), JSON.stringify(fact)).toBe(holds(o));
        if (holds(o)) yes++;
      }
      // Each fact occurs in the run, and not on every step.
      expect(yes, JSON.stringify(fact)).toBeGreaterThan(0);
      expect(yes, JSON.stringify(fact)).toBeLessThan(rec.observations.length);
    }
    // A kind no node has (only untyped code can name one) is carried by no step.
    const unknown = [{ fact: 'deliver', to: 'gateway' }, { fact: 'send', from: 'gateway' }] as unknown as Fact[];
    for (const o of rec.observations) expect(observesStep({ observes: unknown }, o)).toBe(false);
  });

  it('a step without the fact is not shown to the monitor (a property observing faults only, on a run without faults)', () => {
    const calls: Observation[] = [];
    const onlyFaults = counted({ ...PROPERTIES[0]!, observes: [{ fact: 'fault' }] }, calls);
    const r = evaluate(builtinScenario('normal', 'patent')!, [onlyFaults]);
    expect(r.steps).toBeGreaterThan(0);
    expect(calls).toHaveLength(0);
  });

  it.each(BUILTIN_NAMES.flatMap((name) => [[name, 'patent'], [name, 'prior-art']] as const))(
    'gives the verdicts it gives on every step on %s (%s)',
    (name, design) => sameOutcome(builtinScenario(name, design)!, ALL_PROPERTIES),
  );

  it('gives the same verdicts on generated runs with faults, patent and extended fault models', () => {
    let violated = 0;
    for (const faultModel of ['patent', 'extended'] as const) {
      const specs = fc.sample(runSpecArbitrary({ maxFaults: 2, faultModel }), { seed: 7, numRuns: 15 });
      for (const spec of specs) {
        for (const design of ['patent', 'prior-art'] as const) {
          const scenario = toScenario(spec, design);
          sameOutcome(scenario, ALL_PROPERTIES);
          const r = evaluate(scenario, ALL_PROPERTIES);
          for (const v of r.verdicts.values()) if (v.violation) violated++;
        }
      }
    }
    // The comparison covered violations too.
    expect(violated).toBeGreaterThan(0);
  });

  it('reaches the same states, transitions and violations in the explorer', () => {
    for (const design of ['patent', 'prior-art']) {
      const run = (properties: readonly AnyProperty[]) => explore({ ...profileSpace('small', design), properties, maxDepth: 100_000 });
      const a = run(PROPERTIES);
      const b = run(PROPERTIES.map(everyStep));
      expect({ states: a.states, transitions: a.transitions }).toEqual({ states: b.states, transitions: b.transitions });
      const found = (r: typeof a) => r.violations.map((v) => [v.property, v.depth, v.violation.message]);
      expect(found(a), design).toEqual(found(b));
      expect(a.witnessed, design).toEqual(b.witnessed);
    }
  });

  it('is called by the explorer only on moves that carry a declared fact', () => {
    const calls = PROPERTIES.map(() => [] as Observation[]);
    const r = explore({ ...profileSpace('small', 'prior-art'), properties: PROPERTIES.map((p, i) => counted(p, calls[i]!)), maxDepth: 100_000 });
    expect(r.states).toBeGreaterThan(1000);
    PROPERTIES.forEach((p, i) => {
      expect(calls[i]!.length, p.id).toBeGreaterThan(0);
      expect(calls[i]!.filter((o) => !observesStep(p, o)), p.id).toEqual([]);
    });
  });
});
