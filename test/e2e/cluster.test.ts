/**
 * The LVS cluster (issue 11, point 1): two members behind the upstream ECMP, IPVS-style
 * session sync, a member crash. With the session synced with the VGW extras, reverse
 * delivery resumes within L1; with the session under the sync threshold, or a record
 * without the VGW extras, the black hole of E7 (findings F13, F14). And with one member,
 * nothing changes: every built-in scenario's trace is byte for byte what it was before
 * the cluster existed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinScenario } from '../../src/config/builtins.js';
import { parseScenario } from '../../src/config/scenario.js';
import { InputError } from '../../src/config/validate.js';
import { FAULT_KINDS } from '../../src/config/faults.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { runSpecArbitrary } from '../../src/checker/arbitraries.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { buildSystem } from '../../src/engine/system.js';
import { clusterMember } from '../../src/engine/world.js';
import { computeBounds } from '../../src/sim/bounds.js';
import { runScenario } from '../../src/sim/simulate.js';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { ALL_PROPERTIES, PROPERTIES } from '../../properties/index.js';

const HASHES = JSON.parse(readFileSync(new URL('../fixtures/lvs1-trace-hashes.json', import.meta.url), 'utf8')) as Record<string, string>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const deliveredTo = (events: readonly TraceEvent[], from: string, to: string) =>
  events.filter((e) => e.event === 'deliver' && e.from === from && e.to === to && e.msg.type === 'data');

describe('lvsMembers 1: nothing observable changes', () => {
  it('every built-in scenario of before the cluster gives the same trace, byte for byte (hashes of `simulate --format jsonl` from the build before it)', async () => {
    const keys = Object.keys(HASHES);
    expect(keys.length).toBe(32);
    for (const key of keys) {
      const [name, design] = key.split(' ') as [string, string];
      expect(builtinScenario(name, design)!.config.lvsMembers).toBe(1);
      const io = bufferIo();
      expect(await main(['simulate', '--scenario', name, '--design', design, '--format', 'jsonl'], io)).toBe(0);
      expect(sha256(io.stdout()), key).toBe(HASHES[key]);
    }
  });
});

describe('the upstream ECMP', () => {
  it('spreads flows over the live members, moves only a dead member\u2019s flows, and gives them back when it returns', () => {
    const s = parseScenario({ design: 'patent', config: { lvsMembers: 3 }, workload: { flows: 12 } });
    const sys = buildSystem(s.design, s.config, s.workload);
    const all = sys.flows.map((f) => clusterMember(sys, {}, f));
    expect(new Set(all).size).toBe(3);
    const without2 = sys.flows.map((f) => clusterMember(sys, { lvs2: true }, f));
    sys.flows.forEach((_, i) => {
      if (all[i] !== 'lvs2') expect(without2[i]).toBe(all[i]);
      else expect(without2[i]).not.toBe('lvs2');
    });
    expect(sys.flows.map((f) => clusterMember(sys, { lvs1: true, lvs2: true, lvs3: true }, f))).toEqual(sys.flows.map(() => null));
  });
});

describe('a member crash with the session synced with the VGW extras (lvs-member-crash)', () => {
  const s = builtinScenario('lvs-member-crash')!;
  const crash = s.faults[0]!.at;
  const r = runScenario(s);

  it('lvs1 served f1 and synced it to lvs2 (path and VGW extras) before the crash', () => {
    const records = deliveredTo(r.events, 'lvs1', 'lvs2').concat(
      r.events.filter((e) => e.event === 'deliver' && e.from === 'lvs1' && e.to === 'lvs2' && e.msg.type === 'sync'),
    );
    const sync = records.find((e) => e.event === 'deliver' && e.msg.type === 'sync');
    expect(sync).toBeDefined();
    expect(sync!.t).toBeLessThan(crash);
    expect((sync as { msg: { vgwIp?: string; pathVirtIp?: string } }).msg).toMatchObject({ vgwIp: expect.any(String), pathVirtIp: expect.any(String) });
    expect(deliveredTo(r.events, 'fp2', 'lvs1').length).toBeGreaterThan(0);
  });

  it('lvs2 takes the flow over: through the VGW after the relay timeout, then back on fp1; L1 and L2 hold with an obligation armed', () => {
    expect(deliveredTo(r.events, 'server', 'lvs2').filter((e) => e.t > crash).length).toBeGreaterThan(0);
    const viaVgw = deliveredTo(r.events, 'lvs2', 'vgw').filter((e) => e.t > crash);
    expect(viaVgw.length).toBeGreaterThan(0);
    expect(deliveredTo(r.events, 'fp1', 'lvs2').length).toBeGreaterThan(0);
    const v = evaluate(s, PROPERTIES);
    for (const id of ['L1', 'L2']) {
      const verdict = v.verdicts.get(id)!;
      expect(verdict.violation, id).toBeNull();
      expect(verdict.triggers, id).toBeGreaterThan(0);
    }
    // Within L1: the response came by the fault + takeover + L1's budget.
    const b = computeBounds(s.config, s.workload);
    const resumed = r.events.find((e) => e.event === 'deliver' && e.to === 'client' && e.msg.type === 'data' && e.t > crash)!;
    expect(resumed.t).toBeLessThanOrEqual(crash + b.takeoverMs + b.l1.ms);
    // Counted from t_f (the last forward at lvs1), as for the single LVS, it would be late:
    // the survivor's relay timer starts at its takeover.
    const tf = Math.max(...deliveredTo(r.events, 'fp2', 'lvs1').filter((e) => e.t < crash).map((e) => e.t));
    expect(resumed.t).toBeGreaterThan(tf + b.l1.ms);
  });
});

describe('E7: the black hole after a member crash', () => {
  it.each([
    ['lvs-member-crash-unsynced', 'F13'],
    ['lvs-member-crash-no-vgw-extras', 'F14'],
  ])('%s: no reverse data reaches the client after the crash; L1 violated under the extended model, voided under the patent\u2019s', (name) => {
    const s = builtinScenario(name)!;
    expect(s.faultModel).toBe('extended');
    const crash = s.faults[0]!.at;
    const r = runScenario(s);
    expect(r.events.filter((e) => e.event === 'deliver' && e.to === 'client' && e.msg.type === 'data' && e.t > crash + 300)).toEqual([]);
    expect(evaluate(s, ALL_PROPERTIES).verdicts.get('L1')!.violation).not.toBeNull();
    const patent = { ...s, faultModel: undefined };
    const v = evaluate(patent, PROPERTIES).verdicts.get('L1')!;
    expect(v.violation).toBeNull();
    expect(v.voided).toBeGreaterThan(0);
  });

  it('the unsynced session: lvs2 drops the server\u2019s data for want of a session', () => {
    const s = builtinScenario('lvs-member-crash-unsynced')!;
    const r = runScenario(s);
    expect(r.events.some((e) => e.event === 'deliver' && e.msg.type === 'sync')).toBe(false);
    expect(r.events.some((e) => e.event === 'drop' && e.from === 'lvs2' && e.reason === 'no-session')).toBe(true);
  });

  it('the record without the VGW extras: lvs2 keeps sending to the dead fp2 and never uses the VGW', () => {
    const s = builtinScenario('lvs-member-crash-no-vgw-extras')!;
    const r = runScenario(s);
    const crash = s.faults[0]!.at;
    expect(r.events.some((e) => e.event === 'drop' && e.from === 'lvs2' && e.to === 'fp2' && e.t > s.until - 1000)).toBe(true);
    expect(r.events.some((e) => e.event === 'send' && e.from === 'lvs2' && e.to === 'vgw' && e.t > crash)).toBe(false);
  });
});

describe('member faults as the recovery properties see them', () => {
  it('a restart of a member is a disruption (it takes its flows back); of the single LVS or a fast path, a repair', () => {
    expect(FAULT_KINDS.restart.disrupts({ kind: 'restart', node: 'lvs1' })).toBe(true);
    expect(FAULT_KINDS.restart.disrupts({ kind: 'restart', node: 'lvs' })).toBe(false);
    expect(FAULT_KINDS.restart.disrupts({ kind: 'restart', node: 'fp1' })).toBe(false);
  });

  it('a restart of the live member that serves the flow loses the session there (the ECMP keeps the flow on it): void under the patent model, E7 under the extended', () => {
    const s = parseScenario({ design: 'patent', config: { lvsMembers: 2 }, faults: [{ at: 5000, kind: 'restart', node: 'lvs1' }] });
    const patent = evaluate(s, PROPERTIES).verdicts.get('L1')!;
    expect(patent.violation).toBeNull();
    expect(patent.voided).toBeGreaterThan(0);
    const extended = evaluate({ ...s, faultModel: 'extended' }, ALL_PROPERTIES).verdicts.get('L1')!;
    expect(extended.violation).not.toBeNull();
  });

  it('a crash of the member that does not serve the flow changes nothing for it: the obligation is met at once', () => {
    const s = parseScenario({ design: 'patent', config: { lvsMembers: 2 }, faults: [{ at: 5000, kind: 'crash', node: 'lvs2' }] });
    const v = evaluate(s, PROPERTIES).verdicts.get('L1')!;
    expect(v.violation).toBeNull();
    expect(v.triggers).toBeGreaterThan(0);
    expect(v.voided).toBe(0);
  });
});

describe('the generator of `check` draws clusters', () => {
  it('lvsMembers 1..3, and crashes or restarts of members', () => {
    const specs = fc.sample(runSpecArbitrary({ maxFaults: 2 }), { numRuns: 400, seed: 7 });
    const members = new Set(specs.map((s) => s.config.lvsMembers));
    expect([...members].sort()).toEqual([1, 2, 3]);
    const memberFaults = specs.flatMap((s) => s.faults.filter((f) => 'node' in f && /^lvs\d+$/.test(f.node)));
    expect(memberFaults.length).toBeGreaterThan(0);
    // A member fault only in a cluster, and the single `lvs` only without one.
    for (const spec of specs) {
      for (const f of spec.faults) {
        if (!('node' in f)) continue;
        if (/^lvs\d+$/.test(f.node)) expect(spec.config.lvsMembers).toBeGreaterThan(1);
        if (f.node === 'lvs') expect(spec.config.lvsMembers).toBe(1);
      }
    }
  });
});

describe('configuration of the cluster: bad values are exit 2 naming the field', () => {
  const bad: [unknown, string][] = [
    [{ lvsMembers: 5 }, 'config.lvsMembers'],
    [{ lvsMembers: 0 }, 'config.lvsMembers'],
    [{ syncThreshold: 0 }, 'config.syncThreshold'],
    [{ syncThreshold: 50 }, 'config.syncThreshold'],
    [{ syncPeriod: -1 }, 'config.syncPeriod'],
    [{ syncIntervalMs: 2001 }, 'config.syncIntervalMs'],
    [{ syncFields: ['path', 'vgw-ip'] }, 'config.syncFields[1]'],
    [{ syncFields: ['path', 'path'] }, 'config.syncFields'],
    [{ syncFields: 'path' }, 'config.syncFields'],
  ];
  it.each(bad)('%j', (config, field) => {
    expect(() => parseScenario({ design: 'patent', config })).toThrow(InputError);
    try {
      parseScenario({ design: 'patent', config });
    } catch (e) {
      expect((e as InputError).field).toBe(field);
    }
  });

  it('member ids exist only in a cluster of that size, and `lvs` only without one', () => {
    const field = (config: unknown, node: string) => {
      try {
        parseScenario({ design: 'patent', config, faults: [{ at: 1, kind: 'crash', node }] });
        return null;
      } catch (e) {
        return (e as InputError).field;
      }
    };
    expect(field({ lvsMembers: 2 }, 'lvs2')).toBeNull();
    expect(field({ lvsMembers: 2 }, 'lvs3')).toBe('faults[0].node');
    expect(field({ lvsMembers: 2 }, 'lvs')).toBe('faults[0].node');
    expect(field({}, 'lvs1')).toBe('faults[0].node');
    expect(parseScenario({ design: 'patent', config: { lvsMembers: 2, links: { 'lvs1->lvs2': { delayMs: [1, 5] } } } }).config.links['lvs1->lvs2']).toEqual({ delayMs: [1, 5] });
  });

  it('the command line says so with exit code 2', async () => {
    const io = bufferIo();
    const dir = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'pvl-cluster-'));
    const file = (await import('node:path')).join(dir, 'bad.json');
    (await import('node:fs')).writeFileSync(file, JSON.stringify({ design: 'patent', config: { lvsMembers: 2, syncFields: ['vgw', 'timestamp'] } }));
    const code = await main(['simulate', '--scenario-file', file], io);
    expect(code).toBe(2);
    expect(io.stderr()).toContain('config.syncFields[1]');
  });
});
