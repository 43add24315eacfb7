/**
 * Transition-level tests of the client statechart (models/client.ts): one flow of a
 * reverse-heavy workload that knows only the ENI's IP [¶42, ¶64, C8].
 */
import { describe, expect, it } from 'vitest';
import { clientMachine, type ClientContext, type ClientInput } from '../../models/client.js';
import type { DataMsg, Delivered } from '../../models/protocol.js';
import { MachineRunner, type Effect, type Snap, type StepResult } from '../../src/engine/runner.js';
import { IP } from '../../src/engine/system.js';

const runner = new MachineRunner(clientMachine);

function input(overrides: Partial<ClientInput> = {}): ClientInput {
  return { flow: 'f1', eniIp: IP.eni, cvni: 100, hangTimeoutMs: 2000, ackEvery: 2, ...overrides };
}

const HANG_AWAITING = 'xstate.after.hangTimeout.client.awaitingData';
const HANG_RECEIVING = 'xstate.after.hangTimeout.client.receiving';

/** A started client: the request is out, waiting for reverse data. */
function started(overrides: Partial<ClientInput> = {}): StepResult {
  return runner.step(runner.initial(input(overrides)).snap, { type: 'start' });
}

/** Reverse stream data reaching the client from the ENI. */
function reverse(snap: Snap, flow = 'f1'): StepResult {
  const event: Delivered<DataMsg> = { type: 'data', dir: 'rev', flow, vni: 200, kind: 'stream', src: IP.eni };
  return runner.step(snap, event);
}

/** Fire a timer scheduled in `effects`. */
function fire(snap: Snap, effects: readonly Effect[], id: string): StepResult {
  const timer = effects.find((e) => e.type === 'schedule' && e.id === id);
  if (!timer || timer.type !== 'schedule') throw new Error(`no timer ${id} in ${JSON.stringify(effects)}`);
  return runner.step(snap, timer.event);
}

const ctx = (r: StepResult) => r.snap.xs.context as ClientContext;
const sends = (effects: readonly Effect[]) => effects.flatMap((e) => (e.type === 'send' ? [e.params] : []));
const request = (kind: DataMsg['kind'] = 'request'): DataMsg => ({ type: 'data', dir: 'fwd', flow: 'f1', vni: 100, kind });

describe('client', () => {
  it('starts idle, with nothing sent and no timer', () => {
    const r = runner.initial(input());
    expect(r.snap.xs.value).toBe('idle');
    expect(r.effects).toEqual([]);
    expect(ctx(r).unacked).toBe(0);
  });

  it('start sends a request to the ENI IP and waits for data with a hang timer', () => {
    const r = started();
    expect(r.snap.xs.value).toBe('awaitingData');
    expect(r.effects).toEqual([
      { type: 'send', params: { to: IP.eni, msg: request() } },
      { type: 'schedule', id: HANG_AWAITING, delay: 2000, event: { type: HANG_AWAITING } },
    ]);
  });

  it('moves to receiving on the first reverse data and re-arms the hang timer', () => {
    const r = reverse(started().snap);
    expect(r.snap.xs.value).toBe('receiving');
    expect(r.effects).toContainEqual({ type: 'cancel', id: HANG_AWAITING });
    expect(r.effects).toContainEqual({ type: 'schedule', id: HANG_RECEIVING, delay: 2000, event: { type: HANG_RECEIVING } });
    expect(ctx(r).unacked).toBe(1);
  });

  it('ignores forward data and data before start', () => {
    const fwd: Delivered<DataMsg> = { ...request('ack'), src: IP.eni };
    const waiting = started();
    const r = runner.step(waiting.snap, fwd);
    expect(r.snap.xs.value).toBe('awaitingData');
    expect(r.effects).toEqual([]);

    const idle = runner.initial(input());
    const early = reverse(idle.snap);
    expect(early.snap.xs.value).toBe('idle');
    expect(early.effects).toEqual([]);
  });

  it('acknowledges every ackEvery-th reverse packet (ackEvery = 3)', () => {
    let r = started({ ackEvery: 3 });
    const acked: number[] = [];
    for (let i = 1; i <= 7; i++) {
      r = reverse(r.snap);
      const out = sends(r.effects);
      if (out.length > 0) {
        expect(out).toEqual([{ to: IP.eni, msg: request('ack') }]);
        acked.push(i);
      }
      expect(ctx(r).unacked).toBe(i % 3);
    }
    expect(acked).toEqual([3, 6]);
  });

  it('acknowledges every reverse packet with ackEvery = 1', () => {
    let r = started({ ackEvery: 1 });
    for (let i = 0; i < 3; i++) {
      r = reverse(r.snap);
      expect(sends(r.effects)).toEqual([{ to: IP.eni, msg: request('ack') }]);
      expect(ctx(r).unacked).toBe(0);
    }
  });

  it('never acknowledges with ackEvery = 0 (a silent sink)', () => {
    let r = started({ ackEvery: 0 });
    for (let i = 0; i < 10; i++) {
      r = reverse(r.snap);
      expect(sends(r.effects)).toEqual([]);
      expect(r.snap.xs.value).toBe('receiving');
    }
    expect(ctx(r).unacked).toBe(0);
  });

  it('re-enters receiving on every reverse packet: the hang timer is cancelled and rescheduled', () => {
    const first = reverse(started({ hangTimeoutMs: 750 }).snap);
    const second = reverse(first.snap);
    expect(second.snap.xs.value).toBe('receiving');
    const timerEffects = second.effects.filter((e) => e.type !== 'send');
    expect(timerEffects).toEqual([
      { type: 'cancel', id: HANG_RECEIVING },
      { type: 'schedule', id: HANG_RECEIVING, delay: 750, event: { type: HANG_RECEIVING } },
    ]);
  });

  it('hangs when no reverse data arrives within hangTimeoutMs, while awaiting or receiving', () => {
    const waiting = started();
    const hungEarly = fire(waiting.snap, waiting.effects, HANG_AWAITING);
    expect(hungEarly.snap.xs.value).toBe('hung');
    expect(sends(hungEarly.effects)).toEqual([]);
    expect(hungEarly.effects.some((e) => e.type === 'schedule')).toBe(false);

    const receiving = reverse(waiting.snap);
    const hungLate = fire(receiving.snap, receiving.effects, HANG_RECEIVING);
    expect(hungLate.snap.xs.value).toBe('hung');
    expect(sends(hungLate.effects)).toEqual([]);
  });

  it('in hung, reverse data makes it send a NEW request (step 10, ¶79) and resets the ack count', () => {
    let r = reverse(started({ ackEvery: 2 }).snap); // unacked = 1
    expect(ctx(r).unacked).toBe(1);
    r = fire(r.snap, r.effects, HANG_RECEIVING);
    expect(r.snap.xs.value).toBe('hung');

    r = reverse(r.snap); // e.g. relayed through the VGW
    expect(r.snap.xs.value).toBe('receiving');
    expect(sends(r.effects)).toEqual([{ to: IP.eni, msg: request('request') }]);
    expect(r.effects).toContainEqual({ type: 'schedule', id: HANG_RECEIVING, delay: 2000, event: { type: HANG_RECEIVING } });
    expect(ctx(r).unacked).toBe(0);

    // The cadence restarts: the next packet is the first of a new count of two.
    r = reverse(r.snap);
    expect(sends(r.effects)).toEqual([]);
    r = reverse(r.snap);
    expect(sends(r.effects)).toEqual([{ to: IP.eni, msg: request('ack') }]);
  });

  it('in hung, non-reverse data does not wake it', () => {
    const waiting = started();
    const hung = fire(waiting.snap, waiting.effects, HANG_AWAITING);
    const fwd: Delivered<DataMsg> = { ...request('ack'), src: IP.eni };
    const r = runner.step(hung.snap, fwd);
    expect(r.snap.xs.value).toBe('hung');
    expect(r.effects).toEqual([]);
  });

  it('never addresses anything but the ENI IP, and never holds another address (S1)', () => {
    const all: Effect[] = [];
    let r = started({ ackEvery: 1 });
    all.push(...r.effects);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) {
        r = reverse(r.snap);
        all.push(...r.effects);
      }
      r = fire(r.snap, r.effects, HANG_RECEIVING);
      all.push(...r.effects);
      r = reverse(r.snap);
      all.push(...r.effects);
    }
    const out = sends(all);
    expect(out.length).toBeGreaterThan(10);
    expect(new Set(out.map((s) => s.to))).toEqual(new Set([IP.eni]));
    expect(out.every((s) => s.msg.type === 'data' && s.msg.dir === 'fwd' && s.msg.vni === 100)).toBe(true);
    const known = JSON.stringify(r.snap.xs.context);
    for (const other of [IP.lvs, IP.server, IP.vgw, IP.sp, IP.fpVirt(1, 0), IP.fpPhys(1, 0)]) {
      expect(known).not.toContain(other);
    }
  });
});
