/**
 * From what the runs saw to a verdict per property and design, and whether that verdict
 * is the one the manifest (properties/manifest.json) expects.
 *
 * The manifest is data the caller reads at run time and passes in (`readManifest`), never
 * compiled in: editing it takes effect without a rebuild. A property the manifest does
 * not name for a design is unexpected ("not in the manifest"), whatever its verdict; only
 * a seeded bug (models/mutants.ts) compares just the properties it names (`caughtBy`).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { MUTANTS } from '../../models/mutants.js';
import { InputError, describe, object } from '../config/validate.js';
import { FAULT_MODELS, type FaultModel } from '../config/faults.js';
import type { PropertyOutcome } from './check.js';
import type { Verdict } from './property.js';

export type VerdictName = 'holds' | 'violated' | 'vacuous' | 'witnessed' | 'not witnessed';

export const VERDICT_NAMES: readonly VerdictName[] = ['holds', 'violated', 'vacuous', 'witnessed', 'not witnessed'];

export interface Manifest {
  /** Per design and property: the expected verdict, or "any" when it is not compared (the patent fault model's). */
  designs: Record<string, Record<string, VerdictName | 'any'>>;
  /**
   * The same per fault model other than `patent` (`check --fault-model extended`):
   * fault model -> design -> property -> expected verdict. Absent: every property of that
   * model is "not in the manifest".
   */
  faultModels?: Record<string, Record<string, Record<string, VerdictName | 'any'>>>;
}

/** Where the manifest is, relative to pvlcheck's package root; the environment variable overrides it (tests). */
export const MANIFEST_FILE = join('properties', 'manifest.json');
export const MANIFEST_ENV = 'PVLCHECK_MANIFEST';

/** The manifest's path: $PVLCHECK_MANIFEST (relative to the working directory) if set, else properties/manifest.json under `packageRoot`. */
export function manifestPath(packageRoot: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const override = env[MANIFEST_ENV];
  if (override) return isAbsolute(override) ? override : resolve(override);
  return join(packageRoot, MANIFEST_FILE);
}

/** Any key is allowed where the keys are names (designs, properties); `object` still checks the type. */
function keysOf(v: unknown): string[] {
  return typeof v === 'object' && v !== null ? Object.keys(v) : [];
}

/** A manifest's JSON checked field by field; an InputError (exit 2) names the file and the field. */
export function parseManifest(json: unknown, file: string): Manifest {
  const top = object(json, file, ['$comment', 'designs', 'faultModels']);
  const at = (path: string) => `${file}: ${path}`;
  if (top.$comment !== undefined && typeof top.$comment !== 'string') throw new InputError(at('$comment'), `must be a string, got ${describe(top.$comment)}`);
  if (top.designs === undefined) throw new InputError(at('designs'), 'missing (an object: design -> property -> expected verdict)');
  const designsOf = (v: unknown, path: string): Manifest['designs'] => {
    const designs = object(v, at(path), keysOf(v));
    const out: Manifest['designs'] = Object.create(null) as Manifest['designs'];
    for (const [design, entries] of Object.entries(designs)) {
      const list = object(entries, at(`${path}.${design}`), keysOf(entries));
      const checked: Record<string, VerdictName | 'any'> = Object.create(null) as Record<string, VerdictName | 'any'>;
      for (const [property, verdict] of Object.entries(list)) {
        if (typeof verdict !== 'string' || !(verdict === 'any' || (VERDICT_NAMES as readonly string[]).includes(verdict))) {
          throw new InputError(
            at(`${path}.${design}.${property}`),
            `must be one of ${[...VERDICT_NAMES, 'any'].map((x) => JSON.stringify(x)).join(', ')}, got ${describe(verdict)}`,
          );
        }
        checked[property] = verdict as VerdictName | 'any';
      }
      out[design] = checked;
    }
    return out;
  };
  const manifest: Manifest = { designs: designsOf(top.designs, 'designs') };
  if (top.faultModels !== undefined) {
    // `patent` is `designs` itself: the block names the other models.
    const models = object(top.faultModels, at('faultModels'), ['$comment', ...FAULT_MODELS.filter((m) => m !== 'patent')]);
    if (models.$comment !== undefined && typeof models.$comment !== 'string') throw new InputError(at('faultModels.$comment'), `must be a string, got ${describe(models.$comment)}`);
    manifest.faultModels = Object.create(null) as NonNullable<Manifest['faultModels']>;
    for (const [model, designs] of Object.entries(models)) if (model !== '$comment') manifest.faultModels[model] = designsOf(designs, `faultModels.${model}`);
  }
  return manifest;
}

/** The expectations of one fault model: `designs` for the patent's, else its block of `faultModels`. */
export function forFaultModel(manifest: Manifest, model: FaultModel | undefined): Manifest {
  if (model === undefined || model === 'patent') return manifest;
  const designs = manifest.faultModels && Object.prototype.hasOwnProperty.call(manifest.faultModels, model) ? manifest.faultModels[model]! : {};
  return { designs };
}

/** Reads and checks a manifest file (exit 2 naming the file, and the field, when it is unreadable or malformed). */
export function readManifest(file: string): Manifest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, `cannot read the manifest: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError(file, `the manifest is not valid JSON: ${(e as Error).message}`);
  }
  return parseManifest(json, file);
}

export function verdictOf(o: PropertyOutcome): VerdictName {
  if (o.counterexample) return 'violated';
  if (o.property.kind === 'sometimes') return o.witnessedRuns > 0 ? 'witnessed' : 'not witnessed';
  if (o.property.kind === 'eventually' && o.triggeredRuns === 0) return 'vacuous';
  // An invariant whose situation never occurred checked nothing.
  if (o.property.kind === 'always' && o.exercisedRuns === 0) return 'vacuous';
  return 'holds';
}

/** What the manifest says of a property in a design. */
export type Expectation =
  | { kind: 'expected'; verdict: VerdictName }
  /** "any", or a seeded bug's property it does not name: not compared. */
  | { kind: 'not compared' }
  /** Neither the manifest nor a seeded bug names it: unexpected whatever the verdict. */
  | { kind: 'not in the manifest' };

export function expectationOf(manifest: Manifest, design: string, property: string): Expectation {
  const designs = manifest.designs;
  const listed = Object.prototype.hasOwnProperty.call(designs, design) && Object.prototype.hasOwnProperty.call(designs[design], property)
    ? designs[design]![property]
    : undefined;
  if (listed === 'any') return { kind: 'not compared' };
  if (listed) return { kind: 'expected', verdict: listed };
  const mutant = Object.prototype.hasOwnProperty.call(MUTANTS, design) ? MUTANTS[design] : undefined;
  // A seeded bug must be caught by one of its properties; the others are not compared.
  if (mutant) return mutant.caughtBy.includes(property) ? { kind: 'expected', verdict: 'violated' } : { kind: 'not compared' };
  return { kind: 'not in the manifest' };
}

/** The manifest's expectation for a property in a design; null when it is not compared or not listed (see expectationOf). */
export function expectedVerdict(manifest: Manifest, design: string, property: string): VerdictName | null {
  const e = expectationOf(manifest, design, property);
  return e.kind === 'expected' ? e.verdict : null;
}

export interface Judged {
  outcome: PropertyOutcome;
  verdict: VerdictName;
  expected: VerdictName | null;
  /** The manifest names no expectation for this property in this design (and it is no seeded bug's): unexpected. */
  notInManifest: boolean;
  /** The verdict differs from the manifest's, or the manifest does not name it (for a seeded bug: none of its properties caught it). */
  unexpected: boolean;
}

/** One verdict against the manifest: for the checker here, and for the explorer with its own verdicts. */
export function compareVerdict(manifest: Manifest, design: string, property: string, verdict: VerdictName): Omit<Judged, 'outcome' | 'verdict'> {
  const e = expectationOf(manifest, design, property);
  if (e.kind === 'not in the manifest') return { expected: null, notInManifest: true, unexpected: true };
  if (e.kind === 'not compared') return { expected: null, notInManifest: false, unexpected: false };
  return { expected: e.verdict, notInManifest: false, unexpected: e.verdict !== verdict };
}

export function judge(manifest: Manifest, outcomes: readonly PropertyOutcome[]): Judged[] {
  const judged: Judged[] = outcomes.map((outcome) => {
    const verdict = verdictOf(outcome);
    return { outcome, verdict, ...compareVerdict(manifest, outcome.design, outcome.property.id, verdict) };
  });
  // Seeded bugs: caught by any one of their properties is as expected.
  for (const design of new Set(outcomes.map((o) => o.design))) {
    if (Object.prototype.hasOwnProperty.call(manifest.designs, design)) continue;
    const mutant = Object.prototype.hasOwnProperty.call(MUTANTS, design) ? MUTANTS[design] : undefined;
    if (!mutant) continue;
    const mine = judged.filter((j) => j.outcome.design === design && mutant.caughtBy.includes(j.outcome.property.id));
    const caught = mine.some((j) => j.verdict === 'violated');
    for (const j of mine) j.unexpected = !caught;
  }
  return judged;
}

/** How a judged verdict reads in every report: "UNEXPECTED ..." when it is not as the manifest expects. */
export function verdictWords(j: Judged): string {
  if (j.notInManifest) return `UNEXPECTED ${j.verdict} (not in the manifest)`;
  if (j.unexpected) return `UNEXPECTED ${j.verdict} (expected ${j.expected})`;
  if (j.verdict === 'violated' && j.expected === 'violated') return 'violated as expected';
  if (j.verdict === 'not witnessed' && j.expected === 'not witnessed') return 'not witnessed, as expected';
  if (j.verdict === 'vacuous' && j.expected === 'vacuous') return 'vacuous, as expected';
  return j.verdict;
}

/** One run's verdict on a property, in words. */
export function runVerdict(kind: string, v: Verdict): string {
  if (v.violation) return 'violated';
  if (kind === 'sometimes') return v.witnessed ? 'witnessed' : 'not witnessed';
  if (v.triggers === 0 && v.voided > 0) return 'voided: a precondition does not hold';
  const voided = v.voided > 0 ? ` (${v.voided} obligation${v.voided > 1 ? 's' : ''} voided by a precondition)` : '';
  if (kind === 'eventually') return v.triggers > 0 ? `holds${voided}` : 'not triggered';
  return `holds${voided}`;
}
