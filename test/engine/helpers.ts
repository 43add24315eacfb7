/**
 * Small drivers for engine tests: build a scenario from a partial body, step a world by
 * hand (first enabled move first), and pick trace events by kind.
 */
import { parseScenario } from '../../src/config/scenario.js';
import type { Scenario } from '../../src/config/types.js';
import { SeededChooser, choiceRange, type Choice, type Chooser } from '../../src/engine/chooser.js';
import { buildSystem, type System } from '../../src/engine/system.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { faultMove } from '../../src/sim/simulate.js';
import { createWorld, enabledMoves, nextEventTime, step, type Move, type World } from '../../src/engine/world.js';

/** A scenario from a scenario-file body; `design` defaults to the patent's. */
export function scenario(body: Record<string, unknown> = {}): Scenario {
  return parseScenario({ design: 'patent', ...body });
}

/** Called after every step with the world before it, the world after it and its events. */
export type StepHook = (prev: World, next: World, events: readonly TraceEvent[]) => void;

export interface Run {
  readonly sys: System;
  readonly chooser: Chooser;
  world: World;
  /** Every trace event so far. */
  events: TraceEvent[];
  onStep?: StepHook;
}

export function start(s: Scenario, chooser: Chooser = new SeededChooser(s.seed), onStep?: StepHook): Run {
  const sys = buildSystem(s.design, s.config, s.workload);
  const out = createWorld(sys, chooser);
  return { sys, chooser, world: out.world, events: [...out.events], ...(onStep ? { onStep } : {}) };
}

/** Take one move; returns that step's events. */
export function take(r: Run, move: Move): TraceEvent[] {
  const prev = r.world;
  const out = step(r.sys, prev, move, r.chooser);
  r.world = out.world;
  r.events.push(...out.events);
  r.onStep?.(prev, out.world, out.events);
  return out.events;
}

/** Take every event due before `t`, then advance the clock to `t`. */
export function runBefore(r: Run, t: number): void {
  while (nextEventTime(r.world) < t) take(r, enabledMoves(r.world)[0]!);
  if (r.world.now < t) take(r, { kind: 'advance', to: t });
}

/** A whole scenario, its faults first among events due at the same time, stepped by hand. */
export function play(s: Scenario, chooser: Chooser = new SeededChooser(s.seed), onStep?: StepHook): Run {
  return playOn(start(s, chooser, onStep), s);
}

/** Play a scenario's faults and run to its end on a started run. */
export function playOn(r: Run, s: Scenario): Run {
  for (const f of [...s.faults].sort((a, b) => a.at - b.at)) {
    runBefore(r, f.at);
    take(r, { kind: 'fault', fault: faultMove(f) });
  }
  runUntil(r, s.until);
  return r;
}

/** Take every event due by `t` (first enabled move first), then advance the clock to `t`. */
export function runUntil(r: Run, t: number): void {
  while (nextEventTime(r.world) <= t) take(r, enabledMoves(r.world)[0]!);
  if (r.world.now < t) take(r, { kind: 'advance', to: t });
}

/** Step until `done(world)` holds (at most `limit` steps). */
export function runUntilState(r: Run, done: (w: World) => boolean, limit = 10_000): void {
  for (let i = 0; i < limit && !done(r.world); i++) {
    const move = enabledMoves(r.world)[0];
    if (!move) break;
    take(r, move);
  }
  if (!done(r.world)) throw new Error('the run never reached the wanted state');
}

type Of<K extends TraceEvent['event']> = Extract<TraceEvent, { event: K }>;

/** The events of one kind, typed. */
export function eventsOf<K extends TraceEvent['event']>(events: readonly TraceEvent[], kind: K): Of<K>[] {
  return events.filter((e): e is Of<K> => e.event === kind);
}

/** Wraps a chooser and keeps every choice asked of it. */
export class SpyChooser implements Chooser {
  readonly choices: Choice[] = [];
  constructor(private readonly inner: Chooser) {}
  choose(choice: Choice): number {
    this.choices.push(choice);
    return this.inner.choose(choice);
  }
}

/** Minimal delays and order; a scanned timer fires at its earliest (1) or latest (max) moment. */
export function jitterChooser(mode: 'min' | 'max'): Chooser {
  return {
    choose: (c) => (c.kind === 'jitter' ? (mode === 'min' ? 1 : c.max) : choiceRange(c)[0]),
  };
}
