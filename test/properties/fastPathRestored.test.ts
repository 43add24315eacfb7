/**
 * L2 fast path restored: holds in the patent design with a sample within its budget;
 * violated by the prior art and by an ENI that never probes or never fails over; voided,
 * not violated, when a precondition breaks (a fast path link cut, the LVS restarting),
 * and not applicable to a client that never reacts (E6/E10).
 */
import { describe, expect, it } from 'vitest';
import { fastPathRestored } from '../../properties/fastPathRestored.js';
import { computeBounds } from '../../src/sim/bounds.js';
import { builtin, expectHolds, expectViolated, scenario, verdictOn } from './helpers.js';

const crashAt = 5000;
const crashFp2 = { at: crashAt, kind: 'crash', node: 'fp2' };

describe('L2 fast path restored holds', () => {
  it.each(['fp-crash-reverse-only', 'fp-restart-new-ip'])('in the patent design on %s, within its budget', (name) => {
    const s = builtin(name);
    const v = verdictOn(s, fastPathRestored);
    expectHolds(v);
    expect(v.triggers).toBe(1);
    expect(v.disruptive).toBe(1);
    expect(v.samples).toHaveLength(1);
    const sample = v.samples[0]!;
    // From the fault to the deadline t_f + L2's budget, t_f before the fault.
    expect(sample.budgetMs).toBeLessThan(computeBounds(s.config, s.workload).l2.ms);
    expect(sample.budgetMs).toBeGreaterThan(computeBounds(s.config, s.workload).l2.ms - s.config.relayTimeoutMs);
    expect(sample.latencyMs).toBeGreaterThan(computeBounds(s.config, s.workload).l2FloorMs);
    expect(sample.latencyMs).toBeLessThanOrEqual(sample.budgetMs);
  });

  it('on a restart at the same address (E3): without a detour, but after fp2 was down 100 ms: disruptive', () => {
    const s = builtin('fp-restart');
    const v = verdictOn(s, fastPathRestored);
    expectHolds(v);
    expect(v.triggers).toBe(1);
    expect(v.disruptive).toBe(1);
    expect(v.samples[0]!.latencyMs).toBeGreaterThan(computeBounds(s.config, s.workload).l2FloorMs);
  });

  it('a crash of the fast path the flow does not use is not disruptive', () => {
    const v = verdictOn(scenario({ faults: [{ at: crashAt, kind: 'crash', node: 'fp1' }] }), fastPathRestored);
    expectHolds(v);
    expect(v.triggers).toBe(1);
    expect(v.disruptive).toBe(0);
  });
});

describe('L2 fast path restored is violated', () => {
  it.each(['prior-art', 'eni-never-probes', 'eni-never-fails-over', 'relay-timer-never-fires', 'vgw-wrong-eni'])(
    'by %s when the learned fast path crashes',
    (design) => {
      const s = builtin('fp-crash-reverse-only', design);
      const v = expectViolated(verdictOn(s, fastPathRestored));
      const budget = computeBounds(s.config, s.workload).l2.ms;
      expect(v.message).toMatch(new RegExp(`^no response for flow f1 by ${v.t} ms \\(t_f \\d+ \\+ budget ${budget} ms; fault at ${crashAt} ms\\)$`));
      expect(v.t).toBeGreaterThan(crashAt);
    },
  );
});

describe('L2 preconditions: a broken one voids the obligation instead of violating it', () => {
  it.each(['eni->fp1', 'lvs->fp1', 'fp1->sp'])('eni-never-probes: the surviving fast path loses its link %s', (link) => {
    const s = scenario({ design: 'eni-never-probes', faults: [crashFp2, { at: crashAt + 1000, kind: 'linkDown', link }] });
    const v = verdictOn(s, fastPathRestored);
    expectHolds(v);
    expect(v.voided).toBeGreaterThan(0);
  });

  it('patent: a reverse-only link failure (E2) that the forward probe cannot see: no obligation', () => {
    const v = verdictOn(builtin('reverse-link-down'), fastPathRestored);
    expectHolds(v);
    expect(v.triggers).toBe(0);
  });

  it('patent: every fast path down (E1): no fast path to restore, no obligation', () => {
    const v = verdictOn(builtin('all-fast-paths-down'), fastPathRestored);
    expectHolds(v);
    expect(v.triggers).toBe(0);
    expect(v.voided).toBeGreaterThan(0);
  });

  it('eni-never-probes: the LVS restarts and loses its session state (E7)', () => {
    const s = scenario({ design: 'eni-never-probes', faults: [crashFp2, { at: crashAt + 1000, kind: 'restart', node: 'lvs' }] });
    const v = verdictOn(s, fastPathRestored);
    expectHolds(v);
    expect(v.voided).toBeGreaterThan(0);
  });

  it('eni-never-probes: the slow path crashes, so no new path can be offloaded (E8)', () => {
    const s = scenario({ design: 'eni-never-probes', faults: [crashFp2, { at: crashAt + 1000, kind: 'crash', node: 'sp' }] });
    const v = verdictOn(s, fastPathRestored);
    expectHolds(v);
    expect(v.voided).toBeGreaterThan(0);
  });

  it('eni-never-probes with a silent client (E6): the client never reacts, so L2 does not apply', () => {
    const s = scenario({ design: 'eni-never-probes', workload: { ackEvery: 0 }, faults: [crashFp2] });
    const v = verdictOn(s, fastPathRestored);
    expectHolds(v);
    // Not applicable: no obligation is evaluated, and the run says so once (voided).
    expect(v.triggers).toBe(0);
    expect(v.voided).toBe(1);
  });
});
