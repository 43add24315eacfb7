/**
 * A worker thread's part of a parallel exploration, with work stealing.
 *
 * Workers share the visited set (sharedSet.ts): a state belongs to the worker that
 * inserts it first and is expanded by that worker only. Every worker walks the same
 * breadth-first prefix, then takes every count-th state of its frontier. A worker whose
 * queue runs dry asks for work through a shared flag; a busy worker sees the flag between
 * expansions and hands over half of its queue, packed as plain data (transfer.ts), over
 * a message port. The search ends when every worker is idle and no work is in transit.
 *
 * Paths race, so this finds which properties are violated but not their shortest
 * counterexamples: the caller reruns the breadth-first search for those.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { FingerprintSet } from './fingerprints.js';
import { SharedFingerprintSet } from './sharedSet.js';
import type { ExplorerState } from './codec.js';
import { initialState, spaceFor, type ExploreOptions, type StopReason } from './explore.js';
import { expand, successors } from './successors.js';
import { pack, Unpacker, type PackedState } from './transfer.js';

export interface ShareResult {
  /** Distinct initial states (ExploreOptions.ecmpOrders: one per ECMP order, before a reduction merges them). */
  initialStates: number;
  /** Transitions of the prefix every worker walks alone (count them once). */
  prefixTransitions: number;
  /** Transitions out of the states this worker claimed. */
  transitions: number;
  /** The longest path this worker followed (not a breadth-first level: paths race). */
  depth: number;
  /** Why the search stopped early (in this worker), if it did: another worker's reason is in its own result. */
  cutBy: Exclude<StopReason, 'found'> | null;
  violated: string[];
  /** The `sometimes` properties this worker saw witnessed. */
  witnessed: string[];
  /** States handed to other workers. */
  given: number;
  ms: number;
}

/** Shared control words: [idle workers, batches in transit, done, request flag per worker]. */
export function controlBuffer(workers: number): SharedArrayBuffer {
  return new SharedArrayBuffer((3 + workers) * 4);
}

/**
 * States one worker may insert between two looks at the table's load: the successors of
 * one state (a few dozen; a thousand leaves room for --delays all).
 */
const TABLE_MARGIN = 1024;

const IDLE = 0;
const PENDING = 1;
const DONE = 2;
const REQUEST = 3;

interface Item {
  state: ExplorerState;
  depth: number;
}

export function exploreShare(
  options: ExploreOptions,
  shared: SharedFingerprintSet,
  control: SharedArrayBuffer,
  index: number,
  count: number,
  peers: ReadonlyMap<number, MessagePort>,
  seeds = 64,
): ShareResult {
  const clock = options.clock ?? (() => 0);
  const started = clock();
  const ctl = new Int32Array(control);
  const { space, keys } = spaceFor(options);
  const unpacker = new Unpacker(space.sys, options.properties);
  const violated = new Set<string>();
  const maxStates = options.maxStates ?? Infinity;

  // The prefix, the same in every worker.
  const local = new FingerprintSet(false);
  const prefix: [number, number][] = [];
  let frontier: Item[] = [];
  space.starts.forEach((_, k) => {
    const state = initialState(space, k).state;
    const fp = keys.fingerprint(state);
    if (local.addPair(fp[0], fp[1], -1, k) < 0) return;
    prefix.push([fp[0], fp[1]]);
    state.monitors.forEach((m, i) => {
      if (m.verdict.violation) violated.add(options.properties[i]!.id);
    });
    frontier.push({ state, depth: 0 });
  });
  const initialStates = prefix.length;
  let prefixTransitions = 0;
  let level = 0;
  while (frontier.length > 0 && frontier.length < seeds * count && level < options.maxDepth) {
    const next: Item[] = [];
    for (const { state } of frontier) {
      for (const s of successors(space, state)) {
        prefixTransitions++;
        const fp = keys.fingerprint(s.state);
        if (local.addPair(fp[0], fp[1], -1, 0) < 0) continue;
        prefix.push(fp);
        for (const v of s.violations ?? []) violated.add(v.property);
        next.push({ state: s.state, depth: level + 1 });
      }
    }
    frontier = next;
    level++;
  }
  for (const [h, l] of prefix) shared.add(h, l);

  let queue: Item[] = frontier.filter((_, i) => i % count === index);
  let head = 0;
  let transitions = 0;
  let depth = level;
  let given = 0;
  let cutBy: ShareResult['cutBy'] = null;
  let expanded = 0;
  /** States this worker inserted (the prefix counts in worker 0): the workers' progress sums to the table's size. */
  let claimed = index === 0 ? prefix.length : 0;
  const margin = TABLE_MARGIN * count;

  const serveRequests = (): void => {
    for (const [peer, port] of peers) {
      if (Atomics.load(ctl, REQUEST + peer) !== 1) continue;
      const left = queue.length - head;
      if (left < 2) return;
      if (Atomics.compareExchange(ctl, REQUEST + peer, 1, 0) !== 1) continue;
      const keep = head + Math.ceil(left / 2);
      const batch: PackedState[] = queue.slice(keep).map((it) => pack(it.state, options.properties, it.depth));
      queue.length = keep;
      given += batch.length;
      Atomics.add(ctl, PENDING, 1);
      port.postMessage(batch);
    }
  };

  const takeWork = (): boolean => {
    for (const port of peers.values()) {
      const got = receiveMessageOnPort(port);
      if (!got) continue;
      queue = (got.message as PackedState[]).map((p) => unpacker.unpack(p));
      head = 0;
      Atomics.sub(ctl, PENDING, 1);
      return true;
    }
    return false;
  };

  for (;;) {
    while (head < queue.length && Atomics.load(ctl, DONE) === 0) {
      const { state, depth: d } = queue[head]!;
      queue[head++] = undefined as never; // let the expanded state go
      if (d >= options.maxDepth) {
        cutBy = 'depth';
        continue;
      }
      // The shared table does not grow: stop cleanly before it is full (its add would throw).
      let stopBy: ShareResult['cutBy'] = shared.size + margin >= shared.limit ? 'table' : null;
      if ((++expanded & 255) === 0) stopBy ??= options.poll?.({ states: claimed, transitions, depth, tableBytes: 0 }) ?? null; // the shared table is sized up front (--table-bits)
      if (stopBy !== null) {
        cutBy = stopBy;
        Atomics.store(ctl, DONE, 1);
        break;
      }
      expand(space, state, (world, monitors, faults, busyInstant, _edge, violations) => {
        transitions++;
        const [h, l] = keys.fingerprintOf(world, monitors, faults, busyInstant);
        if (!shared.add(h, l)) return;
        claimed++;
        depth = Math.max(depth, d + 1);
        for (const v of violations ?? []) violated.add(v.property);
        queue.push({ state: { world, monitors, faults, busyInstant }, depth: d + 1 });
      });
      if ((transitions & 63) === 0) serveRequests();
      if (shared.size >= maxStates) {
        cutBy = 'states';
        Atomics.store(ctl, DONE, 1);
      }
    }
    if (Atomics.load(ctl, DONE) === 1) break;
    // Out of work: ask, and wait for a batch or for everyone to be idle.
    queue = [];
    head = 0;
    Atomics.add(ctl, IDLE, 1);
    Atomics.store(ctl, REQUEST + index, 1);
    let resumed = false;
    for (;;) {
      if (takeWork()) {
        resumed = true;
        break;
      }
      if (Atomics.load(ctl, DONE) === 1) break;
      if (Atomics.load(ctl, IDLE) === count && Atomics.load(ctl, PENDING) === 0) {
        Atomics.store(ctl, DONE, 1);
        break;
      }
      Atomics.wait(ctl, DONE, 0, 1);
    }
    if (!resumed) break;
    Atomics.store(ctl, REQUEST + index, 0);
    Atomics.sub(ctl, IDLE, 1);
  }
  const witnessed = space.properties.filter((_, i) => space.witnessed[i]).map((p) => p.id);
  return { initialStates, prefixTransitions, transitions, depth, cutBy, violated: [...violated], witnessed, given, ms: clock() - started };
}
