/**
 * `pvlcheck simulate --scenario NAME | --scenario-file F [--design D] [--seed N]
 * [--format text|jsonl]`: runs one scenario and prints its timeline or its trace.
 */
import { BUILTIN_NAMES, builtinScenario } from '../config/builtins.js';
import { MAX_TRACE_EVENTS, MAX_UNTIL_MS, MAX_UNTIL_WHY } from '../config/defaults.js';
import { estimatedTraceEvents, parseScenarioText, scenarioToJson } from '../config/scenario.js';
import { buildSystem, DESIGN_NAMES } from '../engine/system.js';
import type { TraceEvent } from '../engine/trace.js';
import { skewOffsets, traceToLogs } from '../conform/log.js';
import { checkInspectFlags, INSPECT_FLAGS, normaliseInspectArgv, streamRun } from './inspect.js';
import type { Design, Scenario } from '../config/types.js';
import { InputError } from '../config/validate.js';
import { toJsonl } from '../engine/trace.js';
import { propertiesFor } from '../../properties/index.js';
import { evaluate } from '../checker/evaluate.js';
import { runVerdict } from '../checker/verdicts.js';
import { formatTimeline } from '../report/timeline.js';
import { analyseRecovery, type Recovery } from '../sim/recovery.js';
import { didYouMean, helpText, parseArgs, type FlagSpecs } from './args.js';
import { readInputFile } from './inputs.js';
import type { Io } from './io.js';
import { checkOutDir, shellQuote, writeInto } from './outputs.js';

export { shellQuote };

/** The flags that name a scenario and override its design, seed and length (loadScenario reads them). */
export const SCENARIO_FLAGS: FlagSpecs = {
  scenario: { type: 'string', help: `a built-in scenario (default fp-crash-reverse-only): ${BUILTIN_NAMES.join(', ')}` },
  'scenario-file': { type: 'string', help: 'a scenario file (JSON, see docs/scenarios.md)' },
  design: { type: 'string', choices: DESIGN_NAMES, help: "the design to run (overrides the scenario's)" },
  seed: { type: 'int', help: "the seed of every random choice (overrides the scenario's)" },
  until: { type: 'int', min: 1, max: MAX_UNTIL_MS, maxWhy: MAX_UNTIL_WHY, help: `virtual time, ms, at which the run ends (at most ${MAX_UNTIL_MS}: 10 minutes)` },
};

export const SIMULATE_FLAGS: FlagSpecs = {
  ...SCENARIO_FLAGS,
  format: { type: 'string', choices: ['text', 'jsonl', 'log'], help: 'text timeline (default), the JSONL trace, or component logs (docs/conformance.md)' },
  full: { type: 'boolean', help: 'text: show every delivery (no folding of repeated packets)' },
  'log-dir': { type: 'string', help: 'log: write one file per node (NODE.jsonl) and scenario.json into DIR (default: one merged log on stdout)' },
  skew: { type: 'int', min: 0, max: 60_000, help: 'log: each node logs on its own clock, up to MS ms apart from the others (default 0)' },
  ...INSPECT_FLAGS,
  list: { type: 'boolean', help: 'list the built-in scenarios' },
  help: { type: 'boolean', help: 'this help' },
};

/**
 * Reads the scenario a command names, with --design/--seed/--until applied. `fileFrom`
 * names where a scenario file's path came from in errors (`replay FILE` for replay).
 */
export function loadScenario(flags: Record<string, unknown>, io: Io, fileFrom = '--scenario-file'): { scenario: Scenario; replay: string } {
  const name = flags.scenario as string | undefined;
  const file = flags['scenario-file'] as string | undefined;
  if (name !== undefined && file !== undefined) {
    throw new InputError('--scenario', 'give either --scenario or --scenario-file, not both');
  }
  let scenario: Scenario;
  let source: string;
  if (file !== undefined) {
    const text = readInputFile(fileFrom, io.resolve(file), file);
    scenario = withSource(() => parseScenarioText(text, file), file);
    source = `--scenario-file ${shellQuote(file)}`;
  } else {
    const chosen = name ?? 'fp-crash-reverse-only';
    const found = builtinScenario(chosen);
    if (!found) {
      const near = didYouMean(chosen, BUILTIN_NAMES).slice(2, -1);
      throw new InputError('--scenario', `unknown scenario ${JSON.stringify(chosen)} (${near ? `${near} ` : ''}built-in: ${BUILTIN_NAMES.join(', ')})`);
    }
    scenario = found;
    source = `--scenario ${chosen}`;
  }
  if (flags.design !== undefined) scenario = { ...scenario, design: flags.design as Design };
  if (flags.seed !== undefined) scenario = { ...scenario, seed: flags.seed as number };
  if (flags.until !== undefined) {
    const until = flags.until as number;
    const late = scenario.faults.findIndex((f) => f.at > until);
    if (late >= 0) throw new InputError('--until', `${until} is before faults[${late}].at (${scenario.faults[late]!.at})`);
    scenario = { ...scenario, until };
  }
  // The whole trace is kept: refuse, before it starts, a run too large to keep.
  const size = estimatedTraceEvents(scenario);
  if (size.events > MAX_TRACE_EVENTS) {
    const field = flags.until !== undefined ? '--until' : file !== undefined ? `${file}: until` : '--scenario';
    throw new InputError(
      field,
      `this run would keep about ${size.events} trace events (${size.why}), more than the ${MAX_TRACE_EVENTS} pvlcheck keeps; shorten it or send less often`,
    );
  }
  const untilFlag = flags.until !== undefined ? ` --until ${scenario.until}` : '';
  const replay = `npx pvlcheck simulate ${source} --design ${scenario.design} --seed ${scenario.seed}${untilFlag}`;
  return { scenario, replay };
}

/** Prefix a scenario file's errors with the file name. */
function withSource<T>(read: () => T, file: string): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof InputError && !e.problem.startsWith(file)) {
      throw new InputError(e.field ? `${file}: ${e.field}` : file, e.problem);
    }
    throw e;
  }
}

export function recoveryJson(r: Recovery): Record<string, unknown> {
  return {
    faultAt: r.faultAt,
    lastForwardAtLvs: r.lastForwardAtLvs,
    reverseResumedAt: r.reverseResumedAt,
    reverseResumedVia: r.reverseResumedVia,
    fastPathRestoredAt: r.fastPathRestoredAt,
    fastPathRestoredVia: r.fastPathRestoredVia,
    usedVgw: r.usedVgw,
    bounds: {
      L1: { budgetMs: r.bounds.l1.ms, deadline: r.l1Deadline, met: r.withinL1, terms: r.bounds.l1.terms },
      L2: { budgetMs: r.bounds.l2.ms, deadline: r.l2Deadline, met: r.withinL2, terms: r.bounds.l2.terms },
    },
  };
}

export function recoveryText(r: Recovery): string[] {
  if (r.faultAt === null) return ['  no fault in this run: nothing to recover from'];
  const verdict = (met: boolean | null) => (met === null ? 'undecided: the run ended first' : met ? 'within' : 'MISSED');
  const lines = [`  first fault at ${r.faultAt} ms`];
  lines.push(
    r.lastForwardAtLvs === null
      ? '  the LVS heard no forward traffic before the fault'
      : `  t_f: the LVS last heard forward traffic sent before the fault at ${r.lastForwardAtLvs} ms`,
  );
  const l1 = r.l1Deadline === null ? '' : ` (L1 deadline ${r.l1Deadline} ms = ${r.l1DeadlineRule}: ${verdict(r.withinL1)})`;
  const l2 = r.l2Deadline === null ? '' : ` (L2 deadline ${r.l2Deadline} ms = ${r.l2DeadlineRule}: ${verdict(r.withinL2)})`;
  lines.push(
    r.reverseResumedAt === null
      ? `  reverse data never reached the client again${l1}`
      : `  reverse data reached the client again at ${r.reverseResumedAt} ms via ${r.reverseResumedVia}${l1}`,
  );
  lines.push(
    r.fastPathRestoredAt === null
      ? `  reverse data never came over a fast path again${l2}`
      : `  fast path restored at ${r.fastPathRestoredAt} ms via ${r.fastPathRestoredVia}${l2}`,
  );
  return lines;
}

export { runVerdict };

/**
 * Runs a scenario with every property watching and prints it (simulate and replay); with
 * `--inspect`, then streams it into the Stately inspector.
 */
export function showRun(scenario: Scenario, replay: string, title: string, flags: Record<string, unknown>, io: Io): number | Promise<number> {
  const code = printRun(scenario, replay, title, flags, io);
  return flags.inspect === undefined ? code : streamRun(scenario, flags, io);
}

function printRun(scenario: Scenario, replay: string, title: string, flags: Record<string, unknown>, io: Io): number {
  // The scenario's fault model says which properties judge it (L4, W4, W5 under extended).
  const PROPERTIES = propertiesFor(scenario.faultModel);
  const run = evaluate(scenario, PROPERTIES, { keepTrace: true });
  const events = run.events ?? [];
  const recovery = analyseRecovery(scenario, events);
  const verdicts: Record<string, string> = {};
  for (const p of PROPERTIES) verdicts[p.id] = runVerdict(p.kind, run.verdicts.get(p.id)!);
  if (flags.format === 'log') return writeLogs(scenario, events, flags, io);
  if (flags.format === 'jsonl') {
    io.out(toJsonl(events), false);
    io.out(
      JSON.stringify({
        t: scenario.until,
        event: 'summary',
        scenario: scenario.name,
        design: scenario.design,
        seed: scenario.seed,
        choices: scenario.choices,
        until: scenario.until,
        steps: run.steps,
        replay,
        recovery: recoveryJson(recovery),
        verdicts,
      }),
    );
    return 0;
  }
  io.out(`pvlcheck ${title}: scenario ${scenario.name}, design ${scenario.design}, seed ${scenario.seed}${scenario.choices === 'minimal' ? ' (minimal choices)' : ''}, until ${scenario.until} ms`);
  if (scenario.description) io.out(`  ${scenario.description}`);
  io.out(`  replay: ${replay}`);
  io.out('');
  io.out('  time(ms)  hop              message                                      meaning');
  for (const l of formatTimeline(events, { full: flags.full === true })) io.out(l);
  io.out('');
  io.out(`Summary (${run.steps} steps, ${events.length} trace events)`);
  for (const l of recoveryText(recovery)) io.out(l);
  io.out('  properties in this run:');
  for (const p of PROPERTIES) {
    const v = run.verdicts.get(p.id)!;
    const detail = v.violation ? ` at ${v.violation.t} ms: ${v.violation.message}` : '';
    io.out(`    ${`${p.id} ${p.title}`.padEnd(40)} ${verdicts[p.id]}${detail}`);
  }
  io.out(`  seed ${scenario.seed}; replay: ${replay}`);
  return 0;
}

/**
 * `--format log`: the run as the components would log it (docs/conformance.md), each node
 * on its own clock (`--skew`): one file per node and the scenario in `--log-dir`, or one
 * merged log on stdout.
 */
function writeLogs(scenario: Scenario, events: readonly TraceEvent[], flags: Record<string, unknown>, io: Io): number {
  const skew = (flags.skew as number | undefined) ?? 0;
  const nodes = buildSystem(scenario.design, scenario.config, scenario.workload).nodeIds;
  const offsets = skewOffsets(nodes, skew, scenario.seed);
  const { byNode, merged } = traceToLogs(events, offsets);
  const named = flags['log-dir'] as string | undefined;
  if (named === undefined) {
    io.out(merged.join('\n') + (merged.length > 0 ? '\n' : ''), false);
    return 0;
  }
  const dir = io.resolve(named);
  checkOutDir('--log-dir', dir, named);
  for (const n of nodes) writeInto('--log-dir', dir, `${n}.jsonl`, (byNode.get(n) ?? []).map((l) => l + '\n').join(''));
  writeInto('--log-dir', dir, 'scenario.json', scenarioToJson(scenario));
  io.out(`pvlcheck simulate: wrote ${nodes.length} node logs (${merged.length} lines, clocks up to ${skew} ms apart: ${nodes.map((n) => `${n} +${offsets[n]}`).join(', ')}) and scenario.json to ${named}`);
  io.out(`  check them: npx pvlcheck conform ${shellQuote(named)} --skew ${skew}`);
  return 0;
}

export function simulateCommand(argv: readonly string[], io: Io): number | Promise<number> {
  const { flags, positional } = parseArgs('simulate', normaliseInspectArgv(argv), SIMULATE_FLAGS);
  if (positional.length > 0) {
    throw new InputError(positional[0]!, `unexpected argument for 'simulate' (a scenario is given with --scenario NAME or --scenario-file F)`);
  }
  if (flags.help) {
    io.out(helpText('simulate', 'Runs one scenario and prints its timeline (or its JSONL trace).', SIMULATE_FLAGS, '[--scenario NAME | --scenario-file F] [options]'));
    return 0;
  }
  if (flags.list) {
    for (const name of BUILTIN_NAMES) io.out(`${name.padEnd(24)} ${builtinScenario(name)!.description}`);
    return 0;
  }
  if (flags.format !== 'log') {
    for (const f of ['log-dir', 'skew']) if (flags[f] !== undefined) throw new InputError(`--${f}`, 'only with --format log');
  }
  checkInspectFlags(flags);
  const { scenario, replay } = loadScenario(flags, io);
  return showRun(scenario, replay, 'simulate', flags, io);
}
