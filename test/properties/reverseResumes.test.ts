/**
 * L1 reverse delivery resumes: holds in the patent design, with a recovery sample within
 * its budget; violated by the prior art (no VGW fallback, [¶45]) and by a VGW that relays
 * to the wrong ENI; voided, not violated, when a precondition breaks (the VGW crashes, or
 * the LVS restarts and loses its sessions).
 */
import { describe, expect, it } from 'vitest';
import { reverseResumes } from '../../properties/reverseResumes.js';
import type { Scenario } from '../../src/config/types.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { computeBounds } from '../../src/sim/bounds.js';
import { analyseRecovery } from '../../src/sim/recovery.js';
import { builtin, expectHolds, expectViolated, scenario, verdictOn } from './helpers.js';

const crashAt = 5000;
const crashFp2 = { at: crashAt, kind: 'crash', node: 'fp2' };

/** The deadline the monitor names: "no response for flow f1 by D ms (t_f T + budget B ms; ...)". */
function expectMissedDeadline(s: Scenario, v: { t: number; message: string }, budgetMs: number): void {
  const m = /^no response for flow f1 by (\d+) ms \(t_f (\d+) \+ budget (\d+) ms; fault at (\d+) ms\)$/.exec(v.message);
  expect(m, v.message).not.toBeNull();
  const [deadline, tf, budget, fault] = m!.slice(1).map(Number) as [number, number, number, number];
  expect(budget).toBe(budgetMs);
  expect(fault).toBe(s.faults[0]!.at);
  expect(tf).toBeLessThanOrEqual(fault);
  expect(deadline).toBe(tf + budget);
  expect(v.t).toBe(deadline);
}

describe('L1 reverse delivery resumes holds', () => {
  it('in the patent story (fp-crash-reverse-only): one disruptive recovery, within its budget', () => {
    const s = builtin('fp-crash-reverse-only');
    const v = verdictOn(s, reverseResumes);
    expectHolds(v);
    expect(v.triggers).toBe(1);
    expect(v.disruptive).toBe(1);
    expect(v.voided).toBe(0);
    expect(v.samples).toHaveLength(1);
    const sample = v.samples[0]!;
    // Latency and budget both from the fault: the budget ends at the run's own deadline (t_f + L1's budget, t_f before the fault).
    const deadline = analyseRecovery(s, evaluate(s, [reverseResumes], { keepTrace: true }).events!).l1Deadline!;
    expect(sample.budgetMs).toBe(deadline - crashAt);
    expect(sample.budgetMs).toBeLessThan(computeBounds(s.config, s.workload).l1.ms);
    expect(sample.latencyMs).toBeGreaterThan(computeBounds(s.config, s.workload).l1FloorMs);
    expect(sample.latencyMs).toBeLessThanOrEqual(sample.budgetMs);
  });

  it.each(['fp-restart-new-ip', 'all-fast-paths-down', 'reverse-link-down'])('on %s, through the VGW', (name) => {
    const s = builtin(name);
    const v = verdictOn(s, reverseResumes);
    expectHolds(v);
    expect(v.triggers).toBeGreaterThan(0);
    for (const x of v.samples) expect(x.latencyMs).toBeLessThanOrEqual(x.budgetMs);
  });

  it('on a fast path restart at the same address: no detour, but fp2 was down 100 ms, later than an undisturbed path takes: disruptive', () => {
    const s = builtin('fp-restart');
    const v = verdictOn(s, reverseResumes);
    expectHolds(v);
    expect(v.triggers).toBe(1);
    // One definition of disruptive (bounds.ts, isDisruptive): later than the floor after the fault.
    expect(v.disruptive).toBe(1);
    expect(v.samples).toHaveLength(1);
    expect(v.samples[0]!.latencyMs).toBeGreaterThan(computeBounds(s.config, s.workload).l1FloorMs);
  });

  it('a fault that leaves the flow undisturbed (the other fast path crashes) is not disruptive, and has no sample', () => {
    const v = verdictOn(scenario({ faults: [{ at: crashAt, kind: 'crash', node: 'fp1' }] }), reverseResumes);
    expectHolds(v);
    expect(v.triggers).toBe(1);
    expect(v.disruptive).toBe(0);
    expect(v.samples).toEqual([]);
  });

  it('is not triggered without a fault', () => {
    const v = verdictOn(builtin('normal'), reverseResumes);
    expectHolds(v);
    expect(v.triggers).toBe(0);
  });
});

describe('L1 reverse delivery resumes is violated', () => {
  it('by the prior art when the learned fast path crashes [¶45]', () => {
    const s = builtin('fp-crash-reverse-only', 'prior-art');
    const v = expectViolated(verdictOn(s, reverseResumes));
    expectMissedDeadline(s, v, computeBounds(s.config, s.workload).l1.ms);
    expect(v.flow).toBe('f1');
  });

  it('by the prior art even with a silent client (no acks)', () => {
    const s = scenario({ design: 'prior-art', workload: { ackEvery: 0 }, faults: [crashFp2] });
    expectViolated(verdictOn(s, reverseResumes));
  });

  it('by a VGW that relays to the wrong ENI (vgw-wrong-eni)', () => {
    const s = builtin('fp-crash-reverse-only', 'vgw-wrong-eni');
    const v = expectViolated(verdictOn(s, reverseResumes));
    expectMissedDeadline(s, v, computeBounds(s.config, s.workload).l1.ms);
  });

  it('by an LVS whose relay timer never fires (relay-timer-never-fires)', () => {
    expectViolated(verdictOn(builtin('fp-crash-reverse-only', 'relay-timer-never-fires'), reverseResumes));
  });
});

describe('L1 preconditions: a broken one voids the obligation instead of violating it', () => {
  it.each(['prior-art', 'vgw-wrong-eni'])('%s: the VGW crashes while the obligation is open', (design) => {
    const s = scenario({ design, faults: [crashFp2, { at: crashAt + 500, kind: 'crash', node: 'vgw' }] });
    const v = verdictOn(s, reverseResumes);
    expectHolds(v);
    expect(v.voided).toBeGreaterThan(0);
    expect(v.triggers).toBe(0);
  });

  it('prior-art: the VGW is down when the fast path crashes: no obligation at all', () => {
    const s = scenario({ design: 'prior-art', faults: [{ at: crashAt - 1, kind: 'crash', node: 'vgw' }, crashFp2] });
    const v = verdictOn(s, reverseResumes);
    expectHolds(v);
    expect(v.triggers).toBe(0);
  });

  it('prior-art: the LVS restarts and loses its session state (E7)', () => {
    const s = scenario({ design: 'prior-art', faults: [crashFp2, { at: crashAt + 1000, kind: 'restart', node: 'lvs' }] });
    const v = verdictOn(s, reverseResumes);
    expectHolds(v);
    expect(v.voided).toBeGreaterThan(0);
  });

  it('a lossy link on the VGW detour', () => {
    const s = scenario({ design: 'prior-art', faults: [crashFp2, { at: crashAt + 100, kind: 'loss', link: 'vgw->eni', probability: 0.5 }] });
    const v = verdictOn(s, reverseResumes);
    expectHolds(v);
    expect(v.voided).toBeGreaterThan(0);
  });

  it('tenant ids the slow path rejects: not applicable (no service to resume)', () => {
    const v = verdictOn(scenario({ design: 'prior-art', workload: { cvni: 999 }, faults: [crashFp2] }), reverseResumes);
    expectHolds(v);
    // Not applicable: no obligation is evaluated, and the run says so once (voided).
    expect(v.triggers).toBe(0);
    expect(v.voided).toBe(1);
  });
});
