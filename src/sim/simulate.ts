/**
 * Runs one scenario: builds the system, plays the workload and the fault schedule on the
 * world until `until`, with every choice made by one chooser (a seeded PRNG unless told
 * otherwise). Faults due at the same time as other events happen first.
 */
import type { Scenario } from '../config/types.js';
import type { AnyFault } from '../config/faults.js';
import { ScriptedChooser, SeededChooser, minimalChooser, type Chooser } from '../engine/chooser.js';
import { buildSystem, type System } from '../engine/system.js';
import type { TraceEvent } from '../engine/trace.js';
import {
  createWorld,
  enabledMoves,
  nextEventTime,
  step,
  type Move,
  type World,
} from '../engine/world.js';

export interface RunOptions {
  /** The system to run on; built from the scenario when absent. */
  system?: System;
  /** Defaults to a SeededChooser on the scenario's seed. */
  chooser?: Chooser;
  /** Build trace events (default true); off for raw speed (observers then see none). */
  trace?: boolean;
  /** Keep the trace events in the result (default: same as `trace`). */
  keep?: boolean;
  /** Called after every step with the previous world, the new one and that step's events. */
  observe?: (prev: World | null, world: World, events: readonly TraceEvent[], move: Move | null) => void;
}

export interface RunResult {
  system: System;
  world: World;
  events: TraceEvent[];
  /** Deliveries and timer firings taken (faults and advances not counted). */
  steps: number;
}

/** A scenario's fault as the world's move takes it: the fault without its time. */
export function faultMove(f: Scenario['faults'][number]): AnyFault {
  const { at: _at, ...fault } = f;
  return fault;
}

/** The chooser a scenario asks for. */
export function chooserFor(scenario: Scenario): Chooser {
  if (Array.isArray(scenario.choices)) return new ScriptedChooser(scenario.choices, minimalChooser);
  return scenario.choices === 'minimal' ? minimalChooser : new SeededChooser(scenario.seed);
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const sys = options.system ?? buildSystem(scenario.design, scenario.config, scenario.workload);
  const chooser = options.chooser ?? chooserFor(scenario);
  const trace = options.trace ?? true;
  const keep = trace && (options.keep ?? true);
  const observe = options.observe;
  const events: TraceEvent[] = [];
  const faults = scenario.faults
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.at - b.f.at || a.i - b.i)
    .map((x) => x.f);

  let out = createWorld(sys, chooser, trace);
  let world = out.world;
  if (keep) events.push(...out.events);
  observe?.(null, world, out.events, null);

  const take = (move: Move): void => {
    const prev = world;
    out = step(sys, world, move, chooser, trace);
    world = out.world;
    if (keep) for (const e of out.events) events.push(e);
    observe?.(prev, world, out.events, move);
  };

  let steps = 0;
  let nextFault = 0;
  for (;;) {
    const due = nextEventTime(world);
    const fault = faults[nextFault];
    if (fault && fault.at <= due && fault.at <= scenario.until) {
      if (fault.at > world.now) take({ kind: 'advance', to: fault.at });
      take({ kind: 'fault', fault: faultMove(fault) });
      nextFault++;
      continue;
    }
    if (due > scenario.until) break;
    const moves = enabledMoves(world);
    const pick = moves.length > 1 ? chooser.choose({ kind: 'order', options: moves.length }) : 0;
    take(moves[pick]!);
    steps++;
  }
  if (world.now < scenario.until) take({ kind: 'advance', to: scenario.until });
  return { system: sys, world, events, steps };
}
