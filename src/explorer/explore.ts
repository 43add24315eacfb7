/**
 * Exhaustive breadth-first exploration of a small configuration: every reachable state
 * (up to a fault budget and a depth), every property checked at every state, and for
 * each violated property the shortest counterexample (fewest moves), rebuilt from parent
 * links and written as a scenario that `pvlcheck replay` plays back.
 *
 * States are stored as fingerprints of their canonical keys (codec.ts); the frontier
 * holds the states to expand next. A violating state is reported (the first time each
 * property fails, which breadth-first order makes a shortest path) and still expanded,
 * as with TLC's -continue, so that every property gets its verdict. A `sometimes`
 * property is witnessed when some reachable step shows its witness (ExploreResult.witnessed).
 *
 * A search can stop early: a bound (--max-depth, --max-states), or the caller's `poll`
 * (memory, an interrupt). It then says why (cutBy), and what it found so far stays
 * reported: violations with their shortest counterexamples, witnesses; the caller must
 * not read "no violation" as "holds".
 */
import type { Scenario } from '../config/types.js';
import { computeBounds } from '../sim/bounds.js';
import { buildSystem, type System } from '../engine/system.js';
import { createWorld, enabledMoves, nextEventTime, step, type Move, type World } from '../engine/world.js';
import { declOf, type AnyFault, type FaultVocabulary } from '../config/faults.js';
import { ScriptedChooser, minimalChooser } from '../engine/chooser.js';
import { initMonitor, stepMonitor, StepRecorder, type AnyProperty, type MonitorState, type Violation } from '../checker/property.js';
import { setCacheLimit } from '../engine/runner.js';
import { makeKeyMaker, type ExplorerState, type KeyMaker } from './codec.js';
import { FingerprintSet } from './fingerprints.js';
import { makeSymmetry, symmetricKeyMaker, symmetryProblem, type SymmetryGroups } from './symmetry.js';
import { EnumeratingChooser, expand, plainEdge, signature, successors, type Edge, type ExploreSpace, type ExploreStart, type Successor, type Visit } from './successors.js';
import { LEAN_CACHE_LIMIT, WorldCache } from './worldCache.js';

/** Why a search ended before it had visited every reachable state. */
export type StopReason = 'depth' | 'states' | 'found' | 'memory' | 'interrupted' | 'table';

/** How far a search has got, handed to ExploreOptions.poll. */
export interface Progress {
  states: number;
  transitions: number;
  /** The breadth-first level being expanded (a worker: the deepest path so far). */
  depth: number;
  /** Bytes of the visited set's typed arrays (not on the JS heap). */
  tableBytes: number;
}

export interface ExploreOptions {
  scenario: Scenario;
  properties: readonly AnyProperty[];
  /** Faults of the system's vocabulary (profiles.ts's menu, or src/config/faults.ts faultMenuOf). */
  faultMenu: readonly AnyFault[];
  /** The fault kinds the world knows (default: the built-in vocabulary); a test hands in its own. */
  vocabulary?: FaultVocabulary;
  maxFaults: number;
  maxDepth: number;
  /** Stop after this many distinct states (the space is then cut, not exhausted). */
  maxStates?: number;
  delays?: 'bounds' | 'all';
  /** Keep full keys instead of 64-bit fingerprints (no collisions; more memory). */
  exact?: boolean;
  /** After each breadth-first level (not called depth first). */
  onLevel?: (depth: number, states: number) => void;
  /**
   * Asked every few hundred expanded states (and once per level): a reason to stop now
   * (memory short, interrupted), or null to go on. The explorer itself keeps no time and
   * reads no memory figures: the command line does (progress lines, --memory, Ctrl-C).
   */
  poll?: (progress: Progress) => 'memory' | 'interrupted' | null;
  clock?: () => number;
  /** Stop as soon as all of these properties have a counterexample (a parallel run's rerun). */
  stopWhenFound?: readonly string[];
  /**
   * Explore each property with the model on its own, as Spin checks one claim at a time.
   * Monitors do not act on the world, so each property gets the verdict and the shortest
   * counterexample it gets in the product of all of them. Each property's space is at most
   * the product's (their sum may be more or less than it); the moves of each world are
   * computed once for all properties.
   */
  perProperty?: boolean;
  /**
   * Only this shard's part of the space (`explore --shard i/n`), split by the first fault:
   * every shard explores the whole fault-free space (the shared prefix), and each first
   * fault (a fault move from a fault-free state) belongs to one shard, by a hash of the
   * state it leaves and the fault; a shard explores everything after its own first faults.
   * See `split` in the result.
   */
  shard?: { index: number; count: number };
  /**
   * Partial-order reduction (default off here; the command line turns it on unless
   * --no-por): inside an instant, one order of moves that commute (successors.ts,
   * docs/explorer.md). The same verdicts; shortest counterexamples at most a few moves longer.
   */
  por?: boolean;
  /**
   * Memory first (`--lean`): the moves of a few worlds only (LEAN_CACHE_LIMIT), no canonical
   * monitor states; the engine's and the monitor charts' caches kept small
   * (LEAN_CACHE_LIMIT). The same states and verdicts.
   */
  lean?: boolean;
  /**
   * Depth first (`--lean` on the command line): the search holds its current path, not a
   * breadth-first level, and its visited set no parent links. The same states, transitions
   * and verdicts; a counterexample is the path the search was on, not the shortest, and the
   * depth is the longest path taken.
   */
  depthFirst?: boolean;
  /**
   * Symmetry reduction (symmetry.ts): groups of interchangeable nodes; a state is keyed by
   * its orbit's representative under the permutations within each group. Refused (an
   * error) when the groups are not interchangeable in the system, its links or fault menu.
   */
  symmetry?: SymmetryGroups;
  /**
   * 'all': start from one initial state per order of the ENI's ECMP next-hop group
   * (config.ecmpOrder, every permutation of the fast paths, each at depth 0), so that the
   * space holds every flow-to-member mapping a hash could give, not one. Absent: the
   * scenario's own order.
   */
  ecmpOrders?: 'all';
  /**
   * Folds (default on; `--no-folds` turns them off): the key leaves out what the
   * properties' declarations say nothing can read any more (docs/explorer.md, "Folds").
   * The same verdicts and shortest counterexamples, in fewer states.
   */
  folds?: boolean;
}

/** How a sharded search split the space (ExploreOptions.shard). */
export interface Split {
  /** States and transitions of the fault-free space, which every shard explores (count them once). */
  prefixStates: number;
  prefixTransitions: number;
  /** First faults met (fault moves out of fault-free states), and how many were this shard's. */
  firstFaults: number;
  own: number;
}

/** One property's own exploration (perProperty). */
export interface PropertyExploration {
  property: string;
  states: number;
  transitions: number;
  depth: number;
  exhausted: boolean;
  cutBy: ExploreResult['cutBy'];
  ms: number;
  /** The `sometimes` properties witnessed (this property, if it was). */
  witnessed: string[];
}

export interface ExploreViolation {
  property: string;
  violation: Violation;
  /** Moves from the initial state. */
  depth: number;
  edges: Edge[];
  /** Which initial state the path starts from (an index into ExploreSpace.starts; 0 when there is one). */
  start: number;
}

export interface ExploreResult {
  /** Initial states the search started from (one per ECMP order with ecmpOrders 'all'). */
  initialStates: number;
  states: number;
  transitions: number;
  /** The deepest level that was reached. */
  depth: number;
  /** Every reachable state was visited (no bound cut the search). */
  exhausted: boolean;
  /**
   * What ended the search early: a bound, the caller's poll (memory, interrupted), a full
   * shared table, or (a rerun for counterexamples) having found them.
   */
  cutBy: StopReason | null;
  violations: ExploreViolation[];
  /**
   * The `sometimes` properties some reachable step witnessed (a witness found is final;
   * one not found is "not witnessed" only if the search was exhausted).
   */
  witnessed: string[];
  ms: number;
  bytesPerState: number;
  /**
   * The heap's growth over the search per distinct state: the caches of world moves and
   * monitor steps, the canonical monitor states, the frontier (and garbage not yet
   * collected, so an upper bound, unless heapLive).
   */
  heapBytesPerState: number;
  /** The heap was collected before each reading (`gc` exposed): heapBytesPerState counts live objects only. */
  heapLive?: boolean;
  /**
   * Lean: the heap's highest level over the start, per distinct state, sampled at the end of
   * each breadth-first level (the frontier at its widest), or depth first at each new longest
   * path and every few thousand states, and at the end (collected first when `gc` is
   * exposed, `node --expose-gc`; otherwise garbage too, an upper bound).
   */
  peakHeapBytesPerState?: number;
  /** The search went depth first (ExploreOptions.depthFirst): counterexamples are not the shortest. */
  depthFirst?: boolean;
  /** With perProperty: each property's exploration (the totals above sum them). */
  byProperty: PropertyExploration[] | null;
  /** With ExploreOptions.shard: where the space was split (with perProperty, the sums over properties). */
  split?: Split;
}

/** Past times further back than this are alike to every property: the largest budget, and some. */
export function horizonFor(scenario: Scenario): number {
  const b = computeBounds(scenario.config, scenario.workload);
  return Math.max(b.l2.ms, b.l2FloorMs, scenario.config.relayTimeoutMs) + 1;
}

/** The moves of each world, to share between explorations of one configuration. */
export function worldCacheFor(scenario: Scenario, limit?: number, lean = false): WorldCache {
  const keys = makeKeyMaker([], horizonFor(scenario));
  return new WorldCache((w) => keys.worldKey(w), limit, undefined, lean);
}

export function spaceFor(options: ExploreOptions, worlds?: WorldCache): { space: ExploreSpace; keys: KeyMaker; sys: System } {
  const s = options.scenario;
  const sys = buildSystem(s.design, s.config, s.workload, ...(options.vocabulary ? [options.vocabulary] : []));
  for (const f of options.faultMenu) {
    if (!declOf(sys.faults, f.kind)) throw new Error(`the fault menu offers ${f.kind}, which the system's fault vocabulary does not declare`);
  }
  const horizonMs = horizonFor(s);
  const folds = options.folds ?? true ? s : null;
  const exact = makeKeyMaker(options.properties, horizonMs, options.lean ?? false, folds);
  let keys = exact;
  if (options.symmetry && options.symmetry.length > 0) {
    const problem = symmetryProblem(sys, options.symmetry, options.faultMenu);
    if (problem !== null) throw new Error(`no symmetry reduction: ${problem}`);
    // Every ECMP order explored: the order is in the ENI's state and renamed with the rest, so a
    // renaming is an automorphism and nothing needs pinning (symmetry.ts, pinnedByHash).
    keys = symmetricKeyMaker(sys, exact, makeSymmetry(sys, options.symmetry), options.properties, horizonMs, {
      lean: options.lean ?? false,
      pinByHash: options.ecmpOrders !== 'all',
      folds,
    });
  }
  if (options.ecmpOrders === 'all') {
    // Each start's ENI carries its order from its system's input; a restarted ENI would take
    // the explored system's, which is not the order it started with.
    const hit = options.faultMenu.find((f) => 'node' in f && typeof f.node === 'string' && sys.nodes[f.node]?.kind === 'eni');
    if (hit) throw new Error(`every ECMP order (ecmpOrders 'all') cannot be explored with a fault of the ENI (${JSON.stringify(hit)}): a restarted ENI would forget its order`);
  }
  const space: ExploreSpace = {
    sys,
    starts: startsFor(options, sys),
    scenario: s,
    properties: options.properties,
    faultMenu: options.faultMenu,
    maxFaults: options.maxFaults,
    delays: options.delays ?? 'bounds',
    horizonMs,
    worlds: worlds ?? new WorldCache((w) => keys.worldKey(w), undefined, undefined, options.lean ?? false),
    monitorIdentity: (i, m) => keys.monitorIdentity(i, m),
    witnessed: options.properties.map(() => false),
    recorder: new StepRecorder(),
    por: options.por ?? false,
    // Partial-order reduction compares states exactly, not up to symmetry.
    hashOf: exact.hashOf,
    fingerprint: (world, monitors, faults, busyInstant) => {
      const [h, l] = exact.fingerprintOf(world, monitors, faults, busyInstant);
      return `${h}:${l}`;
    },
  };
  return { space, keys, sys };
}

/** Every permutation of 1..n, in lexicographic order (the identity first). */
export function ecmpOrdersOf(n: number): number[][] {
  const out: number[][] = [];
  const walk = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) out.push(prefix);
    rest.forEach((x, i) => walk([...prefix, x], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  walk([], Array.from({ length: n }, (_, i) => i + 1));
  return out;
}

/**
 * The systems the search starts from: the explored one, or (ecmpOrders 'all') one per ECMP
 * order, which differ from it only in the order the ENI's input carries.
 */
function startsFor(options: ExploreOptions, sys: System): ExploreStart[] {
  if (options.ecmpOrders !== 'all') return [{ sys, ecmpOrder: options.scenario.config.ecmpOrder ?? null }];
  const s = options.scenario;
  return ecmpOrdersOf(s.config.fastPaths).map((ecmpOrder) => ({
    sys: buildSystem(s.design, { ...s.config, ecmpOrder }, s.workload, ...(options.vocabulary ? [options.vocabulary] : [])),
    ecmpOrder,
  }));
}

/** Initial state `start` (an index into space.starts), with the choices its first sends took (minimal delays). */
export function initialState(space: ExploreSpace, start = 0): { state: ExplorerState; choices: number[]; violation: ExploreViolation | null } {
  const chooser = new EnumeratingChooser([], 'bounds');
  const init = createWorld(space.starts[start]!.sys, chooser, true);
  const obs = { scenario: space.scenario, sys: space.sys, prev: null, world: init.world, events: init.events, move: null };
  const monitors = space.properties.map((p) => stepMonitor(p, initMonitor(p, space.scenario, space.sys), obs, space.recorder));
  monitors.forEach((m, i) => {
    if (m.verdict.witnessed) space.witnessed[i] = true;
  });
  return { state: { world: init.world, monitors, faults: 0, busyInstant: false }, choices: chooser.offsets(), violation: null };
}

export function explore(options: ExploreOptions): ExploreResult {
  return options.perProperty ? explorePerProperty(options) : exploreProduct(options);
}

/**
 * Each property on its own (ExploreOptions.perProperty), one after the other, sharing
 * `worlds` (the moves of each world; a worker passes its own from property to property).
 */
export function explorePerProperty(options: ExploreOptions, worlds = worldCacheFor(options.scenario, undefined, options.lean ?? false)): ExploreResult {
  const clock = options.clock ?? (() => 0);
  const started = clock();
  const parts: (ExploreResult & { property: string })[] = [];
  for (const p of options.properties) {
    if (options.stopWhenFound && !options.stopWhenFound.includes(p.id)) continue;
    // Stopped by memory or an interrupt: the properties not yet explored stay unknown.
    const last = parts[parts.length - 1];
    if (last && (last.cutBy === 'memory' || last.cutBy === 'interrupted')) break;
    const t0 = clock();
    const r = exploreProduct(
      { ...options, properties: [p], perProperty: false, ...(options.stopWhenFound ? { stopWhenFound: [p.id] } : {}) },
      worlds,
    );
    parts.push({ ...r, ms: clock() - t0, property: p.id });
    worlds.forgetMonitors();
  }
  return combine(parts, clock() - started);
}

/** The totals of properties explored on their own. */
export function combine(parts: readonly (ExploreResult & { property: string })[], ms: number): ExploreResult {
  const cut = parts.find((r) => r.cutBy !== null)?.cutBy ?? null;
  return {
    initialStates: Math.max(0, ...parts.map((r) => r.initialStates)),
    states: parts.reduce((n, r) => n + r.states, 0),
    transitions: parts.reduce((n, r) => n + r.transitions, 0),
    depth: Math.max(0, ...parts.map((r) => r.depth)),
    exhausted: parts.every((r) => r.exhausted),
    cutBy: cut,
    violations: parts.flatMap((r) => r.violations),
    witnessed: parts.flatMap((r) => r.witnessed),
    ms,
    // The visited sets' bytes over their states (one set at a time is held).
    bytesPerState: parts.reduce((n, r) => n + r.bytesPerState * r.states, 0) / Math.max(1, parts.reduce((n, r) => n + r.states, 0)),
    heapBytesPerState: Math.max(0, ...parts.map((r) => r.heapBytesPerState)),
    heapLive: parts.length > 0 && parts.every((r) => r.heapLive === true),
    ...(parts.some((r) => r.peakHeapBytesPerState !== undefined) ? { peakHeapBytesPerState: Math.max(0, ...parts.map((r) => r.peakHeapBytesPerState ?? 0)) } : {}),
    ...(parts.some((r) => r.depthFirst) ? { depthFirst: true } : {}),
    ...(parts.some((r) => r.split) ? { split: sumSplits(parts.map((r) => r.split)) } : {}),
    byProperty: parts.map((r) => ({
      property: r.property,
      states: r.states,
      transitions: r.transitions,
      depth: r.depth,
      exhausted: r.exhausted,
      cutBy: r.cutBy,
      ms: r.ms,
      witnessed: r.witnessed,
    })),
  };
}

function sumSplits(splits: readonly (Split | undefined)[]): Split {
  const all = splits.filter((x): x is Split => x !== undefined);
  return {
    prefixStates: all.reduce((n, x) => n + x.prefixStates, 0),
    prefixTransitions: all.reduce((n, x) => n + x.prefixTransitions, 0),
    firstFaults: all.reduce((n, x) => n + x.firstFaults, 0),
    own: all.reduce((n, x) => n + x.own, 0),
  };
}

/** A string's 32-bit FNV-1a hash. */
function textHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Which shard (1..count) owns a first fault: a mix of the 64-bit fingerprint of the state it leaves and the fault's hash. */
export function shardOfFingerprint(h: number, l: number, count: number): number {
  let x = Math.imul((h ^ Math.imul(l, 0x9e3779b1)) >>> 0, 0x85ebca6b) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return (x % count) + 1;
}

/** Lean, depth-first: the heap is sampled every this many new states (and at each new deepest path). */
const HEAP_SAMPLE_STATES = 8192;

/** The product of the model and every property's monitor. */
function exploreProduct(options: ExploreOptions, worlds?: WorldCache): ExploreResult {
  // Lean: at their usual bound the caches of the engine and of the monitor charts outgrow the visited set.
  const cacheWas = options.lean ? setCacheLimit(LEAN_CACHE_LIMIT) : null;
  try {
    return searchProduct(options, worlds);
  } finally {
    if (cacheWas !== null) setCacheLimit(cacheWas);
  }
}

/** A state on the depth-first path: the ordinal it was among its parent's successors, its successors once worked out, the next to visit. */
interface Frame {
  state: ExplorerState;
  ordinal: number;
  /** The move from its parent (null for a root). */
  edge: Edge | null;
  moves: (Successor | null)[] | null;
  next: number;
}

function searchProduct(options: ExploreOptions, worlds?: WorldCache): ExploreResult {
  const clock = options.clock ?? (() => 0);
  // With `gc` exposed (node --expose-gc) the heap is collected before it is read: the growth
  // counts live objects, not garbage (a search thread's nursery may hold hundreds of MB of
  // it, searchThread.ts). Lean also samples it during the search. Collections are not timed.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapAtStart = process.memoryUsage().heapUsed;
  const started = clock();
  let heapPeak = heapAtStart;
  const sampleHeap = (): void => {
    gc?.();
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  };
  const { space, keys } = spaceFor(options, worlds);
  const depthFirst = options.depthFirst ?? false;
  // Depth-first, the stack is the path: no parent links.
  const visited = new FingerprintSet(options.exact ?? false, 16, options.lean ?? false, !depthFirst);
  const violations = new Map<string, ExploreViolation>();
  // The initial states (one per ECMP order with ecmpOrders 'all'), each a root at depth 0
  // whose ordinal is its start; those the keys tell alike are one (index -1).
  const roots = space.starts.map((_, k) => initialState(space, k).state);
  const rootKey = keys.key(roots[0]!);
  // Added as every other state is (fingerprintOf; the key in exact mode), so that a state equal to a root is known.
  const rootIndex = roots.map((state, k) => {
    if (visited.exact) return visited.add(k === 0 ? rootKey : keys.key(state), -1, k);
    const fp = keys.fingerprintOf(state.world, state.monitors, state.faults, state.busyInstant);
    return visited.addPair(fp[0], fp[1], -1, k);
  });
  const initialStates = visited.size;
  let transitions = 0;
  const stopWhen = options.stopWhenFound ? new Set(options.stopWhenFound) : null;
  const foundAll = (): boolean => stopWhen !== null && [...stopWhen].every((p) => violations.has(p));
  let depth = 0;
  let cutBy: ExploreResult['cutBy'] = null;
  const keyLength = rootKey.length;
  const maxStates = options.maxStates ?? Infinity;
  const shard = options.shard && options.shard.count > 1 ? options.shard : null;
  const split: Split | undefined = shard ? { prefixStates: initialStates, prefixTransitions: 0, firstFaults: 0, own: 0 } : undefined;
  let stop: StopReason | null = null;
  // A property an initial state already violates: no step reports it (a step reports what it newly violates).
  roots.forEach((state, k) => {
    if (rootIndex[k]! < 0) return;
    state.monitors.forEach((m, i) => {
      const id = space.properties[i]!.id;
      if (m.verdict.violation && !violations.has(id)) violations.set(id, { property: id, violation: m.verdict.violation, depth: 0, edges: [], start: k });
    });
  });
  if (foundAll()) stop = cutBy = 'found';
  let fpOf: ExplorerState | null = null;
  const parentFp: [number, number] = [0, 0];

  /**
   * Successor `here` of `parent` (index `parentIndex`), `childDepth` moves from its root:
   * counted, and added if new. Its index, or -1 (known, or another shard's). The first
   * violation of a property is recorded with the path `pathOf` gives; `stop` is set when
   * the search is to end.
   */
  const arrive = (
    parent: ExplorerState,
    parentIndex: number,
    here: number,
    world: World,
    monitors: MonitorState<unknown>[],
    faults: number,
    busyInstant: boolean,
    edge: Edge,
    newViolations: Successor['violations'],
    childDepth: number,
    pathOf: (child: number, here: number, edge: Edge) => { start: number; edges: Edge[] },
  ): number => {
    if (shard && parent.faults === 0) {
      if (edge.kind === 'fault') {
        // A first fault: this shard's only if it owns it.
        if (fpOf !== parent) {
          const fp = keys.fingerprintOf(parent.world, parent.monitors, parent.faults, parent.busyInstant);
          parentFp[0] = fp[0];
          parentFp[1] = fp[1];
          fpOf = parent;
        }
        split!.firstFaults++;
        if (shardOfFingerprint(parentFp[0] ^ textHash(JSON.stringify(edge.fault)), parentFp[1], shard.count) !== shard.index) return -1;
        split!.own++;
      } else split!.prefixTransitions++;
    }
    transitions++;
    let child: number;
    if (visited.exact) child = visited.add(keys.key({ world, monitors, faults, busyInstant }), parentIndex, here);
    else {
      // The pair is the key maker's, overwritten by its next call: read at once.
      const fp = keys.fingerprintOf(world, monitors, faults, busyInstant);
      child = visited.addPair(fp[0], fp[1], parentIndex, here);
    }
    if (child < 0) return -1;
    if (split && faults === 0) split.prefixStates++;
    if (newViolations !== null) {
      let path: { start: number; edges: Edge[] } | null = null;
      for (const violation of newViolations) {
        if (violations.has(violation.property)) continue;
        path ??= pathOf(child, here, edge);
        violations.set(violation.property, { ...violation, depth: childDepth, edges: path.edges.map(plainEdge), start: path.start });
      }
      if (path !== null && foundAll()) {
        stop = 'found';
        return child;
      }
    }
    if (visited.size >= maxStates) stop = 'states';
    return child;
  };
  const progress = (at: number): Progress => ({ states: visited.size, transitions, depth: at, tableBytes: visited.tableBytes() });

  if (stop !== null) {
    // Every property sought is violated in an initial state: nothing to search.
  } else if (!depthFirst) {
    // A state leaves its level's frontier once expanded (null), so that it can be collected then.
    let frontier: (ExplorerState | null)[] = [];
    let frontierIndex: number[] = [];
    roots.forEach((state, k) => {
      if (rootIndex[k]! < 0) return;
      frontier.push(state);
      frontierIndex.push(rootIndex[k]!);
    });
    const linked = (child: number) => {
      const start = visited.rootOf(child);
      return { start, edges: rebuildEdges(space, keys, roots[start]!, visited.pathTo(child), visited.pathFingerprints(child)) };
    };
    // The state being expanded, and where its new successors go: one visitor for the whole
    // search (not a closure per state), reading these.
    let parent: ExplorerState = roots[0]!;
    let index = 0;
    let ordinal = 0;
    let nextLevel: ExplorerState[] = [];
    let nextLevelIndex: number[] = [];
    const visit: Visit = (world, monitors, faults, busyInstant, edge, violations) => {
      const child = arrive(parent, index, ordinal++, world, monitors, faults, busyInstant, edge, violations, depth + 1, linked);
      if (child < 0) return false;
      // A violating state is still expanded (TLC's -continue): other properties may fail later on.
      nextLevel.push({ world, monitors, faults, busyInstant });
      nextLevelIndex.push(child);
      return stop !== null;
    };
    while (frontier.length > 0) {
      if (depth >= options.maxDepth) {
        cutBy = 'depth';
        break;
      }
      const next: ExplorerState[] = [];
      const nextIndex: number[] = [];
      nextLevel = next;
      nextLevelIndex = nextIndex;
      for (let k = 0; k < frontier.length && stop === null; k++) {
        if ((k & 255) === 0 && options.poll) {
          stop = options.poll(progress(depth));
          if (stop !== null) break;
        }
        index = frontierIndex[k]!;
        parent = frontier[k]!;
        // Its place in the frontier is all the level keeps of it now.
        frontier[k] = null;
        ordinal = 0;
        expand(space, parent, visit);
      }
      if (stop !== null) {
        cutBy = stop;
        // States of the next level were made (a poll may stop before any was).
        if (next.length > 0 || (stop as StopReason) === 'found') depth++;
        break;
      }
      depth++;
      frontier = next;
      frontierIndex = nextIndex;
      // Live objects only when the collector is exposed (the bench): the frontier at its widest, not garbage.
      if (options.lean) sampleHeap();
      options.onLevel?.(depth, visited.size);
    }
  } else {
    // Depth-first (ExploreOptions.depthFirst): the stack is the path, and all the search holds
    // besides the visited set. `depth` is the longest path it took.
    let stack: Frame[] = [];
    // The stack holds the moves taken: the path's edges as they were, nothing to rebuild.
    const onStack = (_child: number, _here: number, edge: Edge) => ({ start: stack[0]!.ordinal, edges: [...stack.slice(1).map((f) => f.edge!), edge] });
    let expanded = 0;
    let cutDeep = false;
    for (let k = 0; k < roots.length && stop === null; k++) {
      if (rootIndex[k]! < 0) continue;
      stack = [{ state: roots[k]!, ordinal: k, edge: null, moves: null, next: 0 }];
      while (stack.length > 0 && stop === null) {
        const top = stack[stack.length - 1]!;
        const at = stack.length - 1;
        if (top.moves === null) {
          if (at >= options.maxDepth) {
            // Not expanded: a state reached by a longer path first may hide states within the bound, so the search is cut.
            cutDeep = true;
            stack.pop();
            continue;
          }
          if ((expanded++ & 255) === 0 && options.poll) {
            stop = options.poll(progress(at));
            if (stop !== null) break;
          }
          top.moves = successors(space, top.state);
        }
        if (top.next >= top.moves.length) {
          stack.pop();
          continue;
        }
        const here = top.next++;
        const s = top.moves[here]!;
        top.moves[here] = null;
        const x = s.state;
        if (arrive(top.state, -1, here, x.world, x.monitors, x.faults, x.busyInstant, s.edge, s.violations, at + 1, onStack) < 0) continue;
        // A violating state is still expanded (TLC's -continue), as breadth first.
        stack.push({ state: x, ordinal: here, edge: s.edge, moves: null, next: 0 });
        if (at + 1 > depth) {
          depth = at + 1;
          // The path at its longest so far, and every few thousand states: live objects with --expose-gc.
          if (options.lean) sampleHeap();
        } else if (options.lean && visited.size % HEAP_SAMPLE_STATES === 0) sampleHeap();
      }
    }
    cutBy = stop ?? (cutDeep ? 'depth' : null);
  }
  const ms = clock() - started;
  gc?.();
  const heapAtEnd = process.memoryUsage().heapUsed;
  return {
    initialStates,
    states: visited.size,
    transitions,
    depth,
    exhausted: cutBy === null,
    cutBy,
    violations: [...violations.values()],
    witnessed: space.properties.filter((_, i) => space.witnessed[i]).map((p) => p.id),
    ms,
    bytesPerState: visited.bytesPerState(keyLength),
    heapBytesPerState: Math.max(0, heapAtEnd - heapAtStart) / Math.max(1, visited.size),
    heapLive: gc !== undefined,
    ...(options.lean ? { peakHeapBytesPerState: Math.max(0, Math.max(heapPeak, heapAtEnd) - heapAtStart) / Math.max(1, visited.size) } : {}),
    ...(depthFirst ? { depthFirst: true } : {}),
    byProperty: null,
    ...(split ? { split } : {}),
  };
}

/** Walk the successor ordinals from the root again, to know what each move was. */
/**
 * The edges of a breadth-first path, from the successor ordinals the visited set keeps,
 * each step checked against the fingerprint (or key) the state was added with: a world's
 * moves come from the world of its key the cache holds, whose ids (and so the order of its
 * moves) may differ from the one met when the state was found, after the cache started
 * afresh. A step whose ordinal leads elsewhere takes the successor with that fingerprint.
 */
function rebuildEdges(space: ExploreSpace, keys: KeyMaker, root: ExplorerState, path: readonly number[], targets: readonly (string | readonly [number, number])[]): Edge[] {
  const edges: Edge[] = [];
  const isTarget = (x: ExplorerState, target: string | readonly [number, number]): boolean => {
    if (typeof target === 'string') return keys.key(x) === target;
    const [h, l] = keys.fingerprintOf(x.world, x.monitors, x.faults, x.busyInstant);
    return h === target[0] && l === target[1];
  };
  let state = root;
  path.forEach((ordinal, k) => {
    const succ = successors(space, state);
    const target = targets[k]!;
    const s = succ[ordinal] && isTarget(succ[ordinal]!.state, target) ? succ[ordinal]! : succ.find((x) => isTarget(x.state, target));
    if (!s) throw new Error(`counterexample rebuild lost its way at move ${k + 1}: no successor with the state found there`);
    edges.push(s.edge);
    state = s.state;
  });
  return edges;
}

/** A violation's path as a scenario (pathToScenario from the initial state it starts at): the shortest, unless found depth first. */
export function counterexampleScenario(space: ExploreSpace, v: Pick<ExploreViolation, 'edges' | 'start'>, name: string, depthFirst = false): Scenario {
  return pathToScenario(space, initialState(space, v.start).choices, v.edges, name, v.start, depthFirst);
}

/**
 * A counterexample path as a scenario: its faults at the instants the explorer injected
 * them, and every choice (event order, delays) as a script, so that `replay` plays the
 * same run. The run ends at the violating step.
 */
export function pathToScenario(space: ExploreSpace, rootChoices: number[], edges: readonly Edge[], name: string, start = 0, depthFirst = false): Scenario {
  const sys = space.sys;
  const script: number[] = [...rootChoices];
  const from = space.starts[start]!;
  let world: World = createWorld(from.sys, new ScriptedChooser(rootChoices, minimalChooser), false).world;
  const faults: Scenario['faults'] = [];
  for (const edge of edges) {
    if (edge.kind === 'fault') {
      const due = nextEventTime(world);
      if (due > world.now && due !== Infinity) world = step(sys, world, { kind: 'advance', to: due }, minimalChooser, false).world;
      faults.push({ at: world.now, ...edge.fault } as Scenario['faults'][number]);
      world = step(sys, world, { kind: 'fault', fault: edge.fault }, new ScriptedChooser(edge.choices, minimalChooser), false).world;
      script.push(...edge.choices);
      continue;
    }
    const moves = enabledMoves(world);
    const k = moves.findIndex((m) => signature(world, m, space.hashOf) === edge.signature);
    if (k < 0) throw new Error(`counterexample replay lost its way at t=${world.now}: no move ${edge.signature}`);
    if (moves.length > 1) script.push(k);
    world = step(sys, world, moves[k] as Move, new ScriptedChooser(edge.choices, minimalChooser), false).world;
    script.push(...edge.choices);
  }
  // The ECMP order the path started from: replay builds the same ENI.
  const config = from.ecmpOrder ? { ...space.scenario.config, ecmpOrder: from.ecmpOrder } : space.scenario.config;
  const order = from.ecmpOrder ? `, ECMP order [${from.ecmpOrder.join(', ')}]` : '';
  return {
    ...space.scenario,
    config,
    name,
    description: depthFirst
      ? `Counterexample found by the exhaustive explorer depth first (${edges.length} moves${order}): not the shortest; explore without --lean for the shortest.`
      : `Shortest counterexample found by the exhaustive explorer (${edges.length} moves${order}).`,
    choices: script,
    // A run lasts at least 1 ms (scenario.ts): a violation in the initial state is there at 1 ms too.
    until: Math.max(1, world.now),
    faults,
  };
}

