/**
 * L1/L2's monitor chart steps in frames relative to each event's time (chartMonitor.ts: a chart
 * declares its time fields): its verdicts, violation messages (in absolute times) and
 * recovery samples are the very ones it gives stepping in absolute time, on every
 * built-in scenario, on generated runs with faults, and in every interleaving of a small
 * profile (where forward packets on their way at a fault move L2's deadline), for both
 * designs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastPathRestored, fastPathRestoredObligation } from '../../properties/fastPathRestored.js';
import { recoveryObligation } from '../../properties/recoveryMonitor.js';
import { reverseResumes, reverseResumesObligation } from '../../properties/reverseResumes.js';
import { runSpecArbitrary, toScenario } from '../../src/checker/arbitraries.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { eventually, type AnyProperty } from '../../src/checker/property.js';
import { BUILTIN_NAMES, builtinScenario } from '../../src/config/builtins.js';
import type { Scenario } from '../../src/config/types.js';
import { explore } from '../../src/explorer/explore.js';
import { profileSpace } from '../../src/explorer/profiles.js';

/** The same property, its chart stepped in absolute time. */
const absolute = (p: AnyProperty, obligation: Parameters<typeof recoveryObligation>[0]): AnyProperty =>
  eventually(p.id, p.title, p.source, p.description, recoveryObligation(obligation, { frames: false }));

const twins: [AnyProperty, AnyProperty][] = [
  [reverseResumes, absolute(reverseResumes, reverseResumesObligation)],
  [fastPathRestored, absolute(fastPathRestored, fastPathRestoredObligation)],
];

function verdictsAlike(scenario: Scenario): void {
  for (const [framed, plain] of twins) {
    const a = evaluate(scenario, [framed]);
    const b = evaluate(scenario, [plain]);
    expect(a.verdicts.get(framed.id), `${scenario.name} ${framed.id}`).toEqual(b.verdicts.get(plain.id));
    expect(a.movesToViolation.get(framed.id)).toBe(b.movesToViolation.get(plain.id));
  }
}

describe('recovery monitor in frames relative to each event', () => {
  it.each(BUILTIN_NAMES.flatMap((name) => [[name, 'patent'], [name, 'prior-art']] as const))(
    'gives the same verdicts, messages and samples on %s (%s)',
    (name, design) => verdictsAlike(builtinScenario(name, design)!),
  );

  it('gives the same verdicts on generated runs with faults', () => {
    const specs = fc.sample(runSpecArbitrary({ maxFaults: 2 }), { seed: 11, numRuns: 40 });
    let violated = 0;
    for (const spec of specs) {
      for (const design of ['patent', 'prior-art'] as const) {
        const scenario = toScenario(spec, design);
        verdictsAlike(scenario);
        if (evaluate(scenario, [reverseResumes]).verdicts.get('L1')?.violation) violated++;
      }
    }
    // The comparison covered violations too, not only runs where nothing happened.
    expect(violated).toBeGreaterThan(0);
  });

  it('reaches the same states and violations in every interleaving the explorer tries', () => {
    for (const design of ['patent', 'prior-art']) {
      for (const [framed, plain] of twins) {
        const run = (p: AnyProperty) => explore({ ...profileSpace('small-races', design), properties: [p], maxDepth: 100_000 });
        const a = run(framed);
        const b = run(plain);
        expect({ states: a.states, transitions: a.transitions }).toEqual({ states: b.states, transitions: b.transitions });
        const found = (r: typeof a) => r.violations.map((v) => [v.property, v.depth, v.violation.message]);
        expect(found(a), `${design} ${framed.id}`).toEqual(found(b));
      }
    }
  });
});
