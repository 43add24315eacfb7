/**
 * `pvlcheck report --scenario NAME | --scenario-file F | --trace FILE.jsonl [--design D]
 * [--seed N] [--until T] [--html FILE] [--format html|mermaid]`: one run as something to
 * look at. HTML (default): a self-contained page with the sequence diagram, a step
 * control over the statecharts, and the verdicts (written to --html, default report.html).
 * Mermaid: the folded sequence diagram as `sequenceDiagram` text (printed, or to --html).
 * `--out` is the deprecated spelling of `--html`.
 */
import { InputError } from '../config/validate.js';
import { runReportHtml, type RunReport } from '../report/html.js';
import { parseTrace, reportOfScenario, reportOfTrace } from '../report/runReport.js';
import { buildSequence, mermaidSequence } from '../report/sequence.js';
import { helpText, parseArgs, type FlagSpecs } from './args.js';
import { MAX_TRACE_BYTES, readInputFile } from './inputs.js';
import type { Io } from './io.js';
import { checkOutFile, writeAtomic, writeErrorCode } from './outputs.js';
import { SCENARIO_FLAGS, loadScenario, recoveryText, runVerdict } from './simulate.js';

export const REPORT_FLAGS: FlagSpecs = {
  ...SCENARIO_FLAGS,
  trace: { type: 'string', help: "a JSONL trace written by 'pvlcheck simulate --format jsonl'" },
  format: { type: 'string', choices: ['html', 'mermaid'], help: 'an HTML page (default) or a Mermaid sequenceDiagram' },
  html: { type: 'string', help: "the file to write (html default: report.html; mermaid default: stdout; '-' = stdout)" },
  out: { type: 'string', aliasOf: 'html', help: 'deprecated spelling of --html' },
  full: { type: 'boolean', help: 'mermaid: every delivery (no folding of repeated packets)' },
  help: { type: 'boolean', help: 'this help' },
};

function readRun(flags: Record<string, unknown>, io: Io): RunReport {
  const trace = flags.trace as string | undefined;
  if (trace === undefined) {
    const { scenario, replay } = loadScenario(flags, io);
    return reportOfScenario(scenario, replay, runVerdict, (r) => recoveryText(r).map((l) => l.trim()));
  }
  for (const flag of ['scenario', 'scenario-file', 'design', 'seed', 'until']) {
    if (flags[flag] !== undefined) throw new InputError(`--${flag}`, 'cannot be combined with --trace (a trace is a finished run)');
  }
  const text = readInputFile('--trace', io.resolve(trace), trace, MAX_TRACE_BYTES);
  return reportOfTrace(parseTrace(text, trace), trace);
}

export function reportCommand(argv: readonly string[], io: Io): number {
  const { flags, positional } = parseArgs('report', argv, REPORT_FLAGS);
  if (flags.help) {
    io.out(
      helpText(
        'report',
        'Shows one run: an HTML page with its sequence diagram, a step control over the statecharts and its verdicts, or a Mermaid sequence diagram.',
        REPORT_FLAGS,
        '[--scenario NAME | --scenario-file F | --trace FILE.jsonl] [options]',
      ),
    );
    return 0;
  }
  if (positional.length > 0) {
    throw new InputError(positional[0]!, "unexpected argument for 'report' (give --scenario NAME, --scenario-file F or --trace FILE.jsonl)");
  }
  const format = (flags.format as string | undefined) ?? 'html';
  const named = flags.html as string | undefined;
  const out = named ?? (format === 'html' ? 'report.html' : '-');
  const path = out === '-' ? null : io.resolve(out);
  // Where it goes is checked before the run, not after it.
  if (path !== null) checkOutFile('--html', path, out);
  const run = readRun(flags, io);
  const text =
    format === 'mermaid'
      ? mermaidSequence(buildSequence(run.events), { title: `${run.scenario} (${run.design}, seed ${run.seed ?? '?'})`, full: flags.full === true })
      : runReportHtml(run);
  if (path === null) {
    io.out(text, false);
    return 0;
  }
  let replaced: boolean;
  try {
    replaced = writeAtomic(path, text).replaced;
  } catch (e) {
    throw new InputError('--html', `cannot write ${out}: ${writeErrorCode(e)}`);
  }
  const violated = run.verdicts.filter((v) => v.verdict === 'violated').map((v) => v.id);
  const how = [named === undefined ? 'the default --html' : '', replaced ? 'replacing the file that was there' : ''].filter(Boolean).join('; ');
  io.out(`report of ${run.scenario} (${run.design}, seed ${run.seed ?? '?'}) written to ${path}${how ? ` (${how})` : ''}`);
  io.out(`  ${run.events.length} trace events; violated: ${violated.length > 0 ? violated.join(', ') : 'none'}`);
  if (format === 'html') io.out('  open it in a browser: ←/→ step through the trace, Shift+←/→ jump to the next event of note');
  return 0;
}
