/**
 * The explorer's cache of world moves and monitor steps (docs/explorer.md, "Speed and
 * memory"): each world's moves are worked out once per world key, and on each move the
 * next state of each monitor state seen; monitor states are kept canonical, one object
 * per state the key tells apart, so that those memos serve every path.
 */
import type { AnyProperty, MonitorState, Observation } from '../checker/property.js';
import { getHeapStatistics } from 'node:v8';
import type { Move, World } from '../engine/world.js';
import type { AnyFault } from '../config/faults.js';
import { sameIdentity, type MonitorIdentity } from './codec.js';

/** What a successor took: enough to replay it from the parent (successors.ts). */
export type Edge =
  | { kind: 'fault'; fault: AnyFault; choices: number[] }
  /** An event, named by content (ids differ between equal states), and the choices inside its step. */
  | { kind: 'event'; signature: string; choices: number[] };

/**
 * A world's step, as the explorer keeps it. The cache holds one per move of every world it
 * keeps, for the whole search, so the move is one object: its own observation (what the
 * monitors observe: the world before, the world it leads to, the trace events), its own
 * edge (enough to replay it from the parent) and the memo of its monitor steps. A fault
 * that first advances the clock to the next instant observes that advance `before` it.
 */
export interface WorldMove extends Observation {
  readonly prev: World;
  readonly move: Move;
  /** What the edge says it is (the `before` of a fault has its fault's kind, and is no edge). */
  readonly kind: Edge['kind'];
  /** The choices inside the step, as offsets from each range's low end. */
  readonly choices: number[];
  /** The fault from the menu (null for an event). */
  readonly fault: AnyFault | null;
  /** The clock's advance a fault observes first (null: none, or an event). */
  readonly before: WorldMove | null;
  /** The move as its edge: an event's signature is worked out when read (only a replay reads it). */
  readonly edge: Edge;
  /**
   * Monitors are pure: per monitor that observes this step, the next state of each monitor
   * state already seen on it (monitor states are shared between explorer states, as
   * unchanged monitors return their state itself). Null until first stepped.
   */
  watch: Watch | null;
  /**
   * Per monitor watched (its place `u` in watch.monitors): the last state asked for at 2u and
   * its next state at 2u + 1 (most explorer states share most of their monitor states, so a
   * pointer comparison answers before anything else).
   */
  last: (MonitorState<unknown> | undefined)[] | null;
  /** Per monitor watched, once a second state comes: every state seen and its next state. */
  seen: (ByState<MonitorState<unknown>> | undefined)[] | null;
}

/**
 * What is known of a monitor per state of it met (its next state on a step, a partial-order
 * verdict): few states meet most steps and plans, so a list of pairs (state, answer) looked
 * through, and a map past SEEN_LIST_PAIRS of them.
 */
export type ByState<V> = (MonitorState<unknown> | V)[] | Map<MonitorState<unknown>, V>;

/** Pairs a list by state holds before it becomes a map. */
export const SEEN_LIST_PAIRS = 8;

/**
 * The monitors that observe an observation (it carries a fact each observes; property.ts,
 * observes). Moves share a handful of these: one object per set, per cache (WorldCache.watch).
 */
export interface Watch {
  /** The monitors' indexes, ascending. */
  readonly monitors: readonly number[];
  /** Per monitor index: its place in `monitors`, or -1. */
  readonly slot: readonly number[];
}

export interface WorldNode {
  /** The first world seen with this key: the moves are its moves. */
  readonly rep: World;
  /** Deliveries and timers due, each with every combination of choices inside its step. */
  events: readonly WorldMove[] | null;
  /** Faults from the menu (offered while the budget lasts). */
  faults: readonly WorldMove[] | null;
  /**
   * The event moves grouped by event, for the partial-order reduction (successors.ts):
   * undefined until asked, null when two events are alike.
   */
  groups?: readonly EventGroup[] | null;
  /**
   * The partial-order check's world-only part for this node (successors.ts, porOf): worked
   * out once per node, so that each explorer state of it compares only monitors.
   */
  por?: NodePor;
}

/**
 * The partial-order check of a world node, per candidate group: what it asks of the worlds
 * alone (which moves match after each order, whether both orders reach one world key), and
 * which monitors it compares.
 */
export interface NodePor {
  /** The search these were worked out for: the monitors compared are its properties'. */
  readonly owner: object;
  /** The groups that may be explored alone (none shares its node with another), in the order of their content. */
  readonly candidates: readonly EventGroup[];
  /** Per candidate: undefined until asked, null when the worlds alone rule it out. */
  readonly plans: (PorPlan | null | undefined)[];
}

/** The check of one candidate from a state of the node, but for its monitors. */
export interface PorPlan {
  readonly level: PorLevel;
  /** Does every pair end in worlds of one key (then equal monitor objects decide)? */
  readonly sameKeys: boolean;
  /** The monitors that observe some move of the plan (the others keep their object in both orders of every pair). */
  readonly watch: readonly number[];
  /**
   * Per monitor watched: per state of it met, do both orders of every pair give it the same
   * object? (Each monitor steps on its own, so this depends on its state alone.) Only where
   * every pair ends in one world key (sameKeys; else none), each map made when first asked.
   */
  readonly verdicts: (ByState<boolean> | undefined)[];
}

/** The pairs to compare from one state of the check, and from the states after each other move. */
export interface PorLevel {
  readonly steps: readonly PorStep[];
}

/** Another group's move `gm`: its pairs with each of the candidate's moves, then the check from after it. */
export interface PorStep {
  readonly gm: WorldMove;
  readonly pairs: readonly PorPair[];
  /** The same check from the state after `gm` (null: nothing but the candidate is due there). */
  readonly sub: PorLevel | null;
}

/** One pair: the candidate's move `em` then `gmAfterE`, against `gm` then `emAfterG`. */
export interface PorPair {
  readonly em: WorldMove;
  readonly gmAfterE: WorldMove;
  readonly emAfterG: WorldMove;
  /** Do both orders reach worlds of one key? */
  readonly sameKey: boolean;
}

/** One delivery or timer due now, with every choice inside its step (successors.ts, groupsOf). */
export interface EventGroup {
  /**
   * The event's content, its due time, and its past times relative to the due time, capped
   * at the horizon as keys cap them: the same event in any world of the same key (ids
   * aside), and in the worlds after other events of the same instant.
   */
  readonly id: string;
  /** The node the event happens at (a per-flow actor's node). */
  readonly node: string;
  readonly moves: WorldMove[];
}

/**
 * Lean (`--lean`): the bound of every cache a lean search keeps, whatever the space: the
 * worlds' moves here, the engine's and the monitor charts' entries (runner.ts, setCacheLimit).
 */
export const LEAN_CACHE_LIMIT = 256;

/**
 * The moves of each world, computed once per world key (content, times relative to now,
 * and now itself). Worlds are few next to states: states are worlds times monitor states
 * (the small profile with two faults: 14,071 worlds at their times for 330,261 states),
 * so most states reuse the world steps, and the very observation objects, of an earlier
 * state with an equal world (its representative, as equal keys already make states one).
 */
export class WorldCache {
  private nodes = new Map<number, WorldNode>();
  /** Monitor steps remembered on the moves (bounded with the worlds). */
  remembered = 0;
  /**
   * Per property: its monitor states by identity hash (KeyMaker.monitorIdentity, whose
   * answer stays memoised on each state); states whose hashes collide but differ are kept
   * on a list.
   */
  private monitorStates = new Map<AnyProperty, Map<number, MonitorState<unknown> | MonitorState<unknown>[]>>();

  constructor(
    private readonly keyOf: (w: World) => number,
    /** Above this many worlds (or ten times as many monitor steps) the cache starts afresh. */
    private readonly limit: number = 500_000,
    /** ... and when the heap is fuller than this share of its limit. */
    private readonly heapShare = 0.6,
    /**
     * Memory first (`--lean`): at most LEAN_CACHE_LIMIT worlds' moves, monitor states stay as made.
     * A few worlds are enough for the partial-order check, which steps the worlds of one
     * instant again and again (with none kept, it worked each out afresh every time).
     */
    readonly lean = false,
  ) {
    if (lean) this.limit = Math.min(limit, LEAN_CACHE_LIMIT);
  }

  /** The one monitor state kept for this identity (the first one seen). */
  canonical(
    property: AnyProperty,
    i: number,
    state: MonitorState<unknown>,
    identify: (i: number, state: MonitorState<unknown>) => MonitorIdentity,
  ): MonitorState<unknown> {
    if (this.lean) return state;
    const identity = identify(i, state);
    let states = this.monitorStates.get(property);
    if (!states) {
      states = new Map();
      this.monitorStates.set(property, states);
    }
    const known = states.get(identity.hash);
    if (known === undefined) {
      states.set(identity.hash, state);
      return state;
    }
    // Most hashes have one state: compared without a list made for it.
    if (!Array.isArray(known)) {
      if (sameIdentity(identify(i, known), identity)) return known;
      states.set(identity.hash, [known, state]);
      return state;
    }
    for (let k = 0; k < known.length; k++) if (sameIdentity(identify(i, known[k]!), identity)) return known[k]!;
    known.push(state);
    return state;
  }
  /** Drop the remembered monitor steps (between properties explored one at a time). */
  forgetMonitors(): void {
    for (const node of this.nodes.values()) {
      for (const move of [...(node.events ?? []), ...(node.faults ?? [])]) {
        for (let o: WorldMove | null = move; o !== null; o = o.before) {
          o.watch = null;
          o.last = null;
          o.seen = null;
        }
      }
    }
    this.watches = new Map();
    this.forgetCanonical();
  }

  /**
   * Which monitors observe: one Watch per set, for the properties of the search using the
   * cache (forgetMonitors drops them with the memos). Keyed by the set as a bitmask and the
   * number of properties, or as text past 30 properties.
   */
  private watches = new Map<number | string, Watch>();

  /** The Watch of these monitors (ascending indexes) among `count` properties. */
  watch(monitors: readonly number[], count: number): Watch {
    let key: number | string = count;
    if (count > 30) key = `${count}:${monitors.join(',')}`;
    else for (const i of monitors) key += 32 * 2 ** i;
    let known = this.watches.get(key);
    if (known === undefined) {
      const slot = new Array<number>(count).fill(-1);
      monitors.forEach((i, u) => (slot[i] = u));
      known = { monitors: [...monitors], slot };
      this.watches.set(key, known);
    }
    return known;
  }

  private misses = 0;
  /**
   * Is the heap more than `heapShare` full? Asked every 4096 new worlds: the caches are an
   * optimisation, and give way before the visited set and the frontier run short.
   */
  private memoryShort(): boolean {
    if ((++this.misses & 4095) !== 0) return false;
    return process.memoryUsage().heapUsed > this.heapShare * getHeapStatistics().heap_size_limit;
  }

  private forgetCanonical(): void {
    this.remembered = 0;
    this.monitorStates = new Map();
  }

  /** The node of this world's key: its moves, once worked out, and the world they are from. */
  node(w: World): WorldNode {
    const key = this.keyOf(w);
    let node = this.nodes.get(key);
    if (!node) {
      if (this.nodes.size >= this.limit || this.remembered >= this.limit * 10 || this.memoryShort()) {
        this.nodes = new Map();
        this.forgetCanonical();
      }
      node = { rep: w, events: null, faults: null, groups: undefined, por: undefined };
      this.nodes.set(key, node);
    }
    return node;
  }
}
