/**
 * S8 failover only after a failed probe: holds on the built-in scenarios and with
 * resilient ECMP; hash-threshold ECMP with routine probing [¶65] violates it when a
 * crashed fast path comes back: re-adding the member rehashes flows between members that
 * never failed (E4, E11).
 */
import { describe, expect, it } from 'vitest';
import { failoverAfterProbe } from '../../properties/failoverAfterProbe.js';
import { failoverWitness } from '../../properties/failoverWitness.js';
import { BUILTIN_NAMES, builtinViolations } from '../../src/config/builtins.js';
import { ecmpPick } from '../../models/eni.js';
import { fastPathIds } from '../../src/engine/system.js';
import { builtin, expectHolds, expectViolated, scenario, verdictOn } from './helpers.js';

const fps = fastPathIds(3);
const carrier = ecmpPick('f1', fps)!;

/** 3 fast paths, 4 flows; the one carrying f1 crashes at 5 s and comes back at 8 s. */
function crashAndReturn(ecmp: 'hash-threshold' | 'resilient', routineProbeMs: number) {
  return scenario({
    config: { fastPaths: 3, ecmp, routineProbeMs },
    workload: { flows: 4 },
    until: 12_000,
    faults: [
      { at: 5000, kind: 'crash', node: carrier },
      { at: 8000, kind: 'restart', node: carrier },
    ],
  });
}

describe('S8 failover only after a failed probe', () => {
  const holding = BUILTIN_NAMES.filter((n) => !builtinViolations(n).includes('S8'));
  it.each(holding.flatMap((n) => [[n, 'patent'], [n, 'prior-art']]))('holds on %s (%s)', (name, design) => {
    expectHolds(verdictOn(builtin(name, design), failoverAfterProbe));
  });

  it('holds when the ENI fails a flow over after its probes fail (the flow does move)', () => {
    const s = builtin('fp-crash-reverse-only');
    expect(verdictOn(s, failoverWitness).witnessed).toBe(true);
    expectHolds(verdictOn(s, failoverAfterProbe));
  });

  it('is violated by hash-threshold ECMP with routine probing when a crashed member returns', () => {
    const v = expectViolated(verdictOn(crashAndReturn('hash-threshold', 500), failoverAfterProbe));
    expect(v.message).toMatch(/^the ENI moved f\d from 10\.1\.0\.\d to 10\.1\.0\.\d without a failed probe or a removed member$/);
    // Not at the crash (a removal may move flows) but when routine probing re-adds the member.
    expect(v.t).toBeGreaterThanOrEqual(8000);
  });

  it('holds for the same story with resilient ECMP: re-adding a member moves no flow', () => {
    expectHolds(verdictOn(crashAndReturn('resilient', 500), failoverAfterProbe));
  });

  it('holds for the same story without routine probing: the returned member is not re-added', () => {
    expectHolds(verdictOn(crashAndReturn('hash-threshold', 0), failoverAfterProbe));
  });
});
