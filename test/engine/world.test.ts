/**
 * The world's discrete-event semantics (src/engine/world.ts): start, scheduling order,
 * message delays, timers, faults, immutability and determinism.
 */
import { describe, expect, it } from 'vitest';
import { builtinScenario } from '../../src/config/builtins.js';
import type { Scenario } from '../../src/config/types.js';
import { SeededChooser, minimalChooser } from '../../src/engine/chooser.js';
import { IP, buildSystem } from '../../src/engine/system.js';
import { toJsonl, type SendEvent } from '../../src/engine/trace.js';
import {
  MoveError,
  actorNode,
  createWorld,
  enabledMoves,
  nextEventTime,
  step,
  type Fault,
  type Move,
  type World,
} from '../../src/engine/world.js';
import { runScenario } from '../../src/sim/simulate.js';
import { FAULT_KINDS, type FaultDraft, type FaultVocabulary } from '../../src/config/faults.js';
import { finishMonitor, initMonitor, stepMonitor } from '../../src/checker/property.js';
import { PROPERTIES } from '../../properties/index.js';
import type { LvsContext } from '../../models/lvs.js';
import { NEVER_MS } from '../../models/protocol.js';
import type { System } from '../../src/engine/system.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import {
  SpyChooser,
  eventsOf,
  jitterChooser,
  play,
  playOn,
  runBefore,
  runUntil,
  runUntilState,
  scenario,
  start,
  take,
  type Run,
} from './helpers.js';

function builtin(name: string): Scenario {
  const s = builtinScenario(name);
  if (!s) throw new Error(`no built-in scenario ${name}`);
  return s;
}

const fault = (f: Fault): Move => ({ kind: 'fault', fault: f });
const nodeActors = (w: World, node: string) => Object.keys(w.actors).filter((k) => actorNode(k) === node);
const sendsById = (r: Run) => new Map(eventsOf(r.events, 'send').map((e) => [e.id, e]));

describe('createWorld', () => {
  const s = scenario({ workload: { flows: 3, startAtMs: 10, startGapMs: 7 } });
  const sys = buildSystem(s.design, s.config, s.workload);
  const { world, events } = createWorld(sys, minimalChooser);

  it('starts one statechart per node for per-node components, and the client flows', () => {
    expect(Object.keys(world.actors).sort()).toEqual(
      ['client/f1', 'client/f2', 'client/f3', 'control', 'eni', 'fp1', 'fp2', 'sp', 'vgw'].sort(),
    );
    // Per-flow LVS and server statecharts start on their first packet, not before.
    expect(nodeActors(world, 'lvs')).toEqual([]);
    expect(nodeActors(world, 'server')).toEqual([]);
    expect(world.now).toBe(0);
    const started = eventsOf(events, 'state').map((e) => (e.instance ? `${e.node}/${e.instance}` : e.node));
    expect(started.sort()).toEqual(Object.keys(world.actors).sort());
  });

  it('schedules each client flow to start at startAtMs + k * startGapMs', () => {
    const starts = world.timers.filter((t) => t.label === 'start');
    expect(starts.map((t) => [t.actor, t.at])).toEqual([
      ['client/f1', 10],
      ['client/f2', 17],
      ['client/f3', 24],
    ]);
  });

  it("runs the entry actions: PVL-Control's config is on the wire and its refresh timer is set", () => {
    expect(world.inFlight.map((m) => [m.from, m.to, m.msg.type])).toEqual([['control', 'sp', 'config']]);
    expect(world.timers.filter((t) => t.actor === 'control').map((t) => t.at)).toEqual([s.config.configRefreshMs]);
  });
});

describe('nextEventTime and enabledMoves', () => {
  // Every link takes exactly 5 ms and the flows start at 5 ms: the config message and the
  // three start timers are due together, the control refresh timer later.
  const s = scenario({ config: { linkDelayMs: [5, 5] }, workload: { flows: 3, startAtMs: 5, startGapMs: 0 } });
  const sys = buildSystem(s.design, s.config, s.workload);
  const { world } = createWorld(sys, minimalChooser);

  it('offer only the events due at the earliest time, in creation order', () => {
    expect(nextEventTime(world)).toBe(5);
    const moves = enabledMoves(world);
    const config = world.inFlight.find((m) => m.msg.type === 'config')!;
    const starts = world.timers.filter((t) => t.label === 'start');
    expect(moves).toEqual([
      { kind: 'deliver', id: config.id },
      ...starts.map((t) => ({ kind: 'fire', id: t.id })),
    ]);
    const ids = moves.map((m) => (m.kind === 'deliver' || m.kind === 'fire' ? m.id : -1));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const refresh = world.timers.find((t) => t.actor === 'control')!;
    expect(moves).not.toContainEqual({ kind: 'fire', id: refresh.id });
  });

  it('put an older timer before a newer message due at the same time', () => {
    // The control refresh timer (set at 0) and the client's request (sent at 10) are both due at 15.
    const t = scenario({ config: { linkDelayMs: [5, 5], configRefreshMs: 15 }, workload: { startAtMs: 10 } });
    const r = start(t, minimalChooser);
    runBefore(r, 15);
    const refresh = r.world.timers.find((x) => x.actor === 'control')!;
    const request = r.world.inFlight.find((m) => m.from === 'client')!;
    expect([refresh.at, request.at]).toEqual([15, 15]);
    expect(refresh.id).toBeLessThan(request.id);
    expect(enabledMoves(r.world)).toEqual([
      { kind: 'fire', id: refresh.id },
      { kind: 'deliver', id: request.id },
    ]);
  });

  it('are Infinity and empty when nothing is pending', () => {
    const idle: World = { ...world, inFlight: [], timers: [] };
    expect(nextEventTime(idle)).toBe(Infinity);
    expect(enabledMoves(idle)).toEqual([]);
  });

  it('reject a move that is not due, and unknown ids, with a MoveError', () => {
    const refresh = world.timers.find((t) => t.actor === 'control')!;
    expect(() => step(sys, world, { kind: 'fire', id: refresh.id }, minimalChooser)).toThrow(MoveError);
    expect(() => step(sys, world, { kind: 'deliver', id: 9999 }, minimalChooser)).toThrow(MoveError);
    expect(() => step(sys, world, { kind: 'fire', id: 9999 }, minimalChooser)).toThrow(MoveError);
    expect(() => step(sys, world, { kind: 'drop', id: 9999 }, minimalChooser)).toThrow(MoveError);
    // A message cannot be delivered as a timer, nor the reverse.
    const config = world.inFlight[0]!;
    const firstStart = world.timers.find((t) => t.label === 'start')!;
    expect(() => step(sys, world, { kind: 'fire', id: config.id }, minimalChooser)).toThrow(MoveError);
    expect(() => step(sys, world, { kind: 'deliver', id: firstStart.id }, minimalChooser)).toThrow(MoveError);
  });

  it('let the clock advance up to the next event, never past it nor backwards', () => {
    expect(step(sys, world, { kind: 'advance', to: 5 }, minimalChooser).world.now).toBe(5);
    expect(step(sys, world, { kind: 'advance', to: 3 }, minimalChooser).world.now).toBe(3);
    expect(() => step(sys, world, { kind: 'advance', to: 6 }, minimalChooser)).toThrow(MoveError);
    const later = step(sys, world, { kind: 'advance', to: 4 }, minimalChooser).world;
    expect(() => step(sys, later, { kind: 'advance', to: 2 }, minimalChooser)).toThrow(MoveError);
  });

  it('unknown nodes and links in a fault are a MoveError', () => {
    expect(() => step(sys, world, fault({ kind: 'crash', node: 'fp9' }), minimalChooser)).toThrow(MoveError);
    expect(() => step(sys, world, fault({ kind: 'restart', node: 'nobody' }), minimalChooser)).toThrow(MoveError);
    expect(() => step(sys, world, fault({ kind: 'linkDown', link: 'client->lvs' }), minimalChooser)).toThrow(MoveError);
  });
});

describe('message delays', () => {
  const body = {
    until: 3000,
    config: { linkDelayMs: [3, 9], links: { 'server->lvs': { delayMs: [10, 40] } } },
    workload: { streamIntervalMs: 50 },
  };

  it.each([1, 2, 3, 4, 5])('lie within the link bounds and are kept (seed %i)', (seed) => {
    const s = scenario({ ...body, seed });
    const { system, events } = runScenario(s);
    const sends = eventsOf(events, 'send');
    expect(sends.length).toBeGreaterThan(50);
    for (const e of sends) {
      const link = system.links[`${e.from}->${e.to}`]!;
      expect(e.arrives - e.t).toBeGreaterThanOrEqual(link.minMs);
      expect(e.arrives - e.t).toBeLessThanOrEqual(link.maxMs);
    }
    const arrives = new Map(sends.map((e) => [e.id, e.arrives]));
    for (const d of eventsOf(events, 'deliver')) expect(d.t).toBe(arrives.get(d.id));
    const defaultDelays = new Set(sends.filter((e) => e.from !== 'server').map((e) => e.arrives - e.t));
    expect(defaultDelays.size).toBeGreaterThan(3);
  });

  it('are exactly min when min == max, without consulting the chooser', () => {
    const s = scenario({ until: 3000, config: { linkDelayMs: [4, 4] } });
    const spy = new SpyChooser(new SeededChooser(1));
    const { events } = runScenario(s, { chooser: spy });
    const sends = eventsOf(events, 'send');
    expect(sends.length).toBeGreaterThan(20);
    expect(sends.every((e) => e.arrives - e.t === 4)).toBe(true);
    expect(spy.choices.filter((c) => c.kind === 'delay')).toEqual([]);
  });
});

describe('timers', () => {
  it('a reused timer name replaces the pending timer of that actor', () => {
    // Routine probing every 500 ms: the ENI arms "probe:<member>" timers at 500.
    const s = scenario({ config: { routineProbeMs: 500, linkDelayMs: [1, 1] } });
    const r = start(s, minimalChooser);
    const name = `probe:${IP.fpVirt(1, 0)}`;
    const stale = { id: r.world.nextId, at: 50_000, actor: 'eni', name, label: name, event: { type: 'probeTimeout' } };
    r.world = { ...r.world, nextId: r.world.nextId + 1, timers: [...r.world.timers, stale] };
    runUntilState(r, (w) => w.timers.some((t) => t.actor === 'eni' && t.name === name && t.id !== stale.id));
    const pending = r.world.timers.filter((t) => t.actor === 'eni' && t.name === name);
    expect(pending).toHaveLength(1);
    expect(pending[0]!.at).toBe(500 + s.config.probeTimeoutMs);
  });

  it('xstate.cancel removes a pending timer: answered probes never time out', () => {
    const s = scenario({ until: 3000, config: { routineProbeMs: 500 } });
    const r = start(s);
    runUntil(r, 3000);
    const probes = eventsOf(r.events, 'deliver').filter((e) => e.msg.type === 'probe');
    expect(probes.length).toBeGreaterThanOrEqual(2 * 5); // two members, every 500 ms
    expect(eventsOf(r.events, 'timer').filter((e) => e.node === 'eni' && e.timer.startsWith('probe:'))).toEqual([]);
  });

  it("the LVS relay timer is re-armed on every forward packet: one pending while viaFastPath, none otherwise", () => {
    const s = builtin('fp-crash-reverse-only');
    let rearmed = 0;
    let worlds = 0;
    play(s, new SeededChooser(s.seed), (_prev, w, events) => {
      worlds++;
      const relay = w.timers.filter((t) => t.actor === 'lvs/f1' && t.label === 'relayTimeout');
      const state = w.actors['lvs/f1']?.xs.value;
      expect(relay.length, `at ${w.now} in state ${JSON.stringify(state)}`).toBe(state === 'viaFastPath' ? 1 : 0);
      const forward = eventsOf(events, 'deliver').find((e) => e.to === 'lvs' && e.msg.type === 'data' && e.msg.dir === 'fwd');
      if (forward) {
        rearmed++;
        expect(relay[0]!.at - forward.t - s.config.relayTimeoutMs).toBeGreaterThanOrEqual(1);
        expect(relay[0]!.at - forward.t - s.config.relayTimeoutMs).toBeLessThanOrEqual(s.config.scanMs);
      }
    });
    expect(worlds).toBeGreaterThan(100);
    expect(rearmed).toBeGreaterThan(5);
  });

  it('a timer armed for never (NEVER_MS) is not kept, its id and jitter choice taken as before: an LVS member without the VGW extras', () => {
    // lvs2 takes f1 over with a synced path but no relay timeout: its relay timer is armed for never.
    const s = builtin('lvs-member-crash-no-vgw-extras');
    const spy = new SpyChooser(new SeededChooser(s.seed));
    let never = 0;
    play(s, spy, (prev, w) => {
      const state = (w.actors['lvs2/f1']?.xs.value as { session?: string } | undefined)?.session;
      const ctx = w.actors['lvs2/f1']?.xs.context as { relayTimeoutMs: number | null } | undefined;
      if (state === 'viaFastPath' && ctx?.relayTimeoutMs === null) {
        never++;
        expect(w.timers.filter((t) => t.actor === 'lvs2/f1' && t.label === 'relayTimeout')).toEqual([]);
        expect(w.timers.every((t) => t.at < NEVER_MS)).toBe(true);
        // Its id is taken all the same: ids keep their order of creation.
        if (prev) expect(w.nextId).toBeGreaterThanOrEqual(prev.nextId);
      }
    });
    expect(never).toBeGreaterThan(0);
    // The jitter choice of the never timer is made all the same (a choice list replays alike).
    expect(spy.choices.some((c) => c.kind === 'jitter' && c.node === 'lvs2')).toBe(true);
  });

  it.each([
    ['min', 1],
    ['max', 100],
  ] as const)('the LVS relay timeout fires Δscan jitter after it is due (jitter %s)', (mode, jitter) => {
    const s = builtin('fp-crash-reverse-only');
    expect(s.config.scanMs).toBe(100);
    const { events } = runScenario(s, { chooser: jitterChooser(mode) });
    const fired = eventsOf(events, 'timer').filter((e) => e.node === 'lvs' && e.timer === 'relayTimeout');
    expect(fired.length).toBeGreaterThan(0);
    for (const f of fired) {
      const lastFwd = eventsOf(events, 'deliver')
        .filter((e) => e.to === 'lvs' && e.msg.type === 'data' && e.msg.dir === 'fwd' && e.t <= f.t)
        .at(-1)!;
      expect(f.t - lastFwd.t).toBe(s.config.relayTimeoutMs + jitter);
    }
  });

  it.each([1, 2, 3])('jitter is a "jitter" choice of the LVS relay timer in [1, scanMs] (seed %i)', (seed) => {
    const s = { ...builtin('fp-crash-reverse-only'), seed };
    const spy = new SpyChooser(new SeededChooser(seed));
    const { events } = runScenario(s, { chooser: spy });
    const jitters = spy.choices.filter((c) => c.kind === 'jitter');
    expect(jitters.length).toBeGreaterThan(3);
    expect(new Set(jitters.map((c) => JSON.stringify(c)))).toEqual(
      new Set([JSON.stringify({ kind: 'jitter', node: 'lvs', timer: 'relayTimeout', max: s.config.scanMs })]),
    );
    const fired = eventsOf(events, 'timer').filter((e) => e.node === 'lvs' && e.timer === 'relayTimeout');
    expect(fired.length).toBeGreaterThan(0);
    const fwdAtLvs = eventsOf(events, 'deliver').filter((e) => e.to === 'lvs' && e.msg.type === 'data' && e.msg.dir === 'fwd');
    for (const f of fired) {
      const late = f.t - fwdAtLvs.filter((e) => e.t <= f.t).at(-1)!.t - s.config.relayTimeoutMs;
      expect(late).toBeGreaterThanOrEqual(1);
      expect(late).toBeLessThanOrEqual(s.config.scanMs);
    }
  });
});

describe('crash and restart', () => {
  // Slow hops around fp2 (which carries flow f1) keep packets to and from it on the wire.
  const slow = scenario({
    config: { links: { 'lvs->fp2': { delayMs: [30, 30] }, 'fp2->eni': { delayMs: [30, 30] } } },
    workload: { streamIntervalMs: 20 },
  });
  const busy = (w: World) => w.inFlight.some((m) => m.to === 'fp2') && w.inFlight.some((m) => m.from === 'fp2');

  function crashedRun() {
    const r = start(slow);
    runUntil(r, 1000);
    runUntilState(r, busy);
    const before = r.world;
    const toFp2 = before.inFlight.filter((m) => m.to === 'fp2').map((m) => m.id);
    const fromFp2 = before.inFlight.filter((m) => m.from === 'fp2').map((m) => m.id);
    const crashEvents = take(r, fault({ kind: 'crash', node: 'fp2' }));
    return { r, before, toFp2, fromFp2, crashEvents, crashedAt: r.world.now };
  }

  it("drops the node's statecharts and timers and the messages in flight to it", () => {
    const { r, before, toFp2, crashEvents, crashedAt } = crashedRun();
    expect(nodeActors(before, 'fp2')).toEqual(['fp2']);
    expect(crashEvents[0]).toEqual({ t: crashedAt, event: 'fault', kind: 'crash', node: 'fp2' });
    expect(r.world.down).toEqual({ fp2: true });
    expect(nodeActors(r.world, 'fp2')).toEqual([]);
    expect(r.world.timers.filter((t) => actorNode(t.actor) === 'fp2')).toEqual([]);
    expect(r.world.inFlight.filter((m) => m.to === 'fp2')).toEqual([]);
    const dropped = eventsOf(crashEvents, 'drop');
    expect(dropped.map((e) => e.id).sort()).toEqual([...toFp2].sort());
    expect(dropped.every((e) => e.reason === 'node-crashed' && e.to === 'fp2' && e.t === crashedAt)).toBe(true);
  });

  it('a crash of a per-flow node drops every flow instance and its timers', () => {
    const r = start(slow);
    runUntil(r, 1000);
    expect(nodeActors(r.world, 'lvs')).toEqual(['lvs/f1']);
    expect(r.world.timers.some((t) => t.actor === 'lvs/f1')).toBe(true);
    take(r, fault({ kind: 'crash', node: 'lvs' }));
    expect(nodeActors(r.world, 'lvs')).toEqual([]);
    expect(r.world.timers.filter((t) => actorNode(t.actor) === 'lvs')).toEqual([]);
  });

  it('delivers what the node sent before the crash, and drops later messages to it as node-down', () => {
    const { r, fromFp2, crashedAt } = crashedRun();
    expect(fromFp2.length).toBeGreaterThan(0);
    runUntil(r, crashedAt + 300);
    const delivered = new Set(eventsOf(r.events, 'deliver').map((e) => e.id));
    for (const id of fromFp2) expect(delivered.has(id)).toBe(true);
    const sends = sendsById(r);
    const down = eventsOf(r.events, 'drop').filter((e) => e.t > crashedAt && e.reason === 'node-down');
    expect(down.length).toBeGreaterThan(3);
    for (const d of down) {
      expect(d.to).toBe('fp2');
      const sent = sends.get(d.id!)!;
      expect(sent.t).toBeGreaterThanOrEqual(crashedAt);
      expect(d.t).toBe(sent.arrives);
    }
    expect(eventsOf(r.events, 'deliver').filter((e) => e.t > crashedAt && e.to === 'fp2')).toEqual([]);
  });

  it('restart re-initialises the node: a fast path comes back with empty tables', () => {
    const { r, before, crashedAt } = crashedRun();
    const old = before.actors.fp2!.xs.context;
    expect(Object.keys(old.fwd)).toEqual(['f1']);
    expect(Object.keys(old.rev)).toEqual(['f1']);
    runUntil(r, crashedAt + 100);
    const events = take(r, fault({ kind: 'restart', node: 'fp2' }));
    expect(r.world.down).toEqual({});
    expect(r.world.actors.fp2!.xs.value).toBe('forwarding');
    expect(r.world.actors.fp2!.xs.context).toMatchObject({ fwd: {}, rev: {}, virtIp: IP.fpVirt(2, 0) });
    expect(eventsOf(events, 'state')).toEqual([{ t: r.world.now, event: 'state', node: 'fp2', state: 'forwarding' }]);
    // E3: the next reverse packet misses and the slow path re-offloads.
    const restartedAt = r.world.now;
    runUntil(r, restartedAt + 300);
    const after = eventsOf(r.events, 'deliver').filter((e) => e.t > restartedAt);
    expect(after.some((e) => e.from === 'fp2' && e.to === 'sp' && e.msg.type === 'data' && e.msg.dir === 'rev')).toBe(true);
    expect(after.some((e) => e.from === 'sp' && e.to === 'fp2' && e.msg.type === 'offload')).toBe(true);
  });

  it('restart of a running node crashes it first', () => {
    const r = start(slow);
    runUntil(r, 1000);
    runUntilState(r, busy);
    const toFp2 = r.world.inFlight.filter((m) => m.to === 'fp2').map((m) => m.id);
    const events = take(r, fault({ kind: 'restart', node: 'fp2' }));
    expect(eventsOf(events, 'drop').map((e) => [e.id, e.reason])).toEqual(toFp2.map((id) => [id, 'node-crashed']));
    expect(r.world.actors.fp2!.xs.context).toMatchObject({ fwd: {}, rev: {} });
    expect(r.world.down).toEqual({});
  });

  it('restart of control re-announces the configuration at once', () => {
    const r = start(scenario());
    runUntil(r, 1500);
    const events = take(r, fault({ kind: 'restart', node: 'control' }));
    const sent = eventsOf(events, 'send');
    expect(sent.map((e) => [e.t, e.from, e.to, e.msg.type])).toEqual([[1500, 'control', 'sp', 'config']]);
    expect(r.world.timers.filter((t) => t.actor === 'control').map((t) => t.at)).toEqual([2500]);
  });

  it('restart with a new address: a new virtual IP on the same host; what is sent to the old one finds no route (C7)', () => {
    const s = builtin('fp-restart-new-ip');
    const restart = s.faults.find((f) => f.kind === 'restart')!;
    const { world, events } = runScenario(s);
    expect(world.epochs).toEqual({ fp2: 1 });
    expect(world.hosts).toBeUndefined();
    // Spec §5 / E3 "new IP": the instance's (virtual) IP changes, its host's (physical) IP does not [¶45, ¶47].
    expect(world.actors.fp2!.xs.context).toMatchObject({ virtIp: IP.fpVirt(2, 1), physIp: IP.fpPhys(2, 0), fwd: {}, rev: {} });
    const noRoute = eventsOf(events, 'drop').filter((e) => e.reason.startsWith('no-route'));
    expect(noRoute.length).toBeGreaterThan(0);
    expect(noRoute.every((e) => e.t >= restart.at)).toBe(true);
    // The LVS's reverse data reaches fp2's host, where nobody owns the old virtual IP.
    const fromLvs = noRoute.filter((e) => e.from === 'lvs');
    expect(fromLvs.length).toBeGreaterThan(0);
    expect(fromLvs.every((e) => e.to === 'fp2' && e.stage === 'send' && e.msg?.type === 'data' && e.reason === `no-route:${IP.fpPhys(2, 0)}:inner-mismatch:${IP.fpVirt(2, 0)}`)).toBe(true);
    // The ENI addresses the virtual IP alone: its probes find no route.
    const fromEni = noRoute.filter((e) => e.from === 'eni');
    expect(fromEni.length).toBeGreaterThan(0);
    expect(fromEni.every((e) => e.to === null && e.reason === `no-route:${IP.fpVirt(2, 0)}`)).toBe(true);
    expect(eventsOf(events, 'deliver').filter((e) => e.t >= restart.at && e.to === 'fp2')).toEqual([]);
  });
});

describe('C7 addressing: reverse data to the learned physical IP, the virtual IP inside', () => {
  /** A restart on a new physical host with the same virtual IP: the world supports it; no built-in fault kind says it yet. */
  const vocabulary: FaultVocabulary = {
    ...FAULT_KINDS,
    restartNewHost: {
      ...FAULT_KINDS.restart,
      kind: 'restartNewHost',
      params: [],
      apply: (d, f) => (d as FaultDraft & { restart(node: string, newIp: boolean, newHost: boolean): void }).restart(String(f.node), false, true),
      text: (f) => `restart ${String(f.node)} on a new host`,
    },
  };
  const newHost = (): { s: Scenario; sys: System } => {
    const base = builtin('fp-restart');
    const s: Scenario = {
      ...base,
      name: 'fp-restart-new-host',
      faults: [base.faults[0]!, { ...base.faults[1]!, kind: 'restartNewHost' } as unknown as Scenario['faults'][number]],
    };
    return { s, sys: buildSystem(s.design, s.config, s.workload, vocabulary) };
  };
  const lvsToFp = (events: readonly TraceEvent[]) => eventsOf(events, 'send').filter((e) => e.from === 'lvs' && /^fp\d+$/.test(e.to));

  it('every reverse send of the LVS to a fast path goes to its physical IP with its virtual IP inside, and arrives', () => {
    const { events } = runScenario(builtin('normal'));
    const sends = lvsToFp(events);
    expect(sends.length).toBeGreaterThan(10);
    for (const e of sends) {
      const n = Number(e.to.slice(2));
      expect(e.innerDst).toBe(IP.fpVirt(n, 0));
    }
    const delivered = new Set(eventsOf(events, 'deliver').map((e) => e.id));
    expect(sends.every((e) => delivered.has(e.id))).toBe(true);
    // Other sends carry no inner destination.
    expect(eventsOf(events, 'send').filter((e) => e.innerDst !== undefined).every((e) => e.from === 'lvs')).toBe(true);
  });

  it('a send whose inner address the host does not own is dropped as it is sent, naming both addresses', () => {
    const r = start(builtin('normal'));
    runUntil(r, 1000);
    // Just before the server's next reverse packet reaches the LVS, make the LVS believe fp1's virtual IP is on fp2's host.
    const serverToLvs = (w: World) => w.inFlight.some((m) => m.from === 'server' && m.to === 'lvs' && m.at === nextEventTime(w));
    runUntilState(r, serverToLvs);
    const snap = r.world.actors['lvs/f1']!;
    const lvs = snap.xs.context as LvsContext;
    expect(lvs).toMatchObject({ pathPhysIp: IP.fpPhys(2, 0), pathVirtIp: IP.fpVirt(2, 0) });
    const stale = r.sys.nodes.lvs!.runner.step(snap, {
      type: 'data', dir: 'fwd', flow: 'f1', vni: 100, kind: 'ack', pathPhysIp: IP.fpPhys(2, 0), pathVirtIp: IP.fpVirt(1, 0), src: IP.fpVirt(2, 0),
    } as never).snap;
    r.world = { ...r.world, actors: { ...r.world.actors, 'lvs/f1': stale } };
    const id = r.world.inFlight.find((m) => m.from === 'server' && m.to === 'lvs' && m.at === nextEventTime(r.world))!.id;
    const events = take(r, { kind: 'deliver', id });
    expect(eventsOf(events, 'send')).toEqual([]);
    expect(eventsOf(events, 'drop')).toEqual([
      expect.objectContaining({ from: 'lvs', to: 'fp2', stage: 'send', reason: `no-route:${IP.fpPhys(2, 0)}:inner-mismatch:${IP.fpVirt(1, 0)}` }),
    ]);
    // The same packet with the right inner address is sent (the check is the inner address, not the host).
    r.world = { ...r.world, actors: { ...r.world.actors, 'lvs/f1': snap } };
    runUntilState(r, serverToLvs);
    const id2 = r.world.inFlight.find((m) => m.from === 'server' && m.to === 'lvs' && m.at === nextEventTime(r.world))!.id;
    expect(eventsOf(take(r, { kind: 'deliver', id: id2 }), 'send')).toEqual([
      expect.objectContaining({ from: 'lvs', to: 'fp2', innerDst: IP.fpVirt(2, 0) }),
    ]);
  });

  it('fp-restart-new-ip: black hole, then the VGW, then the LVS relearns another fast path (patent); the prior art stays black-holed', () => {
    const s = builtin('fp-restart-new-ip');
    const restartAt = s.faults.find((f) => f.kind === 'restart')!.at;
    const { world, events } = runScenario(s);
    const firstVgw = eventsOf(events, 'deliver').find((e) => e.t > restartAt && e.from === 'lvs' && e.to === 'vgw')!;
    expect(firstVgw).toBeDefined();
    const relearned = eventsOf(events, 'deliver').find((e) => e.t > firstVgw.t && e.from === 'fp1' && e.to === 'lvs')!;
    expect(relearned).toBeDefined();
    expect(eventsOf(events, 'deliver').some((e) => e.t > relearned.t && e.from === 'fp1' && e.to === 'eni' && e.msg.type === 'data' && e.msg.dir === 'rev')).toBe(true);
    expect(world.actors['lvs/f1']!.xs.context).toMatchObject({ pathPhysIp: IP.fpPhys(1, 0), pathVirtIp: IP.fpVirt(1, 0) });
    expect(verdicts(s)).toEqual(holdsAll);

    const prior = builtinScenario('fp-restart-new-ip', 'prior-art')!;
    const p = runScenario(prior);
    expect(eventsOf(p.events, 'deliver').some((e) => e.t > restartAt && e.to === 'eni' && e.msg.type === 'data' && e.msg.dir === 'rev')).toBe(false);
    expect(lvsToFp(p.events).filter((e) => e.t > restartAt)).toEqual([]);
    expect(eventsOf(p.events, 'drop').some((e) => e.from === 'lvs' && e.reason === `no-route:${IP.fpPhys(2, 0)}:inner-mismatch:${IP.fpVirt(2, 0)}`)).toBe(true);
    expect(violated(prior)).toEqual(expect.arrayContaining(['L1']));
  });

  it('a restart on a new host keeps the virtual IP: black hole (no route to the old host), the VGW, then the LVS relearns the same fast path at its new host', () => {
    const { s, sys } = newHost();
    const restartAt = s.faults[1]!.at;
    const { world, events } = runScenario(s, { system: sys });
    expect(world.hosts).toEqual({ fp2: 1 });
    expect(world.epochs).toEqual({});
    expect(world.actors.fp2!.xs.context).toMatchObject({ virtIp: IP.fpVirt(2, 0), physIp: IP.fpPhys(2, 1) });
    const holes = eventsOf(events, 'drop').filter((e) => e.t > restartAt && e.from === 'lvs');
    expect(holes.length).toBeGreaterThan(0);
    const relearned = eventsOf(events, 'deliver').find((e) => e.t > restartAt && e.from === 'fp2' && e.to === 'lvs')!;
    expect(relearned).toBeDefined();
    expect(relearned.msg).toMatchObject({ pathPhysIp: IP.fpPhys(2, 1), pathVirtIp: IP.fpVirt(2, 0) });
    expect(holes.every((e) => e.t <= relearned.t && e.to === null && e.stage === 'send' && e.reason === `no-route:${IP.fpPhys(2, 0)}`)).toBe(true);
    // Recovery through the VGW before the relearning [¶77-¶80]; the ENI's probe of fp2 succeeds, so the flow stays on fp2.
    expect(eventsOf(events, 'deliver').some((e) => e.t > restartAt && e.t < relearned.t && e.from === 'vgw' && e.to === 'eni')).toBe(true);
    expect(eventsOf(events, 'deliver').some((e) => e.t > restartAt && e.from === 'fp2' && e.to === 'eni' && e.msg.type === 'probeAck')).toBe(true);
    expect(eventsOf(events, 'deliver').some((e) => e.t > relearned.t && e.from === 'lvs' && e.to === 'fp2')).toBe(true);
    expect(eventsOf(events, 'deliver').some((e) => e.t > relearned.t && e.from === 'fp2' && e.to === 'eni' && e.msg.type === 'data' && e.msg.dir === 'rev')).toBe(true);
    expect(world.actors['lvs/f1']!.xs.context).toMatchObject({ pathPhysIp: IP.fpPhys(2, 1), pathVirtIp: IP.fpVirt(2, 0) });
    expect(verdicts(s, sys)).toEqual(holdsAll);
  });

  it('a restart on a new host is refused for a node without a physical host', () => {
    const { sys } = newHost();
    const w = createWorld(sys, minimalChooser).world;
    expect(() => step(sys, w, { kind: 'fault', fault: { kind: 'restartNewHost', node: 'lvs' } as never }, minimalChooser)).toThrow(MoveError);
  });
});

/** Every property of the patent's fault model, its verdict on one run: 'holds', 'witnessed' or the first violation. */
function verdicts(s: Scenario, sys: System = buildSystem(s.design, s.config, s.workload)): Record<string, string> {
  let states = PROPERTIES.map((p) => initMonitor(p, s, sys));
  const run = runScenario(s, {
    system: sys,
    observe: (prev, world, events, move) => {
      states = states.map((st, i) => stepMonitor(PROPERTIES[i]!, st, { scenario: s, sys, prev, world, events, move }));
    },
  });
  const out: Record<string, string> = {};
  PROPERTIES.forEach((p, i) => {
    const v = finishMonitor(p, states[i]!, run.world, s).verdict;
    out[p.id] = v.violation ? `violated: ${v.violation.message}` : p.kind === 'sometimes' ? (v.witnessed ? 'witnessed' : 'not witnessed') : 'holds';
  });
  return out;
}
const violated = (s: Scenario): string[] => Object.entries(verdicts(s)).filter(([, v]) => v.startsWith('violated')).map(([k]) => k);
const holdsAll: Record<string, string> = Object.fromEntries(PROPERTIES.map((p) => [p.id, expect.stringMatching(/^(holds|witnessed|not witnessed)$/) as unknown as string]));

describe('links', () => {
  const slow = scenario({ config: { links: { 'lvs->fp2': { delayMs: [30, 30] } } }, workload: { streamIntervalMs: 20 } });
  const onLink = (w: World) => w.inFlight.filter((m) => m.from === 'lvs' && m.to === 'fp2').map((m) => m.id);

  it('linkDown drops what is sent on the link and, at once, what was on it; linkUp restores', () => {
    const r = start(slow);
    runUntil(r, 1000);
    runUntilState(r, (w) => onLink(w).length > 0);
    const inFlight = onLink(r.world);
    take(r, fault({ kind: 'linkDown', link: 'lvs->fp2' }));
    const downAt = r.world.now;
    expect(r.world.links).toEqual({ 'lvs->fp2': { up: false, loss: null } });
    runUntil(r, downAt + 200);

    const drops = eventsOf(r.events, 'drop').filter((e) => e.t >= downAt && e.reason === 'link-down');
    const sends = sendsById(r);
    for (const id of inFlight) {
      const d = drops.find((e) => e.id === id);
      expect(d, `message #${id} on the link`).toBeDefined();
      expect(d!.t).toBe(downAt);
      expect(sends.get(id)!.arrives).toBeGreaterThan(downAt);
    }
    const atSend = drops.filter((e) => !inFlight.includes(e.id!));
    expect(atSend.length).toBeGreaterThan(3);
    expect(atSend.every((e) => e.from === 'lvs' && e.to === 'fp2' && !sends.has(e.id!))).toBe(true);
    expect(eventsOf(r.events, 'deliver').filter((e) => e.t >= downAt && e.from === 'lvs' && e.to === 'fp2')).toEqual([]);

    take(r, fault({ kind: 'linkUp', link: 'lvs->fp2' }));
    const upAt = r.world.now;
    expect(r.world.links).toEqual({});
    runUntil(r, upAt + 200);
    const later = r.events.filter((e) => e.t > upAt);
    expect(eventsOf(later, 'deliver').some((e) => e.from === 'lvs' && e.to === 'fp2')).toBe(true);
    expect(eventsOf(later, 'drop').filter((e) => e.reason === 'link-down')).toEqual([]);
  });

  it('a message on a link when it goes down is lost even if the link is back before it arrives', () => {
    const r = start(slow);
    runUntil(r, 1000);
    runUntilState(r, (w) => onLink(w).length > 0);
    const inFlight = onLink(r.world);
    take(r, fault({ kind: 'linkDown', link: 'lvs->fp2' }));
    take(r, fault({ kind: 'linkUp', link: 'lvs->fp2' }));
    runUntil(r, r.world.now + 100);
    const delivered = eventsOf(r.events, 'deliver').map((e) => e.id);
    for (const id of inFlight) expect(delivered, `message #${id} was on the link when it went down`).not.toContain(id);
  });

  it('loss with probability 1 drops everything sent on the link; probability 0 restores it', () => {
    const s = scenario({
      until: 3000,
      faults: [
        { at: 1000, kind: 'loss', link: 'lvs->fp2', probability: 1 },
        { at: 2000, kind: 'loss', link: 'lvs->fp2', probability: 0 },
      ],
    });
    const { events } = runScenario(s);
    expect(eventsOf(events, 'fault').map((e) => [e.t, e.kind, e.link, e.probability])).toEqual([
      [1000, 'loss', 'lvs->fp2', 1],
      [2000, 'loss', 'lvs->fp2', 0],
    ]);
    const onLink = (e: { from: string; to: string | null }) => e.from === 'lvs' && e.to === 'fp2';
    const lossy = events.filter((e) => e.t >= 1000 && e.t < 2000);
    expect(eventsOf(lossy, 'send').filter(onLink)).toEqual([]);
    const lost = eventsOf(lossy, 'drop').filter((e) => e.reason === 'loss');
    expect(lost.length).toBeGreaterThanOrEqual(4);
    expect(lost.every(onLink)).toBe(true);
    const after = events.filter((e) => e.t >= 2000);
    expect(eventsOf(after, 'deliver').filter(onLink).length).toBeGreaterThan(3);
    expect(eventsOf(after, 'drop').filter((e) => e.reason === 'loss')).toEqual([]);
  });
});

describe('immutability', () => {
  /** Everything a world holds, statecharts by their content key. */
  const snapshot = (w: World) =>
    JSON.stringify({ ...w, actors: Object.fromEntries(Object.entries(w.actors).map(([k, s]) => [k, s.key])) });

  it('a step never changes an earlier world', () => {
    const s = scenario({
      until: 9000,
      faults: [
        { at: 3000, kind: 'crash', node: 'fp2' },
        { at: 3000, kind: 'linkDown', link: 'lvs->vgw' },
        { at: 3500, kind: 'linkUp', link: 'lvs->vgw' },
        { at: 4000, kind: 'loss', link: 'fp1->lvs', probability: 0.5 },
        { at: 6000, kind: 'restart', node: 'fp2', newIp: true },
        { at: 6500, kind: 'restart', node: 'control' },
      ],
    });
    const seen: { world: World; json: string }[] = [];
    const r = start(s, new SeededChooser(s.seed), (prev, next) => {
      // The world the step started from is still as it was when it was made.
      expect(prev).toBe(seen.at(-1)!.world);
      expect(snapshot(prev)).toBe(seen.at(-1)!.json);
      seen.push({ world: next, json: snapshot(next) });
    });
    seen.push({ world: r.world, json: snapshot(r.world) });
    playOn(r, s);
    expect(seen.length).toBeGreaterThan(200);
    for (const { world, json } of seen) expect(snapshot(world)).toBe(json);
  });

  it('a drop move and a rejected move leave the world as it was', () => {
    const r = start(scenario());
    runUntil(r, 500);
    runUntilState(r, (w) => w.inFlight.length > 0);
    const before = r.world;
    const json = snapshot(before);
    const victim = before.inFlight[0]!;
    const out = step(r.sys, before, { kind: 'drop', id: victim.id }, r.chooser);
    expect(out.world.inFlight.map((m) => m.id)).not.toContain(victim.id);
    expect(eventsOf(out.events, 'drop')).toEqual([
      { t: before.now, event: 'drop', id: victim.id, from: victim.from, to: victim.to, msg: victim.msg, reason: 'dropped', stage: 'transit' },
    ]);
    expect(() => step(r.sys, before, { kind: 'advance', to: Number.MAX_SAFE_INTEGER }, r.chooser)).toThrow(MoveError);
    expect(snapshot(before)).toBe(json);
  });
});

describe('determinism', () => {
  it.each(['fp-crash-reverse-only', 'reverse-link-down', 'fp-restart-new-ip'])(
    '%s: the same scenario and seed give a byte-identical trace',
    (name) => {
      const s = builtin(name);
      const a = toJsonl(runScenario(s).events);
      const b = toJsonl(runScenario(structuredClone(s)).events);
      expect(a.length).toBeGreaterThan(10_000);
      expect(b).toBe(a);
    },
  );

  it('a different seed gives a different trace when delays vary', () => {
    const s = builtin('fp-crash-reverse-only');
    expect(s.config.linkDelayMs[0]).toBeLessThan(s.config.linkDelayMs[1]);
    const a = toJsonl(runScenario({ ...s, seed: 1 }).events);
    const b = toJsonl(runScenario({ ...s, seed: 2 }).events);
    expect(b).not.toBe(a);
  });

  it('the trace is in order of virtual time, with integer times', () => {
    const { events } = runScenario(builtin('fp-crash-reverse-only'));
    const times = events.map((e) => e.t);
    expect(times.every(Number.isInteger)).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const sends: SendEvent[] = eventsOf(events, 'send');
    expect(sends.every((e) => Number.isInteger(e.arrives))).toBe(true);
  });
});
