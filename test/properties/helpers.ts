/**
 * Drivers for property tests: a property's verdict on one scenario (through `evaluate`),
 * and, for properties that no model variant violates, a real run recorded as the
 * Observations its monitors saw, which a test alters in one place and feeds to the
 * monitor again (initMonitor / stepMonitor / finishMonitor, as evaluate does).
 */
import { expect } from 'vitest';
import { builtinScenario } from '../../src/config/builtins.js';
import type { Scenario } from '../../src/config/types.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { finishMonitor, initMonitor, stepMonitor, type AnyProperty, type Observation, type Verdict } from '../../src/checker/property.js';
import type { Message } from '../../models/protocol.js';
import { buildSystem, type System } from '../../src/engine/system.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import type { World } from '../../src/engine/world.js';
import { runScenario } from '../../src/sim/simulate.js';

export { scenario } from '../engine/helpers.js';

/** A built-in scenario (src/config/builtins.ts) under a design. */
export function builtin(name: string, design = 'patent'): Scenario {
  const s = builtinScenario(name, design);
  if (!s) throw new Error(`no built-in scenario ${name}`);
  return s;
}

/** One property's verdict on one run. */
export function verdictOn(s: Scenario, property: AnyProperty): Verdict {
  const v = evaluate(s, [property]).verdicts.get(property.id);
  if (!v) throw new Error(`no verdict for ${property.id}`);
  return v;
}

/** Fail with the violation in the message, so that a false alarm explains itself. */
export function expectHolds(v: Verdict, what = ''): void {
  expect(v.violation, `${what} ${v.violation ? `violated at ${v.violation.t} ms: ${v.violation.message}` : ''}`).toBeNull();
}

export function expectViolated(v: Verdict): NonNullable<Verdict['violation']> {
  expect(v.violation, 'expected a violation').not.toBeNull();
  return v.violation!;
}

// ---- Recorded runs, fed to a monitor by hand -----------------------------------------

export interface Recorded {
  scenario: Scenario;
  sys: System;
  /** What a monitor saw after each step, in order (the first one has no previous world). */
  observations: Observation[];
  /** The world at the end of the run. */
  end: World;
}

export function record(s: Scenario): Recorded {
  const sys = buildSystem(s.design, s.config, s.workload);
  const observations: Observation[] = [];
  const run = runScenario(s, {
    system: sys,
    observe: (prev, world, events, move) => observations.push({ scenario: s, sys, prev, world, events, move }),
  });
  return { scenario: s, sys, observations, end: run.world };
}

/** Runs a property's monitor over observations (the recorded ones unless given), as evaluate does. */
export function monitor(property: AnyProperty, rec: Recorded, observations: readonly Observation[] = rec.observations): Verdict {
  let state = initMonitor(property, rec.scenario, rec.sys);
  for (const obs of observations) state = stepMonitor(property, state, obs);
  return finishMonitor(property, state, rec.end, rec.scenario).verdict;
}

/** The index of the first observation that matches (from `from` on); throws if none does. */
export function findStep(rec: Recorded, pred: (obs: Observation) => boolean, from = 0): number {
  for (let i = from; i < rec.observations.length; i++) if (pred(rec.observations[i]!)) return i;
  throw new Error('no step of the recorded run matches');
}

/** The observations with the one at `i` replaced. */
export function replaceAt(rec: Recorded, i: number, obs: Observation): Observation[] {
  return rec.observations.map((o, j) => (j === i ? obs : o));
}

/** The observations with `alter` applied to each of those that match. */
export function replaceWhere(rec: Recorded, pred: (obs: Observation) => boolean, alter: (obs: Observation) => Observation): Observation[] {
  return rec.observations.map((o) => (pred(o) ? alter(o) : o));
}

/** The deliver event of a step, if it delivered something. */
export function deliverEvent(obs: Observation): Extract<TraceEvent, { event: 'deliver' }> | null {
  for (const e of obs.events) if (e.event === 'deliver') return e;
  return null;
}

/** Does this step deliver a message from `from` to `to` that matches? */
export function delivers(obs: Observation, from: string | null, to: string, msg: (m: Message) => boolean = () => true): boolean {
  const e = deliverEvent(obs);
  return e !== null && (from === null || e.from === from) && e.to === to && msg(e.msg);
}

/** The step with the message it delivered altered, both in flight (in `prev`) and in its deliver event. */
export function alterDelivered(obs: Observation, alter: (m: Message) => Message): Observation {
  const e = deliverEvent(obs);
  if (!e || !obs.prev) throw new Error('this step delivers nothing');
  const prev: World = { ...obs.prev, inFlight: obs.prev.inFlight.map((m) => (m.id === e.id ? { ...m, msg: alter(m.msg) } : m)) };
  const events = obs.events.map((x) => (x === e ? { ...e, msg: alter(e.msg) } : x));
  return { ...obs, prev, events };
}

/** The step with one trace event altered. */
export function alterEvent(obs: Observation, pred: (e: TraceEvent) => boolean, alter: (e: TraceEvent) => TraceEvent): Observation {
  let hit = false;
  const events = obs.events.map((e) => {
    if (hit || !pred(e)) return e;
    hit = true;
    return alter(e);
  });
  if (!hit) throw new Error('no such event in this step');
  return { ...obs, events };
}

/** A world in which one actor's statechart context is altered (its snapshot key follows). */
export function withContext(world: World, actor: string, alter: (ctx: Record<string, unknown>) => Record<string, unknown>): World {
  const snap = world.actors[actor];
  if (!snap) throw new Error(`no actor ${actor}`);
  const context = alter(snap.xs.context as Record<string, unknown>);
  const xs = { ...snap.xs, context } as typeof snap.xs;
  return { ...world, actors: { ...world.actors, [actor]: { ...snap, xs, key: JSON.stringify([snap.xs.value, context]) } } };
}
