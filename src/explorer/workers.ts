/**
 * The explorer's worker threads, orchestrated: one search in a worker thread (so that the
 * calling thread stays free for progress lines and Ctrl-C), a parallel search over one
 * shared visited set (parallel.ts) with a breadth-first rerun here for the shortest
 * counterexamples, or properties taken one at a time (--per-property); the stop word and
 * the memory bound every search thread polls (pollFor), the progress lines, the results
 * collected. `src/cli/explore.ts` keeps flags, output and exit codes and hands in the
 * properties (and where a worker thread loads them: functions cannot be posted to one).
 *
 * Worker threads load built JavaScript (workerThread.js beside this file, in dist/); run
 * from the TypeScript sources (vitest), the search runs in the calling thread instead.
 * Each thread's heap limit is set from the memory bound (searchThread.ts, which spawns the
 * threads), not from the user's NODE_OPTIONS.
 */
import { getHeapStatistics } from 'node:v8';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { DEFAULT_VOCABULARY, faultMenuOf, type FaultModel } from '../config/faults.js';
import { shapeOf } from '../config/topology.js';
import type { Scenario } from '../config/types.js';
import type { AnyProperty } from '../checker/property.js';
import type { Shard } from '../checker/shard.js';
import {
  combine,
  explore,
  explorePerProperty,
  counterexampleScenario,
  spaceFor,
  worldCacheFor,
  type ExploreOptions,
  type ExploreResult,
  type Progress,
} from './explore.js';
import type { WorldCache } from './worldCache.js';
import { controlBuffer, type ShareResult } from './parallel.js';
import { SharedFingerprintSet } from './sharedSet.js';
import { faultMenu } from './profiles.js';
import { IN_PROCESS, inThread, type SearchHeap, type SearchThread } from './searchThread.js';

/** Milliseconds between progress lines. */
export const PROGRESS_MS = 2000;

/** The properties a search checks, and where a worker thread imports the same ones. */
export interface PropertySource {
  /** Every property a request may name by id. */
  properties: readonly AnyProperty[];
  /** A module's file URL and the name of its export that holds the same list (workerThread.ts imports it). */
  module: { url: string; name: string };
}

export interface ExploreRequest {
  scenario: Scenario;
  propertyIds: string[];
  faultKinds: string[];
  /** extended: the menu is the vocabulary's (src/config/faults.ts faultMenuOf), narrowed to faultKinds when given. */
  faultModel?: FaultModel;
  maxFaults: number;
  maxDepth: number;
  maxStates?: number;
  delays: 'bounds' | 'all';
  exact: boolean;
  perProperty?: boolean;
  stopWhenFound?: string[];
  /** Only this shard's part of the space (ExploreOptions.shard). */
  shard?: Shard;
  /** Partial-order reduction (ExploreOptions.por; the command's default). */
  por?: boolean;
  /** Memory first (ExploreOptions.lean). */
  lean?: boolean;
  /** Depth first (ExploreOptions.depthFirst; the command asks for it with --lean). */
  depthFirst?: boolean;
  /** false: no folds (ExploreOptions.folds, `--no-folds`). */
  folds?: boolean;
  /** Symmetry reduction's groups of interchangeable nodes (ExploreOptions.symmetry). */
  symmetry?: string[][];
  /** Start from every ECMP order (ExploreOptions.ecmpOrders). */
  ecmpOrders?: 'all';
}

/** An exploration's figures and its counterexamples as scenarios. */
export interface ExploreReply {
  result: Omit<ExploreResult, 'violations'> & {
    violations: { property: string; message: string; depth: number; scenario: Scenario }[];
    /**
     * Properties seen violated whose shortest counterexample was not rebuilt (a parallel
     * run's breadth-first rerun stopped first): still violated.
     */
    violatedWithoutPath?: string[];
  };
}

/**
 * What the main thread and the explorer's threads share while a search runs: a stop word
 * (Ctrl-C, or one thread past the memory bound stops them all) and each thread's progress
 * (states, transitions, depth, heap bytes), which the main thread prints every few seconds.
 */
export interface Control {
  buffer: SharedArrayBuffer;
  /** Heap bound per thread, bytes. */
  memoryBytes: number;
}

const STOP_NONE = 0;
const STOP_INTERRUPTED = 1;
const STOP_MEMORY = 2;
const PROGRESS_FIELDS = 4;
/** Polls between two readings of the heap (pollFor). */
const HEAP_EVERY = 4;

export function newControl(threads: number, memoryBytes: number): Control {
  return { buffer: new SharedArrayBuffer(8 + threads * PROGRESS_FIELDS * 8), memoryBytes };
}

function stopWord(c: Control): Int32Array {
  return new Int32Array(c.buffer, 0, 2);
}

function progressOf(c: Control): Float64Array {
  return new Float64Array(c.buffer, 8);
}

/**
 * The explorer's poll for thread `slot`: it records the progress, and says stop when the
 * stop word is set (Ctrl-C) or when this thread's heap and visited set pass the bound
 * (then it sets the stop word, so that the other threads stop too). The heap is read
 * every HEAP_EVERY polls (a poll comes every 256 expansions; reading it cost more than the
 * rest of the poll).
 */
export function pollFor(c: Control, slot: number): (p: Progress) => 'memory' | 'interrupted' | null {
  const word = stopWord(c);
  const progress = progressOf(c);
  let polls = 0;
  let used = 0;
  return (p) => {
    if (polls++ % HEAP_EVERY === 0) used = getHeapStatistics().used_heap_size;
    const heap = used + p.tableBytes;
    const at = slot * PROGRESS_FIELDS;
    progress[at] = p.states;
    progress[at + 1] = p.transitions;
    progress[at + 2] = p.depth;
    progress[at + 3] = heap;
    if (heap > c.memoryBytes) Atomics.compareExchange(word, 0, STOP_NONE, STOP_MEMORY);
    const stop = Atomics.load(word, 0);
    return stop === STOP_MEMORY ? 'memory' : stop === STOP_INTERRUPTED ? 'interrupted' : null;
  };
}

/** Ctrl-C: every search thread stops at its next poll, and the search reports what it found. */
export function interrupt(c: Control): void {
  Atomics.store(stopWord(c), 0, STOP_INTERRUPTED);
}

/** One progress line from the threads' figures: states, depth, states/s since the last line, heap. */
function progressLine(c: Control, since: { states: number; ms: number }, now: number): string {
  const p = progressOf(c);
  let states = 0;
  let depth = 0;
  let heap = 0;
  for (let at = 0; at < p.length; at += PROGRESS_FIELDS) {
    states += p[at]!;
    depth = Math.max(depth, p[at + 2]!);
    heap += p[at + 3]!;
  }
  const rate = since.ms < now ? ((states - since.states) / (now - since.ms)) * 1000 : 0;
  since.states = states;
  since.ms = now;
  return `explore: ${Math.round(states).toLocaleString('en-US')} states, depth ${depth}, ${Math.round(rate).toLocaleString('en-US')} states/s, heap ${Math.round(heap / 2 ** 20)} MB`;
}

export function optionsOf(r: ExploreRequest, properties: readonly AnyProperty[], clock?: () => number, poll?: ExploreOptions['poll']): ExploreOptions {
  return {
    scenario: r.scenario,
    properties: properties.filter((p) => r.propertyIds.includes(p.id)),
    faultMenu:
      r.faultModel === 'extended'
        ? faultMenuOf(DEFAULT_VOCABULARY, r.scenario.config.fastPaths, 'extended', r.faultKinds.length > 0 ? r.faultKinds : undefined, shapeOf(r.scenario.config))
        : faultMenu(r.faultKinds, r.scenario.config.fastPaths, r.scenario.config.clients?.length ?? 1, r.scenario.config.lvsMembers),
    maxFaults: r.maxFaults,
    maxDepth: r.maxDepth,
    ...(r.maxStates !== undefined ? { maxStates: r.maxStates } : {}),
    delays: r.delays,
    exact: r.exact,
    ...(r.perProperty ? { perProperty: true } : {}),
    ...(r.stopWhenFound ? { stopWhenFound: r.stopWhenFound } : {}),
    ...(r.shard ? { shard: r.shard } : {}),
    ...(r.por ? { por: true } : {}),
    ...(r.lean ? { lean: true } : {}),
    ...(r.depthFirst ? { depthFirst: true } : {}),
    ...(r.folds === false ? { folds: false } : {}),
    ...(r.symmetry && r.symmetry.length > 0 ? { symmetry: r.symmetry } : {}),
    ...(r.ecmpOrders ? { ecmpOrders: r.ecmpOrders } : {}),
    ...(clock ? { clock } : {}),
    ...(poll ? { poll } : {}),
  };
}

/** Run one exploration (a whole one, or a worker's share) and turn its paths into scenarios. */
export function runExplore(
  r: ExploreRequest,
  properties: readonly AnyProperty[],
  clock?: () => number,
  worlds?: WorldCache,
  poll?: ExploreOptions['poll'],
): ExploreReply {
  const options = optionsOf(r, properties, clock, poll);
  const result = worlds && options.perProperty ? explorePerProperty(options, worlds) : explore(options);
  const { space } = spaceFor(options);
  return {
    result: {
      ...result,
      violations: result.violations.map((v) => ({
        property: v.property,
        message: v.violation.message,
        depth: v.depth,
        scenario: result.depthFirst
          ? counterexampleScenario(space, v, `${r.scenario.design}-${v.property}-depth-first`, true)
          : counterexampleScenario(space, v, `${r.scenario.design}-${v.property}-shortest`),
      })),
    },
  };
}

/** A search thread's heap: the bound per thread, and memory first or not. */
function heapOf(request: ExploreRequest, control: Control): SearchHeap {
  return { memoryMb: control.memoryBytes / 2 ** 20, lean: request.lean === true };
}

/**
 * One search in one worker thread, so that this thread stays free for progress lines and
 * Ctrl-C: the thread started early when it fits (searchThread.ts), else a new one.
 */
async function inOneThread(request: ExploreRequest, source: PropertySource, control: Control, early: SearchThread | null): Promise<ExploreReply> {
  const job = { mode: 'single', request, stop: control, index: 0 };
  const heap = heapOf(request, control);
  if (early?.fits(source.module, heap)) {
    if (process.env.PVLCHECK_DEBUG) process.stderr.write('explore: the search runs in the thread started early\n');
    return early.run<ExploreReply>(job);
  }
  early?.end();
  return inThread<ExploreReply>(job, source.module, heap);
}

/**
 * A parallel exploration: worker threads over one shared visited set (exploreShare),
 * then, if any property was violated, a breadth-first rerun in this thread for the
 * shortest counterexamples (it stops once it has them all).
 */
async function inWorkers(request: ExploreRequest, source: PropertySource, workers: number, control: Control, tableBits: number, clock: () => number): Promise<ExploreReply> {
  const heap = heapOf(request, control);
  const started = clock();
  const shared = new SharedFingerprintSet(tableBits);
  const ctl = controlBuffer(workers);
  // One message channel per pair of workers, for handing over work.
  const ports: Map<number, MessagePort>[] = Array.from({ length: workers }, () => new Map());
  for (let a = 0; a < workers; a++) {
    for (let b = a + 1; b < workers; b++) {
      const { port1, port2 } = new MessageChannel();
      ports[a]!.set(b, port1);
      ports[b]!.set(a, port2);
    }
  }
  const shares = await Promise.all(
    Array.from({ length: workers }, (_, index) => {
      const peers = ports[index]!;
      return inThread<ShareResult>(
        { mode: 'share', request, buffer: shared.buffer, words: ctl, index, count: workers, peers, stop: control },
        source.module,
        heap,
        [...peers.values()],
      );
    }),
  );
  const ms = clock() - started;
  if (process.env.PVLCHECK_DEBUG) for (const s of shares) process.stderr.write(`worker: ${JSON.stringify(s)}\n`);
  const violated = [...new Set(shares.flatMap((s) => s.violated))].sort();
  // A bound or the memory before a full table, before a depth cut (which one worker may meet alone).
  const cut = shares.map((s) => s.cutBy).find((c) => c !== null && c !== 'depth') ?? shares.find((s) => s.cutBy)?.cutBy ?? null;
  let violations: ExploreReply['result']['violations'] = [];
  if (violated.length > 0) {
    // The shortest counterexamples: breadth first again (whatever the request), here, under the same bound and stop word.
    violations = runExplore({ ...request, stopWhenFound: violated, depthFirst: false }, source.properties, undefined, undefined, pollFor(control, workers)).result.violations;
  }
  const rebuilt = new Set(violations.map((v) => v.property));
  return {
    result: {
      initialStates: shares[0]!.initialStates,
      states: shared.size,
      transitions: shares[0]!.prefixTransitions + shares.reduce((n, s) => n + s.transitions, 0),
      depth: Math.max(...shares.map((s) => s.depth)),
      exhausted: cut === null,
      cutBy: cut,
      violations,
      violatedWithoutPath: violated.filter((p) => !rebuilt.has(p)),
      witnessed: [...new Set(shares.flatMap((s) => s.witnessed))],
      ms,
      // The shared table's cost per state at the load it is sized for (half full).
      bytesPerState: 24,
      heapBytesPerState: 0,
      byProperty: null,
    },
  };
}

/** Heaviest first, so that the last property to finish is a light one. */
function byWeight(ids: readonly string[], properties: readonly AnyProperty[]): string[] {
  const weight = (id: string) => ({ eventually: 2, always: 1, sometimes: 0 })[properties.find((p) => p.id === id)!.kind] + (id === 'L3' ? 1 : 0);
  return [...ids].sort((a, b) => weight(b) - weight(a));
}

/**
 * Replies of properties explored on their own, totalled again in the properties' order
 * (`rank`), whoever explored them.
 */
function totalOf(replies: readonly ExploreReply[], ms: number, rank: (property: string) => number = () => 0): ExploreReply {
  const parts = replies
    .flatMap((r) => (r.result.byProperty ?? []).map((p) => ({ ...p, initialStates: r.result.initialStates, violations: [], bytesPerState: 0, heapBytesPerState: 0, byProperty: null })))
    .sort((a, b) => rank(a.property) - rank(b.property));
  return {
    result: {
      ...combine(parts, ms),
      violations: replies.flatMap((r) => r.result.violations).sort((a, b) => rank(a.property) - rank(b.property)),
      bytesPerState: Math.max(0, ...replies.map((r) => r.result.bytesPerState)),
      heapBytesPerState: Math.max(0, ...replies.map((r) => r.result.heapBytesPerState)),
      heapLive: replies.every((r) => r.result.heapLive === true),
    },
  };
}

/**
 * Per-property exploration in worker threads: each takes the next property not yet
 * taken (a shared counter) until none is left, and explores it on its own, keeping the
 * moves of each world for its next property. Nothing else is shared: the shortest
 * counterexamples come straight from each worker's breadth-first search.
 */
async function inWorkersPerProperty(request: ExploreRequest, source: PropertySource, workers: number, control: Control, clock: () => number): Promise<ExploreReply> {
  const started = clock();
  const counter = new SharedArrayBuffer(4);
  const order = byWeight(request.propertyIds, source.properties);
  const replies = await Promise.all(
    Array.from({ length: Math.min(workers, order.length) }, (_, index) =>
      inThread<ExploreReply>({ mode: 'perProperty', request, counter, order, index, stop: control }, source.module, heapOf(request, control)),
    ),
  );
  // Back in the properties' order, whichever worker explored them.
  return totalOf(replies, clock() - started, (id) => request.propertyIds.indexOf(id));
}

/** A worker's part of inWorkersPerProperty: the properties it takes, one at a time. */
export function explorePropertiesTaken(
  request: ExploreRequest,
  properties: readonly AnyProperty[],
  counter: SharedArrayBuffer,
  order: readonly string[],
  clock: () => number,
  poll?: ExploreOptions['poll'],
): ExploreReply {
  const next = new Int32Array(counter);
  const worlds = worldCacheFor(request.scenario);
  const replies: ExploreReply[] = [];
  for (;;) {
    // Stopped (memory, Ctrl-C): the properties not taken yet stay unexplored, so inconclusive.
    const last = replies[replies.length - 1]?.result.cutBy;
    if (last === 'memory' || last === 'interrupted') break;
    const k = Atomics.add(next, 0, 1);
    if (k >= order.length) break;
    replies.push(runExplore({ ...request, propertyIds: [order[k]!], perProperty: true }, properties, clock, worlds, poll));
  }
  return totalOf(replies, replies.reduce((n, r) => n + r.result.ms, 0));
}

export interface SearchOptions {
  source: PropertySource;
  /** Worker threads (1: one search, in a worker thread); ignored in process (IN_PROCESS). */
  workers: number;
  /** The shared state table's size, 2^tableBits slots (parallel searches). */
  tableBits: number;
  clock: () => number;
  /** A progress line every PROGRESS_MS ms of the search (terminal or not: CI logs). */
  onProgress?: (line: string) => void;
  /** A search thread started early (searchThread.ts): a one-thread search runs in it if it fits; it is ended otherwise. */
  early?: SearchThread | null;
}

/** Search threads a search of `workers` uses (one in process). */
export function threadsFor(workers: number): number {
  return IN_PROCESS ? 1 : workers;
}

/**
 * The control block of a search with `workers` workers: one progress slot per search
 * thread and one for a rerun in the calling thread; `memoryMb` per thread.
 */
export function controlFor(workers: number, memoryMb: number): Control {
  return newControl(threadsFor(workers) + 1, memoryMb * 2 ** 20);
}

/**
 * A whole search as the request asks: in process (IN_PROCESS), in one worker thread, in
 * several over one visited set, or per property in several; stopped by `control`'s stop
 * word (interrupt) or its memory bound; progress lines to `onProgress`.
 */
export async function search(request: ExploreRequest, control: Control, o: SearchOptions): Promise<ExploreReply> {
  const { clock, source } = o;
  const since = { states: 0, ms: clock() };
  const progress = (): void => o.onProgress?.(progressLine(control, since, clock()));
  if (IN_PROCESS) {
    const poll = pollFor(control, 0);
    let lastLine = since.ms;
    return runExplore(request, source.properties, clock, undefined, (p) => {
      const stop = poll(p);
      if (clock() - lastLine >= PROGRESS_MS) {
        lastLine = clock();
        progress();
      }
      return stop;
    });
  }
  const early = o.early ?? null;
  // Not wanted: its load would only take a core from the search threads.
  if (o.workers > 1) early?.end();
  const timer = o.onProgress ? setInterval(progress, PROGRESS_MS) : null; // real-time-ok: progress lines
  try {
    if (o.workers <= 1) return await inOneThread(request, source, control, early);
    if (request.perProperty) return await inWorkersPerProperty(request, source, o.workers, control, clock);
    return await inWorkers(request, source, o.workers, control, o.tableBits, clock);
  } finally {
    if (timer) clearInterval(timer);
  }
}
