/**
 * Runs one scenario with a set of property monitors watching every step, and returns
 * each property's verdict for the run (and, on request, the trace with `violation`
 * events where monitors first reported one).
 */
import type { Scenario } from '../config/types.js';
import type { Chooser } from '../engine/chooser.js';
import type { TraceEvent, ViolationEvent } from '../engine/trace.js';
import { buildSystem } from '../engine/system.js';
import { runScenario } from '../sim/simulate.js';
import { finishMonitor, initMonitor, stepFacts, stepMonitor, StepRecorder, type AnyProperty, type MonitorState, type Verdict } from './property.js';

export interface RunVerdicts {
  verdicts: ReadonlyMap<string, Verdict>;
  steps: number;
  /** Per property: the steps (and the end of the run) in which its situation occurred (`report.exercise()`). */
  exercised: ReadonlyMap<string, number>;
  /** Per violated property: the moves (faults, deliveries, timers) up to the one that violated it. */
  movesToViolation: ReadonlyMap<string, number>;
  /** Present when the trace was kept. */
  events: TraceEvent[] | null;
}

export interface EvaluateOptions {
  chooser?: Chooser;
  keepTrace?: boolean;
}

export function evaluate(scenario: Scenario, properties: readonly AnyProperty[], options: EvaluateOptions = {}): RunVerdicts {
  const keep = options.keepTrace ?? false;
  const sys = buildSystem(scenario.design, scenario.config, scenario.workload);
  let states: MonitorState<unknown>[] = properties.map((p) => initMonitor(p, scenario, sys));
  const violations: ViolationEvent[] = [];
  const movesToViolation = new Map<string, number>();
  const exercisedSteps = properties.map(() => 0);
  /** This run's recorder: after each monitor step, whether it exercised the property's situation. */
  const recorder = new StepRecorder();
  let moves = 0;

  /** A monitor's state after a step: note the violation the first time it reports one. */
  const noteIfNew = (i: number, before: MonitorState<unknown>, after: MonitorState<unknown>): MonitorState<unknown> => {
    const v = after.verdict.violation;
    if (v && !before.verdict.violation) {
      const id = properties[i]!.id;
      movesToViolation.set(id, moves);
      if (keep) violations.push({ t: v.t, event: 'violation', property: id, message: v.message });
    }
    return after;
  };

  const run = runScenario(scenario, {
    system: sys,
    ...(options.chooser ? { chooser: options.chooser } : {}),
    trace: true,
    keep,
    observe: (prev, world, events, move) => {
      const obs = { scenario, sys, prev, world, events, move };
      if (move && move.kind !== 'advance') moves++;
      // What the step carries, once for every monitor: each sees only the steps it observes.
      const facts = stepFacts(obs);
      for (let i = 0; i < properties.length; i++) {
        const before = states[i]!;
        states[i] = noteIfNew(i, before, stepMonitor(properties[i]!, before, obs, recorder, facts));
        if (recorder.exercised) exercisedSteps[i]!++;
      }
    },
  });
  states = states.map((s, i) => {
    const after = noteIfNew(i, s, finishMonitor(properties[i]!, s, run.world, scenario, recorder));
    if (properties[i]!.finish && recorder.exercised) exercisedSteps[i]!++;
    return after;
  });

  const verdicts = new Map<string, Verdict>();
  properties.forEach((p, i) => verdicts.set(p.id, states[i]!.verdict));
  let events: TraceEvent[] | null = null;
  if (keep) {
    events = mergeByTime(run.events, violations);
  }
  const exercised = new Map<string, number>();
  properties.forEach((p, i) => exercised.set(p.id, exercisedSteps[i]!));
  return { verdicts, steps: run.steps, exercised, movesToViolation, events };
}

/** Insert violation events at their time (a missed deadline lies between other events). */
export function mergeByTime(events: TraceEvent[], extra: ViolationEvent[]): TraceEvent[] {
  if (extra.length === 0) return events;
  const sorted = [...extra].sort((a, b) => a.t - b.t);
  const out: TraceEvent[] = [];
  let j = 0;
  for (const e of events) {
    while (j < sorted.length && sorted[j]!.t < e.t) out.push(sorted[j++]!);
    out.push(e);
  }
  while (j < sorted.length) out.push(sorted[j++]!);
  return out;
}
