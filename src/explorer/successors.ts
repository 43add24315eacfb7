/**
 * Every next state of an explorer state, in a fixed order, with what it took to get
 * there: each scheduler choice is a branch.
 *
 * - a fault from the menu, while the budget lasts, at the start of the next instant
 *   (before that instant's events, as a scenario file's faults happen);
 * - each delivery or timer due now (in any order: which one goes first is a branch);
 * - inside a step, each delay taken from the profile's finite set ({min, max} of the
 *   link's bounds by default), each scan jitter (1 or Δscan), each loss (if the link is
 *   lossy).
 * Monitors observe every step; a successor carries the first property it violates.
 */
import type { Scenario } from '../config/types.js';
import { choiceRange, type Choice, type Chooser } from '../engine/chooser.js';
import type { System } from '../engine/system.js';
import type { TraceEvent } from '../engine/trace.js';
import { enabledMoves, nextEventTime, step, type Fault, type Move, type World } from '../engine/world.js';
import { stepMonitor, type AnyProperty, type MonitorState, type Violation } from '../checker/property.js';
import { hashOf, type ExplorerState } from './codec.js';

/** What a successor took: enough to replay it from the parent. */
export type Edge =
  | { kind: 'fault'; fault: Fault; choices: number[] }
  /** An event, named by content (ids differ between equal states), and the choices inside its step. */
  | { kind: 'event'; signature: string; choices: number[] };

export interface Successor {
  state: ExplorerState;
  edge: Edge;
  /** The first property this step violated, if any. */
  violation: { property: string; violation: Violation } | null;
}

export interface ExploreSpace {
  sys: System;
  scenario: Scenario;
  properties: readonly AnyProperty[];
  faultMenu: readonly Fault[];
  maxFaults: number;
  /** Delays: the two bounds of each link ('bounds') or every value in between ('all'). */
  delays: 'bounds' | 'all';
}

/** A move's content, independent of ids. */
export function signature(w: World, move: Move): string {
  if (move.kind === 'deliver') {
    const m = w.inFlight.find((x) => x.id === move.id)!;
    return `d${m.from}>${m.to}:${hashOf(m.msg, () => JSON.stringify(m.msg))}:${m.causeFrom ?? ''}:${m.originAt - w.now}`;
  }
  if (move.kind === 'fire') {
    const t = w.timers.find((x) => x.id === move.id)!;
    return `t${t.actor}:${t.name}`;
  }
  return move.kind;
}

/** Always the low end of a range (an advance makes no choices). */
const FIRST: Chooser = { choose: (c) => choiceRange(c)[0] };

/** Follows a prefix of option indexes, takes option 0 after it, and records every choice's options. */
export class EnumeratingChooser implements Chooser {
  readonly options: number[][] = [];
  readonly picked: number[] = [];
  constructor(
    private readonly prefix: readonly number[],
    private readonly delays: 'bounds' | 'all',
  ) {}
  choose(choice: Choice): number {
    const [lo, hi] = choiceRange(choice);
    let values: number[];
    if (choice.kind === 'delay' && this.delays === 'all') values = range(lo, hi);
    else values = lo === hi ? [lo] : [lo, hi];
    const i = this.picked.length;
    const pick = this.prefix[i] ?? 0;
    this.options.push(values);
    this.picked.push(pick);
    return values[pick]!;
  }
  /** The next prefix in odometer order, or null when every combination was tried. */
  next(): number[] | null {
    const p = [...this.picked];
    for (let i = p.length - 1; i >= 0; i--) {
      if (p[i]! + 1 < this.options[i]!.length) {
        p[i]!++;
        return p.slice(0, i + 1);
      }
    }
    return null;
  }
  /** The choices as offsets from each range's low end (what a ScriptedChooser replays). */
  offsets(): number[] {
    return this.picked.map((k, i) => this.options[i]![k]! - this.options[i]![0]!);
  }
}

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

function observe(
  space: ExploreSpace,
  monitors: MonitorState<unknown>[],
  prev: World,
  world: World,
  events: readonly TraceEvent[],
  move: Move,
): { monitors: MonitorState<unknown>[]; violation: Successor['violation'] } {
  const obs = { scenario: space.scenario, sys: space.sys, prev, world, events, move };
  let violation: Successor['violation'] = null;
  const next = monitors.map((m, i) => {
    const s = stepMonitor(space.properties[i]!.logic, m, obs);
    if (s.verdict.violation && !m.verdict.violation && violation === null) {
      violation = { property: space.properties[i]!.id, violation: s.verdict.violation };
    }
    return s;
  });
  return { monitors: next, violation };
}

export function successors(space: ExploreSpace, state: ExplorerState): Successor[] {
  const out: Successor[] = [];
  const w = state.world;
  const due = nextEventTime(w);
  const { sys } = space;

  // Faults come first at an instant: before any of its events.
  if (state.faults < space.maxFaults && due !== Infinity && (!state.busyInstant || due > w.now)) {
    for (const fault of space.faultMenu) {
      if (!applicable(w, fault)) continue;
      let world = w;
      let monitors = state.monitors;
      let violation: Successor['violation'] = null;
      if (due > w.now) {
        const advance: Move = { kind: 'advance', to: due };
        const a = step(sys, world, advance, FIRST, true);
        ({ monitors, violation } = observe(space, monitors, world, a.world, a.events, advance));
        world = a.world;
      }
      // What a restarted node sends on start takes its minimal delays (one branch per fault).
      const move: Move = { kind: 'fault', fault };
      const chooser = new EnumeratingChooser([], space.delays);
      const f = step(sys, world, move, chooser, true);
      const seen = observe(space, monitors, world, f.world, f.events, move);
      out.push({
        state: { world: f.world, monitors: seen.monitors, faults: state.faults + 1, busyInstant: false },
        edge: { kind: 'fault', fault, choices: chooser.offsets() },
        violation: violation ?? seen.violation,
      });
    }
  }

  for (const move of enabledMoves(w)) {
    const sig = signature(w, move);
    let prefix: number[] | null = [];
    while (prefix !== null) {
      const chooser: EnumeratingChooser = new EnumeratingChooser(prefix, space.delays);
      const r = step(sys, w, move, chooser, true);
      const seen = observe(space, state.monitors, w, r.world, r.events, move);
      out.push({
        state: { world: r.world, monitors: seen.monitors, faults: state.faults, busyInstant: true },
        edge: { kind: 'event', signature: sig, choices: chooser.offsets() },
        violation: seen.violation,
      });
      prefix = chooser.next();
    }
  }
  return out;
}

function applicable(w: World, f: Fault): boolean {
  switch (f.kind) {
    case 'crash':
      return !w.down[f.node];
    case 'restart':
      return w.down[f.node] === true;
    case 'linkDown':
      return w.links[f.link]?.up !== false;
    case 'linkUp':
      return w.links[f.link]?.up === false;
    case 'loss':
      return (w.links[f.link]?.loss ?? null) !== f.probability;
  }
}
