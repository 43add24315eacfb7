/**
 * Transition-level tests of PVL-Control (models/control.ts): it pushes VGW-IP, relay
 * timeout and the tenant table to the slow path [¶72], at start and every refreshMs.
 */
import { describe, expect, it } from 'vitest';
import { controlMachine, type ControlInput } from '../../models/control.js';
import type { Tenant } from '../../models/protocol.js';
import { MachineRunner, type Effect } from '../../src/engine/runner.js';
import { IP } from '../../src/engine/system.js';

const runner = new MachineRunner(controlMachine);
const REFRESH = 'xstate.after.refresh.control.announcing';
const TENANTS: Tenant[] = [
  { name: 'a', cvni: 100, vni: 200 },
  { name: 'b', cvni: 101, vni: 201 },
];
const INPUT: ControlInput = { spIp: IP.sp, vgwIp: IP.vgw, relayTimeoutMs: 3000, tenants: TENANTS, refreshMs: 1000 };

const announce: Effect = {
  type: 'send',
  params: { to: IP.sp, msg: { type: 'config', vgwIp: IP.vgw, relayTimeoutMs: 3000, tenants: TENANTS } },
};
const refreshTimer: Effect = { type: 'schedule', id: REFRESH, delay: 1000, event: { type: REFRESH } };

describe('control', () => {
  it('on entry sends the config to the slow path and schedules a refresh', () => {
    const r = runner.initial(INPUT);
    expect(r.snap.xs.value).toBe('announcing');
    expect(r.effects).toEqual([announce, refreshTimer]);
  });

  it('uses its input: another refresh period and relay timeout', () => {
    const r = runner.initial({ ...INPUT, relayTimeoutMs: 500, refreshMs: 250 });
    expect(r.effects).toEqual([
      { type: 'send', params: { to: IP.sp, msg: { type: 'config', vgwIp: IP.vgw, relayTimeoutMs: 500, tenants: TENANTS } } },
      { type: 'schedule', id: REFRESH, delay: 250, event: { type: REFRESH } },
    ]);
  });

  it('re-announces the same config on every refresh and re-arms the timer', () => {
    let r = runner.initial(INPUT);
    for (let i = 0; i < 3; i++) {
      r = runner.step(r.snap, { type: REFRESH });
      expect(r.snap.xs.value).toBe('announcing');
      expect(r.effects).toEqual([{ type: 'cancel', id: REFRESH }, announce, refreshTimer]);
    }
  });

  it('ignores unrelated events', () => {
    const r0 = runner.initial(INPUT);
    const r = runner.step(r0.snap, { type: 'data' });
    expect(r.snap.key).toBe(r0.snap.key);
    expect(r.effects).toEqual([]);
  });
});
