/**
 * Transition-level tests of the patent's LVS (models/lvs.ts): learning from forward
 * packets [¶45, ¶74, ¶80], the in-band relay timer [¶73, ¶77] and the VGW fallback (C1, S4, S7).
 */
import { describe, expect, it } from 'vitest';
import { lvsMachine, type LvsContext } from '../../models/lvs.js';
import type { DataKind, DataMsg, Delivered } from '../../models/protocol.js';
import type { Effect, Snap, StepResult } from '../../src/engine/runner.js';
import { IP } from '../../src/engine/system.js';
import { FP1, FP2, STREAM, lvsDriver } from './lvsDriver.js';

const { runner, initial, forward, fromServer } = lvsDriver(lvsMachine);
const RELAY = 'xstate.after.relayTimeout.lvs.viaFastPath';

const ctx = (r: StepResult) => r.snap.xs.context as LvsContext;
const toServer = (kind: DataKind): Effect => ({ type: 'send', params: { to: IP.server, msg: { type: 'data', dir: 'fwd', flow: 'f1', vni: 100, kind } } });
const relayTimer = (delay: number): Effect => ({ type: 'schedule', id: RELAY, delay, event: { type: RELAY } });

/** Learned fp1 from its first packet, which carried the extras (relay timeout 3000 ms). */
const learnedFp1 = () => forward(initial().snap, FP1, 'request', { vgwIp: IP.vgw, relayTimeoutMs: 3000 });
const fireRelay = (snap: Snap) => runner.step(snap, { type: RELAY });

describe('lvs (patent)', () => {
  it('starts in noSession with nothing learned', () => {
    const r = initial();
    expect(r.snap.xs.value).toBe('noSession');
    expect(ctx(r)).toEqual({ flow: 'f1', serverIp: IP.server, pathPhysIp: null, pathVirtIp: null, vgwIp: null, relayTimeoutMs: null });
    expect(r.effects).toEqual([]);
  });

  it('discards reverse data when there is no session', () => {
    const r = fromServer(initial().snap);
    expect(r.snap.xs.value).toBe('noSession');
    expect(r.effects).toEqual([{ type: 'discard', params: { reason: 'no-session' } }]);
  });

  it('the first forward packet learns the path and extras, goes to the server without path info, and arms the relay timer in-band', () => {
    const r = forward(initial().snap, FP1, 'request', { vgwIp: IP.vgw, relayTimeoutMs: 1234 });
    expect(r.snap.xs.value).toBe('viaFastPath');
    expect(ctx(r)).toMatchObject({ pathPhysIp: FP1.phys, pathVirtIp: FP1.virt, vgwIp: IP.vgw, relayTimeoutMs: 1234 });
    expect(r.effects).toEqual([toServer('request'), relayTimer(1234)]);
  });

  it('sends reverse data to the learned physical IP of the fast path, its virtual IP inside (C7)', () => {
    const r = fromServer(learnedFp1().snap);
    expect(r.snap.xs.value).toBe('viaFastPath');
    expect(r.effects).toEqual([{ type: 'send', params: { to: FP1.phys, msg: STREAM, innerDst: FP1.virt } }]);
  });

  it('relearning a restarted fast path changes only the half of the pair that changed (C7)', () => {
    // Same host, new virtual IP: the outer address stays, the inner one changes.
    const sameHost = { phys: FP1.phys, virt: IP.fpVirt(1, 1) };
    let r = fromServer(forward(learnedFp1().snap, sameHost).snap);
    expect(r.effects).toEqual([{ type: 'send', params: { to: FP1.phys, msg: STREAM, innerDst: IP.fpVirt(1, 1) } }]);
    // New host, same virtual IP: the outer address changes, the inner one stays.
    const newHost = { phys: IP.fpPhys(1, 1), virt: FP1.virt };
    r = fromServer(forward(learnedFp1().snap, newHost).snap);
    expect(r.effects).toEqual([{ type: 'send', params: { to: IP.fpPhys(1, 1), msg: STREAM, innerDst: FP1.virt } }]);
  });

  it('a path learned without a physical IP is addressed by its virtual IP alone', () => {
    const event: Delivered<DataMsg> = { type: 'data', dir: 'fwd', flow: 'f1', vni: 100, kind: 'request', pathVirtIp: FP2.virt, src: FP2.virt };
    const r = fromServer(runner.step(initial().snap, event).snap);
    expect(r.effects).toEqual([{ type: 'send', params: { to: FP2.virt, msg: STREAM } }]);
  });

  it('re-enters viaFastPath on every forward packet: the relay timer is cancelled and re-armed', () => {
    const r = forward(learnedFp1().snap, FP1, 'ack');
    expect(r.snap.xs.value).toBe('viaFastPath');
    expect(r.effects).toEqual([{ type: 'cancel', id: RELAY }, toServer('ack'), relayTimer(3000)]);
    // Reverse data does not touch the timer.
    expect(fromServer(r.snap).effects.filter((e) => e.type !== 'send')).toEqual([]);
  });

  it('a forward packet from another fast path relearns the path: last writer wins (E4)', () => {
    const r = forward(learnedFp1().snap, FP2, 'ack');
    expect(ctx(r)).toMatchObject({ pathPhysIp: FP2.phys, pathVirtIp: FP2.virt, vgwIp: IP.vgw, relayTimeoutMs: 3000 });
    expect(fromServer(r.snap).effects).toEqual([{ type: 'send', params: { to: FP2.phys, msg: STREAM, innerDst: FP2.virt } }]);
  });

  it('when the relay timer fires, moves to viaVgw and sends reverse data to the in-band VGW-IP (¶77, ¶78)', () => {
    const timedOut = fireRelay(learnedFp1().snap);
    expect(timedOut.snap.xs.value).toBe('viaVgw');
    // Leaving viaFastPath cancels its (already fired) timer; nothing is sent.
    expect(timedOut.effects).toEqual([{ type: 'cancel', id: RELAY }]);
    const r = fromServer(timedOut.snap);
    expect(r.snap.xs.value).toBe('viaVgw');
    expect(r.effects).toEqual([{ type: 'send', params: { to: IP.vgw, msg: STREAM } }]);
  });

  it('without in-band VGW-IP and relay timeout the timer never leads to viaVgw (S7)', () => {
    const r = forward(initial().snap, FP1, 'request');
    expect(ctx(r)).toMatchObject({ vgwIp: null, relayTimeoutMs: null });
    const timer = r.effects.find((e) => e.type === 'schedule');
    if (timer?.type !== 'schedule') throw new Error('no relay timer');
    expect(timer.delay).toBeGreaterThanOrEqual(2 ** 40); // never due in a run
    const fired = runner.step(r.snap, timer.event);
    expect(fired.snap.xs.value).toBe('viaFastPath');
    expect(fired.effects).toEqual([]);
    expect(fromServer(fired.snap).effects).toEqual([{ type: 'send', params: { to: FP1.phys, msg: STREAM, innerDst: FP1.virt } }]);
  });

  it('with a VGW-IP but no relay timeout the guard still refuses the fallback', () => {
    const event: Delivered<DataMsg> = {
      type: 'data', dir: 'fwd', flow: 'f1', vni: 100, kind: 'request',
      pathPhysIp: FP1.phys, pathVirtIp: FP1.virt, vgwIp: IP.vgw, src: FP1.virt,
    };
    const r = runner.step(initial().snap, event);
    expect(fireRelay(r.snap).snap.xs.value).toBe('viaFastPath');
  });

  it('in viaVgw a forward packet brings it back to viaFastPath, relearns the new path and re-arms the timer (steps 11-13)', () => {
    const vgw = fireRelay(learnedFp1().snap);
    // The new path's packet carries only the path info here; the extras are kept.
    const r = forward(vgw.snap, FP2, 'request');
    expect(r.snap.xs.value).toBe('viaFastPath');
    expect(ctx(r)).toMatchObject({ pathPhysIp: FP2.phys, pathVirtIp: FP2.virt, vgwIp: IP.vgw, relayTimeoutMs: 3000 });
    expect(r.effects).toEqual([toServer('request'), relayTimer(3000)]);
    expect(fromServer(r.snap).effects).toEqual([{ type: 'send', params: { to: FP2.phys, msg: STREAM, innerDst: FP2.virt } }]);
  });

  it('newer in-band extras replace older ones', () => {
    const r = forward(learnedFp1().snap, FP2, 'request', { vgwIp: '10.2.0.2', relayTimeoutMs: 5000 });
    expect(ctx(r)).toMatchObject({ vgwIp: '10.2.0.2', relayTimeoutMs: 5000 });
    expect(r.effects).toContainEqual(relayTimer(5000));
    expect(fromServer(fireRelay(r.snap).snap).effects).toEqual([{ type: 'send', params: { to: '10.2.0.2', msg: STREAM } }]);
  });

  it('a forward packet without path info does not erase the learned path (S6)', () => {
    const event: Delivered<DataMsg> = { type: 'data', dir: 'fwd', flow: 'f1', vni: 100, kind: 'ack', src: FP2.virt };
    const r = runner.step(learnedFp1().snap, event);
    expect(ctx(r)).toMatchObject({ pathPhysIp: FP1.phys, pathVirtIp: FP1.virt });
  });
});
