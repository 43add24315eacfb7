/**
 * The property checker: random runs of one design, every property watching every run;
 * on a violation, fast-check shrinks the run for that one property to a minimal
 * counterexample, and the search goes on for the others.
 *
 * Deterministic: one seed fans out to a fast-check seed per design and run (run r's seed
 * and generation depend on the seed, the design and r alone, so that a campaign splits
 * into shards, src/checker/shard.ts, whose results merge into the unsharded one); a
 * shrink is bounded by a count of evaluations, never by wall-clock time.
 */
import fc from 'fast-check';
import type { Scenario } from '../config/types.js';
import { evaluate } from './evaluate.js';
import { runSpecArbitrary, toScenario, type RunSpec, type SpaceOptions } from './arbitraries.js';
import type { AnyProperty, Sample, Violation } from './property.js';
import type { FindingSearch, FoundFinding } from './findings.js';
import type { CoverageCounter, CoverageCounts } from './coverage.js';
import type { RunVerdicts } from './evaluate.js';
import { generatedAsRun } from './runBias.js';
import { WHOLE, shardIndexes, shardSize, type Shard } from './shard.js';

export interface CheckOptions extends SpaceOptions {
  properties: readonly AnyProperty[];
  runs: number;
  seed: number;
  /** At most this many evaluations while shrinking one counterexample. */
  shrinkBudget?: number;
  /** After each run: runs done, runs to do (this shard's), properties violated so far. */
  onProgress?: (done: number, total: number, violated: number) => void;
  /** Only this shard's runs (run r, 0-based, is shard (r mod n) + 1's); default: every run. */
  shard?: Shard;
  /** Wall-clock source for the report's timings only (never for any decision). */
  clock?: () => number;
  /**
   * Classify violations against the findings table (src/checker/findings.ts) and keep
   * searching after a property's first one, for each finding not yet found (extended model).
   */
  findings?: FindingSearch;
  /** Count the runs per fault kind and configuration dimension (coverage.ts). */
  coverage?: CoverageCounter;
}

export interface Counterexample {
  property: string;
  spec: RunSpec;
  scenario: Scenario;
  violation: Violation;
  /**
   * fast-check's seed and path of the unshrunk failure: the run's own one-run check,
   * `fc.assert(fc.property(generatedAsRun(arbitrary, foundAtRun - 1), ...), { seed, path })`.
   */
  fcSeed: number;
  fcPath: string;
  /** Which random run (1-based, of the whole campaign) first failed, and how many shrink steps were taken. */
  foundAtRun: number;
  shrinks: number;
  /** Wall-clock ms from the start of the design's check to the failing run (figures only). */
  foundAfterMs: number;
}

export interface PropertyOutcome {
  property: AnyProperty;
  design: string;
  runs: number;
  /** Runs in which the property's trigger was exercised (bounded response), or its witness seen. */
  triggeredRuns: number;
  disruptiveRuns: number;
  voidedRuns: number;
  witnessedRuns: number;
  /** An `always` property: runs in which its situation occurred, and the steps, over all runs (`report.exercise()`). */
  exercisedRuns: number;
  exercisedSteps: number;
  samples: Sample[];
  counterexample: Counterexample | null;
  /** Wall-clock ms spent shrinking its counterexample. */
  shrinkMs: number;
}

export interface DesignOutcome {
  design: string;
  /** Runs done (a shard's: its share of the runs asked for). */
  runs: number;
  /** Wall-clock ms for the whole design, shrinking included. */
  ms: number;
  properties: PropertyOutcome[];
  /** With CheckOptions.findings: what was found (findings.ts). */
  findings?: FoundFinding[];
  /** With CheckOptions.coverage: runs per fault kind and configuration dimension. */
  coverage?: CoverageCounts;
}

/** A 32-bit seed for fast-check, derived from the user's seed, the design and the run (0-based). */
export function deriveSeed(seed: number, design: string, run: number): number {
  let h = (Math.floor(seed) ^ 0x2545f491) >>> 0;
  const mix = (x: number) => {
    h = Math.imul(h ^ x, 0x9e3779b1) >>> 0;
    h ^= h >>> 15;
  };
  mix(Math.floor(seed / 2 ** 32));
  for (let i = 0; i < design.length; i++) mix(design.charCodeAt(i));
  mix(run);
  return h | 0;
}

function emptyOutcome(design: string, property: AnyProperty): PropertyOutcome {
  return {
    property,
    design,
    runs: 0,
    triggeredRuns: 0,
    disruptiveRuns: 0,
    voidedRuns: 0,
    witnessedRuns: 0,
    exercisedRuns: 0,
    exercisedSteps: 0,
    samples: [],
    counterexample: null,
    shrinkMs: 0,
  };
}

/**
 * What one run adds to each property's outcome: counts, coverage, recovery samples.
 * Every figure is a sum over runs (samples a concatenation in run order), so that shards'
 * outcomes merge by adding them up (src/checker/merge.ts, mergeOutcome: add a figure there too).
 */
export function accumulateRun(outcomes: ReadonlyMap<string, PropertyOutcome>, run: RunVerdicts): void {
  for (const [id, v] of run.verdicts) {
    const o = outcomes.get(id)!;
    o.runs++;
    const steps = run.exercised.get(id) ?? 0;
    if (steps > 0) o.exercisedRuns++;
    o.exercisedSteps += steps;
    if (v.triggers > 0) o.triggeredRuns++;
    if (v.disruptive > 0) o.disruptiveRuns++;
    if (v.voided > 0) o.voidedRuns++;
    if (v.witnessed) o.witnessedRuns++;
    if (v.samples.length > 0) o.samples.push(...v.samples);
  }
}

/**
 * Every run asked for (or the shard's share) is run, even when every property is already
 * violated: the counts must not depend on how the runs were split.
 */
export function checkDesign(design: string, options: CheckOptions): DesignOutcome {
  const clock = options.clock ?? (() => 0);
  const started = clock();
  const arbitrary = runSpecArbitrary(options);
  const outcomes = new Map<string, PropertyOutcome>(options.properties.map((p) => [p.id, emptyOutcome(design, p)]));
  const open = new Set(options.properties.map((p) => p.id));
  const shard = options.shard ?? WHOLE;
  const total = shardSize(options.runs, shard);
  let done = 0;

  for (const r of shardIndexes(options.runs, shard)) {
    // Run r: its own seed and generation bias, so that it is the same run in any shard.
    const fcSeed = deriveSeed(options.seed, design, r);
    const runArbitrary = generatedAsRun(arbitrary, r);
    let failing: string[] = [];
    const result = fc.check(
      fc.property(runArbitrary, (spec) => {
        const run = evaluate(toScenario(spec, design), options.properties);
        accumulateRun(outcomes, run);
        options.coverage?.add(spec);
        failing = options.findings
          ? options.findings.wanted(spec, run, r, clock() - started, (s, name) => toScenario(s, design, name))
          : [...open].filter((id) => run.verdicts.get(id)?.violation);
        return failing.length === 0;
      }),
      { seed: fcSeed, numRuns: 1, endOnFailure: true },
    );
    done++;
    options.onProgress?.(done, total, options.properties.length - open.size + failing.length);
    if (!result.failed || result.counterexamplePath === null) continue;
    const foundAfterMs = clock() - started;
    for (const id of failing) {
      const t0 = clock();
      const property = options.properties.find((p) => p.id === id)!;
      const o = outcomes.get(id)!;
      const search = options.findings;
      const keep = search ? (spec: RunSpec) => search.keeps(spec, id) : undefined;
      const cx: Counterexample = {
        ...shrink(design, property, runArbitrary, fcSeed, result.counterexamplePath, r + 1, options.shrinkBudget ?? 400, keep),
        foundAfterMs,
      };
      if (search) search.record(cx, (spec) => evaluate(toScenario(spec, design), [property]).verdicts.get(id)?.violation ?? null);
      o.counterexample ??= cx;
      o.shrinkMs += clock() - t0;
      open.delete(id);
    }
  }
  return {
    design,
    runs: done,
    ms: clock() - started,
    properties: [...outcomes.values()],
    ...(options.findings ? { findings: options.findings.found } : {}),
    ...(options.coverage ? { coverage: options.coverage.counts } : {}),
  };
}

/**
 * fast-check shrinks a fault towards the earliest time that still fails; a fault a few
 * milliseconds later can need fewer moves (it lands after, not before, the events of an
 * instant). Try those neighbours and keep the run with the fewest moves to the violation.
 */
function tighten(spec: RunSpec, design: string, property: AnyProperty): RunSpec {
  const moves = (s: RunSpec): number | undefined =>
    evaluate(toScenario(s, design), [property]).movesToViolation.get(property.id);
  let best = spec;
  let bestMoves = moves(spec) ?? Infinity;
  for (let i = 0; i < spec.faults.length; i++) {
    for (let delta = 1; delta <= 8; delta++) {
      const faults = best.faults.map((f, j) => (j === i ? { ...f, at: f.at + delta } : f));
      const candidate: RunSpec = { ...best, faults };
      const m = moves(candidate);
      if (m !== undefined && m < bestMoves) {
        best = candidate;
        bestMoves = m;
      }
    }
  }
  return best;
}

/** Replay fast-check's failing run and shrink it with respect to one property only. */
function shrink(
  design: string,
  property: AnyProperty,
  arbitrary: fc.Arbitrary<RunSpec>,
  fcSeed: number,
  fcPath: string,
  foundAtRun: number,
  budget: number,
  /** Besides violating the property, what a shrunk candidate must keep (findings.ts). */
  keep?: (spec: RunSpec) => boolean,
): Omit<Counterexample, 'foundAfterMs'> {
  let evaluations = 0;
  const violates = (spec: RunSpec): boolean =>
    evaluate(toScenario(spec, design), [property]).verdicts.get(property.id)?.violation != null;
  const result = fc.check(
    fc.property(arbitrary, (spec) => {
      // Past the budget, every candidate "passes": the shrinker keeps the best so far.
      if (evaluations++ >= budget) return true;
      return !(violates(spec) && (keep?.(spec) ?? true));
    }),
    { seed: fcSeed, path: fcPath, endOnFailure: false },
  );
  const shrunk = result.counterexample?.[0] ?? null;
  if (!shrunk) throw new Error(`could not replay the counterexample for ${property.id} (seed ${fcSeed}, path ${fcPath})`);
  const spec = tighten(shrunk, design, property);
  const scenario = toScenario(spec, design, `${design}-${property.id}`);
  const verdict = evaluate(scenario, [property]).verdicts.get(property.id)!;
  return {
    property: property.id,
    spec,
    scenario,
    violation: verdict.violation!,
    fcSeed,
    fcPath,
    foundAtRun,
    shrinks: result.numShrinks,
  };
}
