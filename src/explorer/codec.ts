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
 *   states.
 * - Labels are dropped: message and timer ids, causes and origins (trace bookkeeping).
 * - Components are named by a 64-bit hash of their content (a statechart snapshot's
 *   value and context, a message, a monitor's data), computed once per object: keys stay
 *   short, and the same state has the same key in every worker thread.
 */
import type { MonitorState, AnyProperty } from '../checker/property.js';
import type { World } from '../engine/world.js';
import { fingerprint } from './fingerprints.js';

export interface ExplorerState {
  world: World;
  monitors: MonitorState<unknown>[];
  /** Faults injected so far (bounded by the budget). */
  faults: number;
  /** An event has already happened at the current instant: faults may no longer come first. */
  busyInstant: boolean;
}

/** Fields of monitor data that hold absolute times (relativised and capped in keys). */
const TIME_FIELDS = new Set(['t', 'at', 'lastFwdAt', 'base', 'armedAt', 'faultAt', 'lastFaultAt', 'originAt']);

export interface KeyMaker {
  /** The canonical key as a string (exact mode, tests). */
  key(state: ExplorerState): string;
  /** The same key's 64-bit fingerprint, computed without building the string (the hot path). */
  fingerprint(state: ExplorerState): [number, number];
}

/** A 64-bit content hash as two 32-bit halves (and, once asked for, as 16 hex digits). */
interface Pair {
  a: number;
  b: number;
  hex?: string;
}

const pairs = new WeakMap<object, Pair>();
const pairsByText = new Map<string, Pair>();

/** The 64-bit hash of a string, memoised. */
function pairOfText(text: string): Pair {
  let p = pairsByText.get(text);
  if (p === undefined) {
    const [a, b] = fingerprint(text);
    p = { a, b };
    if (pairsByText.size > 1_000_000) pairsByText.clear();
    pairsByText.set(text, p);
  }
  return p;
}

/** The 64-bit content hash of an immutable object, computed once per object. */
function pairOf(object: object, text: () => string): Pair {
  let p = pairs.get(object);
  if (p === undefined) {
    p = pairOfText(text());
    pairs.set(object, p);
  }
  return p;
}

function hex(p: Pair): string {
  return (p.hex ??= p.a.toString(16).padStart(8, '0') + p.b.toString(16).padStart(8, '0'));
}

/** A short content hash of a string (16 hex digits), memoised. */
export function hashText(text: string): string {
  return hex(pairOfText(text));
}

/**
 * The content hash of an immutable object (16 hex digits), computed once per object. An
 * object has one content: callers must hash the same kind of object the same way.
 */
export function hashOf(object: object, text: () => string): string {
  return hex(pairOf(object, text));
}

/** Folds 32-bit words into two independent 32-bit lanes. */
class Lanes {
  a = 0x2f6b1d3c;
  b = 0x6a09e667;
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
    let a = this.a;
    let b = this.b;
    a ^= a >>> 16;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 13;
    b ^= b >>> 16;
    b = Math.imul(b, 0xc2b2ae35);
    b ^= b >>> 16;
    return [a >>> 0, b >>> 0];
  }
}

/**
 * A multiset folded in any order: each member (two hashes and a relative time) is mixed
 * into a 64-bit value and the members are summed lane-wise, so nothing needs sorting.
 */
class SetSum {
  private a = 0;
  private b = 0;
  private n = 0;
  add(x: Pair, y: Pair, t: number): void {
    this.a = (this.a + mix(x.a ^ y.a ^ t, x.b)) | 0;
    this.b = (this.b + mix(x.b ^ y.b ^ Math.imul(t, 0x27d4eb2d), x.a ^ y.a)) | 0;
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

/** `horizonMs`: past times older than this are all alike to every property (≥ every deadline budget). */
export function makeKeyMaker(properties: readonly AnyProperty[], horizonMs: number): KeyMaker {
  const past = (t: number, now: number): number => Math.max(-horizonMs, t - now);
  const monitorPart = (p: AnyProperty, m: MonitorState<unknown>, now: number): string => {
    const violated = m.verdict.violation ? '!' : '';
    if (p.logic.encode) return violated + p.logic.encode(m.data, now, horizonMs);
    // Data without time fields hashes once per object; with them, per state.
    const data = m.data as object | null;
    if (data === null || typeof data !== 'object') return violated + String(data);
    if (!hasTimes(data)) return violated + hashOf(data, () => JSON.stringify(data));
    return violated + hashText(JSON.stringify(data, timeReplacer(now, horizonMs)));
  };

  // Parts shared between states (the same objects, as worlds share structure) are built once.
  const actorParts = new WeakMap<object, string>();
  const flightSuffix = new WeakMap<object, string>();
  const timerSuffix = new WeakMap<object, string>();
  const restParts = new WeakMap<object, string>();

  // The same parts as the string key, as 64-bit pairs, cached per shared object.
  const restPairs = new WeakMap<object, Pair>();
  const direct = (text: string): Pair => {
    const [a, b] = fingerprint(text);
    return { a, b };
  };
  const monitorPair = (p: AnyProperty, m: MonitorState<unknown>, now: number): Pair => {
    const data = m.data as object | null;
    // Encodings with times are new strings in most states: hash them, do not memoise them.
    if (p.logic.encode) return direct(p.logic.encode(m.data, now, horizonMs));
    if (data === null || typeof data !== 'object') return pairOfText(String(data));
    if (!hasTimes(data)) return pairOf(data, () => JSON.stringify(data));
    return direct(JSON.stringify(data, timeReplacer(now, horizonMs)));
  };
  const cached = (cache: WeakMap<object, Pair>, object: object, text: () => string): Pair => {
    let p = cache.get(object);
    if (p === undefined) {
      p = pairOfText(text());
      cache.set(object, p);
    }
    return p;
  };

  return {
    fingerprint(st) {
      const w = st.world;
      const now = w.now;
      const lanes = new Lanes();
      lanes.word(st.faults);
      lanes.word(st.busyInstant ? 1 : 0);
      // Sets (actors, messages, timers) are folded in any order: each member's hash is mixed
      // with its relative times and the members are summed lane-wise, so nothing is sorted.
      const actors = new SetSum();
      for (const a in w.actors) {
        const snap = w.actors[a]!;
        actors.add(pairOfText(a), pairOf(snap, () => snap.key), 0);
      }
      actors.into(lanes);
      const flights = new SetSum();
      for (const m of w.inFlight) {
        // Messages are often the very same objects again (cached steps): hash by identity.
        const msg = pairOf(m.msg, () => JSON.stringify(m.msg));
        const hop = pairOfText(`${m.from}>${m.to}:${m.src}:${m.causeFrom ?? ''}`);
        flights.add(msg, hop, (m.at - now) * 65599 + past(m.originAt, now));
      }
      flights.into(lanes);
      const timers = new SetSum();
      for (const t of w.timers) {
        timers.add(pairOf(t.event, () => JSON.stringify(t.event)), pairOfText(`${t.actor}:${t.name}`), t.at - now);
      }
      timers.into(lanes);
      lanes.pair(cached(restPairs, w.down, () => Object.keys(w.down).sort().join(',')));
      lanes.pair(cached(restPairs, w.epochs, () => JSON.stringify(Object.entries(w.epochs).sort())));
      lanes.pair(cached(restPairs, w.links, () => JSON.stringify(Object.entries(w.links).sort())));
      for (let i = 0; i < properties.length; i++) {
        const m = st.monitors[i]!;
        lanes.word(m.verdict.violation ? 1 : 0);
        lanes.pair(monitorPair(properties[i]!, m, now));
      }
      return lanes.done();
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
        flights.push(`${m.at - now}:${past(m.originAt, now)}${suffix}`);
      }
      const timers: string[] = [];
      for (const t of w.timers) {
        let suffix = timerSuffix.get(t);
        if (suffix === undefined) {
          suffix = `:${t.actor}:${t.name}:${hashOf(t.event, () => JSON.stringify(t.event))}`;
          timerSuffix.set(t, suffix);
        }
        timers.push(`${t.at - now}${suffix}`);
      }
      let out = `${st.faults}${st.busyInstant ? '*' : ''}|${actors}|${flights.sort().join(',')}|${timers.sort().join(',')}|`;
      out += partOf(restParts, w.down, () => Object.keys(w.down).sort().join(','));
      out += '|' + partOf(restParts, w.epochs, () => Object.entries(w.epochs).sort().map(([n, e]) => `${n}${e}`).join(','));
      out += '|' + partOf(restParts, w.links, () => Object.entries(w.links).sort().map(([l, s]) => `${l}${s.up ? '+' : '-'}${s.loss ?? ''}`).join(','));
      out += '|';
      for (let i = 0; i < properties.length; i++) out += monitorPart(properties[i]!, st.monitors[i]!, now) + ',';
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

const contextTimes = new WeakMap<object, string[]>();
/** The time fields at the top level of a statechart context, memoised per context object. */
export function timeFieldsOf(context: object): string[] {
  let fields = contextTimes.get(context);
  if (!fields) {
    fields = Object.keys(context).filter((k) => TIME_FIELDS.has(k)).sort();
    contextTimes.set(context, fields);
  }
  return fields;
}

/** A context without its time fields (which keys carry relative to now instead). */
export function timeless(context: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(context)) if (!TIME_FIELDS.has(k)) out[k] = v;
  return out;
}

const timeful = new WeakMap<object, boolean>();
/** Does this data hold any time field (anywhere inside)? Memoised per object. */
function hasTimes(data: object): boolean {
  let known = timeful.get(data);
  if (known === undefined) {
    known = false;
    JSON.stringify(data, (k, v) => {
      if (TIME_FIELDS.has(k) && typeof v === 'number') known = true;
      return v;
    });
    timeful.set(data, known);
  }
  return known;
}

/** JSON replacer: absolute times become times relative to now (the past capped at the horizon). */
export function timeReplacer(now: number, horizonMs: number): (key: string, value: unknown) => unknown {
  return (key, value) => {
    if (typeof value === 'number' && TIME_FIELDS.has(key)) {
      const rel = value - now;
      return rel < 0 ? Math.max(-horizonMs, rel) : rel;
    }
    return value;
  };
}
