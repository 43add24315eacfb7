/**
 * The explorer's state, and its canonical key.
 *
 * A state is a world, the property monitors' states and the fault budget spent. Its key
 * names everything that decides its future, and nothing else:
 *
 * - Time folds. The key holds no absolute time: timers and messages keep their time
 *   relative to now; times in the past (when a packet's data left the server, a
 *   monitor's "last forward arrival") keep their distance to now, capped at a horizon
 *   beyond which no property compares them any more (the largest deadline budget). So
 *   periodic behaviour (the stream, PVL-Control's refresh, acks) folds into the same
 *   states. A monitor's times are the fields its property declares (Monitor.times, and
 *   a monitor chart's Monitor.chart.times), never guessed from names.
 * - Labels are dropped: message and timer ids, causes and origins (trace bookkeeping).
 * - Folds (ExploreOptions.folds, on unless `--no-folds`): what the properties declare they
 *   can no longer read is left out (a monitor chart's `reads`, `lookback`, `messageTimes`),
 *   and a timer beyond reach is keyed from the nearest such timer (FAR_MS); docs/explorer.md.
 * - Components are named by a 64-bit hash of their content (a statechart snapshot's
 *   value and context, a message, a monitor's data), computed once per object: keys stay
 *   short, and the same state has the same key in every worker thread.
 */
import type { AnyProperty, MonitorState } from '../checker/property.js';
import { chartInstances, type ChartData } from '../checker/chartMonitor.js';
import type { Snap } from '../engine/runner.js';
import type { Scenario } from '../config/types.js';
import type { InFlight, Timer, World } from '../engine/world.js';
import { memoOf, setMemo } from '../engine/memo.js';
import { fingerprint } from './fingerprints.js';

export interface ExplorerState {
  world: World;
  monitors: MonitorState<unknown>[];
  /** Faults injected so far (bounded by the budget). */
  faults: number;
  /** An event has already happened at the current instant: faults may no longer come first. */
  busyInstant: boolean;
}


export interface KeyMaker {
  /** The canonical key as a string (exact mode, tests). */
  key(state: ExplorerState): string;
  /** The same key's 64-bit fingerprint, computed without building the string (the hot path). */
  fingerprint(state: ExplorerState): [number, number];
  /** The same, from a state's parts (before the state is made); the pair is reused by the next call. */
  fingerprintOf(world: World, monitors: readonly MonitorState<unknown>[], faults: number, busyInstant: boolean): [number, number];
  /**
   * A world alone, at its absolute time (53 bits): worlds with equal keys have the same
   * successors, which the explorer computes once (successors.ts).
   */
  worldKey(world: World): number;
  /**
   * What the key holds of monitor `i`'s state, with its times absolute: equal identities,
   * equal monitor states to the explorer (which keeps one of them, successors.ts).
   */
  monitorIdentity(i: number, state: MonitorState<unknown>): MonitorIdentity;
  /**
   * The content hash of an immutable object (16 hex digits), computed once per object. An
   * object has one content: callers must hash the same kind of object the same way.
   */
  hashOf(object: object, text: () => string): string;
}

/** A monitor's data as the key holds it: a time-free text, and the absolute times it holds (null for "none"). */
export interface MonitorKey {
  readonly timeless: string;
  readonly times: readonly (number | null)[];
  /**
   * Per time, how far back (ms) it can still make a difference (a fold, the property's
   * declared lookback): the key holds an older time as that far back. Absent: the horizon.
   */
  readonly lookbacks?: readonly number[];
}

/** A 64-bit content hash as two 32-bit halves (and, once asked for, as 16 hex digits). */
export interface Pair {
  a: number;
  b: number;
  hex?: string;
}

function hex(p: Pair): string {
  return (p.hex ??= p.a.toString(16).padStart(8, '0') + p.b.toString(16).padStart(8, '0'));
}

/**
 * The explorer's interning of content hashes: per object (immutable objects are hashed
 * once) and per text. One per key maker: nothing is shared between searches.
 */
export class Hashes {
  private readonly pairs = new WeakMap<object, Pair>();
  private readonly byText = new Map<string, Pair>();
  /** `memo` false (a lean search): texts are not kept in a table; hashes stay on the objects they hash. */
  constructor(private readonly memo: boolean) {}

  /** The 64-bit hash of a string, memoised. */
  ofText(text: string): Pair {
    let p = this.memo ? this.byText.get(text) : undefined;
    if (p === undefined) {
      const [a, b] = fingerprint(text);
      p = { a, b };
      if (!this.memo) return p;
      if (this.byText.size > 1_000_000) this.byText.clear();
      this.byText.set(text, p);
    }
    return p;
  }

  /** The 64-bit content hash of an immutable object, computed once per object. */
  of(object: object, text: () => string): Pair {
    let p = this.pairs.get(object);
    if (p === undefined) {
      p = this.ofText(text());
      this.pairs.set(object, p);
    }
    return p;
  }
}

/** Folds 32-bit words into two independent 32-bit lanes. */
export class Lanes {
  a = 0x2f6b1d3c;
  b = 0x6a09e667;
  reset(): this {
    this.a = 0x2f6b1d3c;
    this.b = 0x6a09e667;
    return this;
  }
  word(w: number): void {
    this.a = Math.imul(this.a ^ w, 0x5bd1e995);
    this.a ^= this.a >>> 15;
    this.b = Math.imul(this.b ^ w, 0x85ebca6b) + 0x7f4a7c15;
    this.b ^= this.b >>> 13;
  }
  pair(p: Pair): void {
    this.word(p.a);
    this.word(p.b);
  }
  done(): [number, number] {
    const p = this.donePair();
    return [p.a >>> 0, p.b >>> 0];
  }
  donePair(): Pair {
    let a = this.a;
    let b = this.b;
    a ^= a >>> 16;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 13;
    b ^= b >>> 16;
    b = Math.imul(b, 0xc2b2ae35);
    b ^= b >>> 16;
    return { a, b };
  }
}

/**
 * A multiset folded in any order: each member (a hash and a relative time) is mixed into
 * a 64-bit value and the members are summed lane-wise, so nothing needs sorting.
 */
export class SetSum {
  a = 0;
  b = 0;
  n = 0;
  add(x: Pair, t: number): void {
    this.a = (this.a + mix(x.a ^ t, x.b)) | 0;
    this.b = (this.b + mix(x.b ^ Math.imul(t, 0x27d4eb2d), x.a)) | 0;
    this.n++;
  }
  into(lanes: Lanes): void {
    lanes.word(this.n);
    lanes.word(this.a);
    lanes.word(this.b);
  }
}

/** A member's 32-bit hash from two words (murmur3's finaliser on a combination). */
function mix(x: number, y: number): number {
  let h = Math.imul(x ^ (y >>> 7), 0xcc9e2d51) ^ Math.imul(y, 0x1b873593);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Two hashes as one (a member of a set made of several parts). */
export function joined(...parts: Pair[]): Pair {
  const lanes = new Lanes();
  for (const p of parts) lanes.pair(p);
  return lanes.donePair();
}

/**
 * A monitor's data as the key holds it, worked out once per data object: its time-free
 * part (hashed) and its absolute times.
 */
interface MonitorParts {
  pair: Pair;
  times: readonly (number | null)[];
  lookbacks: readonly number[] | null;
}

/**
 * A monitor state as the key sees it (its time-free part's hash, with the verdict's
 * violation flag, and its absolute times), with a 53-bit `hash` of the whole to look it
 * up by; two identities are the same when `sameIdentity` says so.
 */
export interface MonitorIdentity {
  readonly a: number;
  readonly b: number;
  readonly times: readonly (number | null)[];
  readonly hash: number;
}

export function sameIdentity(x: MonitorIdentity, y: MonitorIdentity): boolean {
  if (x.a !== y.a || x.b !== y.b || x.times.length !== y.times.length) return false;
  for (let k = 0; k < x.times.length; k++) if (x.times[k] !== y.times[k]) return false;
  return true;
}

/** Plain monitor data: its JSON, with the numbers of the fields it declares times (Monitor.times) taken out. */
function declaredSplit(data: unknown, times: ReadonlySet<string>): MonitorKey {
  if (data === null || typeof data !== 'object') return { timeless: String(data), times: [] };
  if (times.size === 0) return { timeless: JSON.stringify(data), times: [] };
  const out: number[] = [];
  const timeless = JSON.stringify(data, (k, v) => {
    if (typeof v === 'number' && times.has(k)) {
      out.push(v);
      return 0;
    }
    return v;
  });
  return { timeless, times: out };
}

/** What the key holds of one snapshot of a monitor chart: its text, and its time fields (name order). */
interface SnapPart {
  text: string;
  timeFields: readonly string[];
}

/** The folds a chart's declarations allow (ChartDeclaration.reads, lookback, messageTimes): null keeps every field, up to the horizon. */
interface ChartFolds {
  reads: Readonly<Record<string, readonly string[]>>;
  lookback: Readonly<Record<string, number>>;
  messageTimes: ReadonlySet<string>;
}

/** A lookback (MonitorKey.lookbacks) that says: keyed by its rank among the world's message send times (messageRanker). */
export const MESSAGE_TIMES = -1;

/**
 * A time's rank among a world's message send times (every `sentAt` and `originAt` in flight)
 * and now: how many of them are later than it. Two times of the same rank compare alike
 * with every time a message delivered from then on can carry (ChartDeclaration.messageTimes):
 * a message sent later is sent at now or after, and carries on the `originAt` of one in
 * flight. One per key maker (the worlds' times are remembered per world).
 */
export function messageRanker(): (w: World, t: number) => number {
  const sorted = new WeakMap<World, number[]>();
  return (w, t) => {
    let times = sorted.get(w);
    if (times === undefined) {
      const set = new Set<number>([w.now]);
      for (const m of w.inFlight) {
        set.add(m.sentAt);
        set.add(m.originAt);
      }
      times = [...set].sort((a, b) => a - b);
      sorted.set(w, times);
    }
    let rank = 0;
    for (let k = times.length - 1; k >= 0 && times[k]! > t; k--) rank++;
    return 0x40000000 + rank;
  };
}

/**
 * A monitor chart's data (chartMonitor.ts), per instance in key order: its state and
 * time-free context (as text once per snapshot, in `parts`), then the context's declared
 * time fields (in name order) and its deadlines, as absolute times. With folds, a state
 * keeps only the fields it can still read, a final state none, and a time field declared
 * with a lookback carries it.
 */
function chartSplit(data: ChartData, times: ReadonlySet<string>, parts: WeakMap<Snap, SnapPart>, folds: ChartFolds | null): MonitorKey {
  let timeless = '';
  const out: (number | null)[] = [];
  const lookbacks: number[] | null = folds ? [] : null;
  const instances = chartInstances(data);
  for (const k of Object.keys(instances).sort()) {
    const inst = instances[k]!;
    const context = inst.snap.xs.context as Record<string, unknown>;
    let part = parts.get(inst.snap);
    if (part === undefined) {
      const read = folds ? readsOf(inst.snap, folds) : null;
      const kept = (f: string): boolean => read === null || read.has(f);
      const rest: Record<string, unknown> = {};
      for (const [f, v] of Object.entries(context)) if (!times.has(f) && kept(f)) rest[f] = v;
      part = {
        text: JSON.stringify([inst.snap.xs.value, rest]),
        timeFields: Object.keys(context).filter((f) => times.has(f) && kept(f)).sort(),
      };
      parts.set(inst.snap, part);
    }
    timeless += `${k}:${part.text}`;
    for (const f of part.timeFields) {
      const v = context[f];
      out.push(typeof v === 'number' ? v + inst.origin : null);
      lookbacks?.push(folds!.messageTimes.has(f) ? MESSAGE_TIMES : (folds!.lookback[f] ?? Infinity));
    }
    for (const d of inst.timers) {
      timeless += `@${d.name}`;
      out.push(d.at);
      lookbacks?.push(Infinity);
    }
    timeless += ';';
  }
  return lookbacks ? { timeless, times: out, lookbacks } : { timeless, times: out };
}

/** The context fields a chart's snapshot can still read (ChartDeclaration.reads): none once final, all when its state is not named. */
function readsOf(snap: Snap, folds: ChartFolds): ReadonlySet<string> | null {
  if (snap.xs.status === 'done') return new Set();
  const value = snap.xs.value;
  const state = typeof value === 'string' ? value : Object.keys(value as object).length === 1 ? Object.keys(value as object)[0]! : null;
  const read = state === null ? undefined : folds.reads[state];
  return read === undefined ? null : new Set(read);
}

/**
 * How to key a property's data, from its declarations: a monitor chart's, or plain data
 * with its declared times. `folds`: the run's scenario when the explorer folds what the
 * declarations say nothing can read any more (docs/explorer.md, "Folds"); null keys all.
 */
export function splitterFor(p: AnyProperty, folds: Scenario | null = null): (data: unknown) => MonitorKey {
  if (p.chart) {
    const times = new Set(p.chart.times);
    const parts = new WeakMap<Snap, SnapPart>();
    // A misspelt state would silently keep every field there: a declaration names real states.
    const states = Object.keys(p.chart.machine.root.states);
    for (const state of Object.keys(p.chart.reads ?? {})) {
      if (!states.includes(state)) throw new Error(`property ${p.id}: chart.reads names ${state}, which is not a state of its chart (${states.join(', ')})`);
    }
    const chartFolds: ChartFolds | null =
      folds && (p.chart.reads || p.chart.lookback || p.chart.messageTimes)
        ? { reads: p.chart.reads ?? {}, lookback: p.chart.lookback?.(folds) ?? {}, messageTimes: new Set(p.chart.messageTimes?.(folds) ?? []) }
        : null;
    return (data) => chartSplit(data as ChartData, times, parts, chartFolds);
  }
  const times = new Set<string>((p.times ?? []) as readonly string[]);
  return (data) => declaredSplit(data, times);
}

interface Memo extends Pair {
  owner: object;
}


/**
 * The explorer's own slot on the checker's monitor states and monitor arrays, where a key
 * maker keeps what it worked out about them (a WeakMap costs a tenth of the search's time).
 * A memo names the object it was made for (a `{...x}` copy carries the slot along) and the
 * key maker that made it (two searches in one process never read each other's).
 */
const SLOT: unique symbol = Symbol('explorer key');

interface Slotted {
  [SLOT]?: { owner: object; maker: object };
}

function slotOf<T extends { owner: object; maker: object }>(x: object, maker: object): T | null {
  const memo = (x as Slotted)[SLOT];
  return memo !== undefined && memo.owner === x && memo.maker === maker ? (memo as T) : null;
}

function setSlot<T extends { owner: object; maker: object }>(x: object, memo: T): T {
  (x as Slotted)[SLOT] = memo;
  return memo;
}

/** A monitor state's part of the key: its data's with the violation flag (and, once asked, the identity hash). */
interface MonitorMemo extends Memo {
  maker: object;
  times: readonly (number | null)[];
  lookbacks: readonly number[] | null;
  hash?: number;
}

/** All the monitors' part of a key: their hashes folded, and their times in order, with their lookbacks (null: the horizon for all). */
interface MonitorsMemo extends Memo {
  maker: object;
  times: readonly (number | null)[];
  lookbacks: readonly number[] | null;
}

/** Stands for a time that is not set (null) in a fingerprint. */
export const NO_TIME = 0x7ffffff1;

/**
 * A timer due further ahead than this is a model's "never" (a relay timer of 2^40 ms): with
 * folds, the key holds the nearest such timer as this far ahead, and any other as this
 * plus its distance to that one (docs/explorer.md, "Folds"). Sound while such a timer is
 * more than twice as far as this: a search reaches no world in which it is nearer.
 */
export const FAR_MS = 2 ** 32;

/**
 * The timers' times as the key holds them with folds, relative to now, a timer further than
 * FAR_MS as above; null when the world has no such timer (then they are `at − now`). A timer
 * nearer than twice FAR_MS but beyond it is an error: the fold would no longer be sound.
 */
export function farTimerTimes(w: World): number[] | null {
  let nearest = Infinity;
  for (const t of w.timers) if (t.at - w.now > FAR_MS) nearest = Math.min(nearest, t.at);
  if (nearest === Infinity) return null;
  if (nearest - w.now <= 2 * FAR_MS) {
    throw new Error(`a timer due in ${nearest - w.now} ms: the far-timer fold holds for timers further than ${2 * FAR_MS} ms (explore --no-folds)`);
  }
  return w.timers.map((t) => (t.at - w.now > FAR_MS ? FAR_MS + (t.at - nearest) : t.at - w.now));
}

/**
 * Parts shared between states (the same objects: worlds share structure, monitors return
 * their data unchanged) are hashed once per object, so a state's fingerprint costs a few
 * cache lookups and a word per relative time.
 */
export function makeKeyMaker(properties: readonly AnyProperty[], horizonMs: number, lean = false, folds: Scenario | null = null): KeyMaker {
  // Lean (ExploreOptions.lean): strings hashed each time, not kept in a table; hashes stay on the objects they hash.
  const hashes = new Hashes(!lean);
  const textPair = (text: string): Pair => hashes.ofText(text);
  const objectPair = (object: object, text: () => string): Pair => hashes.of(object, text);
  const hashOf = (object: object, text: () => string): string => hex(hashes.of(object, text));
  const past = (t: number, now: number): number => Math.max(-horizonMs, t - now);
  const rank = messageRanker();
  /** A monitor's time as the key holds it: relative to now, capped at its lookback, or its rank among message times. */
  const rel = (t: number | null, w: World, lookback = Infinity): number =>
    t === null ? NO_TIME : lookback === MESSAGE_TIMES ? rank(w, t) : Math.max(-Math.min(horizonMs, lookback), t - w.now);

  const splits = properties.map((p) => splitterFor(p, folds));
  const splitCaches = properties.map(() => new WeakMap<object, MonitorParts>());
  const primitiveParts = new Map<string, MonitorParts>();
  /** A monitor's data as the key holds it: once per data object. */
  const monitorParts = (i: number, data: unknown): MonitorParts => {
    const primitive = data === null || typeof data !== 'object';
    const text = primitive ? String(data) : '';
    let parts = primitive ? primitiveParts.get(text) : splitCaches[i]!.get(data);
    if (!parts) {
      const k = splits[i]!(data);
      parts = { pair: textPair(k.timeless), times: k.times, lookbacks: k.lookbacks ?? null };
      if (primitive) primitiveParts.set(text, parts);
      else splitCaches[i]!.set(data, parts);
    }
    return parts;
  };
  /** This key maker, as the memos it leaves on monitor states and arrays name it. */
  const maker = {};
  /** The same, with the verdict's violation flag, once per monitor state. */
  const monitorMemo = (i: number, m: MonitorState<unknown>): MonitorMemo => {
    const known = slotOf<MonitorMemo>(m, maker);
    if (known) return known;
    const parts = monitorParts(i, m.data);
    const pair = joined(parts.pair, { a: m.verdict.violation ? 1 : 0, b: i });
    return setSlot(m, { a: pair.a, b: pair.b, times: parts.times, lookbacks: parts.lookbacks, owner: m, maker });
  };

  /** All the monitors' parts, once per array (states whose monitors all stayed share it). */
  const monitorsPart = (monitors: readonly MonitorState<unknown>[]): MonitorsMemo => {
    const known = slotOf<MonitorsMemo>(monitors, maker);
    if (known) return known;
    const lanes = new Lanes();
    const times: (number | null)[] = [];
    let lookbacks: number[] | null = null;
    for (let i = 0; i < properties.length; i++) {
      const parts = monitorMemo(i, monitors[i]!);
      lanes.pair(parts);
      if (parts.lookbacks !== null && lookbacks === null) lookbacks = times.map(() => Infinity);
      for (let k = 0; k < parts.times.length; k++) {
        times.push(parts.times[k]!);
        lookbacks?.push(parts.lookbacks?.[k] ?? Infinity);
      }
    }
    const p = lanes.donePair();
    return setSlot(monitors, { a: p.a, b: p.b, times, lookbacks, owner: monitors, maker });
  };

  // Fingerprint parts, per shared object.
  const actorSums = new WeakMap<object, SetSum>();
  const restPairs = new WeakMap<object, Pair>();
  const actorSum = (actors: World['actors']): SetSum => {
    let sum = actorSums.get(actors);
    if (!sum) {
      sum = new SetSum();
      for (const a in actors) {
        const snap = actors[a]!;
        sum.add(joined(textPair(a), objectPair(snap, () => snap.key)), 0);
      }
      actorSums.set(actors, sum);
    }
    return sum;
  };
  // A message's or timer's hash lives on it (memo.ts).
  const flightPair = (m: InFlight): Pair => {
    const known = memoOf<Memo>(m);
    if (known) return known;
    const p = joined(objectPair(m.msg, () => JSON.stringify(m.msg)), textPair(`${m.from}>${m.to}:${m.src}:${m.causeFrom ?? ''}`));
    return setMemo(m, { a: p.a, b: p.b, owner: m });
  };
  const timerPair = (t: Timer): Pair => {
    const known = memoOf<Memo>(t);
    if (known) return known;
    const p = joined(objectPair(t.event, () => JSON.stringify(t.event)), textPair(`${t.actor}:${t.name}`));
    return setMemo(t, { a: p.a, b: p.b, owner: t });
  };
  const cached = (object: object, text: () => string): Pair => {
    let p = restPairs.get(object);
    if (p === undefined) {
      p = textPair(text());
      restPairs.set(object, p);
    }
    return p;
  };
  /** A world's part of the key (times relative to its now), memoised on the world; exact (worldKey), far timers not folded. */
  const worldPair = (w: World): Pair => {
    const known = memoOf<Memo>(w);
    if (known) return known;
    const p = worldPairOf(w, null);
    return setMemo(w, { a: p.a, b: p.b, owner: w });
  };
  /** The same, as a state's key holds it: with folds, far timers folded (FAR_MS). */
  const farPairs = new WeakMap<World, Pair>();
  const keyWorldPair = (w: World): Pair => {
    const far = folds ? farTimerTimes(w) : null;
    if (far === null) return worldPair(w);
    let p = farPairs.get(w);
    if (p === undefined) farPairs.set(w, (p = worldPairOf(w, far)));
    return p;
  };
  /** `timerTimes`: the timers' relative times when not at − now (far timers folded). */
  const worldPairOf = (w: World, timerTimes: readonly number[] | null): Pair => {
    const now = w.now;
    const lanes = new Lanes();
    actorSum(w.actors).into(lanes);
    // Messages and timers: each member's hash mixed with its times relative to now.
    const flights = new SetSum();
    // A message's times: its arrival, when it was sent (L2's monitor asks whether a forward
    // packet left before the fault) and when its data first left.
    for (const m of w.inFlight) {
      flights.add(flightPair(m), ((m.at - now) * 65599 + past(m.originAt, now)) ^ Math.imul(past(m.sentAt, now), 0x9e3779b1));
    }
    flights.into(lanes);
    const timers = new SetSum();
    w.timers.forEach((t, k) => timers.add(timerPair(t), timerTimes ? timerTimes[k]! : t.at - now));
    timers.into(lanes);
    lanes.pair(cached(w.down, () => Object.keys(w.down).sort().join(',')));
    lanes.pair(cached(w.epochs, () => JSON.stringify(Object.entries(w.epochs).sort())));
    lanes.pair(cached(w.links, () => JSON.stringify(Object.entries(w.links).sort())));
    // Failure modes (a gray fast path) exist only under faults of the extended model: absent, the key is as before.
    if (w.modes !== undefined) lanes.pair(cached(w.modes, () => JSON.stringify(Object.entries(w.modes!).sort())));
    return lanes.donePair();
  };

  // One Lanes and one result for every fingerprint (the parts it folds use their own).
  const fingerprintLanes = new Lanes();
  const fingerprintOut: [number, number] = [0, 0];

  // Key-string parts, per shared object.
  const actorParts = new WeakMap<object, string>();
  const flightSuffix = new WeakMap<object, string>();
  const timerSuffix = new WeakMap<object, string>();
  const restParts = new WeakMap<object, string>();

  return {
    hashOf,

    fingerprint(st) {
      const [h, l] = this.fingerprintOf(st.world, st.monitors, st.faults, st.busyInstant);
      return [h, l];
    },

    fingerprintOf(world, monitorStates, faults, busyInstant) {
      const lanes = fingerprintLanes.reset();
      lanes.word(faults);
      lanes.word(busyInstant ? 1 : 0);
      lanes.pair(keyWorldPair(world));
      const monitors = monitorsPart(monitorStates);
      lanes.pair(monitors);
      const lookbacks = monitors.lookbacks;
      if (lookbacks === null) for (const t of monitors.times) lanes.word(rel(t, world));
      else for (let k = 0; k < monitors.times.length; k++) lanes.word(rel(monitors.times[k]!, world, lookbacks[k]));
      const p = lanes.donePair();
      fingerprintOut[0] = p.a >>> 0;
      fingerprintOut[1] = p.b >>> 0;
      return fingerprintOut;
    },

    monitorIdentity(i, m) {
      const parts = monitorMemo(i, m);
      if (parts.hash === undefined) {
        const lanes = new Lanes();
        lanes.pair(parts);
        for (const t of parts.times) lanes.word(t === null ? NO_TIME : t);
        const q = lanes.donePair();
        parts.hash = (q.a >>> 0) * 0x200000 + (q.b >>> 11);
      }
      return parts as MonitorIdentity;
    },

    worldKey(w) {
      const p = worldPair(w) as Memo & { key?: number };
      // Asked for every world the partial-order check meets: kept with its pair, on the world.
      if (p.key !== undefined) return p.key;
      const lanes = new Lanes();
      lanes.pair(p);
      lanes.word(w.now);
      lanes.word(w.now / 0x100000000);
      const q = lanes.donePair();
      // 53 bits: a JavaScript number, so a Map looks it up without building a string.
      return (p.key = (q.a >>> 0) * 0x200000 + (q.b >>> 11));
    },

    key(st) {
      const w = st.world;
      const now = w.now;
      let actors = actorParts.get(w.actors);
      if (actors === undefined) {
        actors = '';
        for (const a of Object.keys(w.actors).sort()) {
          const snap = w.actors[a]!;
          actors += `${a}=${hashOf(snap, () => snap.key)},`;
        }
        actorParts.set(w.actors, actors);
      }
      const flights: string[] = [];
      for (const m of w.inFlight) {
        let suffix = flightSuffix.get(m);
        if (suffix === undefined) {
          suffix = `:${m.from}>${m.to}:${m.src}:${m.causeFrom ?? ''}:${hashOf(m.msg, () => JSON.stringify(m.msg))}`;
          flightSuffix.set(m, suffix);
        }
        flights.push(`${m.at - now}:${past(m.sentAt, now)}:${past(m.originAt, now)}${suffix}`);
      }
      const timers: string[] = [];
      const far = folds ? farTimerTimes(w) : null;
      for (const [k, t] of w.timers.entries()) {
        let suffix = timerSuffix.get(t);
        if (suffix === undefined) {
          suffix = `:${t.actor}:${t.name}:${hashOf(t.event, () => JSON.stringify(t.event))}`;
          timerSuffix.set(t, suffix);
        }
        timers.push(`${far ? far[k] : t.at - now}${suffix}`);
      }
      let out = `${st.faults}${st.busyInstant ? '*' : ''}|${actors}|${flights.sort().join(',')}|${timers.sort().join(',')}|`;
      out += partOf(restParts, w.down, () => Object.keys(w.down).sort().join(','));
      out += '|' + partOf(restParts, w.epochs, () => Object.entries(w.epochs).sort().map(([n, e]) => `${n}${e}`).join(','));
      out += '|' + partOf(restParts, w.links, () => Object.entries(w.links).sort().map(([l, s]) => `${l}${s.up ? '+' : '-'}${s.loss ?? ''}${s.extraMs ? `~${s.extraMs}` : ''}`).join(','));
      if (w.modes !== undefined) out += '|' + partOf(restParts, w.modes, () => Object.entries(w.modes!).sort().map(([n, m]) => `${n}:${m}`).join(','));
      out += '|';
      for (let i = 0; i < properties.length; i++) {
        const m = st.monitors[i]!;
        const parts = monitorParts(i, m.data);
        out += `${m.verdict.violation ? '!' : ''}${hex(parts.pair)}`;
        parts.times.forEach((t, k) => (out += t === null ? ':-' : `:${rel(t, w, parts.lookbacks?.[k])}`));
        out += ',';
      }
      return out;
    },
  };
}

function partOf(cache: WeakMap<object, string>, object: object, make: () => string): string {
  let part = cache.get(object);
  if (part === undefined) {
    part = make();
    cache.set(object, part);
  }
  return part;
}

