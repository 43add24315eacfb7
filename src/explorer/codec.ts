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
import { cacheLimitNow, type Snap } from '../engine/runner.js';
import type { Scenario } from '../config/types.js';
import type { InFlight, Timer, World } from '../engine/world.js';
import { messageMemoOf, setMessageMemo, setTimerMemo, setWorldMemo, timerMemoOf, worldMemoOf } from '../engine/memo.js';
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
  constructor(readonly memo: boolean) {}

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

  /** The same for a snapshot, by its key (`of(snap, () => snap.key)` without a closure per call). */
  ofSnap(snap: Snap): Pair {
    let p = this.pairs.get(snap);
    if (p === undefined) {
      p = this.ofText(snap.key);
      this.pairs.set(snap, p);
    }
    return p;
  }
}

/**
 * Folds 32-bit words into two independent 32-bit lanes. The lanes only ever hold int32
 * values between calls (the sum in `word` is folded back first), so that V8 keeps them
 * unboxed: a field that once held a larger number boxes every later store.
 */
export class Lanes implements Pair {
  a = 0x2f6b1d3c;
  b = 0x6a09e667;
  reset(): this {
    this.a = 0x2f6b1d3c;
    this.b = 0x6a09e667;
    return this;
  }
  word(w: number): void {
    this.a = mixA(this.a, w);
    this.b = mixB(this.b, w);
  }
  pair(p: Pair): void {
    this.word(p.a);
    this.word(p.b);
  }
  done(): [number, number] {
    this.finish();
    return [this.a >>> 0, this.b >>> 0];
  }
  donePair(): Pair {
    this.finish();
    return { a: this.a, b: this.b };
  }
  /** The same as donePair, in place: `a` and `b` are then the result (until the next reset), and no object is made. */
  finish(): this {
    this.a = finalA(this.a);
    this.b = finalB(this.b);
    return this;
  }
}

/** One word into lane a, and into lane b (Lanes.word; the sum is folded back to int32 by `^`). */
function mixA(a: number, w: number): number {
  const t = Math.imul(a ^ w, 0x5bd1e995);
  return t ^ (t >>> 15);
}
function mixB(b: number, w: number): number {
  const t = Math.imul(b ^ w, 0x85ebca6b) + 0x7f4a7c15;
  return t ^ (t >>> 13);
}

/** Each lane's final mix (Lanes.finish). */
function finalA(a: number): number {
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  return a ^ (a >>> 13);
}
function finalB(b: number): number {
  b ^= b >>> 16;
  b = Math.imul(b, 0xc2b2ae35);
  return b ^ (b >>> 16);
}

/**
 * A multiset folded in any order: each member (a hash and a relative time) is mixed into
 * a 64-bit value and the members are summed lane-wise, so nothing needs sorting.
 */
export class SetSum {
  a = 0;
  b = 0;
  n = 0;
  reset(): this {
    this.a = 0;
    this.b = 0;
    this.n = 0;
    return this;
  }
  add(x: Pair, t: number): void {
    this.addWords(x.a, x.b, t);
  }
  /** The same for a member given as its two halves. */
  addWords(xa: number, xb: number, t: number): void {
    this.a = (this.a + mix(xa ^ t, xb)) | 0;
    this.b = (this.b + mix(xb ^ Math.imul(t, 0x27d4eb2d), xa)) | 0;
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
export function joined(x: Pair, y: Pair): Pair {
  return joinedInto(x.a, x.b, y.a, y.b, { a: 0, b: 0 });
}

/**
 * The same, from the halves (xa, xb) and (ya, yb), written into `out` (a memo the caller
 * keeps, so that no other object is made): a Lanes fold of the four words, without a Lanes.
 */
function joinedInto<T extends Pair>(xa: number, xb: number, ya: number, yb: number, out: T): T {
  const a = mixA(mixA(mixA(mixA(0x2f6b1d3c, xa), xb), ya), yb);
  const b = mixB(mixB(mixB(mixB(0x6a09e667, xa), xb), ya), yb);
  out.a = finalA(a);
  out.b = finalB(b);
  return out;
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
  // JSON.stringify with a replacer takes its slow path: plain data is written here instead.
  const fast = plainJson(data, times, out, 0);
  if (fast !== null) return { timeless: fast, times: out };
  out.length = 0;
  const timeless = JSON.stringify(data, (k, v) => {
    if (typeof v === 'number' && times.has(k)) {
      out.push(v);
      return 0;
    }
    return v;
  });
  return { timeless, times: out };
}

/**
 * JSON.stringify(object, replacer) for declaredSplit's replacer (a number at a key in
 * `times` goes to `out` and is written 0), for plain data: objects of Object's prototype
 * (or none) and arrays, without toJSON, holding such objects, strings, numbers, booleans,
 * null, undefined; null for anything else (the caller asks JSON.stringify itself).
 */
function plainJson(object: object, times: ReadonlySet<string>, out: number[], depth: number): string | null {
  if (depth > 64 || typeof (object as { toJSON?: unknown }).toJSON === 'function') return null;
  if (Array.isArray(object)) {
    let text = '[';
    for (let i = 0; i < object.length; i++) {
      if (i > 0) text += ',';
      const v = plainValue(object[i], String(i), times, out, depth);
      if (v === null) return null;
      // What JSON writes for undefined in an array.
      text += v === undefined ? 'null' : v;
    }
    return text + ']';
  }
  const proto = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) return null;
  let text = '{';
  let first = true;
  for (const k of Object.keys(object)) {
    const v = plainValue((object as Record<string, unknown>)[k], k, times, out, depth);
    if (v === null) return null;
    // Left out, as JSON leaves out a property whose value is undefined.
    if (v === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(k)}:${v}`;
    first = false;
  }
  return text + '}';
}

/** One value as plainJson writes it: its text, undefined when JSON leaves it out, null when it is not plain. */
function plainValue(v: unknown, key: string, times: ReadonlySet<string>, out: number[], depth: number): string | undefined | null {
  switch (typeof v) {
    case 'number':
      if (times.has(key)) {
        out.push(v);
        return '0';
      }
      return Number.isFinite(v) ? String(v) : 'null';
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'object':
      return v === null ? 'null' : plainJson(v, times, out, depth + 1);
    default:
      // Functions and symbols (left out or null), bigints (an error): JSON.stringify's own answer.
      return null;
  }
}

/**
 * What the key holds of one snapshot of a monitor chart: its text, and its time fields (name
 * order); and the snapshot that every instance holding a snapshot of this part is given
 * (SnapTable: the first snapshot met with it, or the snapshot itself).
 */
interface SnapPart {
  text: string;
  timeFields: readonly string[];
  snap: Snap;
}

/**
 * One snapshot object per part and raw time values, per chart and search (the identity
 * keying's splitter alone; chartSplit). With folds, snapshots that differ only in context
 * fields their state can no longer read are one state to the explorer, but each would pay
 * its own XState transitions: the chart's caches (chartMonitor.ts, stepAt and its frames)
 * are keyed by snapshot object. chartSplit gives every instance the first snapshot met with
 * the same part (state value and the fields it reads, ChartDeclaration.reads) and the same
 * raw time values of the time fields it reads (relative to the instance's origin, as stepAt
 * shifts them: equal raw values are equal in every frame).
 *
 * Sound by the fold's own premise: a field outside `reads` of a state is never read from it
 * on, by a guard, a delay, an action or a violation's message, before it is written. A
 * Snap is its value and context (runner.ts interns it by them; the status follows from the
 * value), and an instance's origin and deadlines stay its own; so both snapshots step to
 * snapshots that again agree on every field their state reads, with the same effects and
 * messages, and the instance keeps its key, its verdicts and its successors. The explorer
 * already keeps one monitor state per key (WorldCache.canonical), which differs from the
 * others in the same fields; this shares the snapshots of instances across monitor states
 * of different keys. Only with folds (without them every field counts, and nothing is
 * interned); `check` never sees the explorer's instances. Bounded as the chart's own
 * caches are (cacheLimitNow: lean searches keep few): past it, it starts afresh.
 */
type SnapTable = Map<string, SnapPart>;

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
 * flight. Counted afresh each time (a few messages in flight): nothing is kept per world.
 */
export function messageRanker(): (w: World, t: number) => number {
  // Scratch, within one call: the distinct times later than `t` met so far.
  const later: number[] = [];
  return (w, t) => {
    let n = w.now > t ? laterTime(later, 0, w.now) : 0;
    const inFlight = w.inFlight;
    for (let k = 0; k < inFlight.length; k++) {
      const m = inFlight[k]!;
      if (m.sentAt > t) n = laterTime(later, n, m.sentAt);
      if (m.originAt > t) n = laterTime(later, n, m.originAt);
    }
    return 0x40000000 + n;
  };
}

/** Adds `v` to the first `n` distinct times of `later` unless it is one of them; how many there are then. */
function laterTime(later: number[], n: number, v: number): number {
  for (let j = 0; j < n; j++) if (later[j] === v) return n;
  later[n] = v;
  return n + 1;
}

/**
 * What a chart's data keys to besides its times, by its structure: each instance's key, its
 * snapshot's part and its deadlines' names, in turn (a trie; the count of deadlines before
 * their names, so that no two structures share a path). Data objects are new at every step
 * of a monitor, their structures few: the text is built once per structure, and ofText
 * meets the same string again (its hash kept).
 */
interface Structure {
  /** The structures that go on from here (null until one does: most are leaves). */
  next: Map<unknown, Structure> | null;
  timeless: string | null;
  lookbacks: readonly number[] | null;
}

function structure(): Structure {
  return { next: null, timeless: null, lookbacks: null };
}

/** Structures kept per chart, at most (then they start afresh). */
const STRUCTURES = 100_000;

/** A chart's structures and how many (splitterFor keeps none in a lean search). */
interface Structures {
  root: Structure;
  size: number;
}

/**
 * A monitor chart's data (chartMonitor.ts), per instance in key order: its state and
 * time-free context (as text once per snapshot, in `parts`), then the context's declared
 * time fields (in name order) and its deadlines, as absolute times. With folds, a state
 * keeps only the fields it can still read, a final state none, and a time field declared
 * with a lookback carries it.
 */
function chartSplit(
  data: ChartData,
  times: ReadonlySet<string>,
  parts: WeakMap<Snap, SnapPart>,
  folds: ChartFolds | null,
  known: Structures | null,
  table: SnapTable | null,
): MonitorKey {
  const out: (number | null)[] = [];
  const instances = chartInstances(data);
  const keys = Object.keys(instances).sort();
  let node: Structure | null = known === null ? null : known.root;
  for (const k of keys) {
    const inst = instances[k]!;
    let part = parts.get(inst.snap);
    if (part === undefined) parts.set(inst.snap, (part = snapPart(inst.snap, times, folds, table)));
    // The instance takes its part's snapshot (SnapTable): the explorer's own objects, never `check`'s.
    if (part.snap !== inst.snap) (inst as { snap: Snap }).snap = part.snap;
    const context = inst.snap.xs.context as Record<string, unknown>;
    for (const f of part.timeFields) {
      const v = context[f];
      out.push(typeof v === 'number' ? v + inst.origin : null);
    }
    const timers = inst.timers;
    for (let j = 0; j < timers.length; j++) out.push(timers[j]!.at);
    if (node !== null) {
      node = child(known!, child(known!, child(known!, node, k), part), timers.length);
      for (let j = 0; j < timers.length; j++) node = child(known!, node, timers[j]!.name);
    }
  }
  if (node !== null && node.timeless !== null) return node.lookbacks ? { timeless: node.timeless, times: out, lookbacks: node.lookbacks } : { timeless: node.timeless, times: out };
  // A structure met for the first time: its text and lookbacks.
  let timeless = '';
  const lookbacks: number[] | null = folds ? [] : null;
  for (const k of keys) {
    const inst = instances[k]!;
    const part = parts.get(inst.snap)!;
    timeless += `${k}:${part.text}`;
    // Own keys only, as readsOf: a field named like an Object member declares no lookback by that.
    for (const f of part.timeFields) lookbacks?.push(folds!.messageTimes.has(f) ? MESSAGE_TIMES : Object.hasOwn(folds!.lookback, f) ? folds!.lookback[f]! : Infinity);
    for (const d of inst.timers) {
      timeless += `@${d.name}`;
      lookbacks?.push(Infinity);
    }
    timeless += ';';
  }
  if (node !== null) {
    node.timeless = timeless;
    node.lookbacks = lookbacks;
  }
  return lookbacks ? { timeless, times: out, lookbacks } : { timeless, times: out };
}

/** A snapshot's part (once per snapshot object), the part of the first snapshot met with the same one and time values when `table` is given. */
function snapPart(snap: Snap, times: ReadonlySet<string>, folds: ChartFolds | null, table: SnapTable | null): SnapPart {
  const context = snap.xs.context as Record<string, unknown>;
  const read = folds ? readsOf(snap, folds) : null;
  const kept = (f: string): boolean => read === null || read.has(f);
  const rest: Record<string, unknown> = {};
  for (const [f, v] of Object.entries(context)) if (!times.has(f) && kept(f)) rest[f] = v;
  const part: SnapPart = {
    text: JSON.stringify([snap.xs.value, rest]),
    timeFields: Object.keys(context).filter((f) => times.has(f) && kept(f)).sort(),
    snap,
  };
  if (table === null) return part;
  // The text names the time fields' places (their values are out of it): their names and raw values after it.
  let key = part.text;
  for (const f of part.timeFields) key += `|${f}=${String(context[f])}`;
  const first = table.get(key);
  if (first !== undefined) return first;
  if (table.size >= cacheLimitNow()) table.clear();
  table.set(key, part);
  return part;
}

/** The structure after `node` by `step`, made the first time (all of them dropped past STRUCTURES). */
function child(known: Structures, node: Structure, step: unknown): Structure {
  let next = node.next?.get(step);
  if (next === undefined) {
    if (++known.size > STRUCTURES) {
      // Start afresh: `node` stays usable for this data (detached from the new root).
      known.root = structure();
      known.size = 0;
    }
    (node.next ??= new Map()).set(step, (next = structure()));
  }
  return next;
}

/** The context fields a chart's snapshot can still read (ChartDeclaration.reads): none once final, all when its state is not named. */
function readsOf(snap: Snap, folds: ChartFolds): ReadonlySet<string> | null {
  if (snap.xs.status === 'done') return new Set();
  const value = snap.xs.value;
  const state = typeof value === 'string' ? value : Object.keys(value as object).length === 1 ? Object.keys(value as object)[0]! : null;
  // Own keys only: a state named like an Object member ("toString") declares nothing by that.
  const read = state === null || !Object.hasOwn(folds.reads, state) ? undefined : folds.reads[state];
  return read === undefined ? null : new Set(read);
}

/**
 * How to key a property's data, from its declarations: a monitor chart's, or plain data
 * with its declared times. `folds`: the run's scenario when the explorer folds what the
 * declarations say nothing can read any more (docs/explorer.md, "Folds"); null keys all.
 * `memo` false (a lean search): a chart's structures are not kept (chartSplit). `intern`:
 * with folds, give a chart's instances one snapshot per part (SnapTable; the identity
 * keying's splitter alone, so that no two tables contend for the same instances).
 */
export function splitterFor(p: AnyProperty, folds: Scenario | null = null, memo = true, intern = false): (data: unknown) => MonitorKey {
  if (p.chart) {
    const times = new Set(p.chart.times);
    const parts = new WeakMap<Snap, SnapPart>();
    // Lean (memo false): no table of structures.
    const known: Structures | null = memo ? { root: structure(), size: 0 } : null;
    // A misspelt state would silently keep every field there: a declaration names real states.
    const states = Object.keys(p.chart.machine.root.states);
    for (const state of Object.keys(p.chart.reads ?? {})) {
      if (!states.includes(state)) throw new Error(`property ${p.id}: chart.reads names ${state}, which is not a state of its chart (${states.join(', ')})`);
    }
    const chartFolds: ChartFolds | null =
      folds && (p.chart.reads || p.chart.lookback || p.chart.messageTimes)
        ? { reads: p.chart.reads ?? {}, lookback: p.chart.lookback?.(folds) ?? {}, messageTimes: new Set(p.chart.messageTimes?.(folds) ?? []) }
        : null;
    // With folds, the instances' snapshots are interned (SnapTable), by the keying that asks (`intern`).
    const table: SnapTable | null = intern && chartFolds !== null ? new Map() : null;
    return (data) => chartSplit(data as ChartData, times, parts, chartFolds, known, table);
  }
  const times = new Set<string>((p.times ?? []) as readonly string[]);
  return (data) => declaredSplit(data, times);
}

interface Memo extends Pair {
  owner: object;
}

/**
 * A world's memo: its part of the key, exact, with worldKey's key once asked (null until
 * then: a field that starts as a number would hold the key unboxed, and every read would box
 * it again).
 */
interface WorldMemo extends Memo {
  key: number | null;
  /** 0 once the world is known to have no timer beyond FAR_MS (farTimerTimes), else -1. */
  far: number;
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

/*
 * Monitor states and monitor arrays each have their own reader and writer (the same
 * bodies): a property access shared by both kinds of object would see too many shapes.
 */

function stateSlotOf<T extends { owner: object; maker: object }>(x: object, maker: object): T | null {
  const memo = (x as Slotted)[SLOT];
  return memo !== undefined && memo.owner === x && memo.maker === maker ? (memo as T) : null;
}

function setStateSlot<T extends { owner: object; maker: object }>(x: object, memo: T): T {
  (x as Slotted)[SLOT] = memo;
  return memo;
}

function arraySlotOf<T extends { owner: object; maker: object }>(x: object, maker: object): T | null {
  const memo = (x as Slotted)[SLOT];
  return memo !== undefined && memo.owner === x && memo.maker === maker ? (memo as T) : null;
}

function setArraySlot<T extends { owner: object; maker: object }>(x: object, memo: T): T {
  (x as Slotted)[SLOT] = memo;
  return memo;
}

/** A monitor's absolute times, with their lookbacks (null: the horizon for each). */
interface Timed {
  readonly times: readonly (number | null)[];
  readonly lookbacks: readonly number[] | null;
}

/** A monitor state's part of the key: its data's with the violation flag (and, once asked, the identity hash). */
interface MonitorMemo extends Memo, Timed {
  maker: object;
  /** The identity hash (monitorIdentity), null until asked (as WorldMemo's key). */
  hash: number | null;
}

/**
 * All the monitors' part of a key: their hashes folded, and the monitors that hold times, in
 * order (the key takes their times one after the other): no array of all the times is made.
 */
interface MonitorsMemo extends Memo {
  maker: object;
  timed: readonly Timed[];
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
  const timers = w.timers;
  for (let k = 0; k < timers.length; k++) if (timers[k]!.at - w.now > FAR_MS) nearest = Math.min(nearest, timers[k]!.at);
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

/**
 * The monitors' data split, for every keying of one key maker: once per data object for
 * keyings that rename (symmetry.ts: each renaming splits the same data again). The identity
 * alone asks once per monitor state (its memo, Keying.monitorMemo), and new data objects
 * come with new states: a table by data object would be written far more than read.
 */
export class MonitorSplits {
  readonly count: number;
  private readonly splits: ((data: unknown) => MonitorKey)[];
  private readonly caches: WeakMap<object, MonitorSplit>[] | null;
  private readonly primitives = new Map<string, MonitorSplit>();
  /** The time-free texts, for keyings that rename them (symmetry.ts); null: the hashes are enough. */
  private readonly texts: WeakMap<MonitorSplit, string> | null;

  /** `keepTexts`: for keyings that rename (the texts, and the splits by data object). `intern`: splitterFor's. */
  constructor(properties: readonly AnyProperty[], folds: Scenario | null, private readonly hashes: Hashes, keepTexts: boolean, intern = false) {
    this.count = properties.length;
    this.splits = properties.map((p) => splitterFor(p, folds, hashes.memo, intern));
    this.caches = keepTexts ? properties.map(() => new WeakMap<object, MonitorSplit>()) : null;
    this.texts = keepTexts ? new WeakMap() : null;
  }

  of(i: number, data: unknown): MonitorSplit {
    const primitive = data === null || typeof data !== 'object';
    const text = primitive ? String(data) : '';
    let split = primitive ? this.primitives.get(text) : this.caches?.[i]!.get(data);
    if (!split) {
      const k = this.splits[i]!(data);
      split = { pair: this.hashes.ofText(k.timeless), times: k.times, lookbacks: k.lookbacks ?? null };
      this.texts?.set(split, k.timeless);
      if (primitive) this.primitives.set(text, split);
      else this.caches?.[i]!.set(data, split);
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
  // Scratch, reset by `begin`: a walk makes no objects of its own.
  private readonly flights = new SetSum();
  private readonly timers = new SetSum();
  private readonly rests: Pair[] = [];
  private restCount = 0;
  private readonly lanes = new Lanes();
  constructor(private readonly keying: Keying) {}

  begin(): this {
    this.flights.reset();
    this.timers.reset();
    this.restCount = 0;
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
    this.rests[this.restCount++] = record === undefined ? ABSENT : this.keying.restPair(record);
  }
  end(): Pair {
    return this.endInto({ a: 0, b: 0 });
  }
  /** The world's pair, written into `out` (a memo the caller keeps). */
  endInto<T extends Pair>(out: T): T {
    const lanes = this.lanes.reset();
    this.actorSum!.into(lanes);
    this.flights.into(lanes);
    this.timers.into(lanes);
    for (let k = 0; k < this.restCount; k++) lanes.pair(this.rests[k]!);
    lanes.finish();
    out.a = lanes.a;
    out.b = lanes.b;
    return out;
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

/** A message's addresses as its name's text. */
function flightText(m: InFlight): string {
  return `${m.from}>${m.to}:${m.src}:${m.causeFrom ?? ''}`;
}

/** A table keyed by one string, of tables keyed by the next. */
type Names<T> = Map<string, T>;

/** The table under `key` in `outer`, made empty the first time. */
function inner<T>(outer: Map<string, Map<string, T>>, key: string): Map<string, T> {
  let m = outer.get(key);
  if (m === undefined) outer.set(key, (m = new Map()));
  return m;
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
  /** The identity's names of messages and timers, by their strings in turn (flightName, timerName). */
  private readonly flightNames: Names<Names<Names<Map<string, Pair>>>> = new Map();
  private readonly timerNames: Names<Map<string, Pair>> = new Map();
  // Scratch, used and read within one call: an actor's pair (actorSum), the monitors' fold (monitorsPart).
  private readonly scratch: Pair = { a: 0, b: 0 };
  private readonly partLanes = new Lanes();

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

  /**
   * A message's addresses, as the name `${from}>${to}:${src}:${causeFrom}`: looked up by the
   * strings themselves (a few Map lookups, each string's hash kept by the engine), the text
   * built only the first time.
   */
  private flightName(m: InFlight): Pair {
    if (this.renamer !== null || !this.hashes.memo) return this.name(flightText(m));
    const bySrc = inner(inner(this.flightNames, m.from), m.to);
    const byCause = inner(bySrc, m.src);
    const cause = m.causeFrom ?? '';
    let p = byCause.get(cause);
    if (p === undefined) byCause.set(cause, (p = this.name(flightText(m))));
    return p;
  }

  /** A timer's actor and name, as the name `${actor}:${name}`, the same way. */
  private timerName(t: Timer): Pair {
    if (this.renamer !== null || !this.hashes.memo) return this.name(`${t.actor}:${t.name}`);
    const byName = inner(this.timerNames, t.actor);
    let p = byName.get(t.name);
    if (p === undefined) byName.set(t.name, (p = this.name(`${t.actor}:${t.name}`)));
    return p;
  }

  /** An immutable object's content (a message, a timer's event), once per object. */
  private content(object: object, text: () => string): Pair {
    if (this.renamer === null) return this.hashes.of(object, text);
    let p = this.contents.get(object);
    if (p === undefined) this.contents.set(object, (p = this.hashes.ofText(this.renamer.text(text()))));
    return p;
  }

  /** An actor: its name, and its snapshot (once per snapshot), into `out`. */
  private actorPair<T extends Pair>(name: string, snap: Snap, out: T): T {
    let p: Pair | undefined;
    if (this.renamer === null) p = this.hashes.ofSnap(snap);
    else if ((p = this.contents.get(snap)) === undefined) this.contents.set(snap, (p = this.hashes.ofText(this.renamer.snapKey(snap))));
    const n = this.name(name);
    return joinedInto(n.a, n.b, p.a, p.b, out);
  }

  /** The actors as a set of (name, snapshot), once per actors object (worlds share it until an actor moves). */
  actorSum(actors: World['actors']): SetSum {
    let sum = this.actorSums.get(actors);
    if (!sum) {
      sum = new SetSum();
      // Scratch for each actor's pair, read at once by the sum.
      const actor = this.scratch;
      for (const a in actors) {
        this.actorPair(a, actors[a]!, actor);
        sum.addWords(actor.a, actor.b, 0);
      }
      this.actorSums.set(actors, sum);
    }
    return sum;
  }

  /** The same as text (the exact key): their hashes in order. */
  actorsText(actors: World['actors']): string {
    let text = this.actorTexts.get(actors);
    if (text === undefined) {
      const parts: string[] = [];
      for (const a in actors) parts.push(hex(this.actorPair(a, actors[a]!, { a: 0, b: 0 })));
      this.actorTexts.set(actors, (text = parts.sort().join(',')));
    }
    return text;
  }

  /** A message without its id, cause and times. */
  flightPair(m: InFlight): Pair {
    const known = this.renamer === null ? messageMemoOf<Memo>(m) : this.members.get(m);
    if (known) return known;
    const c = this.content(m.msg, () => JSON.stringify(m.msg));
    const n = this.flightName(m);
    if (this.renamer === null) return setMessageMemo(m, joinedInto(c.a, c.b, n.a, n.b, { a: 0, b: 0, owner: m }));
    const p = joinedInto(c.a, c.b, n.a, n.b, { a: 0, b: 0 });
    this.members.set(m, p);
    return p;
  }

  /** A timer without its id, label and time. */
  timerPair(t: Timer): Pair {
    const known = this.renamer === null ? timerMemoOf<Memo>(t) : this.members.get(t);
    if (known) return known;
    const c = this.content(t.event, () => JSON.stringify(t.event));
    const n = this.timerName(t);
    if (this.renamer === null) return setTimerMemo(t, joinedInto(c.a, c.b, n.a, n.b, { a: 0, b: 0, owner: t }));
    const p = joinedInto(c.a, c.b, n.a, n.b, { a: 0, b: 0 });
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
    const known = worldMemoOf<WorldMemo>(w);
    if (known) return known;
    const sink = this.hash.begin();
    walkWorld(w, null, this.times, sink);
    // `key` and `far` are there from the start (filled in when asked): no second shape for the memo.
    return setWorldMemo<WorldMemo>(w, sink.endInto({ a: 0, b: 0, owner: w, key: null, far: -1 }));
  }

  /** The same with past times whole, when a message's are further back than the horizon (else null). */
  beyondHorizon(w: World): Pair | null {
    const h = this.times.horizonMs;
    const now = w.now;
    let beyond = false;
    for (const m of w.inFlight) if (m.sentAt - now < -h || m.originAt - now < -h) beyond = true;
    if (!beyond) return null;
    const sink = this.hash.begin();
    walkWorld(w, null, this.wholeTimes, sink);
    return sink.end();
  }

  /** A world's part of a state's key: with folds, far timers folded. */
  worldPair(w: World): Pair {
    let far: number[] | null = null;
    if (this.renamer === null) {
      if (!this.farTimers) return this.worldMemo(w);
      // Whether the world has far timers is its content's: asked once, kept on its memo.
      const known = worldMemoOf<WorldMemo>(w);
      if (known !== null && known.far === 0) return known;
      far = farTimerTimes(w);
      if (far === null) {
        const memo = known ?? this.worldMemo(w);
        memo.far = 0;
        return memo;
      }
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
    const known = stateSlotOf<MonitorMemo>(m, this.maker);
    if (known) return known;
    const split = this.splits.of(i, m.data);
    // `hash` is there from the start (monitorIdentity fills it in): no second shape for the memo.
    const memo: MonitorMemo = { a: 0, b: 0, times: split.times, lookbacks: split.lookbacks, owner: m, maker: this.maker, hash: null };
    return setStateSlot(m, this.monitorPair(i, m, split, memo));
  }

  /** Monitor `i`'s state: its data's time-free part (renamed once per data object) with the verdict's violation flag, into `out`. */
  private monitorPair<T extends Pair>(i: number, m: MonitorState<unknown>, split: MonitorSplit, out: T): T {
    let p = split.pair;
    if (this.renamer !== null) {
      const renamed = this.monitorData.get(split);
      if (renamed === undefined) this.monitorData.set(split, (p = this.hashes.ofText(this.renamer.text(this.splits.textOf(split)))));
      else p = renamed;
    }
    return joinedInto(p.a, p.b, m.verdict.violation ? 1 : 0, i, out);
  }

  /** All the monitors' part, once per array (states whose monitors all stayed share it). */
  monitorsPart(monitors: readonly MonitorState<unknown>[]): MonitorsMemo {
    if (this.renamer !== null) return this.renamedMonitorsPart(monitors);
    const known = arraySlotOf<MonitorsMemo>(monitors, this.maker);
    if (known) return known;
    // Scratch: monitorMemo folds no lanes of its own.
    const lanes = this.partLanes.reset();
    const timed: Timed[] = [];
    for (let i = 0; i < this.splits.count; i++) {
      const part = this.monitorMemo(i, monitors[i]!);
      lanes.pair(part);
      if (part.times.length > 0) timed.push(part);
    }
    lanes.finish();
    return setArraySlot(monitors, { a: lanes.a, b: lanes.b, timed, owner: monitors, maker: this.maker });
  }

  /** The same under a renaming: each state's part worked out from its data's, with its array. */
  private renamedMonitorsPart(monitors: readonly MonitorState<unknown>[]): MonitorsMemo {
    const known = this.monitorArrays.get(monitors);
    if (known) return known;
    const lanes = this.partLanes.reset();
    const timed: Timed[] = [];
    for (let i = 0; i < this.splits.count; i++) {
      const m = monitors[i]!;
      const split = this.splits.of(i, m.data);
      // Scratch for the state's pair, folded at once.
      lanes.pair(this.monitorPair(i, m, split, this.scratch));
      if (split.times.length > 0) timed.push(split);
    }
    lanes.finish();
    const memo: MonitorsMemo = { a: lanes.a, b: lanes.b, timed, owner: monitors, maker: this.maker };
    this.monitorArrays.set(monitors, memo);
    return memo;
  }

  /**
   * A state's fingerprint, folded into `lanes` (reset first), which it returns: its `a` and
   * `b` are the fingerprint until the lanes are used again (no object is made per state).
   */
  fingerprint(lanes: Lanes, world: World, monitorStates: readonly MonitorState<unknown>[], faults: number, busyInstant: boolean): Pair {
    // The parts first: they fold lanes of their own, not these.
    const worldPart = this.worldPair(world);
    const monitors = this.monitorsPart(monitorStates);
    lanes.reset();
    lanes.word(faults);
    lanes.word(busyInstant ? 1 : 0);
    lanes.pair(worldPart);
    lanes.pair(monitors);
    // Every monitor's times in order, each with its lookback (the horizon when it declares none).
    const timed = monitors.timed;
    for (let j = 0; j < timed.length; j++) {
      const { times, lookbacks } = timed[j]!;
      if (lookbacks === null) for (let k = 0; k < times.length; k++) lanes.word(this.times.monitor(times[k]!, world));
      else for (let k = 0; k < times.length; k++) lanes.word(this.times.monitor(times[k]!, world, lookbacks[k]));
    }
    return lanes.finish();
  }

  /** A state's key as text (exact mode, tests): the same parts, each named by its hash, with the same times. */
  key(st: ExplorerState): string {
    const w = st.world;
    const sink = this.text.begin();
    walkWorld(w, this.farTimers ? farTimerTimes(w) : null, this.times, sink);
    let out = `${st.faults}${st.busyInstant ? '*' : ''}|${sink.end()}|`;
    const monitors = this.monitorsPart(st.monitors);
    // Each monitor's hash, then all their times in order: as the fingerprint folds them.
    out += hex(monitors);
    for (const { times, lookbacks } of monitors.timed) {
      times.forEach((t, k) => (out += t === null ? ':-' : `:${this.times.monitor(t, w, lookbacks?.[k])}`));
    }
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
  const keying = new Keying(hashes, new MonitorSplits(properties, folds, hashes, false, true), new RelativeTimes(horizonMs), folds !== null);
  // One Lanes and one result for every fingerprint (the parts it folds use their own), and
  // one Lanes each for the identity and world hashes: scratch, read before the next call.
  const lanes = new Lanes();
  const out: [number, number] = [0, 0];
  const identityLanes = new Lanes();
  const worldLanes = new Lanes();

  return {
    hashOf: (object, text) => hex(hashes.of(object, text)),

    fingerprint(st) {
      const p = keying.fingerprint(lanes, st.world, st.monitors, st.faults, st.busyInstant);
      return [p.a >>> 0, p.b >>> 0];
    },

    fingerprintOf(world, monitors, faults, busyInstant) {
      const p = keying.fingerprint(lanes, world, monitors, faults, busyInstant);
      out[0] = p.a >>> 0;
      out[1] = p.b >>> 0;
      return out;
    },

    monitorIdentity(i, m) {
      const parts = keying.monitorMemo(i, m);
      if (parts.hash === null) {
        const lanes = identityLanes.reset();
        lanes.pair(parts);
        const times = parts.times;
        for (let k = 0; k < times.length; k++) {
          const t = times[k]!;
          lanes.word(t === null ? NO_TIME : t);
        }
        lanes.finish();
        parts.hash = (lanes.a >>> 0) * 0x200000 + (lanes.b >>> 11);
      }
      return parts as MonitorIdentity;
    },

    worldKey(w) {
      const memo = keying.worldMemo(w);
      // Asked for every world the partial-order check meets: kept with its pair, on the world.
      if (memo.key !== null) return memo.key;
      // The world's parts first: beyondHorizon folds lanes of its own.
      const beyond = keying.beyondHorizon(w);
      const lanes = worldLanes.reset();
      lanes.pair(memo);
      lanes.word(w.now);
      lanes.word(w.now / 0x100000000);
      // The pair caps a message's past times at the horizon, as a state's key does; the cache
      // of world moves must not: a world of the key steps in place of this one, and a monitor
      // reads those times whole (L1/L2 compare when a packet's data left with the fault).
      if (beyond !== null) lanes.pair(beyond);
      lanes.finish();
      // 53 bits: a JavaScript number, so a Map looks it up without building a string.
      return (memo.key = (lanes.a >>> 0) * 0x200000 + (lanes.b >>> 11));
    },

    key: (st) => keying.key(st),
  };
}
