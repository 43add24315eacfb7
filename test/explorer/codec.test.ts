/**
 * State keys: time folds (the same situation at another time has the same key), labels
 * do not count (message ids), and what decides the future does.
 */
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { makeKeyMaker, type ExplorerState } from '../../src/explorer/codec.js';
import { initialState, spaceFor, horizonFor } from '../../src/explorer/explore.js';
import { faultMenu, profileScenario, PROFILES } from '../../src/explorer/profiles.js';
import { successors } from '../../src/explorer/successors.js';
import type { World } from '../../src/engine/world.js';

const scenario = profileScenario('small', 'patent');
const opts = { scenario, properties: PROPERTIES, faultMenu: faultMenu(PROFILES.small!.faults, 2), maxFaults: 1, maxDepth: 1000 };
const { space } = spaceFor(opts);
const keys = makeKeyMaker(PROPERTIES, horizonFor(scenario));

/** A state some way into the run: always the first event successor, `n` times. */
function walk(n: number): ExplorerState {
  let state = initialState(space).state;
  for (let i = 0; i < n; i++) {
    const next = successors(space, state).find((s) => s.edge.kind === 'event');
    if (!next) throw new Error('no event successor');
    state = next.state;
  }
  return state;
}

/** The same world, `dt` ms later in absolute time, with other message and timer ids. */
function shifted(w: World, dt: number, idShift: number): World {
  return {
    ...w,
    now: w.now + dt,
    nextId: w.nextId + idShift,
    inFlight: w.inFlight.map((m) => ({ ...m, id: m.id + idShift, at: m.at + dt, sentAt: m.sentAt + dt, originAt: m.originAt + dt, cause: null })),
    timers: w.timers.map((t) => ({ ...t, id: t.id + idShift, at: t.at + dt })),
  };
}

describe('state keys', () => {
  const state = walk(40);
  const base = keys.key(state);

  it('ignore ids and causes: the same world with other labels has the same key', () => {
    expect(state.world.inFlight.length + state.world.timers.length).toBeGreaterThan(0);
    expect(keys.key({ ...state, world: shifted(state.world, 0, 77) })).toBe(base);
  });

  it('fold time: the steady state comes back to the same key at a later time', () => {
    const seen = new Map<string, number>();
    let s = walk(20);
    let repeat: [number, number] | null = null;
    for (let i = 0; i < 400 && !repeat; i++) {
      const k = keys.key(s);
      const at = seen.get(k);
      if (at !== undefined && at < s.world.now) repeat = [at, s.world.now];
      seen.set(k, s.world.now);
      s = successors(space, s).find((x) => x.edge.kind === 'event')!.state;
    }
    expect(repeat, 'a key seen again later').not.toBeNull();
  });

  it('do not fold a shift in absolute time alone when monitors remember times', () => {
    // Monitors keep the last forward arrival etc.: shifting only the world is another situation.
    expect(keys.key({ ...state, world: shifted(state.world, 1234, 0) })).not.toBe(base);
  });

  it('tell apart a timer due at another moment', () => {
    const w = state.world;
    const t = w.timers[0]!;
    const moved = { ...w, timers: [{ ...t, at: t.at + 1 }, ...w.timers.slice(1)] };
    expect(keys.key({ ...state, world: moved })).not.toBe(base);
  });

  it('tell apart a message sent at another moment (L2 asks whether a forward packet left before the fault)', () => {
    const w = state.world;
    const m = w.inFlight[0]!;
    const earlier = { ...w, inFlight: [{ ...m, sentAt: m.sentAt - 1 }, ...w.inFlight.slice(1)] };
    const moved = { ...state, world: earlier };
    expect(keys.key(moved)).not.toBe(base);
    expect(keys.fingerprint(moved)).not.toEqual(keys.fingerprint(state));
  });

  it('key worlds for the cache of world moves by whole past times: a message older than the horizon, sent at two moments, is one state but two worlds', () => {
    const w = state.world;
    const h = horizonFor(scenario);
    const m = w.inFlight[0]!;
    const old = (back: number) => ({ ...w, inFlight: [{ ...m, sentAt: w.now - h - back, originAt: w.now - h - back }, ...w.inFlight.slice(1)] });
    const [a, b] = [old(5), old(9)];
    // The state's key caps past times at the horizon (what the monitors can still tell apart)...
    expect(keys.key({ ...state, world: a })).toBe(keys.key({ ...state, world: b }));
    // ...the world's key does not: the cache steps a world of the key in place of another, and a monitor reads the whole time.
    expect(keys.worldKey(a)).not.toBe(keys.worldKey(b));
    expect(keys.worldKey(old(5))).toBe(keys.worldKey(a));
  });

  it('tell apart the fault budget spent and a node that is down', () => {
    expect(keys.key({ ...state, faults: 1 })).not.toBe(base);
    expect(keys.key({ ...state, world: { ...state.world, down: { fp1: true } } })).not.toBe(base);
  });

  it('tell apart a fast path restarted on another physical host (the world\'s hosts)', () => {
    const moved = { ...state, world: { ...state.world, hosts: { fp1: 1 } } };
    expect(keys.key(moved)).not.toBe(base);
    expect(keys.fingerprint(moved)).not.toEqual(keys.fingerprint(state));
  });

  it('tell apart a monitor that has seen a violation', () => {
    const monitors = state.monitors.map((m, i) =>
      i === 0 ? { ...m, verdict: { ...m.verdict, violation: { t: 0, message: 'x' } } } : m,
    );
    expect(keys.key({ ...state, monitors })).not.toBe(base);
  });
});
