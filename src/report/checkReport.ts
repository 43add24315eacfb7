/**
 * What `pvlcheck check` prints: a verdict table, the recovery-time figures, and each
 * counterexample as a story, a timeline, a scenario file and a replay command. Text for
 * people, JSON for tools, JUnit XML for CI dashboards.
 */
import type { Counterexample, DesignOutcome } from '../checker/check.js';
import { describeRun } from '../checker/arbitraries.js';
import { evaluate } from '../checker/evaluate.js';
import type { Sample } from '../checker/property.js';
import { verdictWords, type Judged } from '../checker/verdicts.js';
import { PROPERTIES } from '../../properties/index.js';
import { formatTimeline } from './timeline.js';
import { replayCommand } from './shellQuote.js';
import { outcomeJson, type Campaign } from '../checker/merge.js';
import type { Shard } from '../checker/shard.js';

export interface CheckReport {
  seed: number;
  runs: number;
  maxFaults: number;
  designs: DesignOutcome[];
  judged: Judged[];
  /** Counterexample files written, by "design/property". */
  files: Record<string, string>;
  /** The command that reruns this check. */
  command: string;
  /** What decides the campaign's runs, and which shard of it this is (null: all of it): for `pvlcheck merge`. */
  campaign?: Campaign;
  shard?: Shard | null;
}

export interface Distribution {
  count: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  /**
   * The largest latency as a share of its run's budget, both measured from the fault (the
   * budget is the run's own deadline minus the fault): ≤ 1 exactly when every run was within.
   */
  maxShareOfBudget: number;
}

/**
 * A share of the budget in percent to 0.1, rounded away from 100%: "100.0%" only for a
 * response at the deadline itself, never for one just before or just after it.
 */
export function sharePercent(share: number): string {
  const tenths = share * 1000;
  const r = share > 1 ? Math.ceil(tenths - 1e-9) : Math.floor(tenths + 1e-9);
  return `${(r / 10).toFixed(1)}%`;
}

export function distribution(samples: readonly Sample[]): Distribution | null {
  if (samples.length === 0) return null;
  const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return {
    count: sorted.length,
    medianMs: at(0.5),
    p99Ms: at(0.99),
    maxMs: sorted[sorted.length - 1]!,
    maxShareOfBudget: Math.max(...samples.map((s) => s.latencyMs / s.budgetMs)),
  };
}

const verdictText = verdictWords;

/** An invariant's coverage: in how many runs, and steps, its situation occurred. */
export function exercisedText(o: { exercisedRuns: number; exercisedSteps: number; runs: number; property: { situation?: string } }): string {
  return `exercised in ${o.exercisedRuns}/${o.runs} runs / ${o.exercisedSteps} steps (${o.property.situation ?? 'no situation declared'})`;
}

export function coverageText(j: Judged): string {
  const o = j.outcome;
  if (o.property.kind === 'sometimes') return `witnessed in ${o.witnessedRuns}/${o.runs} runs`;
  const parts: string[] = [];
  if (o.property.kind === 'always') parts.push(exercisedText(o));
  if (o.property.kind === 'eventually') {
    parts.push(`triggered in ${o.triggeredRuns}/${o.runs} runs (${o.disruptiveRuns} disruptive, ${o.voidedRuns} voided)`);
  } else if (o.triggeredRuns > 0 || o.voidedRuns > 0) {
    parts.push(`triggered in ${o.triggeredRuns}/${o.runs} runs (${o.voidedRuns} voided)`);
  }
  return parts.join('; ');
}

/** The summary line: all as expected, or which verdicts are not (and which properties the manifest does not name). */
export function summaryLine(judged: readonly Judged[]): string {
  const bad = judged.filter((j) => j.unexpected);
  if (bad.length === 0) return `All ${judged.length} verdicts as the manifest expects (properties/manifest.json).`;
  const missing = bad.filter((j) => j.notInManifest);
  let line = `${bad.length} verdict(s) differ from the manifest: ${bad.map((j) => `${j.outcome.property.id}/${j.outcome.design}`).join(', ')}.`;
  if (missing.length > 0) line += ` Not in the manifest: ${missing.map((j) => `${j.outcome.property.id}/${j.outcome.design}`).join(', ')}.`;
  return line;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
}

export function recoveryLines(report: CheckReport): string[] {
  const lines: string[] = [];
  for (const d of report.designs) {
    const l1 = distribution(d.properties.find((p) => p.property.id === 'L1')?.samples ?? []);
    const l2 = distribution(d.properties.find((p) => p.property.id === 'L2')?.samples ?? []);
    if (!l1 && !l2) continue;
    lines.push(`Recovery after a disruptive fault, ${d.design} (times from the fault; budget = from the fault to the run's own L1/L2 deadline):`);
    const line = (name: string, x: Distribution | null) =>
      x
        ? `  ${name}: ${x.count} disruptive recoveries, median ${x.medianMs} ms, p99 ${x.p99Ms} ms, max ${x.maxMs} ms; at most ${sharePercent(x.maxShareOfBudget)} of the budget (both from the fault)`
        : `  ${name}: no disruptive run recovered`;
    lines.push(line('reverse delivery resumed (L1)', l1), line('fast path restored (L2)   ', l2));
  }
  return lines;
}

export function textReport(report: CheckReport, options: { timelineLines?: number } = {}): string[] {
  const out: string[] = [];
  const rows: string[][] = [['property', 'design', 'verdict', 'runs', 'time', 'coverage']];
  for (const j of report.judged) {
    const d = report.designs.find((x) => x.design === j.outcome.design)!;
    rows.push([
      `${j.outcome.property.id} ${j.outcome.property.title}`,
      j.outcome.design,
      verdictText(j),
      String(j.outcome.runs),
      seconds(d.ms),
      coverageText(j),
    ]);
  }
  out.push(...table(rows), '');
  out.push(...recoveryLines(report));
  for (const j of report.judged) {
    const cx = j.outcome.counterexample;
    if (!cx) continue;
    out.push('', ...counterexampleText(j, cx, report.files[`${j.outcome.design}/${cx.property}`] ?? null, options.timelineLines ?? 80));
  }
  out.push('');
  out.push(summaryLine(report.judged));
  out.push(`seed ${report.seed}; rerun: ${report.command}`);
  return out;
}

export function counterexampleText(j: Judged, cx: Counterexample, file: string | null, maxLines: number): string[] {
  const p = j.outcome.property;
  const out = [
    `${j.unexpected ? '✗' : '•'} ${p.id} ${p.title}: ${j.outcome.design}, ${verdictText(j)}`,
    `  ${p.description}`,
    `  found at run ${cx.foundAtRun}, shrunk in ${cx.shrinks} steps (fast-check seed ${cx.fcSeed}, path "${cx.fcPath}")`,
    ...describeRun(cx.spec).map((l) => `  ${l}`),
    `  violation at ${cx.violation.t} ms: ${cx.violation.message}`,
  ];
  const run = evaluate(cx.scenario, PROPERTIES.filter((x) => x.id === p.id), { keepTrace: true });
  const flow = cx.violation.flow;
  const lines = formatTimeline(run.events ?? [], flow !== undefined && cx.spec.workload.flows > 1 ? { flow } : {});
  if (flow !== undefined && cx.spec.workload.flows > 1) out.push(`  (the timeline shows flow ${flow} only; the replay shows all)`);
  const cut = lines.findIndex((l) => l.includes('VIOLATION'));
  const shown = lines.slice(0, cut >= 0 ? Math.min(lines.length, cut + 4) : lines.length);
  const skipped = shown.length > maxLines ? shown.length - maxLines : 0;
  out.push('  timeline of the shrunk run:');
  if (skipped > 0) out.push(`    … ${skipped} earlier lines (see the replay)`);
  out.push(...shown.slice(skipped).map((l) => `  ${l}`));
  if (file) {
    out.push(`  scenario: ${file}`, `  replay:   ${replayCommand(file)}`);
  }
  return out;
}

export function jsonReport(report: CheckReport): unknown {
  return {
    seed: report.seed,
    runs: report.runs,
    maxFaults: report.maxFaults,
    command: report.command,
    asExpected: report.judged.every((j) => !j.unexpected),
    designs: report.designs.map((d) => ({
      design: d.design,
      runs: d.runs,
      ms: Math.round(d.ms),
      recovery: {
        L1: distribution(d.properties.find((p) => p.property.id === 'L1')?.samples ?? []),
        L2: distribution(d.properties.find((p) => p.property.id === 'L2')?.samples ?? []),
      },
    })),
    properties: report.judged.map((j) => {
      const o = j.outcome;
      const cx = o.counterexample;
      return {
        property: o.property.id,
        title: o.property.title,
        kind: o.property.kind,
        design: o.design,
        verdict: j.verdict,
        expected: j.expected,
        notInManifest: j.notInManifest,
        unexpected: j.unexpected,
        runs: o.runs,
        situation: o.property.situation ?? null,
        exercisedRuns: o.property.kind === 'always' ? o.exercisedRuns : null,
        exercisedSteps: o.property.kind === 'always' ? o.exercisedSteps : null,
        triggeredRuns: o.triggeredRuns,
        disruptiveRuns: o.disruptiveRuns,
        voidedRuns: o.voidedRuns,
        witnessedRuns: o.witnessedRuns,
        counterexample: cx
          ? {
              story: describeRun(cx.spec),
              violation: cx.violation,
              foundAtRun: cx.foundAtRun,
              shrinks: cx.shrinks,
              fcSeed: cx.fcSeed,
              fcPath: cx.fcPath,
              file: report.files[`${o.design}/${cx.property}`] ?? null,
              scenario: cx.scenario,
            }
          : null,
      };
    }),
    // The raw result, for `pvlcheck merge`: what decides the runs, the shard, every figure.
    ...(report.campaign
      ? { campaign: report.campaign, shard: report.shard ?? null, outcomes: report.designs.map(outcomeJson) }
      : {}),
  };
}

/** Text and attribute values: markup escaped, and characters XML 1.0 cannot carry left out. */
function xml(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;');
}

/** Element text: as attribute values, but newlines kept as they are. */
function xmlText(s: string): string {
  return xml(s).replace(/&#10;/g, '\n');
}

/**
 * The suites' timestamp, which the Ant schema requires (no time zone). pvlcheck's runs
 * happen in virtual time, from 0: the timestamp is that clock's origin, the same for
 * every check, so that the same seed gives the same report (real time is left out, as in
 * the HTML report). The `time` attributes are the only wall-clock figures.
 */
export const JUNIT_TIMESTAMP = '1970-01-01T00:00:00';

function secondsOf(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** A failure's type: why the verdict is not the manifest's. */
function failureType(j: Judged): string {
  if (j.notInManifest) return 'pvlcheck.NotInManifest';
  if (j.verdict === 'vacuous') return 'pvlcheck.Vacuous';
  return `pvlcheck.Unexpected${j.verdict.replace(/(^|\s)(\w)/g, (_, _s: string, c: string) => c.toUpperCase())}`;
}

/** A failure's body: the violation's time and message, the counterexample's file, story and replay command. */
function failureBody(j: Judged, file: string | null): string {
  const o = j.outcome;
  const cx = o.counterexample;
  const lines = [`${o.property.id} ${o.property.title} (${o.design}): ${verdictText(j)}`, o.property.description];
  if (j.notInManifest) lines.push(`properties/manifest.json names no expected verdict for ${o.property.id} in ${o.design}: add one.`);
  lines.push(`coverage: ${coverageText(j)}`);
  if (cx) {
    lines.push(
      `violation at ${cx.violation.t} ms: ${cx.violation.message}`,
      `found at run ${cx.foundAtRun}, shrunk in ${cx.shrinks} steps (fast-check seed ${cx.fcSeed}, path "${cx.fcPath}")`,
      ...describeRun(cx.spec),
    );
    if (file) lines.push(`scenario: ${file}`, `replay: ${replayCommand(file)}`);
  }
  return lines.join('\n');
}

function failureMessage(j: Judged): string {
  const cx = j.outcome.counterexample;
  const what = j.notInManifest ? `${j.verdict}, not in the manifest` : `${j.verdict}, expected ${j.expected}`;
  return cx ? `${what}: at ${cx.violation.t} ms: ${cx.violation.message}` : what;
}

/**
 * JUnit XML after the Apache Ant schema (test/fixtures/JUnit.xsd, which strict readers
 * hold it to): one testsuite per design, one testcase per property; a verdict the
 * manifest does not expect (a violation, a vacuous property, a property not in the
 * manifest) is a failure with the violation's time, the counterexample's file, story and
 * replay command. Each verdict and its coverage are the suite's properties and system-out.
 */
export function junitReport(report: CheckReport): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>'];
  report.designs.forEach((d, id) => {
    const mine = report.judged.filter((j) => j.outcome.design === d.design);
    const failures = mine.filter((j) => j.unexpected).length;
    lines.push(
      `  <testsuite name="${xml(d.design)}" package="pvlcheck" id="${id}" timestamp="${JUNIT_TIMESTAMP}" hostname="localhost" tests="${mine.length}" failures="${failures}" errors="0" skipped="0" time="${secondsOf(d.ms)}">`,
    );
    lines.push('    <properties>');
    lines.push(`      <property name="seed" value="${report.seed}"/>`);
    lines.push(`      <property name="runs" value="${d.runs}"/>`);
    lines.push(`      <property name="command" value="${xml(report.command)}"/>`);
    for (const j of mine) {
      lines.push(`      <property name="${xml(`${j.outcome.property.id} verdict`)}" value="${xml(`${verdictText(j)}; ${coverageText(j)}`)}"/>`);
    }
    lines.push('    </properties>');
    for (const j of mine) {
      const name = `${j.outcome.property.id} ${j.outcome.property.title}`;
      // The runs are shared by every property (the suite's time); a testcase's own time is its shrinking.
      lines.push(`    <testcase classname="${xml(d.design)}" name="${xml(name)}" time="${secondsOf(j.outcome.shrinkMs)}">`);
      if (j.unexpected) {
        const cx = j.outcome.counterexample;
        const file = cx ? (report.files[`${j.outcome.design}/${cx.property}`] ?? null) : null;
        lines.push(`      <failure type="${failureType(j)}" message="${xml(failureMessage(j))}">${xmlText(failureBody(j, file))}</failure>`);
      }
      lines.push('    </testcase>');
    }
    const out = mine.map((j) => `${j.outcome.property.id} ${j.outcome.property.title}: ${verdictText(j)}; ${coverageText(j)}`);
    lines.push(`    <system-out>${xmlText(out.join('\n'))}</system-out>`);
    lines.push('    <system-err></system-err>');
    lines.push('  </testsuite>');
  });
  lines.push('</testsuites>');
  return lines.join('\n');
}
