/**
 * Parameter sweeps (`pvlcheck sweep`): a grid over configuration and workload values, each
 * point a check campaign of one design with those values fixed (the rest generated as
 * `check` generates it), and per point every verdict, the L1/L2 recovery figures and the
 * rates of needless VGW fallbacks and ENI failovers (sweepMetrics.ts). The region where
 * every verdict is as the manifest expects is the safe region; the recommended setting is
 * the fastest recovery inside it, among the points with few needless fallbacks.
 *
 * Every point runs the same seed: the same generated runs (workload, faults, scheduler)
 * with only the swept values changed (common random numbers), so that two points differ
 * by their setting, not by their luck. Points are split over shards like runs (shard.ts).
 */
import { InputError } from '../config/validate.js';
import type { Fixed } from './arbitraries.js';
import { checkDesign, type CheckOptions } from './check.js';
import { judge, type Manifest, type VerdictName } from './verdicts.js';
import { NEEDLESS_FAILOVER, NEEDLESS_VGW, SWEEP_METRICS } from './sweepMetrics.js';
import { describeRun } from './arbitraries.js';
import type { AnyProperty, Sample } from './property.js';

/** What may be swept: the whole-number fields of a scenario's config and workload. */
export const SWEEPABLE: Readonly<Record<string, 'config' | 'workload'>> = {
  relayTimeoutMs: 'config',
  probeTimeoutMs: 'config',
  probeRetries: 'config',
  scanMs: 'config',
  fastPaths: 'config',
  routineProbeMs: 'config',
  configRefreshMs: 'config',
  flows: 'workload',
  ackEvery: 'workload',
  hangTimeoutMs: 'workload',
  streamIntervalMs: 'workload',
};

export const MAX_VALUES_PER_PARAM = 100;
export const MAX_POINTS = 10_000;

export interface SweepParam {
  name: string;
  values: number[];
}

/**
 * The default grid, around the spec's defaults (§7: T_relay 3 s, range 0.5-30 s; probes
 * 300 ms × 3, total 0.3-20 s): 5 × 3 × 2 = 30 points.
 */
export const DEFAULT_GRID: readonly string[] = ['relayTimeoutMs=500,1000,2000,3000,5000', 'probeTimeoutMs=100,300,1000', 'probeRetries=1,3'];
/** Runs per point by default: 30 points × 500 runs take about two minutes on two cores (docs/campaigns.md). */
export const DEFAULT_SWEEP_RUNS = 500;
/** A setting is recommended only if its needless fallbacks and failovers stay at or below this share of runs (default 1%). */
export const DEFAULT_MAX_NEEDLESS_PERCENT = 1;

/** The grid's points in order: the last parameter varies fastest. */
export function gridPoints(params: readonly SweepParam[]): Record<string, number>[] {
  let points: Record<string, number>[] = [{}];
  for (const p of params) points = points.flatMap((pt) => p.values.map((v) => ({ ...pt, [p.name]: v })));
  return points;
}

/**
 * A point's fixed values over the base (`--config F`); fields a sweep sets that the base
 * also fixes are refused, naming the parameter.
 */
export function pointFixed(base: Fixed, values: Record<string, number>): Fixed {
  const config: Record<string, unknown> = { ...(base.config ?? {}) };
  const workload: Record<string, unknown> = { ...(base.workload ?? {}) };
  for (const [name, v] of Object.entries(values)) {
    if (SWEEPABLE[name] === 'config') config[name] = v;
    else workload[name] = v;
  }
  return { config, workload } as Fixed;
}

export function baseConflicts(base: Fixed, params: readonly SweepParam[]): void {
  for (const p of params) {
    const section = SWEEPABLE[p.name] === 'config' ? base.config : base.workload;
    if (section && Object.prototype.hasOwnProperty.call(section, p.name)) {
      throw new InputError(`--param ${p.name}`, `is also fixed by --config; sweep it or fix it, not both`);
    }
  }
}

// ---- one point -----------------------------------------------------------------------

export interface Figures {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface NeedlessRate {
  /** Runs in which it happened at least once. */
  runs: number;
  /** Steps in which it happened, over all runs. */
  events: number;
  /** runs / the point's runs. */
  rate: number;
}

export interface PointVerdict {
  property: string;
  verdict: VerdictName;
  expected: VerdictName | null;
  unexpected: boolean;
  /** This verdict makes the point unsafe (see PointResult.safe). */
  unsafe: boolean;
  /** The shrunk counterexample's violation and story, when violated. */
  violation?: { t: number; message: string; foundAtRun: number; story: string[] };
}

export interface PointResult {
  /** Index in the grid (gridPoints order). */
  index: number;
  values: Record<string, number>;
  runs: number;
  /**
   * No property violated, and every property the manifest expects to hold (or to be
   * witnessed) does: for the patent fault model, every verdict as the manifest expects (a
   * property that held only vacuously does not count). Under the extended model, where the
   * manifest expects the findings' violations and witnesses, a finding not reached is no harm.
   */
  safe: boolean;
  verdicts: PointVerdict[];
  L1: Figures | null;
  L2: Figures | null;
  needlessVgw: NeedlessRate;
  needlessFailover: NeedlessRate;
  /** Wall-clock ms (figures only). */
  ms: number;
}

function figures(samples: readonly Sample[]): Figures | null {
  if (samples.length === 0) return null;
  const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1]! };
}

export interface PointOptions {
  design: string;
  /** The properties checked at every point (the command resolves them: the checker imports no property). */
  properties: readonly AnyProperty[];
  runs: number;
  seed: number;
  maxFaults: number;
  shrinkBudget: number;
  base: Fixed;
  /** Passed on to the checker as it is (the fault model, when not the patent's). */
  extra?: Record<string, unknown>;
  clock?: () => number;
  onProgress?: (done: number) => void;
}

/** One point of the grid: a check campaign with the point's values fixed, and its figures. */
export function runPoint(index: number, values: Record<string, number>, options: PointOptions, manifest: Manifest): PointResult {
  const clock = options.clock ?? (() => 0);
  const t0 = clock();
  const properties = options.properties;
  const checkOptions: CheckOptions = {
    ...(options.extra ?? {}),
    properties: [...properties, ...SWEEP_METRICS],
    runs: options.runs,
    seed: options.seed,
    maxFaults: options.maxFaults,
    shrinkBudget: options.shrinkBudget,
    fixed: pointFixed(options.base, values),
    ...(options.onProgress ? { onProgress: (done: number) => options.onProgress!(done) } : {}),
  };
  const d = checkDesign(options.design, checkOptions);
  const metric = (id: string): NeedlessRate => {
    const o = d.properties.find((p) => p.property.id === id)!;
    return { runs: o.exercisedRuns, events: o.exercisedSteps, rate: d.runs === 0 ? 0 : o.exercisedRuns / d.runs };
  };
  const judged = judge(manifest, d.properties.filter((o) => !SWEEP_METRICS.includes(o.property)));
  const samples = (id: string) => d.properties.find((p) => p.property.id === id)?.samples ?? [];
  // Under the extended model the manifest's violations and witnesses are findings (bad things seen): not reaching one is no harm.
  const extended = options.extra?.faultModel === 'extended';
  const unsafe = (j: (typeof judged)[number]) =>
    j.verdict === 'violated' || j.notInManifest || (j.unexpected && j.expected !== 'violated' && !(extended && j.expected === 'witnessed'));
  return {
    index,
    values,
    runs: d.runs,
    safe: !judged.some(unsafe),
    verdicts: judged.map((j) => {
      const cx = j.outcome.counterexample;
      return {
        property: j.outcome.property.id,
        verdict: j.verdict,
        expected: j.expected,
        unexpected: j.unexpected,
        unsafe: unsafe(j),
        ...(cx ? { violation: { t: cx.violation.t, message: cx.violation.message, foundAtRun: cx.foundAtRun, story: describeRun(cx.spec) } } : {}),
      };
    }),
    L1: figures(samples('L1')),
    L2: figures(samples('L2')),
    needlessVgw: metric(NEEDLESS_VGW),
    needlessFailover: metric(NEEDLESS_FAILOVER),
    ms: clock() - t0,
  };
}

// ---- the recommendation --------------------------------------------------------------

export function valuesText(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

export function percent(rate: number): string {
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** Why a point is unsafe, in a few words: "L2 UNEXPECTED violated, W2 not witnessed". */
export function unsafeText(p: PointResult): string {
  return p.verdicts
    .filter((v) => v.unsafe)
    .map((v) => `${v.property} ${v.verdict}${v.expected && v.expected !== v.verdict ? ` (expected ${v.expected})` : ''}`)
    .join(', ');
}

export interface Recommendation {
  /** The recommended point's index, or null when no point is safe. */
  index: number | null;
  values: Record<string, number> | null;
  reasons: string[];
}

/** Recovery speed, for ranking: L2's p99 (back on a fast path), then L1's, then the maxima. */
function speedKey(p: PointResult): number[] {
  const inf = Number.POSITIVE_INFINITY;
  return [p.L2?.p99Ms ?? inf, p.L1?.p99Ms ?? inf, p.L2?.maxMs ?? inf, p.L1?.maxMs ?? inf];
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

function needless(p: PointResult): number {
  return Math.max(p.needlessVgw.rate, p.needlessFailover.rate);
}

/** Points one grid step away in one parameter. */
export function neighbours(p: PointResult, points: readonly PointResult[], params: readonly SweepParam[]): PointResult[] {
  const out: PointResult[] = [];
  for (const q of points) {
    let steps = 0;
    for (const param of params) {
      const i = param.values.indexOf(p.values[param.name]!);
      const j = param.values.indexOf(q.values[param.name]!);
      steps += Math.abs(i - j);
    }
    if (steps === 1) out.push(q);
  }
  return out;
}

function recoveryText(p: PointResult): string {
  const f = (name: string, x: Figures | null) => (x ? `${name} p50 ${x.p50Ms} ms, p99 ${x.p99Ms} ms, max ${x.maxMs} ms` : `${name}: no disruptive recovery`);
  return `${f('L2', p.L2)}; ${f('L1', p.L1)}`;
}

/**
 * The fastest recovery inside the safe region, among the safe points whose needless VGW
 * fallbacks and ENI failovers stay at or below `maxNeedless` (a share of runs); when no
 * safe point is that frugal, the safe points with the fewest. With the reasons.
 */
export function recommend(points: readonly PointResult[], params: readonly SweepParam[], maxNeedless: number, defaults: Record<string, number>): Recommendation {
  const safe = points.filter((p) => p.safe);
  if (safe.length === 0) {
    const reasons = [`No point of the ${points.length} is safe: at every one a property is violated, or one the manifest expects to hold did not (vacuous, not witnessed).`];
    for (const p of points.slice(0, 5)) reasons.push(`${valuesText(p.values)}: ${unsafeText(p)}`);
    return { index: null, values: null, reasons };
  }
  let pool = safe.filter((p) => needless(p) <= maxNeedless);
  const frugal = pool.length > 0;
  if (!frugal) {
    const least = Math.min(...safe.map(needless));
    pool = safe.filter((p) => needless(p) === least);
  }
  const ranked = [...pool].sort((a, b) => compareKeys(speedKey(a), speedKey(b)) || needless(a) - needless(b) || a.index - b.index);
  const best = ranked[0]!;
  const reasons: string[] = [];
  reasons.push(`safe: no property violated, every one expected to hold held (${best.verdicts.length} properties, ${best.runs} runs); ${safe.length} of the ${points.length} points are safe.`);
  reasons.push(
    frugal
      ? `fastest recovery of the ${pool.length} safe points with needless VGW fallbacks and ENI failovers in at most ${percent(maxNeedless)} of runs: ${recoveryText(best)}.`
      : `no safe point keeps needless fallbacks at or below ${percent(maxNeedless)} of runs; fastest of the ${pool.length} with the fewest (${percent(needless(best))}): ${recoveryText(best)}.`,
  );
  if (ranked.length > 1) reasons.push(`runner-up ${valuesText(ranked[1]!.values)}: ${recoveryText(ranked[1]!)}.`);
  reasons.push(`needless VGW fallbacks in ${percent(best.needlessVgw.rate)} of runs, needless ENI failovers in ${percent(best.needlessFailover.rate)}.`);
  const faster = safe.filter((p) => !pool.includes(p) && compareKeys(speedKey(p), speedKey(best)) < 0).sort((a, b) => compareKeys(speedKey(a), speedKey(b)));
  if (faster.length > 0) {
    const f = faster[0]!;
    reasons.push(`faster but not chosen: ${valuesText(f.values)} (L2 p99 ${f.L2?.p99Ms ?? '-'} ms), with needless VGW fallbacks in ${percent(f.needlessVgw.rate)} and needless failovers in ${percent(f.needlessFailover.rate)} of runs.`);
  }
  const near = neighbours(best, points, params);
  const unsafeNear = near.filter((q) => !q.safe);
  reasons.push(
    unsafeNear.length === 0
      ? `margin: all ${near.length} neighbouring settings in the grid are safe too.`
      : `on the edge of the safe region: ${unsafeNear.map((q) => `${valuesText(q.values)} is not (${unsafeText(q)})`).join('; ')}.`,
  );
  const asDefault = points.find((p) => params.every((param) => p.values[param.name] === defaults[param.name]));
  if (asDefault && asDefault !== best) {
    reasons.push(`the spec's default (${valuesText(asDefault.values)}): ${asDefault.safe ? 'safe' : `not safe (${unsafeText(asDefault)})`}; ${recoveryText(asDefault)}.`);
  }
  return { index: best.index, values: best.values, reasons };
}
