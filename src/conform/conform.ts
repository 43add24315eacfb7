/**
 * `pvlcheck conform`'s verdicts: the logs prepared and paired, the clocks solved, the
 * log replayed on the two extreme consistent orders, and each property's verdict judged
 * (replay.ts has the method). A verdict holds only when every order replayed gives it;
 * otherwise it is "inconclusive", with two of the verdicts.
 */
import type { Scenario } from '../config/types.js';
import { compareVerdict, runVerdict, verdictOf, type Manifest, type VerdictName } from '../checker/verdicts.js';
import type { AnyProperty, Verdict } from '../checker/property.js';
import type { PropertyOutcome } from '../checker/check.js';
import type { TraceEvent } from '../engine/trace.js';
import type { LogLine } from './log.js';
import { evidenceText, prepare, replayLogs, solveOffsets, type Finding, type Offsets, type ReplayResult } from './replay.js';

export interface PropertyResult {
  property: AnyProperty;
  /** As `check` names verdicts, or "inconclusive" when the consistent orders disagree. */
  verdict: VerdictName | 'inconclusive';
  /** As `simulate` says it for one run (holds, violated, not triggered, witnessed, ...). */
  run: string;
  expected: VerdictName | null;
  unexpected: boolean;
  /** Why it is inconclusive. */
  why: string | null;
  violation: { t: number; message: string } | null;
  /** The log lines of the step that violated it (file:line or file:first-last), if a line did. */
  evidence: string | null;
}

export interface ConformResult {
  design: string;
  skewMs: number;
  files: string[];
  lines: number;
  nodes: number;
  /** Null when no offsets fit (then `finding` says why). */
  offsets: Offsets | null;
  /** The first line that no chart transition (or no consistent order) explains. */
  finding: Finding | null;
  properties: PropertyResult[];
  /** The replayed run (greatest offsets), for the sequence diagram. */
  events: TraceEvent[];
  /** How many consistent orders were replayed (the extremes, and each unpinned node at its own extremes). */
  orders: number;
  steps: number;
  lost: number;
  silentTimers: number;
  until: number;
  /** Every verdict as expected and every line explained. */
  asExpected: boolean;
}

export interface ConformOptions {
  properties: readonly AnyProperty[];
  skewMs: number;
  /** The run's end, when the scenario says it; else the last line's time. */
  until: number | null;
  /** Expected verdicts; null: a conformant log violates nothing. */
  manifest: Manifest | null;
}

function nameOf(p: AnyProperty, v: Verdict, exercised: number): VerdictName {
  if (v.violation) return 'violated';
  const o: PropertyOutcome = {
    property: p,
    design: '',
    runs: 1,
    triggeredRuns: v.triggers > 0 ? 1 : 0,
    disruptiveRuns: v.disruptive > 0 ? 1 : 0,
    voidedRuns: v.voided > 0 ? 1 : 0,
    witnessedRuns: v.witnessed ? 1 : 0,
    exercisedRuns: exercised > 0 ? 1 : 0,
    exercisedSteps: exercised,
    samples: [],
    counterexample: null,
    shrinkMs: 0,
  };
  return verdictOf(o);
}

/** The least time to spare between a response and its deadline, over every replayed order. */
function closestMargin(verdicts: readonly Verdict[]): number {
  let least = Infinity;
  for (const v of verdicts) for (const sample of v.samples) least = Math.min(least, sample.budgetMs - sample.latencyMs);
  return least;
}

export function conform(lines: readonly LogLine[], files: string[], scenario: Scenario, options: ConformOptions): ConformResult {
  const prepared = prepare(lines, scenario, options.skewMs);
  const base = {
    design: scenario.design,
    skewMs: options.skewMs,
    files,
    lines: lines.length,
    nodes: [...prepared.byNode.values()].filter((l) => l.length > 0).length,
  };
  const solved = solveOffsets(prepared, options.skewMs);
  const offsets = 'hi' in solved ? solved : null;
  // The replay meets the lines in time order, so its finding is the first one; a pairing
  // problem it did not meet (a receive it never reached) comes after.
  let finding: Finding | null = offsets ? null : (solved as Finding);
  const runs: ReplayResult[] = [];
  if (offsets) {
    const opts = { properties: options.properties, until: options.until };
    runs.push(replayLogs(prepared, offsets.hi, opts));
    if (JSON.stringify(offsets.lo) !== JSON.stringify(offsets.hi)) runs.push(replayLogs(prepared, offsets.lo, opts));
    for (const between of offsets.between) runs.push(replayLogs(prepared, between, opts));
    finding = runs.map((r) => r.finding).find((f) => f !== null) ?? null;
  }
  finding ??= prepared.finding;
  const main = runs[0];
  const properties: PropertyResult[] = options.properties.map((p) => {
    if (!main) {
      return { property: p, verdict: 'inconclusive', run: 'not checked', expected: null, unexpected: true, why: 'the logs are not consistent (see the finding)', violation: null, evidence: null };
    }
    const names = runs.map((r) => nameOf(p, r.verdicts.get(p.id)!, r.exercised.get(p.id)!));
    const words = runs.map((r) => runVerdict(p.kind, r.verdicts.get(p.id)!));
    const v = main.verdicts.get(p.id)!;
    const ordersAgree = names.every((n) => n === names[0]) && words.every((w) => w === words[0]);
    // The replayed orders are corners of the consistent ones, not all of them: a deadline met
    // by less than the clocks can disagree (2 × skew between two nodes) may be missed in an
    // order between the corners, so it is not called met.
    const margin = p.kind === 'eventually' && names[0] === 'holds' ? closestMargin(runs.map((r) => r.verdicts.get(p.id)!)) : Infinity;
    const tooClose = options.skewMs > 0 && margin < 2 * options.skewMs;
    const agree = ordersAgree && !tooClose;
    const other = tooClose && ordersAgree ? 'violated' : (words.find((w) => w !== words[0]) ?? names.find((n) => n !== names[0]) ?? '');
    const verdict: VerdictName | 'inconclusive' = agree ? names[0]! : 'inconclusive';
    const viol = runs.map((r) => r.verdicts.get(p.id)!.violation).find((x) => x !== null) ?? null;
    const evLine = runs.map((r) => r.evidence.get(p.id)).find((x) => x !== undefined) ?? null;
    let expected: VerdictName | null = null;
    let unexpected: boolean;
    if (options.manifest) {
      const c = compareVerdict(options.manifest, scenario.design, p.id, verdict === 'inconclusive' ? 'violated' : verdict);
      expected = c.expected;
      unexpected = verdict === 'inconclusive' || c.unexpected;
    } else {
      unexpected = verdict === 'violated' || verdict === 'inconclusive';
    }
    return {
      property: p,
      verdict,
      run: agree ? words[0]! : `inconclusive: ${words[0]} or ${other}`,
      expected,
      unexpected,
      why: agree
        ? null
        : tooClose && ordersAgree
          ? `a response came ${margin} ms before its deadline, less than twice the ${options.skewMs} ms skew: an order of the clocks between the ${runs.length} replayed may miss it`
          : `the ${options.skewMs} ms skew allows orders where it is ${words[0]} and orders where it is ${other} (${runs.length} consistent orders replayed)`,
      violation: viol ? { t: viol.t, message: viol.message } : (v.violation ? { t: v.violation.t, message: v.violation.message } : null),
      evidence: evLine ? evidenceText(evLine) : null,
    };
  });
  return {
    ...base,
    offsets,
    finding,
    properties,
    events: main?.events ?? [],
    orders: runs.length,
    steps: main?.steps ?? 0,
    lost: main?.lost ?? 0,
    silentTimers: main?.silentTimers ?? 0,
    until: main?.until ?? 0,
    asExpected: finding === null && properties.every((p) => !p.unexpected),
  };
}
