/**
 * The patent's story end to end (issue "Foundation"): fp-crash-reverse-only plays steps
 * 7-13 in order under the patent design, and never recovers under the prior art.
 */
import { describe, expect, it } from 'vitest';
import { builtinScenario } from '../../src/config/builtins.js';
import type { DeliverEvent, TraceEvent } from '../../src/engine/trace.js';
import { analyseRecovery } from '../../src/sim/recovery.js';
import { runScenario } from '../../src/sim/simulate.js';

const isFp = (n: string) => /^fp\d+$/.test(n);

function scenario(name: string, design: 'patent' | 'prior-art' = 'patent') {
  const s = builtinScenario(name, design);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

/** Index of the first event at or after `from` that matches, or -1. */
function find(events: readonly TraceEvent[], from: number, pred: (e: TraceEvent) => boolean): number {
  for (let i = Math.max(0, from); i < events.length; i++) if (pred(events[i]!)) return i;
  return -1;
}

const deliver = (from: string | ((n: string) => boolean), to: string | ((n: string) => boolean), extra: (e: DeliverEvent) => boolean = () => true) =>
  (e: TraceEvent): boolean =>
    e.event === 'deliver' &&
    (typeof from === 'string' ? e.from === from : from(e.from)) &&
    (typeof to === 'string' ? e.to === to : to(e.to)) &&
    extra(e);

describe('fp-crash-reverse-only, patent design: steps 7-13 in order', () => {
  const s = scenario('fp-crash-reverse-only');
  const { events } = runScenario(s);
  const crashed = 'fp2';

  it('plays the recovery story in the patent order', () => {
    const steps: [string, (e: TraceEvent) => boolean][] = [
      ['7: the learned fast path crashes', (e) => e.event === 'fault' && e.kind === 'crash' && e.node === crashed],
      ['8: the LVS switches to the VGW after the relay timeout', (e) => e.event === 'state' && e.node === 'lvs' && e.state === 'viaVgw'],
      ['8: reverse data goes to the VGW', deliver('lvs', 'vgw')],
      ['9: the VGW relays it to the ENI', deliver('vgw', 'eni')],
      ['9: the ENI relays it to the client', deliver('eni', 'client', (e) => e.msg.type === 'data' && e.msg.dir === 'rev')],
      ["10: the client's new request", deliver('client', 'eni', (e) => e.msg.type === 'data' && e.msg.kind === 'request')],
      ['10: the ENI probes the dead fast path', (e) => e.event === 'drop' && e.from === 'eni' && e.to === crashed && e.msg?.type === 'probe'],
      ['10: after its retries it moves the flow to another fast path', deliver('eni', (n) => isFp(n) && n !== crashed, (e) => e.msg.type === 'data' && e.msg.kind === 'request')],
      ['10: first-packet miss to the slow path', deliver((n) => isFp(n) && n !== crashed, 'sp')],
      ['10: offload back to the new fast path', deliver('sp', (n) => isFp(n) && n !== crashed, (e) => e.msg.type === 'offload' && e.msg.dir === 'fwd')],
      ['11: the LVS learns the new path', deliver((n) => isFp(n) && n !== crashed, 'lvs')],
      ['11: the LVS is back on a fast path', (e) => e.event === 'state' && e.node === 'lvs' && e.state === 'viaFastPath'],
      ['12: the reverse first packet misses on the new path', deliver('lvs', (n) => isFp(n) && n !== crashed)],
      ['12: the slow path validates VNI and offloads', deliver('sp', (n) => isFp(n) && n !== crashed, (e) => e.msg.type === 'offload' && e.msg.dir === 'rev')],
      ['12: reverse data reaches the client through the new fast path', deliver((n) => isFp(n) && n !== crashed, 'eni')],
    ];
    let at = 0;
    for (const [what, pred] of steps) {
      const i = find(events, at, pred);
      expect(i, `step "${what}" not found after event #${at}`).toBeGreaterThanOrEqual(0);
      at = i + 1;
    }
  });

  it('counts the probe retries before giving up', () => {
    const probes = events.filter((e) => e.event === 'drop' && e.from === 'eni' && e.to === crashed && e.msg?.type === 'probe');
    expect(probes).toHaveLength(s.config.probeRetries);
  });

  it('delivers no reverse data between the crash and the VGW fallback', () => {
    const crash = events.findIndex((e) => e.event === 'fault');
    const vgw = find(events, crash, deliver('vgw', 'eni'));
    const between = events.slice(crash, vgw).filter(deliver('eni', 'client'));
    // Packets already past the LVS at the crash could still land; none may come from fp2 later than its crash.
    expect(between.every((e) => e.t <= events[crash]!.t + 10)).toBe(true);
  });

  it('13: later traffic stays on the new fast path', () => {
    const restored = analyseRecovery(s, events).fastPathRestoredAt!;
    const later = events.filter((e) => e.t > restored && e.event === 'deliver' && (e.to === 'eni' || e.from === 'eni') && e.msg.type === 'data');
    expect(later.length).toBeGreaterThan(20);
    expect(later.every((e) => e.event === 'deliver' && e.from !== 'vgw' && e.from !== crashed && e.to !== crashed)).toBe(true);
  });

  it('recovers within the L1 and L2 bounds', () => {
    const r = analyseRecovery(s, events);
    expect(r.reverseResumedVia).toBe('vgw');
    expect(r.fastPathRestoredVia).toBe('fp1');
    expect(r.withinL1).toBe(true);
    expect(r.withinL2).toBe(true);
    expect(r.reverseResumedAt!).toBeLessThanOrEqual(r.l1Deadline!);
    expect(r.fastPathRestoredAt!).toBeLessThanOrEqual(r.l2Deadline!);
    // The VGW is not used before the relay timeout has passed since the last forward packet.
    const firstVgw = events.find(deliver('lvs', 'vgw'))!;
    expect(firstVgw.t - r.lastForwardAtLvs!).toBeGreaterThan(s.config.relayTimeoutMs);
  });
});

describe('fp-crash-reverse-only, prior-art design', () => {
  it('delivers no reverse data to the client after the crash, to the end of the run', () => {
    const s = scenario('fp-crash-reverse-only', 'prior-art');
    const { events } = runScenario(s);
    const crashAt = events.find((e) => e.event === 'fault')!.t;
    const after = events.filter((e) => e.t > crashAt + 10 && deliver('eni', 'client')(e));
    expect(after).toEqual([]);
    expect(events.some(deliver('lvs', 'vgw'))).toBe(false);
    const r = analyseRecovery(s, events);
    expect(r.reverseResumedAt).toBeNull();
    expect(r.withinL1).toBe(false);
    // ...while the server kept streaming into the dead path.
    expect(events.filter((e) => e.t > crashAt && e.event === 'drop' && e.from === 'lvs' && e.to === 'fp2').length).toBeGreaterThan(50);
  });
});
