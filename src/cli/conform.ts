/**
 * `pvlcheck conform LOG... [--skew MS] [--scenario NAME | --scenario-file F] [--design D]
 * [--until T] [--manifest F] [--format text|json|junit] [--html F.html]`: checks recorded
 * component logs against the statecharts and every property (docs/conformance.md).
 *
 * A LOG is a log file (one node's, or several nodes' merged) or a directory of `*.jsonl`
 * logs, whose `scenario.json` (as `simulate --format log --log-dir` writes it) is used when
 * no scenario flag is given. Exit 0: every line explained and every verdict as expected
 * (by default: nothing violated); 1: a line no chart explains, lines out of causal order
 * beyond the skew, or a verdict not as expected (violated, inconclusive); 2: bad input.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { propertiesFor } from '../../properties/index.js';
import { readManifest } from '../checker/verdicts.js';
import { conform, type ConformResult } from '../conform/conform.js';
import { parseLog, type LogLine } from '../conform/log.js';
import { InputError } from '../config/validate.js';
import { runReportHtml } from '../report/html.js';
import { helpText, parseArgs, type FlagSpecs } from './args.js';
import { MAX_TRACE_BYTES, readInputFile } from './inputs.js';
import type { Io } from './io.js';
import { checkOutFile, shellQuote, writeAtomic, writeErrorCode } from './outputs.js';
import { SCENARIO_FLAGS, loadScenario } from './simulate.js';

const CONFORM_FLAGS: FlagSpecs = {
  skew: { type: 'int', min: 0, max: 60_000, help: 'the largest difference between two nodes\' clocks, ms (default 0)' },
  scenario: { ...SCENARIO_FLAGS.scenario!, help: "the built-in scenario whose configuration and workload the logs ran with (default: a log directory's scenario.json, else 'normal': the default configuration)" },
  'scenario-file': { ...SCENARIO_FLAGS['scenario-file']!, help: 'the scenario file whose configuration and workload the logs ran with (simulate --format log --log-dir writes one)' },
  design: { ...SCENARIO_FLAGS.design!, help: "the design whose statecharts the logs are checked against (overrides the scenario's)" },
  until: { ...SCENARIO_FLAGS.until!, help: "virtual time, ms, at which the run ended (default: the scenario's, else the last line's)" },
  manifest: { type: 'string', help: 'expected verdicts (the shape of properties/manifest.json), by the design; default: a conformant log violates nothing' },
  format: { type: 'string', choices: ['text', 'json', 'junit'], help: 'text (default), JSON, or JUnit XML' },
  html: { type: 'string', help: 'also write the replayed log as an HTML page (swimlane sequence diagram, statecharts step by step)' },
  help: { type: 'boolean', help: 'this help' },
};

/** The log files named on the command line: files as they are, directories' *.jsonl sorted. */
function logFiles(args: readonly string[], io: Io): { files: { path: string; shown: string }[]; scenarioFile: string | null } {
  const files: { path: string; shown: string }[] = [];
  let scenarioFile: string | null = null;
  for (const a of args) {
    const path = io.resolve(a);
    if (existsSync(path) && statSync(path).isDirectory()) {
      const names = readdirSync(path).filter((n) => n.endsWith('.jsonl')).sort();
      if (names.length === 0) throw new InputError('LOG', `${a} has no *.jsonl logs`);
      for (const n of names) files.push({ path: join(path, n), shown: join(a, n) });
      if (existsSync(join(path, 'scenario.json')) && scenarioFile === null) scenarioFile = join(a, 'scenario.json');
    } else {
      files.push({ path, shown: a });
    }
  }
  return { files, scenarioFile };
}

export function conformCommand(argv: readonly string[], io: Io): number {
  const { flags, positional } = parseArgs('conform', argv, CONFORM_FLAGS);
  if (flags.help) {
    io.out(helpText('conform', 'Checks recorded component logs against the statecharts and every property.', CONFORM_FLAGS, 'LOG... [options]'));
    return 0;
  }
  if (positional.length === 0) throw new InputError('LOG', 'conform needs at least one log file (or a directory of *.jsonl logs)');
  const { files, scenarioFile } = logFiles(positional, io);
  const htmlPath = flags.html === undefined ? null : io.resolve(flags.html as string);
  if (htmlPath) checkOutFile('--html', htmlPath, flags.html as string);
  const scenarioFlags = { ...flags };
  if (flags.scenario === undefined && flags['scenario-file'] === undefined) {
    if (scenarioFile) scenarioFlags['scenario-file'] = scenarioFile;
    else scenarioFlags.scenario = 'normal';
  }
  const { scenario } = loadScenario(scenarioFlags, io);
  // The run's end is the scenario's when the logs come with one; else the last line's.
  const fromScenario = flags.scenario !== undefined || scenarioFlags['scenario-file'] !== undefined || flags.until !== undefined;
  const manifest = flags.manifest === undefined ? null : readManifest(io.resolve(flags.manifest as string));
  const lines: LogLine[] = [];
  for (const f of files) lines.push(...parseLog(readInputFile('LOG', f.path, f.shown, MAX_TRACE_BYTES), f.shown));
  const result = conform(lines, files.map((f) => f.shown), scenario, {
    // The scenario's fault model says which properties judge it (as simulate).
    properties: propertiesFor(scenario.faultModel),
    skewMs: (flags.skew as number | undefined) ?? 0,
    until: fromScenario ? scenario.until : null,
    manifest,
  });
  const command = `npx pvlcheck conform ${argv.map(shellQuote).join(' ')}`;
  if (flags.format === 'json') io.out(JSON.stringify(conformJson(result, command), null, 2));
  else if (flags.format === 'junit') io.out(conformJunit(result, command));
  else for (const l of conformText(result, command)) io.out(l);
  if (htmlPath) {
    const html = runReportHtml({
      scenario: `logs ${result.files.join(', ')}`,
      description: `The recorded logs, merged and replayed on the ${result.design} design's statecharts (pvlcheck conform).`,
      design: result.design,
      seed: null,
      until: result.until,
      replay: command,
      source: `logs ${result.files.join(', ')}`,
      events: result.events,
      verdicts: result.properties.map((p) => ({
        id: p.property.id,
        title: p.property.title,
        verdict: p.run,
        detail: p.violation ? `at ${p.violation.t} ms: ${p.violation.message}${p.evidence ? ` (${p.evidence})` : ''}` : '',
      })),
      recovery: result.finding ? [`does not conform: ${findingText(result)}`] : ['every line is explained by the statecharts'],
    });
    try {
      writeAtomic(htmlPath, html);
    } catch (e) {
      throw new InputError('--html', `cannot write ${String(flags.html)}: ${writeErrorCode(e)}`);
    }
  }
  return result.asExpected ? 0 : 1;
}

function findingText(r: ConformResult): string {
  const f = r.finding!;
  return `${f.line ? `${f.line.file}:${f.line.line}: ` : ''}${f.subject}: ${f.message}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
}

export function conformText(r: ConformResult, command: string): string[] {
  const out = [`pvlcheck conform: ${r.files.length} log file${r.files.length > 1 ? 's' : ''} (${r.lines} lines, ${r.nodes} nodes), design ${r.design}, clocks up to ${r.skewMs} ms apart`];
  if (r.offsets) {
    const span = Object.keys(r.offsets.hi).map((n) => (r.offsets!.hi[n] === r.offsets!.lo[n] ? `${n} ${r.offsets!.hi[n]}` : `${n} ${r.offsets!.lo[n]}..${r.offsets!.hi[n]}`));
    out.push(`  clock offsets the logs allow (ms): ${span.join(', ')}`);
    out.push(`  replayed on ${r.orders} consistent order${r.orders === 1 ? '' : 's'} (the clocks at their extremes); ${r.steps} steps to ${r.until} ms; ${r.lost} send${r.lost === 1 ? '' : 's'} never received (lost or to a down node); ${r.silentTimers} chart timer${r.silentTimers === 1 ? '' : 's'} no line logs`);
  }
 out.push(r.finding ? `  ✗ does not conform: ${findingText(r)}\n    (the verdicts below are of the replay up to that line)` : '  ✓ conforms: every line is explained by a transition of its statechart, in an order consistent with causality and the skew');
  out.push('');
  const rows = [['property', 'verdict', 'in this log', 'evidence']];
  for (const p of r.properties) {
    const verdict = p.unexpected ? `UNEXPECTED ${p.verdict}${p.expected ? ` (expected ${p.expected})` : ''}` : p.verdict;
    const ev = p.violation ? `${p.evidence ? `${p.evidence}: ` : ''}at ${p.violation.t} ms: ${p.violation.message}` : (p.why ?? '');
    rows.push([`${p.property.id} ${p.property.title}`, verdict, p.run, ev]);
  }
  out.push(...table(rows), '');
  const bad = r.properties.filter((p) => p.unexpected);
  if (r.asExpected) out.push(`The logs conform and all ${r.properties.length} verdicts are as expected.`);
  else {
    const parts: string[] = [];
    if (r.finding) parts.push('the logs do not conform');
    if (bad.length > 0) parts.push(`${bad.length} verdict(s) not as expected: ${bad.map((p) => p.property.id).join(', ')}`);
    out.push(`${parts.join('; ')}.`);
  }
  out.push(`rerun: ${command}`);
  return out;
}

export function conformJson(r: ConformResult, command: string): unknown {
  return {
    command,
    design: r.design,
    skewMs: r.skewMs,
    files: r.files,
    lines: r.lines,
    offsets: r.offsets,
    conforms: r.finding === null,
    finding: r.finding
      ? { subject: r.finding.subject, kind: r.finding.kind, file: r.finding.line?.file ?? null, line: r.finding.line?.line ?? null, message: r.finding.message }
      : null,
    steps: r.steps,
    orders: r.orders,
    until: r.until,
    lost: r.lost,
    silentTimers: r.silentTimers,
    asExpected: r.asExpected,
    properties: r.properties.map((p) => ({
      id: p.property.id,
      title: p.property.title,
      kind: p.property.kind,
      verdict: p.verdict,
      run: p.run,
      expected: p.expected,
      unexpected: p.unexpected,
      why: p.why,
      violation: p.violation,
      evidence: p.evidence,
    })),
  };
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** JUnit XML: one testcase for the charts' conformance, one per property. */
export function conformJunit(r: ConformResult, command: string): string {
  const failures = (r.finding ? 1 : 0) + r.properties.filter((p) => p.unexpected).length;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>'];
  lines.push(
    `  <testsuite name="conform ${xml(r.design)}" package="pvlcheck" id="0" timestamp="1970-01-01T00:00:00" hostname="localhost" tests="${r.properties.length + 1}" failures="${failures}" errors="0" skipped="0" time="0.000">`,
  );
  lines.push('    <properties>', `      <property name="command" value="${xml(command)}"/>`, `      <property name="skewMs" value="${r.skewMs}"/>`, '    </properties>');
  lines.push(`    <testcase classname="conform" name="statecharts" time="0.000">`);
  if (r.finding) lines.push(`      <failure type="pvlcheck.DoesNotConform" message="${xml(findingText(r))}">${xml(findingText(r))}</failure>`);
  lines.push('    </testcase>');
  for (const p of r.properties) {
    lines.push(`    <testcase classname="conform" name="${xml(`${p.property.id} ${p.property.title}`)}" time="0.000">`);
    if (p.unexpected) {
      const msg = `${p.verdict}${p.violation ? `: ${p.evidence ? `${p.evidence}: ` : ''}at ${p.violation.t} ms: ${p.violation.message}` : p.why ? `: ${p.why}` : ''}`;
      lines.push(`      <failure type="pvlcheck.Unexpected${p.verdict.replace(/(^|\s)(\w)/g, (_m: string, _s: string, c: string) => c.toUpperCase())}" message="${xml(msg)}">${xml(msg)}</failure>`);
    }
    lines.push('    </testcase>');
  }
  lines.push('    <system-out></system-out>', '    <system-err></system-err>', '  </testsuite>', '</testsuites>');
  return lines.join('\n');
}
