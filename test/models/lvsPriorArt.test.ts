/**
 * Transition-level tests of the prior-art LVS (models/lvsPriorArt.ts): it learns the
 * reverse path only from forward packets and has no relay timer and no VGW [¶45].
 */
import { describe, expect, it } from 'vitest';
import { lvsPriorArtMachine, type LvsPriorArtContext } from '../../models/lvsPriorArt.js';
import type { DataKind } from '../../models/protocol.js';
import type { Effect, Snap, StepResult } from '../../src/engine/runner.js';
import { IP } from '../../src/engine/system.js';
import { FP1, FP2, STREAM, lvsDriver } from './lvsDriver.js';

const driver = lvsDriver(lvsPriorArtMachine);
const { runner, initial, fromServer } = driver;
/** A forward packet from a fast path, carrying the VGW extras as the patent's first packet would. */
const forward = (snap: Snap, fp: { phys: string; virt: string }, kind: DataKind = 'ack'): StepResult =>
  driver.forward(snap, fp, kind, { vgwIp: IP.vgw, relayTimeoutMs: 3000 });

const ctx = (r: StepResult) => r.snap.xs.context as LvsPriorArtContext;
const timerEffects = (effects: readonly Effect[]) => effects.filter((e) => e.type === 'schedule' || e.type === 'cancel');

describe('lvsPriorArt', () => {
  it('discards reverse data before any forward packet', () => {
    const r = fromServer(initial().snap);
    expect(r.snap.xs.value).toBe('noSession');
    expect(r.effects).toEqual([{ type: 'discard', params: { reason: 'no-session' } }]);
  });

  it('learns the path from a forward packet, ignores the VGW extras and never schedules a relay timer', () => {
    const r = forward(initial().snap, FP1, 'request');
    expect(r.snap.xs.value).toBe('viaFastPath');
    expect(ctx(r)).toEqual({ flow: 'f1', serverIp: IP.server, pathPhysIp: FP1.phys, pathVirtIp: FP1.virt });
    expect(r.effects).toEqual([
      { type: 'send', params: { to: IP.server, msg: { type: 'data', dir: 'fwd', flow: 'f1', vni: 100, kind: 'request' } } },
    ]);
  });

  it('relearns from every forward packet (last writer wins), still without timers', () => {
    let r = forward(initial().snap, FP1, 'request');
    r = forward(r.snap, FP2, 'ack');
    expect(ctx(r)).toMatchObject({ pathPhysIp: FP2.phys, pathVirtIp: FP2.virt });
    expect(timerEffects(r.effects)).toEqual([]);
    expect(fromServer(r.snap).effects).toEqual([{ type: 'send', params: { to: FP2.phys, msg: STREAM, innerDst: FP2.virt } }]);
  });

  it('learns only from forward packets: reverse data never changes the path', () => {
    const learned = forward(initial().snap, FP1, 'request');
    const r = fromServer(learned.snap);
    expect(r.snap.key).toBe(learned.snap.key);
  });

  it('keeps sending reverse data to the learned path and never to a VGW, however long the session lasts', () => {
    let r = forward(initial().snap, FP1, 'request');
    const all: Effect[] = [...r.effects];
    for (let i = 0; i < 20; i++) {
      r = fromServer(r.snap);
      all.push(...r.effects);
    }
    expect(r.snap.xs.value).toBe('viaFastPath');
    expect(timerEffects(all)).toEqual([]);
    const tos = all.flatMap((e) => (e.type === 'send' ? [e.params.to] : []));
    expect(tos).not.toContain(IP.vgw);
    expect(new Set(tos)).toEqual(new Set([IP.server, FP1.phys]));
  });

  it('has no relay-timer event: a patent-style timer event is ignored', () => {
    const learned = forward(initial().snap, FP1, 'request');
    const r = runner.step(learned.snap, { type: 'xstate.after.relayTimeout.lvs.viaFastPath' });
    expect(r.snap.key).toBe(learned.snap.key);
    expect(r.effects).toEqual([]);
  });
});
