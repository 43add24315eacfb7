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
import { observesFacts, stepFacts, stepObserved, type StepRecorder, type AnyProperty, type MonitorState, type Violation } from '../checker/property.js';
import { MEMO } from '../engine/memo.js';
import type { ExplorerState, MonitorIdentity } from './codec.js';
import { SEEN_LIST_PAIRS, type ByState, type Edge, type EventGroup, type NodePor, type PorLevel, type PorPair, type PorPlan, type PorStep, type Watch, type WorldCache, type WorldMove, type WorldNode } from './worldCache.js';

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
    // Most steps make no choice: nothing to copy.
    if (this.picked.length === 0) return null;
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
 * A world move (worldCache.ts, WorldMove): its observation, edge and monitor memo in one
 * object, the cache keeping one per move for the whole search. The memo's slot for the
 * observation's facts (memo.ts) is made with the object, so that it stays inside it.
 */
class Step implements WorldMove {
  [MEMO]: unknown = undefined;
  watch: Watch | null = null;
  last: (MonitorState<unknown> | undefined)[] | null = null;
  seen: (ByState<MonitorState<unknown>> | undefined)[] | null = null;
  readonly scenario: Scenario;
  readonly sys: System;
  /** The key maker's content hashes, for an event's signature. */
  private readonly hashOf: ExploreSpace['hashOf'];
  readonly events: readonly TraceEvent[];
  constructor(
    space: ExploreSpace,
    readonly prev: World,
    readonly world: World,
    events: readonly TraceEvent[],
    readonly move: Move,
    readonly kind: Edge['kind'],
    readonly choices: number[],
    readonly fault: AnyFault | null,
    readonly before: WorldMove | null,
  ) {
    this.scenario = space.scenario;
    this.sys = space.sys;
    // Kept for the search: a copy made to size (the step's list grew as it was traced).
    this.events = events.slice();
    this.hashOf = space.hashOf;
  }
  /** The move is its edge: its kind, choices, and fault or signature, as Edge has them. */
  get edge(): Edge {
    return this as unknown as Edge;
  }
  /** An event's content (the rep world's, as the move was stepped from it); undefined for a fault. */
  get signature(): string | undefined {
    return this.kind === 'event' ? signature(this.prev, this.move, this.hashOf) : undefined;
  }
  /** The edge's fields, in the order edges always had them. */
  toJSON(): Edge {
    return plainEdge(this.edge);
  }
}

/**
 * An edge as plain data, its fields in the order edges always had them: a cached move is its
 * own edge (its signature worked out when read), which a caller could neither clone nor spread.
 */
export function plainEdge(e: Edge): Edge {
  return e.kind === 'fault' ? { kind: 'fault', fault: e.fault, choices: [...e.choices] } : { kind: 'event', signature: e.signature, choices: [...e.choices] };
}

/** The choices of a step without any: one array for them all (never written: edges are read only). */
const NO_CHOICES: number[] = Object.freeze([]) as unknown as number[];

/** A step's choices, as offsets (the shared empty array when it made none). */
function choicesOf(chooser: EnumeratingChooser): number[] {
  return chooser.picked.length === 0 ? NO_CHOICES : chooser.offsets();
}

/**
 * The monitors along a world move: their next states, returned, and the properties
 * violated on the way, in `out` when given (an object of the caller's, not one per call).
 */
function observe(space: ExploreSpace, monitors: readonly MonitorState<unknown>[], move: WorldMove, out?: Observed): MonitorState<unknown>[] {
  let violations: NewViolation[] | null = null;
  let current = monitors as MonitorState<unknown>[];
  // A fault's advance of the clock first, then the move.
  for (let o = move.before ?? move; ; o = move) {
    // A monitor sees only the steps that carry a fact it observes (property.ts, observes): worked out once per move.
    const watched = watchOf(space, o).monitors;
    const last = o.last!;
    // Copied at the first monitor that changes: states whose monitors all stay share the array.
    let next: MonitorState<unknown>[] | null = null;
    for (let u = 0; u < watched.length; u++) {
      const i = watched[u]!;
      const m = current[i]!;
      const s = last[2 * u] === m ? last[2 * u + 1]! : monitorStep(space, o, u, i, m);
      if (s === m) continue;
      if (s.verdict.violation && !m.verdict.violation) {
        (violations ??= []).push({ property: space.properties[i]!.id, violation: s.verdict.violation });
      }
      (next ??= current.slice())[i] = s;
    }
    if (next) current = next;
    if (o === move) break;
  }
  if (out) out.violations = violations;
  return current;
}

/** No monitor observes the step: nothing to remember (never written). */
const NO_STATES: MonitorState<unknown>[] = [];

/** The monitors that observe a step (the cache's Watch of them), worked out on the first ask with the step's memo. */
function watchOf(space: ExploreSpace, o: WorldMove): Watch {
  if (o.watch !== null) return o.watch;
  const facts = stepFacts(o);
  const monitors: number[] = [];
  for (let i = 0; i < space.properties.length; i++) if (observesFacts(space.properties[i]!, facts)) monitors.push(i);
  const watch = space.worlds.watch(monitors, space.properties.length);
  o.last = monitors.length === 0 ? NO_STATES : new Array<MonitorState<unknown> | undefined>(2 * monitors.length).fill(undefined);
  return (o.watch = watch);
}

/**
 * Monitor `i`'s next state on a step (it watches it at place `u`), from the memo or worked
 * out (and made canonical); remembered as the last asked for.
 */
function monitorStep(space: ExploreSpace, o: WorldMove, u: number, i: number, m: MonitorState<unknown>): MonitorState<unknown> {
  const last = o.last!;
  // Most monitors meet one state on a step: the list of those seen is made when a second one comes.
  let seen: ByState<MonitorState<unknown>> | undefined;
  if (last[2 * u] !== undefined) {
    const all = (o.seen ??= new Array<ByState<MonitorState<unknown>> | undefined>(last.length / 2).fill(undefined));
    seen = all[u] ??= [last[2 * u]!, last[2 * u + 1]!];
  }
  let s = seen === undefined ? undefined : seenStep(seen, m);
  if (s === undefined) {
    const property = space.properties[i]!;
    s = stepObserved(property, m, o, space.recorder);
    if (s.verdict.witnessed) space.witnessed[i] = true;
    // One object per monitor state the key tells apart, so that this memo serves every
    // path that reaches it.
    if (s !== m) s = space.worlds.canonical(property, i, s, space.monitorIdentity);
    if (seen !== undefined) o.seen![u] = withSeen(seen, m, s);
    space.worlds.remembered++;
  }
  last[2 * u] = m;
  last[2 * u + 1] = s;
  return s;
}

function seenStep<V>(seen: ByState<V>, m: MonitorState<unknown>): V | undefined {
  if (!Array.isArray(seen)) return seen.get(m);
  for (let k = 0; k < seen.length; k += 2) if (seen[k] === m) return seen[k + 1] as V;
  return undefined;
}

/** The answers by state, with one more: a list one pair longer (made to size), or a map past SEEN_LIST_PAIRS. */
function withSeen<V>(seen: ByState<V> | undefined, m: MonitorState<unknown>, s: V): ByState<V> {
  if (seen === undefined) return [m, s];
  if (!Array.isArray(seen)) return seen.set(m, s);
  if (seen.length >= 2 * SEEN_LIST_PAIRS) {
    const map = new Map<MonitorState<unknown>, V>();
    for (let k = 0; k < seen.length; k += 2) map.set(seen[k] as MonitorState<unknown>, seen[k + 1] as V);
    return map.set(m, s);
  }
  const grown = new Array<MonitorState<unknown> | V>(seen.length + 2);
  for (let k = 0; k < seen.length; k++) grown[k] = seen[k]!;
  grown[seen.length] = m;
  grown[seen.length + 1] = s;
  return grown;
}

/** Faults first at an instant: before any of its events (the clock advances to it first). */
function faultMoves(space: ExploreSpace, w: World): WorldMove[] {
  const out: WorldMove[] = [];
  const due = nextEventTime(w);
  // The clock's advance to the next instant is the same step for every fault of the world:
  // stepped once and shared as every fault's `before`, so that its memo of monitor steps
  // serves them all (monitors are pure, and see nothing of the fault in it). It names no
  // fault: it is no edge, only what each fault's edge observes first.
  let before: Step | null = null;
  for (const fault of space.faultMenu) {
    if (!applicable(space, w, fault)) continue;
    let world = w;
    if (due > w.now) {
      if (before === null) {
        const advance: Move = { kind: 'advance', to: due };
        const a = step(space.sys, w, advance, FIRST, true);
        before = new Step(space, w, a.world, a.events, advance, 'fault', NO_CHOICES, null, null);
      }
      world = before.world;
    }
    // What a restarted node sends on start takes its minimal delays (one branch per fault).
    const move: Move = { kind: 'fault', fault };
    const chooser = new EnumeratingChooser([], space.delays);
    const f = step(space.sys, world, move, chooser, true);
    out.push(new Step(space, world, f.world, f.events, move, 'fault', choicesOf(chooser), fault, before));
  }
  // Kept for the search: made to size.
  return out.slice();
}

/** Each delivery or timer due now, with each combination of the choices inside its step. */
function eventMoves(space: ExploreSpace, w: World): WorldMove[] {
  const out: WorldMove[] = [];
  for (const move of enabledMoves(w)) {
    let prefix: number[] | null = [];
    while (prefix !== null) {
      const chooser: EnumeratingChooser = new EnumeratingChooser(prefix, space.delays);
      const r = step(space.sys, w, move, chooser, true);
      out.push(new Step(space, w, r.world, r.events, move, 'event', choicesOf(chooser), null, null));
      prefix = chooser.next();
    }
  }
  // Kept for the search: made to size.
  return out.slice();
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
    const ample = ampleMoves(space, state, node);
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
 * filter); then both orders are stepped and their states compared (the worlds' keys once per
 * world node, see ampleMoves; the monitors per state). A fault is never reduced (faults are
 * offered only at an instant's start, where everything is expanded). Past a budget of pairs
 * to compare, the group counts as dependent.
 */

/** Pairs of moves compared, at most, before a group counts as dependent. */
const POR_BUDGET = 48;

type Group = EventGroup;

/** The moves of a world, grouped by event (null: two events alike, which the check does not tell apart). */
function groupsOf(space: ExploreSpace, w: World, moves: readonly WorldMove[]): Group[] | null {
  const h = space.horizonMs;
  const out: Group[] = [];
  for (const m of moves) {
    const mv = m.move;
    const last = out[out.length - 1];
    // The moves of one event (its choices) come together.
    if (last && last.moves[0]!.move === mv) {
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
  // Kept with the node: made to size.
  return out.slice();
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

function sameChoices(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function findMove(group: Group | undefined, choices: readonly number[]): WorldMove | undefined {
  if (group === undefined) return undefined;
  for (const m of group.moves) if (sameChoices(m.choices, choices)) return m;
  return undefined;
}

/**
 * The moves of the first persistent group of state `s` (of world node `node`), or null:
 * explore them all. The check is split in two. What it asks of the worlds alone -- the
 * candidates, each pair of moves to compare along every path that does not take the
 * candidate, the moves that match after each order, whether both orders reach one world
 * key, the budget -- depends on the world's key only, as the old per-state check read it
 * from this node's groups and the groups of the nodes after them: it is worked out once per
 * node and candidate (porOf, planLevel). What is left per state is to compare the monitors
 * along each pair (holds).
 */
function ampleMoves(space: ExploreSpace, s: ExplorerState, node: WorldNode): readonly WorldMove[] | null {
  const groups = groupsOfNode(space, node);
  if (groups === null || groups.length < 2) return null;
  const por = porOf(space, node, groups);
  for (let c = 0; c < por.candidates.length; c++) {
    const e = por.candidates[c]!;
    let plan = por.plans[c];
    if (plan === undefined) plan = por.plans[c] = planOf(space, groups, e);
    if (plan !== null && commutes(space, plan, s.monitors)) return e.moves;
  }
  return null;
}

/**
 * The candidates of a node, in the order of their content (due time last), not of ids: the
 * choice is the state key's, whichever world of that key (or worker) meets it. A group that
 * shares its node with another is never one. Kept per search: the monitors a pair compares
 * are the search's properties'.
 */
function porOf(space: ExploreSpace, node: WorldNode, groups: readonly Group[]): NodePor {
  if (node.por !== undefined && node.por.owner === space) return node.por;
  const candidates = groups
    .filter((e) => !groups.some((g) => g !== e && g.node === e.node))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    // Kept with the node: made to size.
    .slice();
  return (node.por = { owner: space, candidates, plans: candidates.map(() => undefined) });
}

/** The world-only part of the check of candidate `e` from a state with these groups (null: it fails). */
function planOf(space: ExploreSpace, groups: readonly Group[], e: Group): PorPlan | null {
  const level = planLevel(space, groups, e.id, e.node, { left: POR_BUDGET });
  if (level === null) return null;
  // The monitors that observe some move of the plan (observe steps no other).
  const watched = new Uint8Array(space.properties.length);
  const see = (move: WorldMove): void => {
    for (let o: WorldMove | null = move; o !== null; o = o.before) for (const i of watchOf(space, o).monitors) watched[i] = 1;
  };
  let sameKeys = true;
  const walk = (l: PorLevel): void => {
    for (const step of l.steps) {
      see(step.gm);
      for (const pair of step.pairs) {
        sameKeys &&= pair.sameKey;
        see(pair.em);
        see(pair.gmAfterE);
        see(pair.emAfterG);
      }
      if (step.sub !== null) walk(step.sub);
    }
  };
  walk(level);
  const monitors: number[] = [];
  for (let i = 0; i < watched.length; i++) if (watched[i] === 1) monitors.push(i);
  // The cache's list of them (plans watch a handful of sets); answers are kept only where
  // `commutes` asks for them (every pair ending in one world key), each map once asked.
  const watch = space.worlds.watch(monitors, space.properties.length).monitors;
  return { level, sameKeys, watch, verdicts: sameKeys ? new Array<undefined>(watch.length).fill(undefined) : [] };
}

/**
 * The world-only part of the check of group `eId` from a state with these groups (null: it
 * fails whatever the monitors). Every other move must leave `e` enabled with the same
 * choices, and `e` every other move; along every path that does not take `e` the same holds
 * (recursively, from the state after each other move, which must stay in the instant); past
 * POR_BUDGET pairs the group counts as dependent. These answers come from world nodes'
 * groups alone, so they hold for every state of this node; the pairs left to compare carry
 * the worlds both orders reach and the monitors that may tell them apart.
 */
function planLevel(space: ExploreSpace, groups: readonly Group[], eId: string, eNode: string, budget: { left: number }): PorLevel | null {
  const e = groups.find((g) => g.id === eId);
  if (!e) return null;
  if (groups.some((g) => g !== e && g.node === eNode)) return null;
  // What is due after each of e's moves: the same for every other group.
  const afterE: (readonly Group[])[] = [];
  for (const em of e.moves) {
    const xeGroups = eventGroups(space, em.world);
    if (xeGroups === null) return null;
    afterE.push(xeGroups);
  }
  const steps: PorStep[] = [];
  for (const g of groups) {
    if (g === e) continue;
    for (const gm of g.moves) {
      const xgGroups = eventGroups(space, gm.world);
      if (xgGroups === null) return null;
      const eAfterG = xgGroups.find((h) => h.id === e.id);
      const choicesG = gm.choices;
      // Kept with the plan: made to size (one pair per move of e).
      const pairs = new Array<PorPair>(e.moves.length);
      for (let k = 0; k < e.moves.length; k++) {
        if (--budget.left < 0) return null;
        const em = e.moves[k]!;
        const gmAfterE = findMove(afterE[k]!.find((h) => h.id === g.id), choicesG);
        if (!gmAfterE) return null;
        const emAfterG = findMove(eAfterG, em.choices);
        if (!emAfterG) return null;
        // One node is one world key (a node is looked up by key, and a key met twice is a hit).
        const sameKey = space.worlds.node(gmAfterE.world) === space.worlds.node(emAfterG.world);
        pairs[k] = { em, gmAfterE, emAfterG, sameKey };
      }
      // Paths that take g first and e later: e must commute with what follows too.
      if (nextEventTime(gm.world) !== gm.world.now) return null;
      let sub: PorLevel | null = null;
      if (xgGroups.length > 1) {
        sub = planLevel(space, xgGroups, eId, eNode, budget);
        if (sub === null) return null;
      }
      steps.push({ gm, pairs, sub });
    }
  }
  // Kept with the plan: made to size.
  return { steps: steps.slice() };
}

/**
 * Does the candidate of `plan` commute, along every pair, from a state with monitors `x`?
 * When every pair ends in worlds of one key, equal monitor objects answer yes. Each monitor
 * steps on its own (its next state is a function of its state and the observation), so
 * whether both orders of every pair leave monitor `i` one object depends on `x[i]` alone:
 * worked out once per monitor state and plan (the steps it takes are those the per-state
 * check takes, so no witness goes unnoted), it is looked up for the other states of the node.
 * Lean keeps no such answers (monitor states are not made canonical there, so few would be
 * yes). Otherwise the pairs are compared state by state, as `holds` does.
 */
function commutes(space: ExploreSpace, plan: PorPlan, x: readonly MonitorState<unknown>[]): boolean {
  if (plan.sameKeys && !space.worlds.lean) {
    let all = true;
    for (let u = 0; u < plan.watch.length && all; u++) {
      const i = plan.watch[u]!;
      const m = x[i]!;
      const known = plan.verdicts[u];
      let same = known === undefined ? undefined : seenStep(known, m);
      if (same === undefined) plan.verdicts[u] = withSeen(known, m, (same = monitorCommutes(space, plan.level, i, m)));
      all = same;
    }
    if (all) return true;
  }
  return holds(space, plan.level, plan.watch, x);
}

/** Do both orders of every pair of a plan leave monitor `i`, from state `m`, one object? */
function monitorCommutes(space: ExploreSpace, level: PorLevel, i: number, m: MonitorState<unknown>): boolean {
  for (const step of level.steps) {
    for (const pair of step.pairs) {
      if (!monitorSameBothWays(space, pair, step.gm, i, m)) return false;
    }
    if (step.sub !== null && !monitorCommutes(space, step.sub, i, monitorAlong(space, m, step.gm, i))) return false;
  }
  return true;
}

/**
 * Do the pairs of a plan commute in the product from a state with monitors `x`? Each pair's
 * two orders end in worlds of one key or not (planned); the monitors are compared here, the
 * pairs in the order the check has always gone (each other move's pairs, then the check from
 * after it).
 */
function holds(space: ExploreSpace, level: PorLevel, watch: readonly number[], x: readonly MonitorState<unknown>[]): boolean {
  for (const step of level.steps) {
    for (const pair of step.pairs) if (!pairCommutes(space, pair, step.gm, watch, x)) return false;
    if (step.sub !== null && !holds(space, step.sub, watch, observe(space, x, step.gm))) return false;
  }
  return true;
}

/**
 * Do `em` then `gmAfterE` and `gm` then `emAfterG` reach one state key from monitors `x`?
 * The same world key and the same monitor state objects (canonical: one per identity) answer
 * yes without hashing; a monitor that observes none of the plan's moves keeps its object in
 * both orders, so only the watched ones are stepped (one by one, as observe steps each).
 * Otherwise the two states' fingerprints are compared.
 */
function pairCommutes(space: ExploreSpace, pair: PorPair, gm: WorldMove, watch: readonly number[], x: readonly MonitorState<unknown>[]): boolean {
  if (pair.sameKey) {
    if (watch.every((i) => monitorSameBothWays(space, pair, gm, i, x[i]!))) return true;
  }
  const one = observe(space, observe(space, x, pair.em), pair.gmAfterE);
  const other = observe(space, observe(space, x, gm), pair.emAfterG);
  return space.fingerprint(pair.gmAfterE.world, one, 0, true) === space.fingerprint(pair.emAfterG.world, other, 0, true);
}

/** Does monitor `i`, from state `m`, end as one object after `em` then `gmAfterE` and after `gm` then `emAfterG`? */
function monitorSameBothWays(space: ExploreSpace, pair: PorPair, gm: WorldMove, i: number, m: MonitorState<unknown>): boolean {
  return monitorAlong(space, monitorAlong(space, m, pair.em, i), pair.gmAfterE, i) === monitorAlong(space, monitorAlong(space, m, gm, i), pair.emAfterG, i);
}

/** Monitor `i`'s state after a move, as observe works it out. */
function monitorAlong(space: ExploreSpace, m: MonitorState<unknown>, move: WorldMove, i: number): MonitorState<unknown> {
  // The clock's advance first, as observe steps them.
  if (move.before !== null) m = monitorAlong(space, m, move.before, i);
  const u = watchOf(space, move).slot[i]!;
  if (u < 0) return m;
  const last = move.last!;
  return last[2 * u] === m ? last[2 * u + 1]! : monitorStep(space, move, u, i, m);
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
