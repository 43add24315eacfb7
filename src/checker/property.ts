/**
 * Properties, after Stateright and P's specification monitors:
 *
 * - `always`: an invariant over every step of every run (a world state, or the events of
 *   a step with the monitor's own memory);
 * - `sometimes`: a witness that must happen in some run, so that a property cannot pass
 *   merely because nothing happened;
 * - `eventually` with a deadline (bounded response): after a trigger, a response within a
 *   deadline computed from the run's configuration.
 *
 * A monitor is pure: `step(state, observation) -> state`. Its state is plain data, so the
 * exhaustive explorer can hash it with the world and the random checker can keep one per
 * run without copying anything.
 */
import type { Scenario } from '../config/types.js';
import type { System } from '../engine/system.js';
import type { TraceEvent } from '../engine/trace.js';
import type { Move, World } from '../engine/world.js';
import type { Memoised } from '../engine/memo.js';

export type PropertyKind = 'always' | 'sometimes' | 'eventually';

export interface Violation {
  /** Virtual time at which the property was violated (a missed deadline's time). */
  t: number;
  message: string;
  /** The flow it concerns, when it concerns one (timelines then focus on it). */
  flow?: string;
}

/** What a monitor sees after each step of a run. */
export interface Observation {
  readonly scenario: Scenario;
  readonly sys: System;
  readonly prev: World | null;
  readonly world: World;
  readonly events: readonly TraceEvent[];
  readonly move: Move | null;
}

/** A monitor's bookkeeping, common to all kinds. */
export interface Verdict {
  violation: Violation | null;
  /** Bounded response: obligations evaluated (trigger seen, preconditions held to the end). */
  triggers: number;
  /** Bounded response: of those, how many were disruptive (src/sim/bounds.ts, isDisruptive: the response came later than an undisturbed path takes, or never). */
  disruptive: number;
  /** Obligations voided because a precondition broke. */
  voided: number;
  /** Sometimes: the witness happened. */
  witnessed: boolean;
  /** Bounded response: how long each disruptive obligation took, against its budget. */
  samples: readonly Sample[];
}

export interface Sample {
  /** From the trigger (the fault) to the response. */
  latencyMs: number;
  /** From the same fault to the run's own deadline (bounds.ts, recoveryDeadline): latency ≤ budget exactly when the deadline was met. */
  budgetMs: number;
}

export interface MonitorState<D> extends Memoised {
  readonly verdict: Verdict;
  readonly data: D;
}

/** Passed to a monitor's step to report what it saw, without building verdicts by hand. */
export interface Report {
  violate(t: number, message: string, flow?: string): void;
  trigger(options?: { disruptive?: boolean; sample?: Sample }): void;
  void(): void;
  witness(): void;
  /** An `always` property's situation occurred in this step (see Property.situation). */
  exercise(): void;
}

/** A monitor's data as the explorer keys it: see MonitorLogic.split. */
export interface MonitorKey {
  readonly timeless: string;
  readonly times: readonly (number | null)[];
}

export interface MonitorLogic<D> {
  init(scenario: Scenario, sys: System): D;
  step(data: D, obs: Observation, report: Report): D;
  /** At the end of the run (time `until`): missed deadlines, open obligations. */
  finish?(data: D, world: World, scenario: Scenario, report: Report): D;
  /**
   * The data's part of the explorer's state key, split so that it is worked out once per
   * data object: a time-free text, and the absolute times it holds (null for "none"),
   * which the key makes relative to now, the past capped at a horizon. By default: the
   * data's JSON with the numbers of fields named like times (t, at, lastFwdAt, faultAt,
   * ...) taken out into `times` (src/explorer/codec.ts).
   */
  split?(data: D): MonitorKey;
  /** Data as plain values to hand to another thread, and back (for data holding statechart snapshots). */
  pack?(data: D): unknown;
  unpack?(packed: unknown): D;
}

export interface Property<D = unknown> {
  /** Short id used on the command line and in the manifest: S1..S8, L1..L3, W1... */
  readonly id: string;
  readonly kind: PropertyKind;
  readonly title: string;
  /** Where it comes from: "spec §6 S1", "[¶77]". */
  readonly source: string;
  /** What it says, and its preconditions, in a sentence or two. */
  readonly description: string;
  /**
   * An `always` property: the situation it is about ("offloads sent"), which its monitor
   * reports with `report.exercise()` each time it occurs. A run in which it never occurred
   * checked nothing: a property never exercised in any run is vacuous (verdicts.ts).
   */
  readonly situation?: string;
  readonly logic: MonitorLogic<D>;
}

export type AnyProperty = Property<any>;

/** The logic of an `always` property: a monitor, and the situation it is about. */
export interface AlwaysLogic<D> extends MonitorLogic<D> {
  /** What the invariant is about, in a few words ("offloads sent"); the monitor calls `report.exercise()` when it occurs. */
  situation: string;
}

export function always<D>(id: string, title: string, source: string, description: string, logic: AlwaysLogic<D>): Property<D> {
  const { situation, ...monitor } = logic;
  return { id, kind: 'always', title, source, description, situation, logic: monitor };
}

export function sometimes<D>(id: string, title: string, source: string, description: string, logic: MonitorLogic<D>): Property<D> {
  return { id, kind: 'sometimes', title, source, description, logic };
}

export function eventually<D>(id: string, title: string, source: string, description: string, logic: MonitorLogic<D>): Property<D> {
  return { id, kind: 'eventually', title, source, description, logic };
}

/**
 * An invariant over world states: `check` returns null when it holds, else why not, or
 * undefined when the state is not one the invariant is about (its situation).
 */
export function stateInvariant(
  id: string,
  title: string,
  source: string,
  description: string,
  situation: string,
  check: (world: World, obs: Observation) => string | null | undefined,
): Property<null> {
  return always(id, title, source, description, {
    situation,
    init: () => null,
    step: (data, obs, report) => {
      const why = check(obs.world, obs);
      if (why === undefined) return data;
      report.exercise();
      if (why !== null) report.violate(obs.world.now, why);
      return data;
    },
  });
}

const FRESH: Verdict = { violation: null, triggers: 0, disruptive: 0, voided: 0, witnessed: false, samples: [] };

/**
 * Collects what a monitor reports during one step and folds it into a new verdict
 * (copied only when something was reported). The caller owns it: one recorder may serve
 * every step of a run (monitor steps never nest), and after a step it tells whether the
 * monitor reported its situation (`exercised`).
 */
export class StepRecorder implements Report {
  private base: Verdict = FRESH;
  private verdict: Verdict = FRESH;
  /**
   * Did the monitor report its situation (`report.exercise()`) in the step recorded last
   * (stepMonitor or finishMonitor with this recorder)? Read it right after the step. It is
   * not part of the monitor's state, so that counting leaves monitor states (and the
   * explorer's keys and memos) as they were; `evaluate` counts the steps and `check` the runs.
   */
  exercised = false;

  begin(v: Verdict): void {
    this.base = v;
    this.verdict = v;
    this.exercised = false;
  }

  end(): Verdict {
    return this.verdict;
  }

  private touch(): Verdict {
    if (this.verdict === this.base) this.verdict = { ...this.base };
    return this.verdict;
  }

  violate(t: number, message: string, flow?: string): void {
    if (this.verdict.violation === null) this.touch().violation = flow === undefined ? { t, message } : { t, message, flow };
  }

  trigger(options?: { disruptive?: boolean; sample?: Sample }): void {
    const v = this.touch();
    v.triggers++;
    if (options?.disruptive) v.disruptive++;
    if (options?.sample) v.samples = [...v.samples, options.sample];
  }

  void(): void {
    this.touch().voided++;
  }

  witness(): void {
    if (!this.verdict.witnessed) this.touch().witnessed = true;
  }

  exercise(): void {
    this.exercised = true;
  }
}

/**
 * One monitor step on an observation; the state is returned unchanged when nothing changed.
 * `recorder` (the caller's, reused across steps) says afterwards whether the step exercised
 * the property's situation; without one, a fresh recorder is used and that is not kept.
 */
export function stepMonitor<D>(logic: MonitorLogic<D>, state: MonitorState<D>, obs: Observation, recorder: StepRecorder = new StepRecorder()): MonitorState<D> {
  recorder.begin(state.verdict);
  const data = logic.step(state.data, obs, recorder);
  const verdict = recorder.end();
  return data === state.data && verdict === state.verdict ? state : { verdict, data };
}

/** The end of a run: deadlines still open, obligations never met (`recorder` as for stepMonitor). */
export function finishMonitor<D>(
  logic: MonitorLogic<D>,
  state: MonitorState<D>,
  world: World,
  scenario: Scenario,
  recorder: StepRecorder = new StepRecorder(),
): MonitorState<D> {
  recorder.begin(state.verdict);
  if (!logic.finish) return state;
  const data = logic.finish(state.data, world, scenario, recorder);
  const verdict = recorder.end();
  return data === state.data && verdict === state.verdict ? state : { verdict, data };
}

export function initMonitor<D>(logic: MonitorLogic<D>, scenario: Scenario, sys: System): MonitorState<D> {
  return { verdict: FRESH, data: logic.init(scenario, sys) };
}
