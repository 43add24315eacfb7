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
import { MachineRunner, type Effect, type Snap } from '../engine/runner.js';
import type { System } from '../engine/system.js';
import type { MonitorLogic, Observation, Report } from './property.js';
import { hashText, timeFieldsOf, timeless } from '../explorer/codec.js';

// A monitor snapshot's state and time-free context, hashed once per snapshot (its times
// are keyed relative to now, separately).
const staticHashes = new WeakMap<Snap, string>();
function staticHash(snap: Snap): string {
  let h = staticHashes.get(snap);
  if (h === undefined) {
    h = hashText(JSON.stringify([snap.xs.value, timeless(snap.xs.context)]));
    staticHashes.set(snap, h);
  }
  return h;
}

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

interface Deadline {
  at: number;
  name: string;
  event: { type: string };
}

interface Instance {
  snap: Snap;
  timers: Deadline[];
}

export interface ChartData {
  instances: Readonly<Record<string, Instance>>;
}

export interface ChartMonitorSpec {
  machine: AnyStateMachine;
  /** The chart's input for one instance. */
  input: (scenario: Scenario, sys: System, key: string) => unknown;
  /** The domain events of one step, by instance key. */
  observe: (obs: Observation) => { key: string; event: MonitorEvent }[];
}

const runners = new WeakMap<AnyStateMachine, MachineRunner>();
function runnerOf(machine: AnyStateMachine): MachineRunner {
  let r = runners.get(machine);
  if (!r) {
    // Monitor events carry their time: a step is never asked twice, so nothing is cached.
    r = new MachineRunner(machine, Object.keys(monitorActions), false);
    runners.set(machine, r);
  }
  return r;
}

export function chartMonitor(spec: ChartMonitorSpec): MonitorLogic<ChartData> {
  const runner = runnerOf(spec.machine);

  const apply = (inst: Instance, effects: readonly Effect[], t: number, report: Report, key: string): Instance => {
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
          if (e.name === 'violate') report.violate(t, (e.params as ViolateParams).message, key);
          else if (e.name === 'trigger') {
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
    return timers === inst.timers ? inst : { ...inst, timers };
  };

  const send = (inst: Instance, event: { type: string }, t: number, report: Report, key: string): Instance => {
    const { snap, effects } = runner.step(inst.snap, event);
    const next = snap === inst.snap ? inst : { ...inst, snap };
    return apply(next, effects, t, report, key);
  };

  /** Fire the deadlines due before `t` (or at `t` when `inclusive`). */
  const fireDue = (inst: Instance, t: number, inclusive: boolean, report: Report, key: string): Instance => {
    let cur = inst;
    for (;;) {
      const next = cur.timers[0];
      if (!next || next.at > t || (!inclusive && next.at === t)) return cur;
      cur = { ...cur, timers: cur.timers.slice(1) };
      cur = send(cur, next.event, next.at, report, key);
    }
  };

  return {
    init: () => ({ instances: {} }),
    step: (data, obs, report) => {
      const now = obs.world.now;
      let instances = data.instances;
      const write = (key: string, inst: Instance) => {
        if (instances[key] === inst) return;
        if (instances === data.instances) instances = { ...instances };
        (instances as Record<string, Instance>)[key] = inst;
      };
      // Deadlines first: a deadline before this step's time has passed unanswered.
      for (const [key, inst] of Object.entries(instances)) write(key, fireDue(inst, now, false, report, key));
      for (const { key, event } of spec.observe(obs)) {
        let inst = instances[key];
        if (!inst) {
          const init = runner.initial(spec.input(obs.scenario, obs.sys, key));
          inst = apply({ snap: init.snap, timers: [] }, init.effects, event.t, report, key);
        }
        write(key, send(inst, event, event.t, report, key));
      }
      return instances === data.instances ? data : { instances };
    },
    // Per instance: its state and time-free context (hashed once per snapshot), then its
    // time fields and deadlines as times the key makes relative.
    split: (data) => {
      let timeless = '';
      const times: (number | null)[] = [];
      for (const k of Object.keys(data.instances).sort()) {
        const inst = data.instances[k]!;
        timeless += `${k}:${staticHash(inst.snap)}`;
        const context = inst.snap.xs.context as Record<string, unknown>;
        for (const f of timeFieldsOf(context)) {
          const v = context[f];
          times.push(typeof v === 'number' ? v : null);
        }
        for (const d of inst.timers) {
          timeless += `@${d.name}`;
          times.push(d.at);
        }
        timeless += ';';
      }
      return { timeless, times };
    },
    pack: (data) =>
      Object.entries(data.instances).map(([k, inst]) => [k, inst.snap.xs.value, inst.snap.xs.context, inst.timers]),
    unpack: (packed) => {
      const instances: Record<string, Instance> = {};
      for (const [k, value, context, timers] of packed as [string, unknown, unknown, Deadline[]][]) {
        instances[k] = { snap: runner.resolve(value, context), timers };
      }
      return { instances };
    },
    finish: (data, _world, scenario, report) => {
      const instances: Record<string, Instance> = {};
      for (const [key, inst] of Object.entries(data.instances)) instances[key] = fireDue(inst, scenario.until, true, report, key);
      return { instances };
    },
  };
}

