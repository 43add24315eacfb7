/**
 * What `pvlcheck check` prints: a verdict table, the recovery-time figures, and each
 * counterexample as a story, a timeline, a scenario file and a replay command. Text for
 * people, JSON for tools, JUnit XML for CI dashboards.
 */
import type { Counterexample, DesignOutcome } from '../checker/check.js';
import { describeRun } from '../checker/arbitraries.js';
import { evaluate } from '../checker/evaluate.js';
import type { Sample } from '../checker/property.js';
import type { Judged } from '../checker/verdicts.js';
import { PROPERTIES } from '../../properties/index.js';
import { formatTimeline } from './timeline.js';

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
}

export interface Distribution {
  count: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  /** The largest latency as a share of its run's budget (≤ 1 means every run was within). */
  maxShareOfBudget: number;
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

function verdictText(j: Judged): string {
  if (j.unexpected) return `UNEXPECTED ${j.verdict} (expected ${j.expected})`;
  if (j.verdict === 'violated' && j.expected === 'violated') return 'violated as expected';
  if (j.verdict === 'not witnessed' && j.expected === 'not witnessed') return 'not witnessed, as expected';
  return j.verdict;
}

function coverageText(j: Judged): string {
  const o = j.outcome;
  if (o.property.kind === 'sometimes') return `witnessed in ${o.witnessedRuns}/${o.runs} runs`;
  if (o.property.kind === 'eventually' || o.triggeredRuns > 0 || o.voidedRuns > 0) {
    return `triggered in ${o.triggeredRuns}/${o.runs} runs (${o.disruptiveRuns} disruptive, ${o.voidedRuns} voided)`;
  }
  return '';
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
    lines.push(`Recovery after a disruptive fault, ${d.design} (time from the fault; budget = the run's own L1/L2 bound):`);
    const line = (name: string, x: Distribution | null) =>
      x
        ? `  ${name}: ${x.count} runs, median ${x.medianMs} ms, p99 ${x.p99Ms} ms, max ${x.maxMs} ms; at most ${Math.round(x.maxShareOfBudget * 100)}% of the budget`
        : `  ${name}: no disruptive run`;
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
  const bad = report.judged.filter((j) => j.unexpected);
  out.push('');
  out.push(
    bad.length === 0
      ? `All ${report.judged.length} verdicts as the manifest expects (properties/manifest.json).`
      : `${bad.length} verdict(s) differ from the manifest: ${bad.map((j) => `${j.outcome.property.id}/${j.outcome.design}`).join(', ')}.`,
  );
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
    out.push(`  scenario: ${file}`, `  replay:   npx pvlcheck replay ${file}`);
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
        unexpected: j.unexpected,
        runs: o.runs,
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
  };
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function junitReport(report: CheckReport): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites name="pvlcheck">'];
  for (const d of report.designs) {
    const mine = report.judged.filter((j) => j.outcome.design === d.design);
    const failures = mine.filter((j) => j.unexpected).length;
    lines.push(`  <testsuite name="${xml(d.design)}" tests="${mine.length}" failures="${failures}" time="${(d.ms / 1000).toFixed(3)}">`);
    for (const j of mine) {
      const name = `${j.outcome.property.id} ${j.outcome.property.title}`;
      lines.push(`    <testcase classname="${xml(d.design)}" name="${xml(name)}">`);
      if (j.unexpected) {
        const cx = j.outcome.counterexample;
        const detail = cx ? `${cx.violation.message}\n${describeRun(cx.spec).join('\n')}` : `expected ${j.expected}`;
        lines.push(`      <failure message="${xml(`${j.verdict}, expected ${j.expected}`)}">${xml(detail)}</failure>`);
      } else {
        lines.push(`      <system-out>${xml(`${j.verdict}; ${coverageText(j)}`)}</system-out>`);
      }
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n');
}
