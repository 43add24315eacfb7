/**
 * The explorer's fault menu comes from the fault vocabulary (issue 10, point 6): under the
 * extended model every kind on every target its declaration allows; a test-only kind is
 * offered, applied by the world and its counterexample replays; worlds of the patent
 * model keep their keys (no extra state).
 */
import { describe, expect, it } from 'vitest';
import { vgwQuiesces } from '../../properties/vgwQuiesces.js';
import { recoveryLasts } from '../../properties/recoveryLasts.js';
import { FAULT_KINDS, faultMenuOf } from '../../src/config/faults.js';
import { explore } from '../../src/explorer/explore.js';
import { profileScenario } from '../../src/explorer/profiles.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { buildSystem } from '../../src/engine/system.js';
import { runScenario } from '../../src/sim/simulate.js';
import { WITH_ISOLATE } from '../config/faultHelpers.js';

describe('the explorer menu from the vocabulary', () => {
  it('offers every kind of the extended model, on every target (one direction and both)', () => {
    const menu = faultMenuOf(FAULT_KINDS, 2, 'extended');
    expect(new Set(menu.map((f) => f.kind))).toEqual(new Set(Object.keys(FAULT_KINDS)));
    expect(menu).toContainEqual({ kind: 'linkDown', link: 'lvs->fp2' });
    expect(menu).toContainEqual({ kind: 'linkDown', link: 'fp2<->lvs' });
    expect(menu).toContainEqual({ kind: 'crash', node: 'vgw' });
    expect(menu).toContainEqual({ kind: 'restart', node: 'fp1', newIp: true });
    expect(menu).toContainEqual({ kind: 'gray', node: 'fp2' });
    expect(menu.filter((f) => f.kind === 'gray').every((f) => /^fp\d$/.test(f.node!))).toBe(true);
    // The patent model: fast path crashes and restarts, and an LVS cluster's members' (spec §5,
    // [¶38]); a single LVS's crash loses its sessions, outside the model.
    const patent = faultMenuOf(FAULT_KINDS, 2, 'patent');
    expect(new Set(patent.map((f) => `${f.kind} ${f.node}`))).toEqual(new Set(['crash fp1', 'crash fp2', 'restart fp1', 'restart fp2']));
    const cluster = faultMenuOf(FAULT_KINDS, 2, 'patent', undefined, { lvsMembers: 2 });
    expect(new Set(cluster.map((f) => `${f.kind} ${f.node}`))).toEqual(
      new Set(['crash fp1', 'crash fp2', 'crash lvs1', 'crash lvs2', 'restart fp1', 'restart fp2', 'restart lvs1', 'restart lvs2']),
    );
  });

  it('finds the reverse-link-down oscillation (L4) with the reverse link cut, shortest first', () => {
    const scenario = { ...profileScenario('small', 'patent'), faultModel: 'extended' as const };
    const r = explore({
      scenario,
      properties: [recoveryLasts],
      faultMenu: faultMenuOf(FAULT_KINDS, 2, 'extended', ['linkDown']),
      maxFaults: 1,
      maxDepth: 100_000,
    });
    expect(r.exhausted).toBe(true);
    const v = r.violations.find((x) => x.property === 'L4');
    expect(v?.violation.message).toMatch(/black-holed again \(link-down on lvs->fp\d\)/);
  });

  it('a test-only kind reaches the explorer: offered, applied by the world, on the counterexample path', () => {
    const menu = faultMenuOf(WITH_ISOLATE, 2, 'extended', ['isolate']);
    expect(menu).toEqual([
      { kind: 'isolate', node: 'fp1' },
      { kind: 'isolate', node: 'fp1', quietly: true },
      { kind: 'isolate', node: 'fp2' },
      { kind: 'isolate', node: 'fp2', quietly: true },
    ]);
    const scenario = { ...profileScenario('small', 'patent'), faultModel: 'extended' as const };
    const r = explore({ scenario, properties: [vgwQuiesces], faultMenu: menu, vocabulary: WITH_ISOLATE, maxFaults: 1, maxDepth: 100_000 });
    expect(r.exhausted).toBe(true);
    // Cut off from the LVS both ways, fp2 still answers probes: the LVS stays on the VGW (L3).
    const v = r.violations.find((x) => x.property === 'L3');
    expect(v).toBeDefined();
    const path = v!.edges.filter((e) => e.kind === 'fault');
    expect(path.map((e) => (e as { fault: { kind: string } }).fault.kind)).toEqual(['isolate']);
    // Without its vocabulary the world refuses it.
    expect(() => explore({ scenario, properties: [vgwQuiesces], faultMenu: menu, maxFaults: 1, maxDepth: 100_000 })).toThrow(/isolate/);
  });

  it('a patent-model world carries no failure modes; an extended fault that sets one does', () => {
    const s = profileScenario('small', 'patent');
    const sys = buildSystem(s.design, s.config, s.workload);
    const run = runScenario({ ...s, until: 50, faults: [{ at: 5, kind: 'gray', node: 'fp2' }] }, { system: sys });
    expect(run.world.modes).toEqual({ fp2: 'gray' });
    expect(evaluate({ ...s, until: 50 }, [vgwQuiesces]).verdicts.get('L3')!.violation).toBeNull();
  });
});
