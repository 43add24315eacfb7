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
import { enabledMoves, nextEventTime, step, type Move, type World } from '../engine/world.js';
import { declOf, type AnyFault } from '../config/faults.js';
import { stepMonitor, type AnyProperty, type MonitorState, type Observation, type Violation } from '../checker/property.js';
import { hashOf, type ExplorerState, type MonitorIdentity } from './codec.js';
import { stepMemo, type StepMemo, type WorldCache, type WorldMove } from './worldCache.js';

/** What a successor took: enough to replay it from the parent. */
export type Edge =
  | { kind: 'fault'; fault: AnyFault; choices: number[] }
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
  faultMenu: readonly AnyFault[];
  maxFaults: number;
  /** Delays: the two bounds of each link ('bounds') or every value in between ('all'). */
  delays: 'bounds' | 'all';
  /** Past times further back than this are alike to every property (codec.ts). */
  horizonMs: number;
  /** Each world's moves, worked out once (see WorldCache). */
  worlds: WorldCache;
  /** What the state key holds of monitor `i`'s state, its times absolute (codec.ts). */
  monitorIdentity: (i: number, state: MonitorState<unknown>) => MonitorIdentity;
  /**
   * Per property: has some step shown its witness (a `sometimes` property)? Set where a
   * monitor step is worked out, before the state is made canonical: the state key holds
   * no witness flag (witnessing changes no future), so a canonical state may be the
   * unwitnessed twin of the one computed. Every step of every path is worked out once
   * for its (move, monitor state) pair, so no witness is missed.
   */
  witnessed: boolean[];
}

/** A move's content, independent of ids. */
export function signature(w: World, move: Move, horizonMs: number): string {
  if (move.kind === 'deliver') {
    const m = w.inFlight.find((x) => x.id === move.id)!;
    // As in keys, a send time further back than the horizon is any such time.
    const age = (t: number) => Math.max(-horizonMs, t - w.now);
    return `d${m.from}>${m.to}:${m.src}:${hashOf(m.msg, () => JSON.stringify(m.msg))}:${m.causeFrom ?? ''}:${age(m.sentAt)}:${age(m.originAt)}`;
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

/** The first property the last `observe` saw violated (one variable, not an object per call). */
let observedViolation: Successor['violation'] = null;

/** The monitors along a world move: their next states (and observedViolation). */
function observe(space: ExploreSpace, monitors: readonly MonitorState<unknown>[], move: WorldMove): MonitorState<unknown>[] {
  let violation: Successor['violation'] = null;
  let current = monitors as MonitorState<unknown>[];
  for (let j = 0; j < move.observations.length; j++) {
    const memo = move.monitorSteps[j]!;
    const lastIn = memo.lastIn;
    const lastOut = memo.lastOut;
    // Copied at the first monitor that changes: states whose monitors all stay share the array.
    let next: MonitorState<unknown>[] | null = null;
    for (let i = 0; i < current.length; i++) {
      const m = current[i]!;
      const s = lastIn[i] === m ? lastOut[i]! : monitorStep(space, memo, move.observations[j]!, i, m);
      if (s === m) continue;
      if (violation === null && s.verdict.violation && !m.verdict.violation) {
        violation = { property: space.properties[i]!.id, violation: s.verdict.violation };
      }
      (next ??= current.slice())[i] = s;
    }
    if (next) current = next;
  }
  observedViolation = violation;
  return current;
}

/** Monitor `i`'s next state on an observation, from the memo or worked out (and made canonical). */
function monitorStep(space: ExploreSpace, memo: StepMemo, obs: Observation, i: number, m: MonitorState<unknown>): MonitorState<unknown> {
  // Most monitors meet one state on a move: the map is made when a second one comes.
  let seen = memo.seen[i];
  if (seen === undefined && memo.lastIn[i] !== undefined) seen = memo.seen[i] = new Map([[memo.lastIn[i]!, memo.lastOut[i]!]]);
  let s = seen?.get(m);
  if (s === undefined) {
    const property = space.properties[i]!;
    s = stepMonitor(property.logic, m, obs);
    if (s.verdict.witnessed) space.witnessed[i] = true;
    // One object per monitor state the key tells apart, so that this memo serves every
    // path that reaches it.
    if (s !== m) s = space.worlds.canonical(property, i, s, space.monitorIdentity);
    seen?.set(m, s);
    space.worlds.remembered++;
  }
  memo.lastIn[i] = m;
  memo.lastOut[i] = s;
  return s;
}

function observation(space: ExploreSpace, prev: World, world: World, events: readonly TraceEvent[], move: Move): Observation {
  return { scenario: space.scenario, sys: space.sys, prev, world, events, move };
}

/** Faults first at an instant: before any of its events (the clock advances to it first). */
function faultMoves(space: ExploreSpace, w: World): WorldMove[] {
  const out: WorldMove[] = [];
  const due = nextEventTime(w);
  for (const fault of space.faultMenu) {
    if (!applicable(space, w, fault)) continue;
    const observations: Observation[] = [];
    let world = w;
    if (due > w.now) {
      const advance: Move = { kind: 'advance', to: due };
      const a = step(space.sys, world, advance, FIRST, true);
      observations.push(observation(space, world, a.world, a.events, advance));
      world = a.world;
    }
    // What a restarted node sends on start takes its minimal delays (one branch per fault).
    const move: Move = { kind: 'fault', fault };
    const chooser = new EnumeratingChooser([], space.delays);
    const f = step(space.sys, world, move, chooser, true);
    observations.push(observation(space, world, f.world, f.events, move));
    out.push({ observations, world: f.world, edge: { kind: 'fault', fault, choices: chooser.offsets() }, monitorSteps: observations.map(stepMemo) });
  }
  return out;
}

/** Each delivery or timer due now, with each combination of the choices inside its step. */
function eventMoves(space: ExploreSpace, w: World): WorldMove[] {
  const out: WorldMove[] = [];
  for (const move of enabledMoves(w)) {
    const sig = signature(w, move, space.horizonMs);
    let prefix: number[] | null = [];
    while (prefix !== null) {
      const chooser: EnumeratingChooser = new EnumeratingChooser(prefix, space.delays);
      const r = step(space.sys, w, move, chooser, true);
      out.push({
        observations: [observation(space, w, r.world, r.events, move)],
        world: r.world,
        edge: { kind: 'event', signature: sig, choices: chooser.offsets() },
        monitorSteps: [stepMemo()],
      });
      prefix = chooser.next();
    }
  }
  return out;
}

/**
 * What `expand` hands over for each successor, without making an object of it: the
 * caller makes the state only if it is new. Returning true stops the expansion.
 */
export type Visit = (
  world: World,
  monitors: MonitorState<unknown>[],
  faults: number,
  busyInstant: boolean,
  edge: Edge,
  violation: Successor['violation'],
) => boolean | void;

/** Every successor of a state, in a fixed order (faults first, then events), to `visit`. */
export function expand(space: ExploreSpace, state: ExplorerState, visit: Visit): void {
  const node = space.worlds.node(state.world);
  const rep = node.rep;
  const due = nextEventTime(rep);
  if (state.faults < space.maxFaults && due !== Infinity && (!state.busyInstant || due > rep.now)) {
    node.faults ??= faultMoves(space, rep);
    for (const move of node.faults) {
      const monitors = observe(space, state.monitors, move);
      if (visit(move.world, monitors, state.faults + 1, false, move.edge, observedViolation) === true) return;
    }
  }
  node.events ??= eventMoves(space, rep);
  for (const move of node.events) {
    const monitors = observe(space, state.monitors, move);
    if (visit(move.world, monitors, state.faults, true, move.edge, observedViolation) === true) return;
  }
}

export function successors(space: ExploreSpace, state: ExplorerState): Successor[] {
  const out: Successor[] = [];
  expand(space, state, (world, monitors, faults, busyInstant, edge, violation) => {
    out.push({ state: { world, monitors, faults, busyInstant }, edge, violation });
  });
  return out;
}

/** Would the fault change this world? Its declaration says (src/config/faults.ts, `applicable`). */
function applicable(space: ExploreSpace, w: World, f: AnyFault): boolean {
  const decl = declOf(space.sys.faults, f.kind);
  return decl !== undefined && decl.applicable(w, f);
}
