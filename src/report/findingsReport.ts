/**
 * The findings part of a check report (`check --fault-model extended`): each finding of
 * the table (properties/findings.json) found or not, with the run and the time at which
 * it was first found, its shrunk counterexample as a story, its file and its replay
 * command; and each new finding (a counterexample no finding names) in full.
 */
import { describeRun } from '../checker/arbitraries.js';
import type { DesignOutcome } from '../checker/check.js';
import type { FindingsTable, FoundFinding } from '../checker/findings.js';
import { shellQuote } from './shellQuote.js';

/** Every finding found in these outcomes, in design order. */
export function allFound(outcomes: readonly DesignOutcome[]): FoundFinding[] {
  return outcomes.flatMap((d) => d.findings ?? []);
}

export function newFindings(outcomes: readonly DesignOutcome[]): FoundFinding[] {
  return allFound(outcomes).filter((f) => f.finding === null);
}

/** The counterexample file of a found finding: `<design>-<id>.json` (`<design>-new-<property>.json` for a new one). */
export function findingFileName(f: FoundFinding): string {
  return `${f.design}-${f.finding ?? `new-${f.property}`}.json`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Text lines: the table's findings, found or not, then the new ones in full. */
export function findingsText(table: FindingsTable, outcomes: readonly DesignOutcome[], files: Readonly<Record<string, string>>): string[] {
  const found = allFound(outcomes);
  const lines: string[] = ['', 'Findings (properties/findings.json, docs/findings.md):'];
  for (const f of table.findings) {
    const hits = found.filter((x) => x.finding === f.id);
    if (hits.length === 0) {
      lines.push(f.scenarioOnly ? `  ${f.id} ${f.title}: not drawn by this campaign (${f.scenarioOnly}); shown by its scenario: npx pvlcheck simulate --scenario ${f.scenario}` : `  ${f.id} ${f.title}: not found`);
      continue;
    }
    for (const h of hits) {
      const cx = h.counterexample;
      lines.push(
        `  ${f.id} ${f.title}: found (${h.design}, ${h.property}) at run ${h.foundAtRun}, after ${seconds(h.foundAfterMs)}; ${cx.spec.faults.length} fault${cx.spec.faults.length === 1 ? '' : 's'}`,
      );
      for (const l of describeRun(cx.spec)) lines.push(`      ${l}`);
      if (cx.violation.message) lines.push(`      ${cx.violation.t > 0 ? `at ${cx.violation.t} ms: ` : ''}${cx.violation.message}`);
      const file = files[findingFileName(h)];
      if (file) lines.push(`      replay:   npx pvlcheck replay ${shellQuote(file)}`);
    }
  }
  const fresh = found.filter((x) => x.finding === null);
  for (const h of fresh) {
    const cx = h.counterexample;
    lines.push('', `  NEW FINDING (${h.design}, ${h.property}), run ${h.foundAtRun}: no finding of properties/findings.json names it; add it there and to docs/findings.md.`);
    for (const l of describeRun(cx.spec)) lines.push(`      ${l}`);
    lines.push(`      at ${cx.violation.t} ms: ${cx.violation.message}`);
    const file = files[findingFileName(h)];
    if (file) lines.push(`      replay:   npx pvlcheck replay ${shellQuote(file)}`);
  }
  const named = new Set(found.map((x) => x.finding).filter((x) => x !== null));
  const drawn = table.findings.filter((f) => !f.scenarioOnly || named.has(f.id));
  const apart = table.findings.filter((f) => !drawn.includes(f)).map((f) => f.id);
  lines.push(
    '',
    `  ${drawn.filter((f) => named.has(f.id)).length} of ${drawn.length} findings found${fresh.length > 0 ? `, ${fresh.length} new` : ''}${apart.length > 0 ? `; ${apart.join(', ')} shown by their scenarios only (not drawn by this campaign)` : ''}.`,
  );
  return lines;
}

/** The same as data, for `--format json`: per finding, when it was first found (run, ms) and its counterexample. */
export function findingsJson(table: FindingsTable, outcomes: readonly DesignOutcome[], files: Readonly<Record<string, string>>): unknown {
  const found = allFound(outcomes);
  const entry = (h: FoundFinding) => ({
    design: h.design,
    property: h.property,
    foundAtRun: h.foundAtRun,
    foundAfterMs: Math.round(h.foundAfterMs),
    faults: h.counterexample.spec.faults,
    story: describeRun(h.counterexample.spec),
    violation: h.counterexample.violation,
    file: files[findingFileName(h)] ?? null,
  });
  return {
    table: table.findings.map((f) => ({ id: f.id, title: f.title, ...(f.scenarioOnly ? { scenarioOnly: f.scenarioOnly } : {}), found: found.filter((x) => x.finding === f.id).map(entry) })),
    new: found.filter((x) => x.finding === null).map(entry),
  };
}
