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
import { observesFacts, stepFacts, stepObserved, type StepRecorder, type AnyProperty, type MonitorState, type Observation, type Violation } from '../checker/property.js';
import type { ExplorerState, MonitorIdentity } from './codec.js';
import { stepMemo, type Edge, type EventGroup, type StepMemo, type WorldCache, type WorldMove, type WorldNode } from './worldCache.js';

export type { Edge } from './worldCache.js';

export interface Successor {
  state: ExplorerState;
  edge: Edge;
  /** The properties this step violated (their monitors newly violated), null when none. */
  violations: readonly NewViolation[] | null;
}

/** A property a step violated. */
export interface NewViolation {
  readonly property: string;
  readonly violation: Violation;
}

/** A system the search starts from, and the ECMP order its ENI was given (null: none given). */
export interface ExploreStart {
  sys: System;
  ecmpOrder: number[] | null;
}

export interface ExploreSpace {
  sys: System;
  /**
   * The initial states' systems (createWorld of each): the explored system alone, or one per
   * ECMP order (ExploreOptions.ecmpOrders), which differ from it only in the ENI's input.
   * Every move is stepped with `sys`.
   */
  starts: readonly ExploreStart[];
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
  /** The recorder of this space's monitor steps (its `exercised` is not read here). */
  recorder: StepRecorder;
  /**
   * Partial-order reduction (docs/explorer.md, "Partial-order reduction"): where no fault is
   * offered, explore one delivery or timer due now (with every choice inside its step)
   * when it commutes with every other move of the instant, as `persistent` checks.
   */
  por: boolean;
  /** The content hash of an immutable object, interned by this search's key maker (codec.ts). */
  hashOf: (object: object, text: () => string) => string;
  /** The 64-bit fingerprint of a product state, as the visited set keys it ("h:l"). */
  fingerprint: (world: World, monitors: readonly MonitorState<unknown>[], faults: number, busyInstant: boolean) => string;
}

/** A move's content, independent of ids. */
export function signature(w: World, move: Move, hashOf: (object: object, text: () => string) => string): string {
  if (move.kind === 'deliver') {
    const m = w.inFlight.find((x) => x.id === move.id)!;
    // Send times whole, as the cache of world moves keys worlds: two messages alike but for an
    // old send time are two moves a replay must not confuse (a monitor tells them apart).
    return `d${m.from}>${m.to}:${m.src}:${hashOf(m.msg, () => JSON.stringify(m.msg))}:${m.causeFrom ?? ''}:${m.sentAt - w.now}:${m.originAt - w.now}`;
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

/**
 * Where `observe` leaves the properties it saw violated: the caller's, one per expansion.
 * Every one of them: a property violated on the same step as another stays violated in every
 * state after it, so a step that reported only the first would hide it for good.
 */
interface Observed {
  violations: NewViolation[] | null;
}

/**
 * The monitors along a world move: their next states, returned, and the properties
 * violated on the way, in `out` when given (an object of the caller's, not one per call).
 */
function observe(space: ExploreSpace, monitors: readonly MonitorState<unknown>[], move: WorldMove, out?: Observed): MonitorState<unknown>[] {
  let violations: NewViolation[] | null = null;
  let current = monitors as MonitorState<unknown>[];
  for (let j = 0; j < move.observations.length; j++) {
    const memo = move.monitorSteps[j]!;
    const lastIn = memo.lastIn;
    const lastOut = memo.lastOut;
    // Copied at the first monitor that changes: states whose monitors all stay share the array.
    let next: MonitorState<unknown>[] | null = null;
    // A monitor sees only the steps that carry a fact it observes (property.ts, observes): worked out once per move.
    const wants = memo.wants ?? (memo.wants = monitorsObserving(space, move.observations[j]!));
    for (let i = 0; i < current.length; i++) {
      if (wants[i] === 0) continue;
      const m = current[i]!;
      const s = lastIn[i] === m ? lastOut[i]! : monitorStep(space, memo, move.observations[j]!, i, m);
      if (s === m) continue;
      if (s.verdict.violation && !m.verdict.violation) {
        (violations ??= []).push({ property: space.properties[i]!.id, violation: s.verdict.violation });
      }
      (next ??= current.slice())[i] = s;
    }
    if (next) current = next;
  }
  if (out) out.violations = violations;
  return current;
}

/** Per property: 1 when the observation carries a fact it observes, else 0. */
function monitorsObserving(space: ExploreSpace, obs: Observation): Uint8Array {
  const facts = stepFacts(obs);
  const out = new Uint8Array(space.properties.length);
  for (let i = 0; i < out.length; i++) out[i] = observesFacts(space.properties[i]!, facts) ? 1 : 0;
  return out;
}

/** Monitor `i`'s next state on an observation, from the memo or worked out (and made canonical). */
function monitorStep(space: ExploreSpace, memo: StepMemo, obs: Observation, i: number, m: MonitorState<unknown>): MonitorState<unknown> {
  // Most monitors meet one state on a move: the map is made when a second one comes.
  let seen = memo.seen[i];
  if (seen === undefined && memo.lastIn[i] !== undefined) seen = memo.seen[i] = new Map([[memo.lastIn[i]!, memo.lastOut[i]!]]);
  let s = seen?.get(m);
  if (s === undefined) {
    const property = space.properties[i]!;
    s = stepObserved(property, m, obs, space.recorder);
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
    const sig = signature(w, move, space.hashOf);
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
  violations: Successor['violations'],
) => boolean | void;

/** Every successor of a state, in a fixed order (faults first, then events), to `visit`. */
export function expand(space: ExploreSpace, state: ExplorerState, visit: Visit): void {
  const node = space.worlds.node(state.world);
  const rep = node.rep;
  const due = nextEventTime(rep);
  const faultsOffered = state.faults < space.maxFaults && due !== Infinity && (!state.busyInstant || due > rep.now);
  const seen: Observed = { violations: null };
  if (faultsOffered) {
    node.faults ??= faultMoves(space, rep);
    for (const move of node.faults) {
      const monitors = observe(space, state.monitors, move, seen);
      if (visit(move.world, monitors, state.faults + 1, false, move.edge, seen.violations) === true) return;
    }
  }
  node.events ??= eventMoves(space, rep);
  let events = node.events;
  if (space.por && !faultsOffered && events.length > 1) {
    const ample = ampleMoves(space, state, groupsOfNode(space, node));
    if (ample !== null) events = ample;
  }
  for (const move of events) {
    const monitors = observe(space, state.monitors, move, seen);
    if (visit(move.world, monitors, state.faults, true, move.edge, seen.violations) === true) return;
  }
}

/*
 * Partial-order reduction. Inside one instant (no fault offered: the budget is spent, or
 * the instant's first event has happened), the deliveries and timers due now are a small
 * acyclic system of their own: each move takes one event due now, and the instant ends
 * (faults are offered again, every move fully expanded) when none is left. A move group
 * `e` (one due delivery or timer, with every choice inside its step) is explored alone
 * when it is *persistent*: along every path from here that does not take `e` (every order
 * of the other events due now, and any event their steps make due now), each move commutes
 * with `e` in the product of the world and every monitor -- both orders reach the same
 * state key, choice by choice -- and leaves `e` enabled. The check is exact, state by
 * state, not assumed: `e` and the other move must first be at different nodes (a cheap
 * filter); then both orders are stepped and their fingerprints compared. A fault is never
 * reduced (faults are offered only at an instant's start, where everything is expanded).
 * Past a budget of pairs to compare, the group counts as dependent.
 */

/** Pairs of moves compared, at most, before a group counts as dependent. */
const POR_BUDGET = 48;

type Group = EventGroup;

/** The moves of a world, grouped by event (null: two events alike, which the check does not tell apart). */
function groupsOf(space: ExploreSpace, w: World, moves: readonly WorldMove[]): Group[] | null {
  const h = space.horizonMs;
  const out: Group[] = [];
  for (const m of moves) {
    const mv = m.observations[m.observations.length - 1]!.move!;
    const last = out[out.length - 1];
    // The moves of one event (its choices) come together.
    if (last && last.moves[0]!.observations[0]!.move === mv) {
      last.moves.push(m);
      continue;
    }
    let id: string;
    let node: string;
    if (mv.kind === 'deliver') {
      const x = w.inFlight.find((f) => f.id === mv.id)!;
      id = `d${x.from}>${x.to}:${x.src}:${space.hashOf(x.msg, () => JSON.stringify(x.msg))}:${x.causeFrom ?? ''}:${Math.max(-h, x.sentAt - x.at)}:${Math.max(-h, x.originAt - x.at)}:${x.at}`;
      node = x.to;
    } else if (mv.kind === 'fire') {
      const t = w.timers.find((f) => f.id === mv.id)!;
      id = `t${t.actor}:${t.name}:${t.at}`;
      node = t.actor.split('/')[0]!;
    } else return null;
    if (out.some((g) => g.id === id)) return null;
    out.push({ id, node, moves: [m] });
  }
  return out;
}

/** A world's event moves (from the cache of world moves) and their groups. */
function eventGroups(space: ExploreSpace, w: World): readonly Group[] | null {
  return groupsOfNode(space, space.worlds.node(w));
}

/** The same, for a world's node already at hand: worked out once per node. */
function groupsOfNode(space: ExploreSpace, node: WorldNode): readonly Group[] | null {
  if (node.groups === undefined) {
    node.events ??= eventMoves(space, node.rep);
    node.groups = groupsOf(space, node.rep, node.events);
  }
  return node.groups;
}

/** The product step of a state along a world move (a move of the world of its world's key: the cache's representative). */
function after(space: ExploreSpace, x: ExplorerState, move: WorldMove): ExplorerState {
  return { world: move.world, monitors: observe(space, x.monitors, move), faults: x.faults, busyInstant: true };
}

function sameChoices(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function findMove(group: Group | undefined, choices: readonly number[]): WorldMove | undefined {
  return group?.moves.find((m) => sameChoices((m.edge as { choices: number[] }).choices, choices));
}

/** The moves of the first persistent group (see above), or null: explore them all. */
function ampleMoves(space: ExploreSpace, s: ExplorerState, groups: readonly Group[] | null): WorldMove[] | null {
  if (groups === null || groups.length < 2) return null;
  // Candidates in the order of their content (due time last), not of ids: the choice is the
  // state key's, whichever world of that key (or worker) meets it.
  for (const e of [...groups].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (groups.some((g) => g !== e && g.node === e.node)) continue;
    const budget = { left: POR_BUDGET };
    if (persistent(space, s, groups, e.id, e.node, budget)) return e.moves;
  }
  return null;
}

/**
 * Does every move of state `x` other than the group `eId` commute with it (choice by
 * choice, in the product), and so on along every path from `x` that does not take it?
 */
function persistent(space: ExploreSpace, x: ExplorerState, groups: readonly Group[], eId: string, eNode: string, budget: { left: number }): boolean {
  const e = groups.find((g) => g.id === eId);
  if (!e) return false;
  if (groups.some((g) => g !== e && g.node === eNode)) return false;
  // Each of e's moves from here, and what is due after it: the same for every other group.
  const afterE: { xe: ExplorerState; groups: readonly Group[] }[] = [];
  for (const em of e.moves) {
    const xeGroups = eventGroups(space, em.world);
    if (xeGroups === null) return false;
    afterE.push({ xe: after(space, x, em), groups: xeGroups });
  }
  for (const g of groups) {
    if (g === e) continue;
    for (const gm of g.moves) {
      const xg = after(space, x, gm);
      const xgGroups = eventGroups(space, gm.world);
      if (xgGroups === null) return false;
      const eAfterG = xgGroups.find((h) => h.id === e.id);
      const choicesG = (gm.edge as { choices: number[] }).choices;
      for (let k = 0; k < e.moves.length; k++) {
        if (--budget.left < 0) return false;
        const gmAfterE = findMove(afterE[k]!.groups.find((h) => h.id === g.id), choicesG);
        if (!gmAfterE) return false;
        const emAfterG = findMove(eAfterG, (e.moves[k]!.edge as { choices: number[] }).choices);
        if (!emAfterG) return false;
        if (!sameState(space, after(space, afterE[k]!.xe, gmAfterE), after(space, xg, emAfterG))) return false;
      }
      // Paths that take g first and e later: e must commute with what follows too.
      if (nextEventTime(gm.world) !== gm.world.now) return false;
      if (xgGroups.length > 1 && !persistent(space, xg, xgGroups, eId, eNode, budget)) return false;
      if (budget.left < 0) return false;
    }
  }
  return true;
}

/**
 * Do two states of one instant have one key? The same world node (one world key) and the
 * same monitor state objects (canonical: one per identity) answer yes without hashing.
 */
function sameState(space: ExploreSpace, one: ExplorerState, other: ExplorerState): boolean {
  if (space.worlds.node(one.world) === space.worlds.node(other.world)) {
    let same = true;
    for (let i = 0; i < one.monitors.length && same; i++) same = one.monitors[i] === other.monitors[i];
    if (same) return true;
  }
  return space.fingerprint(one.world, one.monitors, 0, true) === space.fingerprint(other.world, other.monitors, 0, true);
}

export function successors(space: ExploreSpace, state: ExplorerState): Successor[] {
  const out: Successor[] = [];
  expand(space, state, (world, monitors, faults, busyInstant, edge, violations) => {
    out.push({ state: { world, monitors, faults, busyInstant }, edge, violations });
  });
  return out;
}

/** Would the fault change this world? Its declaration says (src/config/faults.ts, `applicable`). */
function applicable(space: ExploreSpace, w: World, f: AnyFault): boolean {
  const decl = declOf(space.sys.faults, f.kind);
  return decl !== undefined && decl.applicable(w, f);
}
