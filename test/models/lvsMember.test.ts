/**
 * Transition-level tests of an LVS cluster member (models/lvsMember.ts): IPVS's sync
 * trigger (threshold, period) and batch interval [S10], what a record carries
 * (syncFields), and a backup session taking a flow over after a failover (E7).
 */
import { describe, expect, it } from 'vitest';
import { isSyncPoint, lvsMemberMachine, lvsMemberPriorArtMachine, nextCount, type LvsMemberContext, type LvsMemberInput } from '../../models/lvsMember.js';
import type { DataKind, DataMsg, Delivered, SyncMsg } from '../../models/protocol.js';
import { MachineRunner, type Effect, type Snap, type StepResult } from '../../src/engine/runner.js';
import { IP } from '../../src/engine/system.js';
import { FP1, STREAM } from './lvsDriver.js';

const PEERS = [IP.lvsMember(2), IP.lvsMember(3)];
const BASE: LvsMemberInput = {
  flow: 'f1',
  serverIp: IP.server,
  peerIps: PEERS,
  syncThreshold: 3,
  syncPeriod: 50,
  syncIntervalMs: 1000,
  syncFields: ['path', 'vgw'],
};

function member(input: Partial<LvsMemberInput> = {}, machine = lvsMemberMachine) {
  const runner = new MachineRunner(machine);
  const step = (snap: Snap, event: Delivered<DataMsg> | Delivered<SyncMsg>): StepResult => runner.step(snap, event);
  const forward = (snap: Snap, kind: DataKind = 'ack', extras?: { vgwIp: string; relayTimeoutMs: number }): StepResult =>
    step(snap, {
      type: 'data',
      dir: 'fwd',
      flow: 'f1',
      vni: 100,
      kind,
      pathPhysIp: FP1.phys,
      pathVirtIp: FP1.virt,
      ...extras,
      src: FP1.virt,
    });
  const fromServer = (snap: Snap): StepResult => step(snap, { ...STREAM, src: IP.server });
  const record = (snap: Snap, r: Omit<SyncMsg, 'type' | 'flow'>): StepResult => step(snap, { type: 'sync', flow: 'f1', ...r, src: IP.lvsMember(2) });
  return { runner, initial: () => runner.initial({ ...BASE, ...input }), forward, fromServer, record };
}

const ctx = (r: StepResult) => r.snap.xs.context as LvsMemberContext;
const session = (r: StepResult) => (r.snap.xs.value as { session: string }).session;
const syncState = (r: StepResult) => (r.snap.xs.value as { sync: string }).sync;
const schedules = (effects: readonly Effect[], delay: string) =>
  effects.filter((e) => e.type === 'schedule' && e.id.includes(delay)).map((e) => (e as { delay: number }).delay);
const sends = (effects: readonly Effect[]) => effects.filter((e) => e.type === 'send').map((e) => (e as { params: { to: string; msg: unknown } }).params);
const EXTRAS = { vgwIp: IP.vgw, relayTimeoutMs: 3000 };

/** Forward packets 1..n (the first with the extras), returning the result of each. */
function forwards(m: ReturnType<typeof member>, n: number): StepResult[] {
  const out: StepResult[] = [];
  let snap = m.initial().snap;
  for (let i = 1; i <= n; i++) {
    const r = i === 1 ? m.forward(snap, 'request', EXTRAS) : m.forward(snap);
    out.push(r);
    snap = r.snap;
  }
  return out;
}

describe('IPVS sync trigger (count, threshold, period) [S10]', () => {
  it('fires at the threshold and at the threshold modulo the period, as IPVS does (pkts % 50 == 3)', () => {
    const points: number[] = [];
    let n = 0;
    for (let pkt = 1; pkt <= 160; pkt++) {
      if (isSyncPoint(n, 3, 50)) points.push(pkt);
      n = nextCount(n, 3, 50);
    }
    expect(points).toEqual([3, 53, 103, 153]);
    // The count stays below threshold + period: a finite state space.
    expect(n).toBeLessThan(53);
  });

  it('with a period of 0, one record at the threshold and none after', () => {
    const points: number[] = [];
    let n = 0;
    for (let pkt = 1; pkt <= 120; pkt++) {
      if (isSyncPoint(n, 3, 0)) points.push(pkt);
      n = nextCount(n, 3, 0);
    }
    expect(points).toEqual([3]);
  });
});

describe('lvs member: sending records', () => {
  it('no record before the threshold; the third forward packet makes one due, sent after the batch interval to every peer', () => {
    const m = member();
    const [p1, p2, p3] = forwards(m, 3);
    expect(syncState(p1!)).toBe('idle');
    expect(syncState(p2!)).toBe('idle');
    expect(schedules(p2!.effects, 'syncInterval')).toEqual([]);
    expect(syncState(p3!)).toBe('pending');
    expect(schedules(p3!.effects, 'syncInterval')).toEqual([1000]);
    const fired = m.runner.step(p3!.snap, { type: 'xstate.after.syncInterval.lvsMember.sync.pending' });
    expect(syncState(fired)).toBe('idle');
    const record = { type: 'sync', flow: 'f1', pathPhysIp: FP1.phys, pathVirtIp: FP1.virt, vgwIp: IP.vgw, relayTimeoutMs: 3000 };
    expect(sends(fired.effects)).toEqual(PEERS.map((to) => ({ to, msg: record })));
  });

  it('the batch interval and threshold are the configured ones', () => {
    const m = member({ syncThreshold: 1, syncIntervalMs: 250 });
    const [p1] = forwards(m, 1);
    expect(syncState(p1!)).toBe('pending');
    expect(schedules(p1!.effects, 'syncInterval')).toEqual([250]);
  });

  it('the next record is due a period later (packet 53), not before', () => {
    const m = member();
    const due: number[] = [];
    let snap = m.initial().snap;
    for (let i = 1; i <= 60; i++) {
      const r = i === 1 ? m.forward(snap, 'request', EXTRAS) : m.forward(snap);
      if (schedules(r.effects, 'syncInterval').length > 0) due.push(i);
      snap = r.snap;
      // The batch leaves before the next packet.
      if (syncState(r) === 'pending') snap = m.runner.step(snap, { type: 'xstate.after.syncInterval.lvsMember.sync.pending' }).snap;
    }
    expect(due).toEqual([3, 53]);
  });

  it('syncFields choose what a record carries: the path alone, or the idle clock too', () => {
    for (const [fields, expected] of [
      [['path'], { pathPhysIp: FP1.phys, pathVirtIp: FP1.virt }],
      [['vgw', 'lastForward'], { vgwIp: IP.vgw, relayTimeoutMs: 3000, lastForward: true }],
      [[], {}],
    ] as const) {
      const m = member({ syncFields: [...fields] });
      const p3 = forwards(m, 3)[2]!;
      const fired = m.runner.step(p3.snap, { type: 'xstate.after.syncInterval.lvsMember.sync.pending' });
      expect(sends(fired.effects)[0]!.msg).toEqual({ type: 'sync', flow: 'f1', ...expected });
    }
  });
});

describe('lvs member: a backup session and its takeover (E7)', () => {
  it('reverse data for a session it never heard of is discarded (no-session)', () => {
    const m = member();
    const r = m.fromServer(m.initial().snap);
    expect(session(r)).toBe('noSession');
    expect(r.effects).toEqual([{ type: 'discard', params: { reason: 'no-session' } }]);
  });

  it('a record makes a standby session; the first reverse packet takes it over to the synced path and starts the relay timer', () => {
    const m = member();
    const standby = m.record(m.initial().snap, { pathPhysIp: FP1.phys, pathVirtIp: FP1.virt, ...EXTRAS });
    expect(session(standby)).toBe('standby');
    expect(ctx(standby)).toMatchObject({ pathVirtIp: FP1.virt, vgwIp: IP.vgw, relayTimeoutMs: 3000, idleClockSynced: false });
    // Without the idle clock, the standby's relay timer leads nowhere.
    const expired = m.runner.step(standby.snap, { type: 'xstate.after.relayTimeout.lvsMember.session.standby' });
    expect(session(expired)).toBe('standby');
    const takeover = m.fromServer(standby.snap);
    expect(session(takeover)).toBe('viaFastPath');
    expect(sends(takeover.effects)).toEqual([{ to: FP1.phys, msg: STREAM, innerDst: FP1.virt }]);
    expect(schedules(takeover.effects, 'relayTimeout')).toEqual([3000]);
    // The relay timer then falls back to the VGW with the synced extras.
    const vgw = m.runner.step(takeover.snap, { type: 'xstate.after.relayTimeout.lvsMember.session.viaFastPath' });
    expect(session(vgw)).toBe('viaVgw');
    expect(sends(m.fromServer(vgw.snap).effects)).toEqual([{ to: IP.vgw, msg: STREAM }]);
  });

  it('a record without the VGW extras: after the takeover the relay timer never falls back (the prior-art black hole)', () => {
    const m = member();
    const standby = m.record(m.initial().snap, { pathPhysIp: FP1.phys, pathVirtIp: FP1.virt });
    const takeover = m.fromServer(standby.snap);
    expect(session(takeover)).toBe('viaFastPath');
    const fired = m.runner.step(takeover.snap, { type: 'xstate.after.relayTimeout.lvsMember.session.viaFastPath' });
    expect(session(fired)).toBe('viaFastPath');
  });

  it('with the idle clock synced, a standby runs the relay timer from each record and takes over straight into the VGW once it expired', () => {
    const m = member();
    const standby = m.record(m.initial().snap, { pathPhysIp: FP1.phys, pathVirtIp: FP1.virt, ...EXTRAS, lastForward: true });
    expect(schedules(standby.effects, 'relayTimeout')).toEqual([3000]);
    const idle = m.runner.step(standby.snap, { type: 'xstate.after.relayTimeout.lvsMember.session.standby' });
    expect(session(idle)).toBe('standbyIdle');
    const takeover = m.fromServer(idle.snap);
    expect(session(takeover)).toBe('viaVgw');
    expect(sends(takeover.effects)).toEqual([{ to: IP.vgw, msg: STREAM }]);
  });

  it('a member serving the session ignores peers\u2019 records', () => {
    const m = member();
    const served = forwards(m, 1)[0]!;
    const r = m.record(served.snap, { pathPhysIp: IP.fpPhys(2, 0), pathVirtIp: IP.fpVirt(2, 0) });
    expect(r.snap).toBe(served.snap);
  });

  it('the prior-art member syncs the same way but never falls back', () => {
    const m = member({}, lvsMemberPriorArtMachine);
    const served = forwards(m, 1)[0]!;
    expect(ctx(served).vgwIp).toBeNull();
    const fired = m.runner.step(served.snap, { type: 'xstate.after.relayTimeout.lvsMember.session.viaFastPath' });
    expect(session(fired)).toBe('viaFastPath');
  });
});
