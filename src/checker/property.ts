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
 * A property is a name and a monitor: `{ id, title, description, observes, init, step }`
 * (plus `times`, `finish`, `deadline` where needed). The monitor is pure: `step(state,
 * observation) -> state`. Its state is plain data, so the exhaustive explorer can hash it
 * with the world and the random checker can keep one per run without copying anything. It
 * declares the step facts it reads (`observes`), and is called on no other step; and the
 * fields of its data that hold times (`times`, of type `At`). How the explorer keys, interns
 * and packs the data is derived from those declarations (src/explorer/codec.ts).
 */
import type { Scenario } from '../config/types.js';
import type { System } from '../engine/system.js';
import type { TraceEvent } from '../engine/trace.js';
import { actorNode, type Move, type World } from '../engine/world.js';
import type { AnyStateMachine } from 'xstate';
import type { Message } from '../../models/protocol.js';
import type { NodeKind } from '../engine/system.js';

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

export interface MonitorState<D> {
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

/**
 * A fact of a step that a monitor reads (P's `spec M observes e1, e2`): the checker and the
 * explorer call a monitor only on steps that carry one of the facts it declares, and on
 * none other. Made with `on` (below).
 */
export type Fact =
  /** A message delivered to a node (of a message type, to a node kind: both optional). */
  | { readonly fact: 'deliver'; readonly type?: MessageType; readonly to?: NodeKind }
  /** A message put on the wire, sent or lost as it was sent (observe.ts, sendsOf). */
  | { readonly fact: 'send'; readonly type?: MessageType; readonly from?: NodeKind }
  /** A message or packet dropped (any stage, any reason). */
  | { readonly fact: 'drop' }
  /** A fault injected. */
  | { readonly fact: 'fault' }
  /** A statechart's snapshot changed, started or ended (of a node kind: optional). */
  | { readonly fact: 'chart'; readonly kind?: NodeKind }
  /** The virtual clock moved forward in this step. */
  | { readonly fact: 'time' }
  /** The run's first observation: the initial world (no previous one). */
  | { readonly fact: 'start' }
  /** Every step, whatever it carries (an invariant over whole world states). */
  | { readonly fact: 'step' };

export type MessageType = Message['type'];

/** The facts a monitor may observe (`observes: [on.sends('offload'), on.faults()]`). */
export const on = {
  deliveries: (type?: MessageType, to?: NodeKind): Fact => ({ fact: 'deliver', ...(type ? { type } : {}), ...(to ? { to } : {}) }),
  sends: (type?: MessageType, from?: NodeKind): Fact => ({ fact: 'send', ...(type ? { type } : {}), ...(from ? { from } : {}) }),
  drops: (): Fact => ({ fact: 'drop' }),
  faults: (): Fact => ({ fact: 'fault' }),
  chartChanges: (kind?: NodeKind): Fact => ({ fact: 'chart', ...(kind ? { kind } : {}) }),
  time: (): Fact => ({ fact: 'time' }),
  start: (): Fact => ({ fact: 'start' }),
  everyStep: (): Fact => ({ fact: 'step' }),
} as const;

/** Every step: a monitor that may read anything at all (tests compare a monitor's verdicts against it). */
export const EVERY_FACT: readonly Fact[] = [on.everyStep()];

declare const AT: unique symbol;
/**
 * An absolute virtual time held in monitor data. The explorer's state key holds such a
 * time relative to now (capped at the horizon in the past), so a field of this type must
 * be listed in the property's `times`, and the monitor must compare it only with other
 * times (a difference, an order), never with a constant.
 */
export type At = number & { readonly [AT]: true };
/** A time (obs.world.now, an event's `t`) as monitor data holds it. */
export const at = (t: number): At => t as At;

/** Names of the fields, up to four levels deep in `D`, whose values are times (`At`, or null/undefined). */
export type TimeField<D, Depth extends unknown[] = []> = 0 extends 1 & D
  ? string
  : Depth['length'] extends 4
    ? never
    : D extends At
      ? never
      : D extends readonly (infer E)[]
        ? TimeField<E, [...Depth, 0]>
        : D extends object
          ? { [K in keyof D & string]-?: NonNullable<D[K]> extends At ? K : TimeField<NonNullable<D[K]>, [...Depth, 0]> }[keyof D & string]
          : never;

/** What a property's monitor is: what it observes, its data's times, and its steps. */
export interface Monitor<D> {
  /** The step facts it reads; it is called on the steps that carry one of them and on no other. */
  readonly observes: readonly Fact[];
  /**
   * The fields of its data (at any depth, by field name) that hold absolute times (`At`),
   * which the explorer keys relative to now. Fields not listed are keyed as they are.
   */
  readonly times?: readonly TimeField<D>[];
  init(scenario: Scenario, sys: System): D;
  step(data: D, obs: Observation, report: Report): D;
  /** At the end of the run (time `until`): missed deadlines, open obligations. */
  finish?(data: D, world: World, scenario: Scenario, report: Report): D;
  /** Bounded response: the budget, ms, a response has after its trigger on this run's configuration. */
  readonly deadline?: (scenario: Scenario) => number;
  /** A monitor written as a statechart (chartMonitor.ts): its chart, and the time fields of its context and events. */
  readonly chart?: ChartDeclaration;
}

/** A monitor chart's declaration: the machine, and which fields of its context and events are absolute times. */
export interface ChartDeclaration {
  readonly machine: AnyStateMachine;
  readonly times: readonly string[];
  /**
   * Optional, for the explorer's folds (docs/explorer.md, "Folds"): per state of the chart
   * (its top-level state name), the context fields the chart can still read from that state
   * on (in a guard, a delay or an action, before writing them). The key holds only those
   * there; a state not named keeps every field; a final state keeps none.
   */
  readonly reads?: Readonly<Record<string, readonly string[]>>;
  /**
   * Optional, for the same folds: per time field, how far in the past (ms, on this run's
   * configuration) its value can still make a difference to the chart; the key holds an
   * older value as that far back. Fields not named are held up to the explorer's horizon.
   */
  readonly lookback?: (scenario: Scenario) => Readonly<Record<string, number>>;
  /**
   * Optional, for the same folds: time fields (on this run's configuration) that the chart
   * compares only with the send times of messages it is told about later (a delivery's
   * `sentAt`, `originAt`: a message's own or the one it carries on) and with now, by order
   * (`<`, `<=`), never with another field or a constant. The key holds such a field as how
   * many of the send times of the messages in flight (and now) are later than it.
   */
  readonly messageTimes?: (scenario: Scenario) => readonly string[];
}

export interface Property<D = unknown> extends Monitor<D> {
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
}

export type AnyProperty = Property<any>;

/** The monitor of an `always` property, and the situation it is about. */
export interface AlwaysMonitor<D> extends Monitor<D> {
  /** What the invariant is about, in a few words ("offloads sent"); the monitor calls `report.exercise()` when it occurs. */
  situation: string;
}

export function always<D>(id: string, title: string, source: string, description: string, monitor: AlwaysMonitor<D>): Property<D> {
  return { ...monitor, id, kind: 'always', title, source, description };
}

export function sometimes<D>(id: string, title: string, source: string, description: string, monitor: Monitor<D>): Property<D> {
  return { ...monitor, id, kind: 'sometimes', title, source, description };
}

export function eventually<D>(id: string, title: string, source: string, description: string, monitor: Monitor<D>): Property<D> {
  return { ...monitor, id, kind: 'eventually', title, source, description };
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
  observes: readonly Fact[],
  check: (world: World, obs: Observation) => string | null | undefined,
): Property<null> {
  return always(id, title, source, description, {
    situation,
    observes,
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

const KIND_BIT: Readonly<Record<NodeKind, number>> = { client: 1, eni: 2, sp: 4, fp: 8, control: 16, lvs: 32, vgw: 64, server: 128 };
const TYPE_BIT: Readonly<Record<MessageType, number>> = { data: 1, offload: 2, probe: 4, probeAck: 8, config: 16, sync: 32 };
/** A kind's slot in the per-kind tables of StepFacts (a small dense array, not an object keyed by bits). */
const KIND_INDEX: Readonly<Record<NodeKind, number>> = { client: 0, eni: 1, sp: 2, fp: 3, control: 4, lvs: 5, vgw: 6, server: 7 };

/**
 * The facts one step carries, worked out once for every monitor: per node kind, the
 * message types delivered to it and sent from it (bit masks), the kinds whose charts
 * changed, and flags.
 */
export interface StepFacts {
  readonly start: boolean;
  readonly time: boolean;
  readonly fault: boolean;
  readonly drop: boolean;
  /** Kind index (KIND_INDEX) -> message type bits, and their union over kinds. */
  readonly delivered: readonly number[];
  readonly deliveredAny: number;
  readonly sent: readonly number[];
  readonly sentAny: number;
  /** Kind bits of the charts that changed (every chart, on the first observation). */
  readonly charts: number;
}

function kindBit(obs: Observation, node: string | null): number {
  if (node === null) return 0;
  const kind = obs.sys.nodes[node]?.kind;
  return kind === undefined ? 0 : KIND_BIT[kind];
}

/** The node's kind's slot in a per-kind table, or -1 (no node, or one of no known kind). */
function kindIndex(obs: Observation, node: string | null): number {
  if (node === null) return -1;
  const kind = obs.sys.nodes[node]?.kind;
  return kind === undefined ? -1 : KIND_INDEX[kind];
}

/** The facts of a step (see StepFacts). */
export function stepFacts(obs: Observation): StepFacts {
  let fault = false;
  let drop = false;
  // One slot per kind (KIND_INDEX): literals, so that the arrays are packed small integers from the start.
  const delivered: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  const sent: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  let deliveredAny = 0;
  let sentAny = 0;
  for (const e of obs.events) {
    if (e.event === 'deliver') {
      const t = TYPE_BIT[e.msg.type] ?? 0;
      const k = kindIndex(obs, e.to);
      if (k >= 0) delivered[k]! |= t;
      deliveredAny |= t;
    } else if (e.event === 'send' || (e.event === 'drop' && e.stage === 'send' && e.msg)) {
      const t = TYPE_BIT[e.msg!.type] ?? 0;
      const k = kindIndex(obs, e.from);
      if (k >= 0) sent[k]! |= t;
      sentAny |= t;
    }
    if (e.event === 'drop') drop = true;
    else if (e.event === 'fault') fault = true;
  }
  let charts = 0;
  const before = obs.prev?.actors;
  const after = obs.world.actors;
  if (before !== after) {
    for (const key in after) if (before?.[key] !== after[key]) charts |= kindBit(obs, actorNode(key));
    if (before) for (const key in before) if (!(key in after)) charts |= kindBit(obs, actorNode(key));
  }
  return {
    start: obs.prev === null,
    time: obs.prev !== null && obs.world.now > obs.prev.now,
    fault,
    drop,
    delivered,
    deliveredAny,
    sent,
    sentAny,
    charts,
  };
}

/** Messages of a type (any when undefined) in a per-kind table, for a kind (any when undefined). */
function typed(table: readonly number[], any: number, type: MessageType | undefined, kind: NodeKind | undefined): boolean {
  // A kind outside the table (only untyped code can name one) carries nothing, as before.
  const mask = kind === undefined ? any : (table[KIND_INDEX[kind]] ?? 0);
  return type === undefined ? mask !== 0 : (mask & TYPE_BIT[type]) !== 0;
}

/** Does a step with these facts carry this fact? */
export function carries(facts: StepFacts, fact: Fact): boolean {
  switch (fact.fact) {
    case 'step':
      return true;
    case 'start':
      return facts.start;
    case 'time':
      return facts.time;
    case 'fault':
      return facts.fault;
    case 'drop':
      return facts.drop;
    case 'chart':
      return fact.kind === undefined ? facts.charts !== 0 : (facts.charts & KIND_BIT[fact.kind]) !== 0;
    case 'deliver':
      return typed(facts.delivered, facts.deliveredAny, fact.type, fact.to);
    case 'send':
      return typed(facts.sent, facts.sentAny, fact.type, fact.from);
  }
}

/** Does a step with these facts carry one of the facts the monitor observes (is it to be called on it)? */
export function observesFacts(monitor: Pick<Monitor<unknown>, 'observes'>, facts: StepFacts): boolean {
  for (const fact of monitor.observes) if (carries(facts, fact)) return true;
  return false;
}

/** The same, for one observation. */
export function observesStep(monitor: Pick<Monitor<unknown>, 'observes'>, obs: Observation): boolean {
  return observesFacts(monitor, stepFacts(obs));
}

/**
 * One monitor step on an observation; the state is returned unchanged when nothing changed,
 * and without calling the monitor when the step carries none of the facts it observes.
 * `recorder` (the caller's, reused across steps) says afterwards whether the step exercised
 * the property's situation; without one, a fresh recorder is used and that is not kept.
 * `facts`: the step's, when the caller worked them out once for several monitors.
 */
export function stepMonitor<D>(
  monitor: Monitor<D>,
  state: MonitorState<D>,
  obs: Observation,
  recorder: StepRecorder = new StepRecorder(),
  facts: StepFacts = stepFacts(obs),
): MonitorState<D> {
  recorder.begin(state.verdict);
  if (!observesFacts(monitor, facts)) return state;
  return stepObserved(monitor, state, obs, recorder);
}

/** A monitor step on an observation already known to carry a fact it observes (the explorer's, which knows that per move). */
export function stepObserved<D>(monitor: Monitor<D>, state: MonitorState<D>, obs: Observation, recorder: StepRecorder): MonitorState<D> {
  recorder.begin(state.verdict);
  const data = monitor.step(state.data, obs, recorder);
  const verdict = recorder.end();
  return data === state.data && verdict === state.verdict ? state : { verdict, data };
}

/** The end of a run: deadlines still open, obligations never met (`recorder` as for stepMonitor). */
export function finishMonitor<D>(
  monitor: Monitor<D>,
  state: MonitorState<D>,
  world: World,
  scenario: Scenario,
  recorder: StepRecorder = new StepRecorder(),
): MonitorState<D> {
  recorder.begin(state.verdict);
  if (!monitor.finish) return state;
  const data = monitor.finish(state.data, world, scenario, recorder);
  const verdict = recorder.end();
  return data === state.data && verdict === state.verdict ? state : { verdict, data };
}

export function initMonitor<D>(monitor: Monitor<D>, scenario: Scenario, sys: System): MonitorState<D> {
  return { verdict: FRESH, data: monitor.init(scenario, sys) };
}
