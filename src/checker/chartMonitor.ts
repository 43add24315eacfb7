/**
 * Bounded-response monitors written as XState statecharts, so that users can open them in
 * the visualiser next to the models.
 *
 * A monitor chart gets domain events (e.g. `fault`, `forwardAtLvs`, `reverseAtClient`),
 * each carrying its virtual time `t`, which an `observe` function derives from each step
 * of the run. It reports through primitive actions: `violate {message}`, `trigger
 * {disruptive}`, `voidObligation`, `witness`. Its `after` timers are deadlines: they fire
 * lazily, before the first observation later than them (a response at the deadline itself
 * still counts) and at the end of the run. One chart instance runs per key (per flow).
 */
import type { AnyStateMachine } from 'xstate';
import type { Scenario } from '../config/types.js';
import { MachineRunner, cacheLimitNow, type Effect, type Snap, type StepResult } from '../engine/runner.js';
import type { System } from '../engine/system.js';
import { derived } from './observe.js';
import type { Fact, Monitor, Observation, Report } from './property.js';

/** Parameters of the monitor charts' primitive actions. */
export interface ViolateParams {
  message: string;
}
export interface TriggerParams {
  disruptive: boolean;
  /** For recovery statistics: latency from the trigger and the budget. */
  latencyMs?: number;
  budgetMs?: number;
}

/** The primitive actions a monitor chart declares in `setup({ actions })`; the runtime reads them. */
export const monitorActions = {
  violate: (_: unknown, _params: ViolateParams) => {},
  trigger: (_: unknown, _params: TriggerParams) => {},
  voidObligation: () => {},
  witness: () => {},
};

export interface MonitorEvent {
  type: string;
  t: number;
  [field: string]: unknown;
}

export interface Deadline {
  at: number;
  name: string;
  event: { type: string };
}

/** One instance of a monitor chart (per key: per flow). */
export interface Instance {
  /** The chart's snapshot: its times are relative to `origin` (0 when it is stepped in absolute time). */
  snap: Snap;
  origin: number;
  /** Absolute times. */
  timers: Deadline[];
}

export interface ChartData {
  instances: Readonly<Record<string, Instance>>;
}

export interface ChartMonitorSpec {
  machine: AnyStateMachine;
  /** The chart's input for one instance. */
  input: (scenario: Scenario, sys: System, key: string) => unknown;
  /** The step facts `observe` reads (property.ts, Fact); a chart with deadlines observes time passing too. */
  observes: readonly Fact[];
  /** The domain events of one step, by instance key. */
  observe: (obs: Observation) => { key: string; event: MonitorEvent }[];
  /**
   * The fields of the chart's context and of its events that hold absolute times. The
   * chart must use them only against each other (differences, comparisons, copies from
   * events to context), never against a constant, as the explorer's key, which holds them
   * relative to now, assumes: so its steps are worked out once in a frame relative to each
   * event's time and reused at any time (messages are still worded in absolute times).
   */
  times: readonly string[];
  /** Per state, the context fields read from it on (property.ts, ChartDeclaration.reads). */
  reads?: Readonly<Record<string, readonly string[]>>;
  /** Per time field, how far back it can still make a difference (property.ts, ChartDeclaration.lookback). */
  lookback?: (scenario: Scenario) => Readonly<Record<string, number>>;
  /** Time fields compared only with messages' send times and now (property.ts, ChartDeclaration.messageTimes). */
  messageTimes?: (scenario: Scenario) => readonly string[];
}

/** The object with its time fields moved by `delta`. */
function shiftTimes<T extends object>(x: T, delta: number, times: ReadonlySet<string>): T {
  const out = { ...x } as Record<string, unknown>;
  for (const f in out) {
    const v = out[f];
    if (typeof v === 'number' && times.has(f)) out[f] = v + delta;
  }
  return out as T;
}

/** An event's fields in order, its times relative to `t` (events are flat: type, times, flags). */
function relativeKey(event: object, t: number, times: ReadonlySet<string>): string {
  let key = '';
  for (const f in event) {
    const v = (event as Record<string, unknown>)[f];
    key += `${f}=${typeof v === 'number' ? (times.has(f) ? v - t : v) : JSON.stringify(v)};`;
  }
  return key;
}

/**
 * A step that leaves an instance as it was: the same snapshot, once shifted to the event's
 * frame, and no effects. Its instance keeps its snapshot and origin, which say the same in
 * absolute times, so that the data stays the same object and the explorer has nothing new
 * to key.
 */
const UNCHANGED: StepResult = Object.freeze({ snap: Object.freeze({ xs: null as never, key: '', valueKey: '' }), effects: Object.freeze([]) as readonly Effect[] });

/** An observation without events (chartMonitor's observeKeyed; never written). */
const NO_EVENTS: readonly { key: string; event: MonitorEvent; rel: number }[] = Object.freeze([]);

/** A monitor chart's instances, by key, as the explorer keys and packs them. */
export function chartInstances(data: ChartData): Readonly<Record<string, Instance>> {
  return data.instances;
}

/** A runner for a monitor chart: its events carry their time, so a step is never asked twice and nothing is cached. */
export function monitorRunner(machine: AnyStateMachine): MachineRunner {
  return new MachineRunner(machine, Object.keys(monitorActions), false);
}

/**
 * A monitor chart as a property's monitor. `frames` false steps it in absolute time (tests
 * compare the two: the same verdicts, messages and samples).
 */
export function chartMonitor(spec: ChartMonitorSpec, options: { frames?: boolean } = {}): Monitor<ChartData> {
  const runner = monitorRunner(spec.machine);
  const times = new Set(spec.times);
  const framed = options.frames ?? true;

  // Time-invariant charts: steps are remembered by (snapshot, shift of its frame to the
  // event's time, event relative to its time); snapshots are interned, so weakly by object.
  // Both start afresh past the runners' cache bound (runner.ts, setCacheLimit).
  let frames = new WeakMap<Snap, Map<number, Snap>>();
  let frameCount = 0;
  let steps = new WeakMap<Snap, Map<number, Map<number, StepResult>>>();
  let stepCount = 0;
  /** The snapshot with every time moved by `delta`. */
  const shifted = (snap: Snap, delta: number): Snap => {
    if (delta === 0) return snap;
    let byDelta = frames.get(snap);
    let out = byDelta?.get(delta);
    if (!out) {
      if (frameCount >= cacheLimitNow()) {
        frames = new WeakMap();
        frameCount = 0;
        byDelta = undefined;
      }
      if (!byDelta) frames.set(snap, (byDelta = new Map()));
      out = runner.resolve(snap.xs.value, shiftTimes(snap.xs.context as object, delta, times));
      byDelta.set(delta, out);
      frameCount++;
    }
    return out;
  };
  // Relative events by number, in the order met (the steps' cache is keyed by numbers, not
  // by the keys' text). Never started afresh, so that a number always names the same event:
  // bounded as the events themselves are, their times relative to the event's own time (a
  // handful per chart on every profile), not by the runners' cache bound.
  const eventIds = new Map<string, number>();
  const idOf = (event: object, t: number): number => {
    const key = relativeKey(event, t, times);
    let id = eventIds.get(key);
    if (id === undefined) eventIds.set(key, (id = eventIds.size));
    return id;
  };
  // An event's relative id, by event object: a timer's event comes again and again (from
  // a cached step). A memo of a pure function of the event and `t`, keyed weakly by the event.
  const eventKeys = new WeakMap<object, { t: number; id: number }>();
  const idAt = (event: object, t: number): number => {
    let k = eventKeys.get(event);
    if (k === undefined || k.t !== t) eventKeys.set(event, (k = { t, id: idOf(event, t) }));
    return k.id;
  };
  /**
   * A step in the frame of the event's time `t`: the snapshot it leads to is relative to
   * `t`. `rel`: the event's relative id (idOf). UNCHANGED when it leads to the same snapshot in
   * that frame with no effects (the chart ignores the event, or its actions change nothing):
   * the instance then stays as it was, in its own frame.
   */
  const stepAt = (inst: Instance, event: { type: string }, t: number, rel: number): StepResult => {
    const delta = inst.origin - t;
    let byDelta = steps.get(inst.snap);
    let byEvent = byDelta?.get(delta);
    let r = byEvent?.get(rel);
    if (!r) {
      if (stepCount >= cacheLimitNow()) {
        steps = new WeakMap();
        stepCount = 0;
        byDelta = byEvent = undefined;
      }
      if (!byDelta) steps.set(inst.snap, (byDelta = new Map()));
      if (!byEvent) byDelta.set(delta, (byEvent = new Map()));
      if (runner.ignores(inst.snap, event.type)) r = UNCHANGED;
      else {
        const from = shifted(inst.snap, delta);
        r = runner.step(from, shiftTimes(event, -t, times));
        if (r.snap === from && r.effects.length === 0) r = UNCHANGED;
      }
      byEvent.set(rel, r);
      stepCount++;
    }
    return r;
  };
  /** A violation's message, worded by the chart in absolute times. */
  const absoluteMessage = (inst: Instance, event: { type: string }, fallback: string): string => {
    const r = runner.step(shifted(inst.snap, inst.origin), event);
    const v = r.effects.find((e) => e.type === 'custom' && e.name === 'violate');
    return v && v.type === 'custom' ? (v.params as ViolateParams).message : fallback;
  };

  /**
   * The effects of a step at `t` on the instance it led to. A violation's message is worded
   * again in absolute times from the instance and event of a framed step (`from`, `event`).
   */
  const apply = (
    inst: Instance,
    effects: readonly Effect[],
    t: number,
    report: Report,
    key: string,
    from: Instance | null = null,
    event: { type: string } | null = null,
  ): Instance => {
    if (effects.length === 0) return inst;
    let timers = inst.timers;
    for (const e of effects) {
      switch (e.type) {
        case 'schedule':
          timers = [...timers.filter((d) => d.name !== e.id), { at: t + e.delay, name: e.id, event: e.event }].sort(
            (a, b) => a.at - b.at,
          );
          break;
        case 'cancel':
          timers = timers.filter((d) => d.name !== e.id);
          break;
        case 'custom':
          if (e.name === 'violate') {
            const relative = (e.params as ViolateParams).message;
            report.violate(t, from && event ? absoluteMessage(from, event, relative) : relative, key);
          } else if (e.name === 'trigger') {
            const p = e.params as TriggerParams;
            report.trigger({
              disruptive: p.disruptive,
              ...(p.disruptive && p.latencyMs !== undefined && p.budgetMs !== undefined
                ? { sample: { latencyMs: p.latencyMs, budgetMs: p.budgetMs } }
                : {}),
            });
          }
          else if (e.name === 'voidObligation') report.void();
          else if (e.name === 'witness') report.witness();
          break;
        default:
          break;
      }
    }
    return timers === inst.timers ? inst : { snap: inst.snap, origin: inst.origin, timers };
  };

  /** One event at `t`; `rel`, its relative id when the caller has it. */
  const send = (inst: Instance, event: { type: string }, t: number, report: Report, key: string, rel?: number): Instance => {
    if (!framed) {
      const { snap, effects } = runner.step(inst.snap, event);
      const next = snap === inst.snap ? inst : { snap, origin: inst.origin, timers: inst.timers };
      return apply(next, effects, t, report, key);
    }
    const r = stepAt(inst, event, t, rel ?? idAt(event, t));
    if (r === UNCHANGED) return inst;
    const { snap, effects } = r;
    const next = snap === inst.snap && inst.origin === t ? inst : { snap, origin: t, timers: inst.timers };
    return apply(next, effects, t, report, key, inst, event);
  };

  /** Fire the deadlines due before `t` (or at `t` when `inclusive`). */
  const fireDue = (inst: Instance, t: number, inclusive: boolean, report: Report, key: string): Instance => {
    let cur = inst;
    for (;;) {
      const next = cur.timers[0];
      if (!next || next.at > t || (!inclusive && next.at === t)) return cur;
      cur = { snap: cur.snap, origin: cur.origin, timers: cur.timers.slice(1) };
      cur = send(cur, next.event, next.at, report, key);
    }
  };

  /**
   * The domain events of an observation, each with its relative id: a function of the
   * observation (the ids given so far aside), worked out once per observation (observe.ts,
   * derived). Most observations have none: one empty list for them all.
   */
  const observeKeyed = (obs: Observation): readonly { key: string; event: MonitorEvent; rel: number }[] => {
    const events = spec.observe(obs);
    if (events.length === 0) return NO_EVENTS;
    return events.map(({ key, event }) => ({ key, event, rel: idOf(event, event.t) }));
  };

  return {
    observes: spec.observes,
    chart: {
      machine: spec.machine,
      times: spec.times,
      ...(spec.reads ? { reads: spec.reads } : {}),
      ...(spec.lookback ? { lookback: spec.lookback } : {}),
      ...(spec.messageTimes ? { messageTimes: spec.messageTimes } : {}),
    },
    init: () => ({ instances: {} }),
    step: (data, obs, report) => {
      const now = obs.world.now;
      const events = derived(obs, observeKeyed);
      let instances = data.instances;
      let copied = false;
      // Deadlines first: a deadline before this step's time has passed unanswered.
      for (const key in instances) {
        const inst = instances[key]!;
        const due = inst.timers[0];
        if (due === undefined || due.at >= now) continue;
        const next = fireDue(inst, now, false, report, key);
        if (next === inst) continue;
        if (!copied) (instances = { ...instances }), (copied = true);
        (instances as Record<string, Instance>)[key] = next;
      }
      for (const { key, event, rel } of events) {
        let inst = instances[key];
        if (!inst) {
          const init = runner.initial(spec.input(obs.scenario, obs.sys, key));
          inst = apply({ snap: init.snap, origin: 0, timers: [] }, init.effects, event.t, report, key);
        }
        const next = send(inst, event, event.t, report, key, framed ? rel : undefined);
        if (instances[key] === next) continue;
        if (!copied) (instances = { ...instances }), (copied = true);
        (instances as Record<string, Instance>)[key] = next;
      }
      return copied ? { instances } : data;
    },
    finish: (data, _world, scenario, report) => {
      const instances: Record<string, Instance> = {};
      for (const [key, inst] of Object.entries(data.instances)) instances[key] = fireDue(inst, scenario.until, true, report, key);
      return { instances };
    },
  };
}

