/**
 * Outputs that cannot contradict each other (issue 9, point 4):
 * - the recovery summary (src/sim/recovery.ts) and the L1/L2 verdicts compute the deadline
 *   once (bounds.ts, recoveryDeadline) and agree on every built-in scenario, and on a
 *   silent client, whose summary used to say "L1 deadline MISSED" beside "L1 holds";
 * - a recovery sample's latency and budget are both measured from the fault, so that
 *   "at most N% of the budget" is ≤ 100% exactly when every deadline was met;
 * - "disruptive" is one definition (bounds.ts, isDisruptive): a violated obligation is
 *   disruptive, and no disruptive recovery comes sooner than an undisturbed path takes.
 */
import { describe, expect, it } from 'vitest';
import { reverseResumes } from '../../properties/reverseResumes.js';
import { fastPathRestored } from '../../properties/fastPathRestored.js';
import { checkDesign } from '../../src/checker/check.js';
import { evaluate } from '../../src/checker/evaluate.js';
import type { Verdict } from '../../src/checker/property.js';
import { BUILTIN_NAMES, builtinScenario } from '../../src/config/builtins.js';
import { parseScenario } from '../../src/config/scenario.js';
import type { Scenario } from '../../src/config/types.js';
import { computeBounds, isDisruptive, recoveryDeadline } from '../../src/sim/bounds.js';
import { analyseRecovery, type FlowRecovery } from '../../src/sim/recovery.js';
import { distribution, sharePercent } from '../../src/report/checkReport.js';

function both(s: Scenario) {
  const run = evaluate(s, [reverseResumes, fastPathRestored], { keepTrace: true });
  return { l1: run.verdicts.get('L1')!, l2: run.verdicts.get('L2')!, recovery: analyseRecovery(s, run.events ?? []) };
}

/** The flow a violation names ("no response for flow f2 by ..."). */
function flowOf(v: Verdict): string {
  return v.violation!.flow ?? /flow (\w+)/.exec(v.violation!.message)![1]!;
}

function agree(name: string, l1: Verdict, l2: Verdict, flows: FlowRecovery[]): void {
  for (const [id, v, within, deadline] of [
    ['L1', l1, (f: FlowRecovery) => f.withinL1, (f: FlowRecovery) => f.l1Deadline],
    ['L2', l2, (f: FlowRecovery) => f.withinL2, (f: FlowRecovery) => f.l2Deadline],
  ] as const) {
    if (v.violation) {
      // The property says violated: the summary says MISSED for that flow, at the same deadline.
      const f = flows.find((x) => x.flow === flowOf(v));
      expect(f, `${name}: ${id} violated for a flow the summary does not show`).toBeDefined();
      expect(within(f!), `${name}: ${id}`).toBe(false);
      expect(deadline(f!), `${name}: ${id}`).toBe(v.violation.t);
    } else if (v.triggers > 0 && v.voided === 0) {
      // The property held an obligation and met it, no precondition broken: the summary misses
      // no deadline. (Where a precondition excludes the fault, e.g. reverse-link-down's cut
      // link for L2, the property has no obligation and the summary, which knows no
      // preconditions, may still say MISSED.)
      for (const f of flows) expect(within(f), `${name}: ${id} holds but the summary says ${f.flow} MISSED its deadline ${deadline(f)}`).not.toBe(false);
    }
  }
}

describe('the recovery summary and the L1/L2 verdicts agree', () => {
  const cases = BUILTIN_NAMES.flatMap((name) => ['patent', 'prior-art'].map((design) => [name, design] as const));

  it.each(cases)('on %s (%s)', (name, design) => {
    const s = builtinScenario(name, design)!;
    const { l1, l2, recovery } = both(s);
    agree(`${name}/${design}`, l1, l2, recovery.flows);
    // The flow shown first is one that missed, when one did.
    if (recovery.flows.some((f) => f.withinL1 === false || f.withinL2 === false)) {
      expect(recovery.withinL1 === false || recovery.withinL2 === false).toBe(true);
    }
  });

  it('on a silent client: t_f long before the fault, the floor sets the deadline, and both say it was met', () => {
    // No acks: the LVS heard forward traffic only at the start and already uses the VGW at the fault.
    const s = parseScenario({ design: 'patent', workload: { ackEvery: 0 }, faults: [{ at: 5000, kind: 'crash', node: 'fp2' }] });
    const { l1, recovery } = both(s);
    const b = computeBounds(s.config, s.workload);
    expect(l1.violation).toBeNull();
    expect(l1.triggers).toBe(1);
    expect(recovery.lastForwardAtLvs! + b.l1.ms).toBeLessThan(recovery.reverseResumedAt!); // what the summary used as its deadline
    expect(recovery.l1Deadline).toBe(5000 + b.l1FloorMs);
    expect(recovery.l1DeadlineRule).toBe(`fault 5000 + floor ${b.l1FloorMs} ms`);
    expect(recovery.withinL1).toBe(true);
    // The VGW was carrying the flow already: the fault held nothing up, so it is not disruptive.
    expect(l1.disruptive).toBe(0);
    expect(recovery.flows[0]!.l1Disruptive).toBe(false);
  });

  it('the deadline: t_f + budget, never before the fault + floor', () => {
    expect(recoveryDeadline(100, 5000, 3000, 200)).toBe(5200);
    expect(recoveryDeadline(4900, 5000, 3000, 200)).toBe(7900);
  });
});

describe('recovery figures: one origin, one definition of disruptive', () => {
  it('patent: every sample within its budget, both from the fault; none sooner than the floor', () => {
    const d = checkDesign('patent', { properties: [reverseResumes, fastPathRestored], runs: 200, seed: 42, maxFaults: 2 });
    for (const o of d.properties) {
      expect(o.counterexample, o.property.id).toBeNull();
      expect(o.samples.length, o.property.id).toBeGreaterThan(10);
      for (const s of o.samples) expect(s.latencyMs, o.property.id).toBeLessThanOrEqual(s.budgetMs);
      // Disruptive: later than an undisturbed path takes (each run has its own floor; the smallest is a lower bound).
      expect(Math.min(...o.samples.map((s) => s.latencyMs)), o.property.id).toBeGreaterThan(0);
      expect(distribution(o.samples)!.maxShareOfBudget).toBeLessThanOrEqual(1);
      expect(o.disruptiveRuns).toBeLessThanOrEqual(o.triggeredRuns);
    }
  });

  it('a sample budget is the deadline minus the fault: on fp-crash-reverse-only, 100% would be the deadline itself', () => {
    const s = builtinScenario('fp-crash-reverse-only', 'patent')!;
    const { l1, recovery } = both(s);
    const [sample] = l1.samples;
    expect(sample).toEqual({ latencyMs: recovery.reverseResumedAt! - 5000, budgetMs: recovery.l1Deadline! - 5000 });
  });

  it('prior art: the violated L1 is counted as triggered and disruptive (no "0 disruptive" beside a violation)', () => {
    const s = builtinScenario('fp-crash-reverse-only', 'prior-art')!;
    const { l1 } = both(s);
    expect(l1.violation).not.toBeNull();
    expect(l1.triggers).toBe(1);
    expect(l1.disruptive).toBe(1);
    const d = checkDesign('prior-art', { properties: [reverseResumes], runs: 200, seed: 42, maxFaults: 2 });
    expect(d.properties[0]!.counterexample).not.toBeNull();
    expect(d.properties[0]!.disruptiveRuns).toBeGreaterThan(0);
  });

  it('the share of the budget never reads 100% for a response before or after the deadline', () => {
    expect(sharePercent(2999 / 3000)).toBe('99.9%');
    expect(sharePercent(1)).toBe('100.0%');
    expect(sharePercent(3001 / 3000)).toBe('100.1%');
    expect(sharePercent(0.5)).toBe('50.0%');
  });

  it('isDisruptive: later than the floor, or never', () => {
    expect(isDisruptive({ faultAt: 5000, floorMs: 200, respondedAt: null })).toBe(true);
    expect(isDisruptive({ faultAt: 5000, floorMs: 200, respondedAt: 5200 })).toBe(false);
    expect(isDisruptive({ faultAt: 5000, floorMs: 200, respondedAt: 5201 })).toBe(true);
  });
});
