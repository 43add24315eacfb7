/**
 * Transition-level tests of the PVL slow path (models/slowPath.ts): tenant validation
 * before offload [¶72, ¶75, C5], extras on the forward direction only [C2].
 */
import { describe, expect, it } from 'vitest';
import type { ConfigMsg, DataMsg, Delivered, Dir, Tenant } from '../../models/protocol.js';
import { slowPathMachine, tenantIdValid, type SlowPathContext } from '../../models/slowPath.js';
import { MachineRunner, type Effect, type Snap, type StepResult } from '../../src/engine/runner.js';
import { IP } from '../../src/engine/system.js';

const runner = new MachineRunner(slowPathMachine);
const FP1 = IP.fpVirt(1, 0);
const FP2 = IP.fpVirt(2, 0);
const TENANTS: Tenant[] = [
  { name: 'a', cvni: 100, vni: 200 },
  { name: 'b', cvni: 101, vni: 201 },
];

function config(overrides: Partial<ConfigMsg> = {}): Delivered<ConfigMsg> {
  return { type: 'config', vgwIp: IP.vgw, relayTimeoutMs: 3000, tenants: TENANTS, ...overrides, src: IP.control };
}

const data = (dir: Dir, vni: number, flow = 'f1'): DataMsg => ({ type: 'data', dir, flow, vni, kind: dir === 'fwd' ? 'request' : 'stream' });

/** A first packet that missed on the fast path `src`. */
function miss(snap: Snap, packet: DataMsg, src = FP1): StepResult {
  const event: Delivered<DataMsg> = { ...packet, src };
  return runner.step(snap, event);
}

function configured(overrides: Partial<ConfigMsg> = {}): StepResult {
  return runner.step(runner.initial(undefined).snap, config(overrides));
}

const ctx = (r: StepResult) => r.snap.xs.context as SlowPathContext;
const sends = (effects: readonly Effect[]) => effects.filter((e) => e.type === 'send');

describe('slowPath', () => {
  it('tenantIdValid checks the CVNI on forward packets and the VNI on reverse packets', () => {
    expect(tenantIdValid(TENANTS, data('fwd', 100))).toBe(true);
    expect(tenantIdValid(TENANTS, data('fwd', 200))).toBe(false);
    expect(tenantIdValid(TENANTS, data('rev', 201))).toBe(true);
    expect(tenantIdValid(TENANTS, data('rev', 101))).toBe(false);
    expect(tenantIdValid([], data('fwd', 100))).toBe(false);
  });

  it('awaits its config and drops every first packet until then (E8)', () => {
    const r0 = runner.initial(undefined);
    expect(r0.snap.xs.value).toBe('awaitingConfig');
    expect(ctx(r0).config).toBeNull();
    for (const p of [data('fwd', 100), data('rev', 200), data('fwd', 999)]) {
      const r = miss(r0.snap, p);
      expect(r.snap.xs.value).toBe('awaitingConfig');
      expect(r.effects).toEqual([{ type: 'discard', params: { reason: 'slow-path-unconfigured' } }]);
    }
  });

  it('a config moves it to serving and stores VGW-IP, relay timeout and tenants', () => {
    const r = configured();
    expect(r.snap.xs.value).toBe('serving');
    expect(ctx(r).config).toEqual({ vgwIp: IP.vgw, relayTimeoutMs: 3000, tenants: TENANTS });
    expect(r.effects).toEqual([]);
  });

  it('offloads a valid forward first packet to the fast path that missed, with VGW-IP and relay timeout (C2)', () => {
    const base = configured();
    for (const src of [FP1, FP2]) {
      const packet = data('fwd', 101, 'f7');
      const r = miss(base.snap, packet, src);
      expect(r.effects).toEqual([
        {
          type: 'send',
          params: {
            to: src,
            msg: { type: 'offload', dir: 'fwd', flow: 'f7', vni: 101, extras: { vgwIp: IP.vgw, relayTimeoutMs: 3000 }, packet },
          },
        },
      ]);
      expect(r.snap.xs.value).toBe('serving');
    }
  });

  it('offloads a valid reverse first packet without extras (¶75)', () => {
    const packet = data('rev', 200);
    const r = miss(configured().snap, packet, FP2);
    expect(r.effects).toEqual([{ type: 'send', params: { to: FP2, msg: { type: 'offload', dir: 'rev', flow: 'f1', vni: 200, packet } } }]);
    const sent = sends(r.effects)[0];
    expect(sent?.type === 'send' && 'extras' in sent.params.msg).toBe(false);
  });

  it('drops an invalid tenant id with invalid-vni and offloads nothing (S2, S3)', () => {
    const base = configured();
    // Unknown ids, and ids valid only for the other direction.
    for (const p of [data('fwd', 999), data('rev', 999), data('fwd', 200), data('rev', 100)]) {
      const r = miss(base.snap, p);
      expect(r.effects).toEqual([{ type: 'discard', params: { reason: 'invalid-vni' } }]);
      expect(sends(r.effects)).toEqual([]);
      expect(r.snap.key).toBe(base.snap.key);
    }
  });

  it('a config update replaces the whole table and the extras', () => {
    const updated = runner.step(
      configured().snap,
      config({ vgwIp: '10.2.0.2', relayTimeoutMs: 5000, tenants: [{ name: 'c', cvni: 300, vni: 400 }] }),
    );
    expect(updated.snap.xs.value).toBe('serving');
    expect(ctx(updated).config).toEqual({ vgwIp: '10.2.0.2', relayTimeoutMs: 5000, tenants: [{ name: 'c', cvni: 300, vni: 400 }] });

    expect(miss(updated.snap, data('fwd', 100)).effects).toEqual([{ type: 'discard', params: { reason: 'invalid-vni' } }]);
    const ok = miss(updated.snap, data('fwd', 300));
    expect(ok.effects).toEqual([
      {
        type: 'send',
        params: {
          to: FP1,
          msg: { type: 'offload', dir: 'fwd', flow: 'f1', vni: 300, extras: { vgwIp: '10.2.0.2', relayTimeoutMs: 5000 }, packet: data('fwd', 300) },
        },
      },
    ]);
  });

  it('hands back the packet as it missed, without src', () => {
    const packet = data('fwd', 100);
    const r = miss(configured().snap, packet);
    const sent = sends(r.effects)[0];
    if (sent?.type !== 'send' || sent.params.msg.type !== 'offload') throw new Error('no offload');
    expect(sent.params.msg.packet).toEqual(packet);
    expect('src' in sent.params.msg.packet).toBe(false);
  });
});
