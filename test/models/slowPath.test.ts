/**
 * Transition-level tests of the PVL slow path (models/slowPath.ts): tenant validation
 * before offload [¶72, ¶75, C5], extras on the forward direction only [C2].
 */
import { describe, expect, it } from 'vitest';
import type { ConfigMsg, DataMsg, Delivered, Dir, Tenant } from '../../models/protocol.js';
import { slowPathMachine, tenantIdValid, tenantPairValid, type SlowPathContext } from '../../models/slowPath.js';
import { MUTANTS } from '../../models/mutants.js';
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
    const validated = miss(configured().snap, data('fwd', 100), FP2);
    const r = miss(validated.snap, packet, FP2);
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

  describe("the flow's CVNI/VNI pair is one tenant's (issue 11)", () => {
    it('tenantPairValid holds only for a CVNI and a VNI of the same tenant entry', () => {
      expect(tenantPairValid(TENANTS, 100, 200)).toBe(true);
      expect(tenantPairValid(TENANTS, 101, 201)).toBe(true);
      expect(tenantPairValid(TENANTS, 100, 201)).toBe(false);
      expect(tenantPairValid(TENANTS, 101, 200)).toBe(false);
      expect(tenantPairValid(TENANTS, 999, 200)).toBe(false);
    });

    it('remembers the CVNI a flow was validated with, per flow', () => {
      const a = miss(configured().snap, data('fwd', 100, 'f1'));
      const b = miss(a.snap, data('fwd', 101, 'f2'));
      expect(ctx(b).flows).toEqual({ f1: 100, f2: 101 });
      // A second forward miss of the same flow (a new path) keeps the same snapshot.
      expect(miss(b.snap, data('fwd', 100, 'f1'), FP2).snap.key).toBe(b.snap.key);
    });

    it("offloads a reverse first packet whose VNI is the flow's tenant's, drops one of the other tenant's", () => {
      const validated = miss(miss(configured().snap, data('fwd', 100, 'f1')).snap, data('fwd', 101, 'f2'));
      expect(sends(miss(validated.snap, data('rev', 200, 'f1')).effects)).toHaveLength(1);
      expect(sends(miss(validated.snap, data('rev', 201, 'f2')).effects)).toHaveLength(1);
      // Tenant a's CVNI with tenant b's VNI, and the other way round: both ids are in the table.
      for (const [flow, vni] of [['f1', 201], ['f2', 200]] as const) {
        const r = miss(validated.snap, data('rev', vni, flow));
        expect(r.effects).toEqual([{ type: 'discard', params: { reason: 'tenant-pair-mismatch' } }]);
        expect(r.snap.key).toBe(validated.snap.key);
      }
    });

    it('drops a reverse first packet of a flow whose forward it never validated (after its own restart)', () => {
      const r = miss(configured().snap, data('rev', 200, 'f9'));
      expect(r.effects).toEqual([{ type: 'discard', params: { reason: 'flow-not-validated' } }]);
    });

    it('the chart names the pair check as a guard, with a description on its transition', () => {
      const serving = slowPathMachine.root.states.serving!;
      const onData = serving.transitions.get('data') ?? [];
      const pair = onData.find((t) => t.guard === 'reverseTenantPairValid');
      expect(pair, 'a data transition guarded by reverseTenantPairValid').toBeDefined();
      expect(pair!.description).toMatch(/same tenant/);
      expect(slowPathMachine.implementations.guards).toHaveProperty('reverseTenantPairValid');
    });

    it('the tenant-pair mutant checks the ids one by one: it offloads a pair of two tenants', () => {
      const mutant = new MachineRunner(MUTANTS['tenant-pair']!.machine);
      const at = (packet: DataMsg): Delivered<DataMsg> => ({ ...packet, src: FP1 });
      const base = mutant.step(mutant.step(mutant.initial(undefined).snap, config()).snap, at(data('fwd', 100, 'f1')));
      const r = mutant.step(base.snap, at(data('rev', 201, 'f1')));
      expect(sends(r.effects)).toHaveLength(1);
      expect(MUTANTS['tenant-pair']!.caughtBy).toEqual(['S3']);
    });
  });
});
