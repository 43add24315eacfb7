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
 * - One routine says all this for every key maker (Keying): symmetry.ts's renames each
 *   part before it hashes it, and keys nothing of its own.
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

/** A world's memo: its part of the key, exact, with worldKey's key once asked. */
interface WorldMemo extends Memo {
  key?: number;
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
 * The key's times relative to now, one set of rules for every key maker: a time in the past
 * keeps its distance to now up to the horizon (or a shorter lookback), or its rank among the
 * world's message times.
 */
export class RelativeTimes {
  private readonly rank = messageRanker();
  constructor(readonly horizonMs: number) {}

  /** When a message was sent, or its data first left. */
  past(t: number, now: number): number {
    return Math.max(-this.horizonMs, t - now);
  }

  /** A monitor's time (MonitorKey.times, .lookbacks); NO_TIME for none. */
  monitor(t: number | null, w: World, lookback = Infinity): number {
    return t === null ? NO_TIME : lookback === MESSAGE_TIMES ? this.rank(w, t) : Math.max(-Math.min(this.horizonMs, lookback), t - w.now);
  }
}

/** A monitor's data as the key holds it (splitterFor), once per data object: its time-free part's hash, and its absolute times. */
interface MonitorSplit {
  readonly pair: Pair;
  readonly times: readonly (number | null)[];
  readonly lookbacks: readonly number[] | null;
}

/** The monitors' data split once per data object, for every keying of one key maker. */
export class MonitorSplits {
  readonly count: number;
  private readonly splits: ((data: unknown) => MonitorKey)[];
  private readonly caches: WeakMap<object, MonitorSplit>[];
  private readonly primitives = new Map<string, MonitorSplit>();
  /** The time-free texts, for keyings that rename them (symmetry.ts); null: the hashes are enough. */
  private readonly texts: WeakMap<MonitorSplit, string> | null;

  constructor(properties: readonly AnyProperty[], folds: Scenario | null, private readonly hashes: Hashes, keepTexts: boolean) {
    this.count = properties.length;
    this.splits = properties.map((p) => splitterFor(p, folds));
    this.caches = properties.map(() => new WeakMap<object, MonitorSplit>());
    this.texts = keepTexts ? new WeakMap() : null;
  }

  of(i: number, data: unknown): MonitorSplit {
    const primitive = data === null || typeof data !== 'object';
    const text = primitive ? String(data) : '';
    let split = primitive ? this.primitives.get(text) : this.caches[i]!.get(data);
    if (!split) {
      const k = this.splits[i]!(data);
      split = { pair: this.hashes.ofText(k.timeless), times: k.times, lookbacks: k.lookbacks ?? null };
      this.texts?.set(split, k.timeless);
      if (primitive) this.primitives.set(text, split);
      else this.caches[i]!.set(data, split);
    }
    return split;
  }

  textOf(split: MonitorSplit): string {
    const text = this.texts?.get(split);
    if (text === undefined) throw new Error('monitor texts are kept only for a keying that renames them');
    return text;
  }
}

/**
 * How a keying renames what names a node before it hashes it (symmetry.ts): in a text (an
 * actor's name, a message, a timer, a record, a monitor's data), and in a snapshot's key.
 */
export interface Renamer {
  text(text: string): string;
  snapKey(snap: Snap): string;
}

/** A record of the world's besides its actors that is absent (hosts, modes): told apart from an empty one. */
const ABSENT: Pair = { a: 0x1d, b: 0xab5e47 };

/**
 * What of a world the key holds, walked in one place for every form of the key (its hash, its
 * text) and every keying (as it is, renamed): the actors, each message with its arrival, when
 * it was sent and when its data first left (L2's monitor asks whether a forward packet left
 * before the fault), each timer with when it is due (`timerTimes`: far timers folded), then
 * the down set, epochs, hosts, links and failure modes.
 */
interface WorldSink {
  actors(actors: World['actors']): void;
  flight(m: InFlight, arrival: number, sent: number, origin: number): void;
  timer(t: Timer, due: number): void;
  rest(record: Readonly<Record<string, unknown>> | undefined): void;
}

function walkWorld(w: World, timerTimes: readonly number[] | null, times: RelativeTimes, sink: WorldSink): void {
  const now = w.now;
  sink.actors(w.actors);
  for (const m of w.inFlight) sink.flight(m, m.at - now, times.past(m.sentAt, now), times.past(m.originAt, now));
  const timers = w.timers;
  for (let k = 0; k < timers.length; k++) sink.timer(timers[k]!, timerTimes ? timerTimes[k]! : timers[k]!.at - now);
  sink.rest(w.down);
  sink.rest(w.epochs);
  sink.rest(w.hosts);
  sink.rest(w.links);
  sink.rest(w.modes);
}

/** A world's part of the fingerprint: its messages and timers as sets (each member with its times), the rest in order. */
class WorldHash implements WorldSink {
  private actorSum: SetSum | null = null;
  private flights = new SetSum();
  private timers = new SetSum();
  private readonly rests: Pair[] = [];
  constructor(private readonly keying: Keying) {}

  begin(): this {
    this.flights = new SetSum();
    this.timers = new SetSum();
    this.rests.length = 0;
    return this;
  }
  actors(actors: World['actors']): void {
    this.actorSum = this.keying.actorSum(actors);
  }
  flight(m: InFlight, arrival: number, sent: number, origin: number): void {
    this.flights.add(this.keying.flightPair(m), (arrival * 65599 + origin) ^ Math.imul(sent, 0x9e3779b1));
  }
  timer(t: Timer, due: number): void {
    this.timers.add(this.keying.timerPair(t), due);
  }
  rest(record: Readonly<Record<string, unknown>> | undefined): void {
    this.rests.push(record === undefined ? ABSENT : this.keying.restPair(record));
  }
  end(): Pair {
    const lanes = new Lanes();
    this.actorSum!.into(lanes);
    this.flights.into(lanes);
    this.timers.into(lanes);
    for (const p of this.rests) lanes.pair(p);
    return lanes.donePair();
  }
}

/** The same as text (the exact key): the sets sorted, each part named by its hash. */
class WorldText implements WorldSink {
  private actorsText = '';
  private flights: string[] = [];
  private timers: string[] = [];
  private rests = '';
  constructor(private readonly keying: Keying) {}

  begin(): this {
    this.flights = [];
    this.timers = [];
    this.rests = '';
    return this;
  }
  actors(actors: World['actors']): void {
    this.actorsText = this.keying.actorsText(actors);
  }
  flight(m: InFlight, arrival: number, sent: number, origin: number): void {
    this.flights.push(`${arrival}:${sent}:${origin}:${hex(this.keying.flightPair(m))}`);
  }
  timer(t: Timer, due: number): void {
    this.timers.push(`${due}:${hex(this.keying.timerPair(t))}`);
  }
  rest(record: Readonly<Record<string, unknown>> | undefined): void {
    this.rests += `|${record === undefined ? '-' : hex(this.keying.restPair(record))}`;
  }
  end(): string {
    return `${this.actorsText}|${this.flights.sort().join(',')}|${this.timers.sort().join(',')}${this.rests}`;
  }
}

/** Appends a monitor's times and lookbacks to all the monitors' (lookbacks null while every one is the horizon). */
function addTimes(times: (number | null)[], lookbacks: number[] | null, part: { times: readonly (number | null)[]; lookbacks: readonly number[] | null }): number[] | null {
  if (part.lookbacks !== null && lookbacks === null) lookbacks = times.map(() => Infinity);
  for (let k = 0; k < part.times.length; k++) {
    times.push(part.times[k]!);
    lookbacks?.push(part.lookbacks?.[k] ?? Infinity);
  }
  return lookbacks;
}

/**
 * One keying routine for every key maker: what of a state its key holds, with which times
 * and folds (walkWorld, RelativeTimes, MonitorSplits), in both forms (fingerprint, text).
 * A part is named by the hash of its content, renamed first when `renamer` is given
 * (symmetry.ts: one keying per renaming). Shared parts are hashed once per object: the
 * identity keeps its hashes on the objects (memo.ts, SLOT), a renamed keying in its own maps.
 */
export class Keying {
  private readonly actorSums = new WeakMap<object, SetSum>();
  private readonly actorTexts = new WeakMap<object, string>();
  private readonly restPairs = new WeakMap<object, Pair>();
  private readonly hash = new WorldHash(this);
  private readonly text = new WorldText(this);
  /** This keying, as the memos it leaves on monitor states and arrays name it. */
  private readonly maker = {};
  /** World parts not on the world's memo: the identity's with far timers folded, a renamed keying's. */
  private readonly worlds = new WeakMap<World, Pair>();
  // A renamed keying's memos (the identity's are on the objects).
  private readonly names = new Map<string, Pair>();
  private readonly contents = new WeakMap<object, Pair>();
  private readonly members = new WeakMap<object, Pair>();
  private readonly monitorData = new WeakMap<MonitorSplit, Pair>();
  private readonly monitorArrays = new WeakMap<object, MonitorsMemo>();
  /** Past times whole: the cache of world moves keys worlds by them (KeyMaker.worldKey). */
  private readonly wholeTimes = new RelativeTimes(Infinity);

  /** `farTimers`: fold far timers (FAR_MS), as the run's folds say. */
  constructor(
    private readonly hashes: Hashes,
    private readonly splits: MonitorSplits,
    private readonly times: RelativeTimes,
    private readonly farTimers: boolean,
    private readonly renamer: Renamer | null = null,
  ) {}

  /** A name (an actor's, a message's addresses, a record's key). */
  private name(text: string): Pair {
    if (this.renamer === null) return this.hashes.ofText(text);
    let p = this.names.get(text);
    if (p === undefined) this.names.set(text, (p = this.hashes.ofText(this.renamer.text(text))));
    return p;
  }

  /** An immutable object's content (a message, a timer's event), once per object. */
  private content(object: object, text: () => string): Pair {
    if (this.renamer === null) return this.hashes.of(object, text);
    let p = this.contents.get(object);
    if (p === undefined) this.contents.set(object, (p = this.hashes.ofText(this.renamer.text(text()))));
    return p;
  }

  /** An actor: its name, and its snapshot (once per snapshot). */
  private actorPair(name: string, snap: Snap): Pair {
    let p: Pair | undefined;
    if (this.renamer === null) p = this.hashes.of(snap, () => snap.key);
    else if ((p = this.contents.get(snap)) === undefined) this.contents.set(snap, (p = this.hashes.ofText(this.renamer.snapKey(snap))));
    return joined(this.name(name), p);
  }

  /** The actors as a set of (name, snapshot), once per actors object (worlds share it until an actor moves). */
  actorSum(actors: World['actors']): SetSum {
    let sum = this.actorSums.get(actors);
    if (!sum) {
      sum = new SetSum();
      for (const a in actors) sum.add(this.actorPair(a, actors[a]!), 0);
      this.actorSums.set(actors, sum);
    }
    return sum;
  }

  /** The same as text (the exact key): their hashes in order. */
  actorsText(actors: World['actors']): string {
    let text = this.actorTexts.get(actors);
    if (text === undefined) {
      const parts: string[] = [];
      for (const a in actors) parts.push(hex(this.actorPair(a, actors[a]!)));
      this.actorTexts.set(actors, (text = parts.sort().join(',')));
    }
    return text;
  }

  /** A message without its id, cause and times. */
  flightPair(m: InFlight): Pair {
    const known = this.renamer === null ? memoOf<Memo>(m) : this.members.get(m);
    if (known) return known;
    const p = joined(this.content(m.msg, () => JSON.stringify(m.msg)), this.name(`${m.from}>${m.to}:${m.src}:${m.causeFrom ?? ''}`));
    if (this.renamer === null) return setMemo(m, { a: p.a, b: p.b, owner: m });
    this.members.set(m, p);
    return p;
  }

  /** A timer without its id, label and time. */
  timerPair(t: Timer): Pair {
    const known = this.renamer === null ? memoOf<Memo>(t) : this.members.get(t);
    if (known) return known;
    const p = joined(this.content(t.event, () => JSON.stringify(t.event)), this.name(`${t.actor}:${t.name}`));
    if (this.renamer === null) return setMemo(t, { a: p.a, b: p.b, owner: t });
    this.members.set(t, p);
    return p;
  }

  /** A record of the world's (down, epochs, hosts, links, modes): its entries, keys renamed, in order. */
  restPair(record: Readonly<Record<string, unknown>>): Pair {
    let p = this.restPairs.get(record);
    if (p === undefined) {
      const renamer = this.renamer;
      const entries: string[] = [];
      for (const k in record) entries.push(`${renamer === null ? k : renamer.text(k)}=${JSON.stringify(record[k])}`);
      this.restPairs.set(record, (p = this.hashes.ofText(entries.sort().join(','))));
    }
    return p;
  }

  /** A world's part of the key, exact (worldKey): the identity's, kept on the world. */
  worldMemo(w: World): WorldMemo {
    const known = memoOf<WorldMemo>(w);
    if (known) return known;
    const p = this.walkedPair(w, null);
    return setMemo<WorldMemo>(w, { a: p.a, b: p.b, owner: w });
  }

  /** The same with past times whole, when a message's are further back than the horizon (else null). */
  beyondHorizon(w: World): Pair | null {
    const h = this.times.horizonMs;
    if (!w.inFlight.some((m) => m.sentAt - w.now < -h || m.originAt - w.now < -h)) return null;
    const sink = this.hash.begin();
    walkWorld(w, null, this.wholeTimes, sink);
    return sink.end();
  }

  /** A world's part of a state's key: with folds, far timers folded. */
  worldPair(w: World): Pair {
    let far: number[] | null = null;
    if (this.renamer === null) {
      far = this.farTimers ? farTimerTimes(w) : null;
      if (far === null) return this.worldMemo(w);
    }
    // The identity's with far timers folded (the world's memo is the exact one), a renamed keying's.
    let p = this.worlds.get(w);
    if (p === undefined) {
      if (this.renamer !== null && this.farTimers) far = farTimerTimes(w);
      this.worlds.set(w, (p = this.walkedPair(w, far)));
    }
    return p;
  }

  private walkedPair(w: World, timerTimes: readonly number[] | null): Pair {
    const sink = this.hash.begin();
    walkWorld(w, timerTimes, this.times, sink);
    return sink.end();
  }

  /** A monitor state's part (the identity's, kept on it): its data's with the violation flag. */
  monitorMemo(i: number, m: MonitorState<unknown>): MonitorMemo {
    const known = slotOf<MonitorMemo>(m, this.maker);
    if (known) return known;
    const split = this.splits.of(i, m.data);
    const pair = this.monitorPair(i, m, split);
    return setSlot(m, { a: pair.a, b: pair.b, times: split.times, lookbacks: split.lookbacks, owner: m, maker: this.maker });
  }

  /** Monitor `i`'s state: its data's time-free part (renamed once per data object) with the verdict's violation flag. */
  private monitorPair(i: number, m: MonitorState<unknown>, split: MonitorSplit): Pair {
    let p = split.pair;
    if (this.renamer !== null) {
      const renamed = this.monitorData.get(split);
      if (renamed === undefined) this.monitorData.set(split, (p = this.hashes.ofText(this.renamer.text(this.splits.textOf(split)))));
      else p = renamed;
    }
    return joined(p, { a: m.verdict.violation ? 1 : 0, b: i });
  }

  /** All the monitors' part, once per array (states whose monitors all stayed share it). */
  monitorsPart(monitors: readonly MonitorState<unknown>[]): MonitorsMemo {
    if (this.renamer !== null) return this.renamedMonitorsPart(monitors);
    const known = slotOf<MonitorsMemo>(monitors, this.maker);
    if (known) return known;
    const lanes = new Lanes();
    const times: (number | null)[] = [];
    let lookbacks: number[] | null = null;
    for (let i = 0; i < this.splits.count; i++) {
      const part = this.monitorMemo(i, monitors[i]!);
      lanes.pair(part);
      lookbacks = addTimes(times, lookbacks, part);
    }
    const p = lanes.donePair();
    return setSlot(monitors, { a: p.a, b: p.b, times, lookbacks, owner: monitors, maker: this.maker });
  }

  /** The same under a renaming: each state's part worked out from its data's, with its array. */
  private renamedMonitorsPart(monitors: readonly MonitorState<unknown>[]): MonitorsMemo {
    const known = this.monitorArrays.get(monitors);
    if (known) return known;
    const lanes = new Lanes();
    const times: (number | null)[] = [];
    let lookbacks: number[] | null = null;
    for (let i = 0; i < this.splits.count; i++) {
      const m = monitors[i]!;
      const split = this.splits.of(i, m.data);
      lanes.pair(this.monitorPair(i, m, split));
      lookbacks = addTimes(times, lookbacks, split);
    }
    const p = lanes.donePair();
    const memo: MonitorsMemo = { a: p.a, b: p.b, times, lookbacks, owner: monitors, maker: this.maker };
    this.monitorArrays.set(monitors, memo);
    return memo;
  }

  /** A state's fingerprint, folded into `lanes` (reset first). */
  fingerprint(lanes: Lanes, world: World, monitorStates: readonly MonitorState<unknown>[], faults: number, busyInstant: boolean): Pair {
    lanes.reset();
    lanes.word(faults);
    lanes.word(busyInstant ? 1 : 0);
    lanes.pair(this.worldPair(world));
    const monitors = this.monitorsPart(monitorStates);
    lanes.pair(monitors);
    const lookbacks = monitors.lookbacks;
    if (lookbacks === null) for (const t of monitors.times) lanes.word(this.times.monitor(t, world));
    else for (let k = 0; k < monitors.times.length; k++) lanes.word(this.times.monitor(monitors.times[k]!, world, lookbacks[k]));
    return lanes.donePair();
  }

  /** A state's key as text (exact mode, tests): the same parts, each named by its hash, with the same times. */
  key(st: ExplorerState): string {
    const w = st.world;
    const sink = this.text.begin();
    walkWorld(w, this.farTimers ? farTimerTimes(w) : null, this.times, sink);
    let out = `${st.faults}${st.busyInstant ? '*' : ''}|${sink.end()}|`;
    const monitors = this.monitorsPart(st.monitors);
    const lookbacks = monitors.lookbacks;
    // Each monitor's hash, then all their times in order: as the fingerprint folds them.
    out += hex(monitors);
    monitors.times.forEach((t, k) => (out += t === null ? ':-' : `:${this.times.monitor(t, w, lookbacks?.[k])}`));
    return out;
  }
}

/**
 * Parts shared between states (the same objects: worlds share structure, monitors return
 * their data unchanged) are hashed once per object, so a state's fingerprint costs a few
 * cache lookups and a word per relative time.
 */
export function makeKeyMaker(properties: readonly AnyProperty[], horizonMs: number, lean = false, folds: Scenario | null = null): KeyMaker {
  // Lean (ExploreOptions.lean): strings hashed each time, not kept in a table; hashes stay on the objects they hash.
  const hashes = new Hashes(!lean);
  const keying = new Keying(hashes, new MonitorSplits(properties, folds, hashes, false), new RelativeTimes(horizonMs), folds !== null);
  // One Lanes and one result for every fingerprint (the parts it folds use their own).
  const lanes = new Lanes();
  const out: [number, number] = [0, 0];

  return {
    hashOf: (object, text) => hex(hashes.of(object, text)),

    fingerprint(st) {
      const [h, l] = this.fingerprintOf(st.world, st.monitors, st.faults, st.busyInstant);
      return [h, l];
    },

    fingerprintOf(world, monitors, faults, busyInstant) {
      const p = keying.fingerprint(lanes, world, monitors, faults, busyInstant);
      out[0] = p.a >>> 0;
      out[1] = p.b >>> 0;
      return out;
    },

    monitorIdentity(i, m) {
      const parts = keying.monitorMemo(i, m);
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
      const memo = keying.worldMemo(w);
      // Asked for every world the partial-order check meets: kept with its pair, on the world.
      if (memo.key !== undefined) return memo.key;
      const lanes = new Lanes();
      lanes.pair(memo);
      lanes.word(w.now);
      lanes.word(w.now / 0x100000000);
      // The pair caps a message's past times at the horizon, as a state's key does; the cache
      // of world moves must not: a world of the key steps in place of this one, and a monitor
      // reads those times whole (L1/L2 compare when a packet's data left with the fault).
      const beyond = keying.beyondHorizon(w);
      if (beyond !== null) lanes.pair(beyond);
      const q = lanes.donePair();
      // 53 bits: a JavaScript number, so a Map looks it up without building a string.
      return (memo.key = (q.a >>> 0) * 0x200000 + (q.b >>> 11));
    },

    key: (st) => keying.key(st),
  };
}
