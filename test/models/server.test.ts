/**
 * Transition-level tests of the real server (models/server.ts): a request starts a stream
 * of reverse data to the LVS [¶36]; it knows only the LVS.
 */
import { describe, expect, it } from 'vitest';
import type { DataKind, DataMsg, Delivered } from '../../models/protocol.js';
import { serverMachine, type ServerContext, type ServerInput } from '../../models/server.js';
import { MachineRunner, type Effect, type Snap, type StepResult } from '../../src/engine/runner.js';
import { IP } from '../../src/engine/system.js';

const runner = new MachineRunner(serverMachine);
const TICK = 'xstate.after.streamInterval.server.streaming';
const STREAM: DataMsg = { type: 'data', dir: 'rev', flow: 'f1', vni: 200, kind: 'stream' };

function initial(overrides: Partial<ServerInput> = {}): StepResult {
  return runner.initial({ flow: 'f1', lvsIp: IP.lvs, vni: 200, streamIntervalMs: 20, streamPackets: 0, ...overrides } satisfies ServerInput);
}

function fromLvs(snap: Snap, kind: DataKind): StepResult {
  const event: Delivered<DataMsg> = { type: 'data', dir: 'fwd', flow: 'f1', vni: 100, kind, src: IP.lvs };
  return runner.step(snap, event);
}

const tick = (snap: Snap) => runner.step(snap, { type: TICK });
const ctx = (r: StepResult) => r.snap.xs.context as ServerContext;
const streamSend: Effect = { type: 'send', params: { to: IP.lvs, msg: STREAM } };
const schedule = (delay: number): Effect => ({ type: 'schedule', id: TICK, delay, event: { type: TICK } });

describe('server', () => {
  it('starts idle and ignores acks before a request', () => {
    const r0 = initial();
    expect(r0.snap.xs.value).toBe('idle');
    expect(r0.effects).toEqual([]);
    const r = fromLvs(r0.snap, 'ack');
    expect(r.snap.xs.value).toBe('idle');
    expect(r.effects).toEqual([]);
  });

  it('a request starts streaming and schedules the first packet after streamIntervalMs', () => {
    const r = fromLvs(initial({ streamIntervalMs: 35 }).snap, 'request');
    expect(r.snap.xs.value).toBe('streaming');
    expect(r.effects).toEqual([schedule(35)]);
    expect(ctx(r).remaining).toBeNull();
  });

  it('sends one reverse packet to the LVS per tick and re-arms the timer (endless stream)', () => {
    let r = fromLvs(initial().snap, 'request');
    for (let i = 0; i < 5; i++) {
      r = tick(r.snap);
      expect(r.snap.xs.value).toBe('streaming');
      expect(r.effects).toEqual([{ type: 'cancel', id: TICK }, streamSend, schedule(20)]);
    }
    expect(ctx(r).remaining).toBeNull();
  });

  it('acks and repeated requests do not disturb the stream (no reset of the timer)', () => {
    const streaming = tick(fromLvs(initial({ streamPackets: 5 }).snap, 'request').snap);
    for (const kind of ['ack', 'request'] as const) {
      const r = fromLvs(streaming.snap, kind);
      expect(r.snap.key).toBe(streaming.snap.key);
      expect(r.effects).toEqual([]);
    }
  });

  it('a finite stream sends streamPackets packets, then ends in done', () => {
    let r = fromLvs(initial({ streamPackets: 3 }).snap, 'request');
    expect(ctx(r).remaining).toBe(3);
    let sent = 0;
    for (let i = 0; i < 3; i++) {
      r = tick(r.snap);
      sent += r.effects.filter((e) => e.type === 'send').length;
    }
    expect(sent).toBe(3);
    expect(r.snap.xs.value).toBe('done');
    expect(ctx(r).remaining).toBe(0);
    // No timer is left running once done.
    expect(r.effects.at(-1)).toEqual({ type: 'cancel', id: TICK });
    // Acks do nothing in done.
    expect(fromLvs(r.snap, 'ack').effects).toEqual([]);
    expect(fromLvs(r.snap, 'ack').snap.xs.value).toBe('done');
  });

  it('a new request after a finite stream restarts it in full', () => {
    let r = fromLvs(initial({ streamPackets: 2 }).snap, 'request');
    r = tick(tick(r.snap).snap);
    expect(r.snap.xs.value).toBe('done');
    r = fromLvs(r.snap, 'request');
    expect(r.snap.xs.value).toBe('streaming');
    expect(ctx(r).remaining).toBe(2);
    expect(r.effects).toEqual([schedule(20)]);
    r = tick(r.snap);
    expect(r.effects).toContainEqual(streamSend);
    expect(ctx(r).remaining).toBe(1);
  });

  it('addresses only the LVS (spec §1: the server knows the LVS and nothing of the client)', () => {
    let r = fromLvs(initial({ streamPackets: 4 }).snap, 'request');
    const tos = new Set<string>();
    for (let i = 0; i < 4; i++) {
      r = tick(r.snap);
      for (const e of r.effects) if (e.type === 'send') tos.add(e.params.to);
    }
    expect(tos).toEqual(new Set([IP.lvs]));
  });
});
