/**
 * From what the runs saw to a verdict per property and design, and whether that verdict
 * is the one the manifest (properties/manifest.json) expects.
 */
import { MUTANTS } from '../../models/mutants.js';
import manifestJson from '../../properties/manifest.json' with { type: 'json' };
import type { PropertyOutcome } from './check.js';

export type VerdictName = 'holds' | 'violated' | 'vacuous' | 'witnessed' | 'not witnessed';

export interface Manifest {
  /** Per design and property: the expected verdict, or "any" when it is not compared. */
  designs: Record<string, Record<string, VerdictName | 'any'>>;
}

export const MANIFEST: Manifest = manifestJson as Manifest;

export function verdictOf(o: PropertyOutcome): VerdictName {
  if (o.counterexample) return 'violated';
  if (o.property.kind === 'sometimes') return o.witnessedRuns > 0 ? 'witnessed' : 'not witnessed';
  if (o.property.kind === 'eventually' && o.triggeredRuns === 0) return 'vacuous';
  return 'holds';
}

/** The manifest's expectation for a property in a design; null when it has none. */
export function expectedVerdict(manifest: Manifest, design: string, property: string): VerdictName | null {
  const listed = manifest.designs[design]?.[property];
  if (listed === 'any') return null;
  if (listed) return listed;
  const mutant = MUTANTS[design];
  // A seeded bug must be caught by one of its properties; the others are not compared.
  if (mutant?.caughtBy.includes(property)) return 'violated';
  return null;
}

export interface Judged {
  outcome: PropertyOutcome;
  verdict: VerdictName;
  expected: VerdictName | null;
  /** The verdict differs from the manifest's (for a seeded bug: none of its properties caught it). */
  unexpected: boolean;
}

export function judge(manifest: Manifest, outcomes: readonly PropertyOutcome[]): Judged[] {
  const judged = outcomes.map((outcome) => {
    const verdict = verdictOf(outcome);
    const expected = expectedVerdict(manifest, outcome.design, outcome.property.id);
    return { outcome, verdict, expected, unexpected: expected !== null && expected !== verdict };
  });
  // Seeded bugs: caught by any one of their properties is as expected.
  for (const design of new Set(outcomes.map((o) => o.design))) {
    const mutant = MUTANTS[design];
    if (!mutant) continue;
    const mine = judged.filter((j) => j.outcome.design === design && mutant.caughtBy.includes(j.outcome.property.id));
    const caught = mine.some((j) => j.verdict === 'violated');
    for (const j of mine) j.unexpected = !caught;
  }
  return judged;
}
