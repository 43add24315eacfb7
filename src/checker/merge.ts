/**
 * Shard results and their merge (`pvlcheck merge`): a check's raw outcomes as JSON (in
 * every `check --format json`), read back, and n shards' outcomes merged into exactly the
 * outcome of the unsharded campaign: counts and coverage added up, recovery samples
 * pooled (kept in a canonical order, so that a pooled list is the same list whatever the
 * split), and per property the counterexample of the lowest run index (each shard shrank
 * its own first one, and a run's shrinking depends on the run alone: shard.ts).
 *
 * A campaign's identity (`Campaign`) must be the same in every shard: merge refuses, with
 * the field named, shards of another version, seed, run count, configuration, ...
 */
import { parseScenario } from '../config/scenario.js';
import type { Scenario } from '../config/types.js';
import { InputError, describe } from '../config/validate.js';
import type { RunSpec } from './arbitraries.js';
import type { Counterexample, DesignOutcome, PropertyOutcome } from './check.js';
import { canonicalCoverage, type CoverageCounts } from './coverage.js';
import type { FoundFinding } from './findings.js';
import type { AnyProperty, Sample } from './property.js';
import { WHOLE, shardSize, type Shard } from './shard.js';

/**
 * Everything that decides a campaign's runs: shards merge only when all of it is equal.
 * Add a campaign-wide option here (and to the command's campaignOf): merge then compares
 * it too, and names it when shards differ.
 */
export interface Campaign {
  /** pvlcheck's version (package.json): another version may generate other runs. */
  version: string;
  seed: number;
  /** Runs per design, of the whole campaign. */
  runs: number;
  maxFaults: number;
  designs: string[];
  properties: string[];
  /** `--config F`'s values (the file's content, not its name): {} when none. */
  config: unknown;
  shrinkBudget: number;
  /** Other campaign-wide options (e.g. the fault model), compared like the rest. */
  [option: string]: unknown;
}

/** A check's raw result, as `check --format json` carries it (fields `campaign`, `shard`, `outcomes`). */
export interface ShardResult {
  campaign: Campaign;
  shard: Shard;
  /** The command that ran this shard. */
  command: string;
  outcomes: DesignOutcome[];
}

// ---- writing -------------------------------------------------------------------------

/** Samples in one order whatever the split: by latency, then budget, then the rest. */
export function canonicalSamples(samples: readonly Sample[]): Sample[] {
  return [...samples].sort((a, b) => a.latencyMs - b.latencyMs || a.budgetMs - b.budgetMs || JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function counterexampleJson(cx: Counterexample): unknown {
  return {
    property: cx.property,
    foundAtRun: cx.foundAtRun,
    shrinks: cx.shrinks,
    fcSeed: cx.fcSeed,
    fcPath: cx.fcPath,
    foundAfterMs: Math.round(cx.foundAfterMs),
    violation: cx.violation,
    scenario: cx.scenario,
  };
}

/** One design's raw outcome as JSON: every figure merge needs, timings rounded to the ms. */
export function outcomeJson(d: DesignOutcome): unknown {
  return {
    design: d.design,
    runs: d.runs,
    ms: Math.round(d.ms),
    properties: d.properties.map((o) => ({
      property: o.property.id,
      runs: o.runs,
      triggeredRuns: o.triggeredRuns,
      disruptiveRuns: o.disruptiveRuns,
      voidedRuns: o.voidedRuns,
      witnessedRuns: o.witnessedRuns,
      exercisedRuns: o.exercisedRuns,
      exercisedSteps: o.exercisedSteps,
      samples: canonicalSamples(o.samples),
      shrinkMs: Math.round(o.shrinkMs),
      counterexample: o.counterexample ? counterexampleJson(o.counterexample) : null,
    })),
    ...(d.coverage ? { coverage: d.coverage } : {}),
    ...(d.findings
      ? {
          findings: d.findings.map((f) => ({
            finding: f.finding,
            property: f.property,
            foundAtRun: f.foundAtRun,
            foundAfterMs: Math.round(f.foundAfterMs),
            counterexample: counterexampleJson(f.counterexample),
          })),
        }
      : {}),
  };
}

// ---- reading -------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function obj(v: unknown, at: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(at, `must be an object, got ${describe(v)}`);
  return v as Obj;
}

function list(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new InputError(at, `must be an array, got ${describe(v)}`);
  return v;
}

function count(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new InputError(at, `must be a whole number ≥ 0, got ${describe(v)}`);
  return v;
}

function int(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new InputError(at, `must be a whole number, got ${describe(v)}`);
  return v;
}

function str(v: unknown, at: string): string {
  if (typeof v !== 'string') throw new InputError(at, `must be a string, got ${describe(v)}`);
  return v;
}

function finite(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(at, `must be a number, got ${describe(v)}`);
  return v;
}

/** The run a scenario pins, as the checker's RunSpec (the scenario carries all of it). */
export function specOf(s: Scenario): RunSpec {
  return { config: s.config, workload: s.workload, faults: s.faults, choices: s.choices === 'minimal' ? 'minimal' : { seed: s.seed } };
}

function sampleOf(v: unknown, at: string): Sample {
  const o = obj(v, at);
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(o)) out[k] = finite(x, `${at}.${k}`);
  finite(o.latencyMs, `${at}.latencyMs`);
  finite(o.budgetMs, `${at}.budgetMs`);
  return out as unknown as Sample;
}

function counterexampleOf(v: unknown, at: string, property: string): Counterexample {
  const o = obj(v, at);
  const scenario = parseScenario(o.scenario, `${at}.scenario`);
  const violation = obj(o.violation, `${at}.violation`);
  const t = finite(violation.t, `${at}.violation.t`);
  const message = str(violation.message, `${at}.violation.message`);
  const flow = violation.flow === undefined ? undefined : str(violation.flow, `${at}.violation.flow`);
  if (o.property !== property) throw new InputError(`${at}.property`, `must be ${JSON.stringify(property)}, got ${describe(o.property)}`);
  return {
    property,
    spec: specOf(scenario),
    scenario,
    violation: flow === undefined ? { t, message } : { t, message, flow },
    fcSeed: int(o.fcSeed, `${at}.fcSeed`),
    fcPath: str(o.fcPath, `${at}.fcPath`),
    foundAtRun: count(o.foundAtRun, `${at}.foundAtRun`),
    shrinks: count(o.shrinks, `${at}.shrinks`),
    foundAfterMs: finite(o.foundAfterMs, `${at}.foundAfterMs`),
  };
}

/** The properties a shard result may name (the command passes them: the checker imports no property). */
type Known = readonly AnyProperty[];

function propertyNamed(id: string, at: string, known: Known): AnyProperty {
  const p = known.find((x) => x.id === id);
  if (!p) throw new InputError(at, `unknown property ${JSON.stringify(id)} (this pvlcheck has ${known.map((x) => x.id).join(', ')})`);
  return p;
}

function propertyOutcomeOf(v: unknown, at: string, design: string, known: Known): PropertyOutcome {
  const o = obj(v, at);
  const id = str(o.property, `${at}.property`);
  const property = propertyNamed(id, `${at}.property`, known);
  const n = (k: string) => count(o[k], `${at}.${k}`);
  return {
    property,
    design,
    runs: n('runs'),
    triggeredRuns: n('triggeredRuns'),
    disruptiveRuns: n('disruptiveRuns'),
    voidedRuns: n('voidedRuns'),
    witnessedRuns: n('witnessedRuns'),
    exercisedRuns: n('exercisedRuns'),
    exercisedSteps: n('exercisedSteps'),
    samples: list(o.samples, `${at}.samples`).map((s, i) => sampleOf(s, `${at}.samples[${i}]`)),
    counterexample: o.counterexample === null ? null : counterexampleOf(o.counterexample, `${at}.counterexample`, id),
    shrinkMs: finite(o.shrinkMs, `${at}.shrinkMs`),
  };
}

function coverageOf(v: unknown, at: string): CoverageCounts {
  const o = obj(v, at);
  const out: CoverageCounts = {};
  for (const [dim, values] of Object.entries(o)) {
    const vo = obj(values, `${at}.${dim}`);
    out[dim] = Object.fromEntries(Object.entries(vo).map(([k, n]) => [k, count(n, `${at}.${dim}.${k}`)]));
  }
  return out;
}

function findingOf(v: unknown, at: string, design: string, known: Known): FoundFinding {
  const o = obj(v, at);
  const property = str(o.property, `${at}.property`);
  propertyNamed(property, `${at}.property`, known);
  return {
    finding: o.finding === null ? null : str(o.finding, `${at}.finding`),
    property,
    design,
    foundAtRun: count(o.foundAtRun, `${at}.foundAtRun`),
    foundAfterMs: finite(o.foundAfterMs, `${at}.foundAfterMs`),
    counterexample: counterexampleOf(o.counterexample, `${at}.counterexample`, property),
  };
}

function designOutcomeOf(v: unknown, at: string, known: Known): DesignOutcome {
  const o = obj(v, at);
  const design = str(o.design, `${at}.design`);
  return {
    design,
    runs: count(o.runs, `${at}.runs`),
    ms: finite(o.ms, `${at}.ms`),
    properties: list(o.properties, `${at}.properties`).map((p, i) => propertyOutcomeOf(p, `${at}.properties[${i}]`, design, known)),
    ...(o.coverage !== undefined ? { coverage: coverageOf(o.coverage, `${at}.coverage`) } : {}),
    ...(o.findings !== undefined ? { findings: list(o.findings, `${at}.findings`).map((f, i) => findingOf(f, `${at}.findings[${i}]`, design, known)) } : {}),
  };
}

function campaignOf(v: unknown, at: string): Campaign {
  const o = obj(v, at);
  const strings = (k: string) => list(o[k], `${at}.${k}`).map((x, i) => str(x, `${at}.${k}[${i}]`));
  return {
    ...o,
    version: str(o.version, `${at}.version`),
    seed: int(o.seed, `${at}.seed`),
    runs: count(o.runs, `${at}.runs`),
    maxFaults: count(o.maxFaults, `${at}.maxFaults`),
    designs: strings('designs'),
    properties: strings('properties'),
    config: obj(o.config, `${at}.config`),
    shrinkBudget: count(o.shrinkBudget, `${at}.shrinkBudget`),
  };
}

/**
 * A check's JSON report read back as a shard result. `file` names it in errors: "a.json:
 * campaign.seed: must be a whole number". A report without `campaign` is refused (an
 * older pvlcheck's, or not a check's). `known`: the properties it may name (ALL_PROPERTIES).
 */
export function readShardResult(json: unknown, file: string, known: Known): ShardResult {
  const top = obj(json, file);
  const at = (k: string) => `${file}: ${k}`;
  if (top.campaign === undefined) throw new InputError(at('campaign'), 'missing: not the JSON of pvlcheck check --format json (of this version)');
  const campaign = campaignOf(top.campaign, at('campaign'));
  let shard = WHOLE;
  if (top.shard !== null && top.shard !== undefined) {
    const s = obj(top.shard, at('shard'));
    const index = count(s.index, at('shard.index'));
    const total = count(s.count, at('shard.count'));
    if (total < 1 || index < 1 || index > total) throw new InputError(at('shard'), `must be shard i of n with 1 ≤ i ≤ n, got ${index}/${total}`);
    shard = { index, count: total };
  }
  const outcomes = list(top.outcomes, at('outcomes')).map((d, i) => designOutcomeOf(d, at(`outcomes[${i}]`), known));
  const designs = outcomes.map((d) => d.design);
  if (JSON.stringify(designs) !== JSON.stringify(campaign.designs)) {
    throw new InputError(at('outcomes'), `has designs ${designs.join(', ') || 'none'}, but the campaign names ${campaign.designs.join(', ')}`);
  }
  return { campaign, shard, command: typeof top.command === 'string' ? top.command : '', outcomes };
}

// ---- merging -------------------------------------------------------------------------

/** The first field (a path such as `config.workload.flows`) where two JSON values differ, or null. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return path || '(the value)';
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return path || '(the value)';
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== null) return path || d;
    }
    return null;
  }
  const ao = a as Obj;
  const bo = b as Obj;
  const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
  for (const k of keys) {
    const d = firstDifference(ao[k], bo[k], path ? `${path}.${k}` : k);
    if (d !== null) return d;
  }
  return null;
}

function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? 'nothing';
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function valueAt(v: unknown, path: string): unknown {
  let x = v;
  for (const part of path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '')) {
    if (typeof x !== 'object' || x === null) return undefined;
    x = (x as Obj)[part];
  }
  return x;
}

/**
 * Checks that the shards are of one campaign and cover it exactly once: the same campaign
 * (an InputError naming the first field that differs, and the two files), the same shard
 * count, each shard once, none missing. `names` are the files, for the messages.
 */
export function checkShards(results: readonly ShardResult[], names: readonly string[]): void {
  if (results.length === 0) throw new InputError('merge', 'give the shard results to merge (JSON files of check --format json)');
  const first = results[0]!;
  for (let i = 1; i < results.length; i++) {
    const r = results[i]!;
    const field = firstDifference(first.campaign, r.campaign);
    if (field !== null) {
      throw new InputError(
        `campaign.${field}`,
        `the shards are of different campaigns: ${shown(valueAt(first.campaign, field))} in ${names[0]}, ${shown(valueAt(r.campaign, field))} in ${names[i]}`,
      );
    }
    if (r.shard.count !== first.shard.count) {
      throw new InputError('shard.count', `the shards split the campaign differently: ${first.shard.count} shards in ${names[0]}, ${r.shard.count} in ${names[i]}`);
    }
  }
  const seen = new Map<number, string>();
  results.forEach((r, i) => {
    const other = seen.get(r.shard.index);
    if (other !== undefined) throw new InputError('shard.index', `shard ${r.shard.index}/${r.shard.count} is given twice (${other} and ${names[i]})`);
    seen.set(r.shard.index, names[i]!);
  });
  const missing: number[] = [];
  for (let k = 1; k <= first.shard.count; k++) if (!seen.has(k)) missing.push(k);
  if (missing.length > 0) {
    throw new InputError('shard.index', `shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${first.shard.count}`).join(', ')} missing: merge needs all ${first.shard.count}`);
  }
}

/**
 * One property's outcome from its shards' outcomes: every count added up, samples pooled,
 * the counterexample of the lowest run (and its shrink time). Add a new figure of
 * PropertyOutcome here, as accumulateRun (check.ts) adds it per run.
 */
export function mergePropertyOutcomes(parts: readonly PropertyOutcome[]): PropertyOutcome {
  const first = parts[0]!;
  let counterexample: Counterexample | null = null;
  for (const p of parts) {
    if (p.counterexample && (counterexample === null || p.counterexample.foundAtRun < counterexample.foundAtRun)) counterexample = p.counterexample;
  }
  // Time spent shrinking, by every shard (a timing: not compared).
  const shrinkMs = parts.reduce((a, p) => a + p.shrinkMs, 0);
  const sum = (k: 'runs' | 'triggeredRuns' | 'disruptiveRuns' | 'voidedRuns' | 'witnessedRuns' | 'exercisedRuns' | 'exercisedSteps') =>
    parts.reduce((a, p) => a + p[k], 0);
  return {
    property: first.property,
    design: first.design,
    runs: sum('runs'),
    triggeredRuns: sum('triggeredRuns'),
    disruptiveRuns: sum('disruptiveRuns'),
    voidedRuns: sum('voidedRuns'),
    witnessedRuns: sum('witnessedRuns'),
    exercisedRuns: sum('exercisedRuns'),
    exercisedSteps: sum('exercisedSteps'),
    samples: canonicalSamples(parts.flatMap((p) => p.samples)),
    counterexample,
    shrinkMs,
  };
}

/** The designs' outcomes of the whole campaign, from its shards' (checked with checkShards first). */
export function mergeShards(results: readonly ShardResult[]): DesignOutcome[] {
  const campaign = results[0]!.campaign;
  return campaign.designs.map((design) => {
    const parts = results.map((r) => r.outcomes.find((d) => d.design === design)!);
    const ids = parts[0]!.properties.map((p) => p.property.id);
    return {
      design,
      runs: parts.reduce((a, d) => a + d.runs, 0),
      // Timings: the work of every shard (the time column reads as CPU time).
      ms: parts.reduce((a, d) => a + d.ms, 0),
      properties: ids.map((id) => mergePropertyOutcomes(parts.map((d) => d.properties.find((p) => p.property.id === id)!))),
      ...(parts.some((d) => d.coverage) ? { coverage: mergeCoverage(parts.map((d) => d.coverage ?? {})) } : {}),
      ...(parts.some((d) => d.findings) ? { findings: mergeFindings(parts.map((d) => d.findings ?? [])) } : {}),
    };
  });
}

/** Coverage counts are sums over runs: added up, dimension by dimension, in the first shard's order. */
export function mergeCoverage(parts: readonly CoverageCounts[]): CoverageCounts {
  const out: CoverageCounts = {};
  for (const part of parts) {
    for (const [dim, values] of Object.entries(part)) {
      const d = (out[dim] ??= {});
      for (const [k, n] of Object.entries(values)) d[k] = (d[k] ?? 0) + n;
    }
  }
  return canonicalCoverage(out);
}

/**
 * Findings found (extended fault model): per finding (or per property, for a new one), the
 * one seen at the lowest run, in the order of that run. (The search for findings bounds
 * its shrinks per property within one process, so a sharded search may shrink runs the
 * unsharded one would have skipped: findings merge to a superset, never fewer.)
 */
export function mergeFindings(parts: readonly (readonly FoundFinding[])[]): FoundFinding[] {
  const best = new Map<string, FoundFinding>();
  for (const part of parts) {
    for (const f of part) {
      const key = f.finding ?? `(new)${f.property}`;
      const had = best.get(key);
      if (!had || f.foundAtRun < had.foundAtRun) best.set(key, f);
    }
  }
  return [...best.values()].sort((a, b) => a.foundAtRun - b.foundAtRun);
}

/** Did every shard run its share of every design, for every property of the campaign? */
export function checkCoverage(results: readonly ShardResult[], names: readonly string[]): void {
  results.forEach((r, i) => {
    for (const d of r.outcomes) {
      const ids = d.properties.map((p) => p.property.id);
      if (JSON.stringify(ids) !== JSON.stringify(r.campaign.properties)) {
        throw new InputError(`${names[i]}: outcomes`, `${d.design} has properties ${ids.join(', ')}, but the campaign names ${r.campaign.properties.join(', ')}`);
      }
      const expected = shardSize(r.campaign.runs, r.shard);
      if (d.runs !== expected) {
        throw new InputError(`${names[i]}: outcomes`, `${d.design} ran ${d.runs} runs, but shard ${r.shard.index}/${r.shard.count} of ${r.campaign.runs} runs has ${expected}`);
      }
    }
  });
}
