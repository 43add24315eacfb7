/**
 * The run a report shows: either a scenario run here with every property watching (as
 * `simulate` does), or a JSONL trace that `simulate --format jsonl` wrote, read back with
 * its summary line (verdicts, recovery, replay command).
 */
import { builtinScenario } from '../config/builtins.js';
import type { Scenario } from '../config/types.js';
import { InputError } from '../config/validate.js';
import type { TraceEvent } from '../engine/trace.js';
import { evaluate } from '../checker/evaluate.js';
import type { Verdict } from '../checker/property.js';
import { PROPERTIES } from '../../properties/index.js';
import { analyseRecovery, type Recovery } from '../sim/recovery.js';
import type { ReportVerdict, RunReport } from './html.js';

/** One run's verdict on a property, in words (the command line's `runVerdict`). */
export type VerdictWords = (kind: string, v: Verdict) => string;

/**
 * Runs a scenario with every property and gathers what the report shows; `words` and
 * `recoveryLines` say verdicts and recovery as `simulate` does (src/cli/simulate.ts).
 */
export function reportOfScenario(scenario: Scenario, replay: string, words: VerdictWords, recoveryLines: (r: Recovery) => string[]): RunReport {
  const run = evaluate(scenario, PROPERTIES, { keepTrace: true });
  const events = run.events ?? [];
  const recovery = analyseRecovery(scenario, events);
  const verdicts: ReportVerdict[] = PROPERTIES.map((p) => {
    const v = run.verdicts.get(p.id)!;
    return {
      id: p.id,
      title: p.title,
      verdict: words(p.kind, v),
      detail: v.violation ? `at ${v.violation.t} ms: ${v.violation.message}` : '',
    };
  });
  return {
    scenario: scenario.name,
    description: scenario.description ?? '',
    design: scenario.design,
    seed: scenario.seed,
    until: scenario.until,
    replay,
    source: `scenario ${scenario.name}`,
    events,
    verdicts,
    recovery: recoveryLines(recovery),
  };
}

const EVENTS = new Set(['send', 'deliver', 'drop', 'timer', 'fault', 'state', 'violation', 'summary']);

/** The fields each kind of trace line needs, so that a bad file is an InputError, not a crash. */
const NEEDS: Record<string, [string, 'string' | 'number' | 'object'][]> = {
  send: [['id', 'number'], ['from', 'string'], ['to', 'string'], ['msg', 'object'], ['origin', 'number']],
  deliver: [['id', 'number'], ['from', 'string'], ['to', 'string'], ['msg', 'object']],
  drop: [['from', 'string'], ['reason', 'string']],
  timer: [['node', 'string'], ['timer', 'string']],
  fault: [['kind', 'string']],
  state: [['node', 'string']],
  violation: [['property', 'string'], ['message', 'string']],
  summary: [],
};

export interface ReadTrace {
  events: TraceEvent[];
  summary: Record<string, unknown>;
}

/**
 * Parses a JSONL trace; errors name the file and line (field `--trace`). A trace without
 * its summary line is incomplete (model contract, "Trace"), and refused: its verdicts and
 * its design would be guesses.
 */
export function parseTrace(text: string, file: string): ReadTrace {
  const events: TraceEvent[] = [];
  let summary: Record<string, unknown> | null = null;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file} line ${i + 1}`;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      throw new InputError('--trace', `${where} is not JSON (expected a trace written by 'pvlcheck simulate --format jsonl')`);
    }
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new InputError('--trace', `${where} is not a JSON object`);
    const o = e as Record<string, unknown>;
    if (typeof o.t !== 'number') throw new InputError('--trace', `${where}: "t" must be a number`);
    if (typeof o.event !== 'string' || !EVENTS.has(o.event)) {
      throw new InputError('--trace', `${where}: "event" must be one of ${[...EVENTS].join(', ')}, got ${JSON.stringify(o.event)}`);
    }
    for (const [field, type] of NEEDS[o.event]!) {
      const v = o[field];
      if (typeof v !== type || v === null) throw new InputError('--trace', `${where}: a ${o.event} line needs "${field}" (${type})`);
    }
    if (o.event === 'summary') {
      if (summary) throw new InputError('--trace', `${where}: a second summary line`);
      summary = o;
      return;
    }
    if (summary) throw new InputError('--trace', `${where}: an event after the summary line`);
    events.push(o as unknown as TraceEvent);
  });
  if (events.length === 0) throw new InputError('--trace', `${file} has no trace events`);
  if (summary === null) {
    throw new InputError('--trace', `${file} has no summary line: the trace is incomplete (cut short?); a trace written by 'pvlcheck simulate --format jsonl' ends with one`);
  }
  const s = summary as Record<string, unknown>;
  if (typeof s.design !== 'string' || s.design === '') throw new InputError('--trace', `${file}: the summary line has no "design"`);
  return { events, summary: s };
}

/** The recovery part of a summary, in words (the shape `simulate` writes: recoveryJson). */
function recoveryFromSummary(r: unknown): string[] {
  if (!r || typeof r !== 'object') return [];
  const x = r as Record<string, unknown>;
  if (x.faultAt === null || x.faultAt === undefined) return ['no fault in this run: nothing to recover from'];
  const bounds = (x.bounds ?? {}) as Record<string, { deadline?: number | null; met?: boolean | null }>;
  const met = (b: { deadline?: number | null; met?: boolean | null } | undefined) =>
    !b || b.deadline === null || b.deadline === undefined ? '' : ` (deadline ${b.deadline} ms: ${b.met === null ? 'undecided' : b.met ? 'within' : 'MISSED'})`;
  return [
    `first fault at ${String(x.faultAt)} ms`,
    x.lastForwardAtLvs === null ? 'the LVS heard no forward traffic before the fault' : `t_f: the LVS last heard forward traffic at ${String(x.lastForwardAtLvs)} ms`,
    x.reverseResumedAt === null
      ? `reverse data never reached the client again${met(bounds.L1)}`
      : `reverse data reached the client again at ${String(x.reverseResumedAt)} ms via ${String(x.reverseResumedVia)}${met(bounds.L1)}`,
    x.fastPathRestoredAt === null
      ? `reverse data never came over a fast path again${met(bounds.L2)}`
      : `fast path restored at ${String(x.fastPathRestoredAt)} ms via ${String(x.fastPathRestoredVia)}${met(bounds.L2)}`,
  ];
}

/** A report of a trace file: verdicts from its summary (and its violation lines). */
export function reportOfTrace(read: ReadTrace, file: string): RunReport {
  const s = read.summary;
  const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
  const words = (s.verdicts && typeof s.verdicts === 'object' ? s.verdicts : {}) as Record<string, unknown>;
  const violations = new Map<string, string>();
  for (const e of read.events) {
    if (e.event === 'violation' && !violations.has(e.property)) violations.set(e.property, `at ${e.t} ms: ${e.message}`);
  }
  const ids = [...new Set([...PROPERTIES.map((p) => p.id).filter((id) => id in words || violations.has(id)), ...Object.keys(words), ...violations.keys()])];
  const verdicts: ReportVerdict[] = ids.map((id) => ({
    id,
    title: PROPERTIES.find((p) => p.id === id)?.title ?? '',
    verdict: str(words[id], violations.has(id) ? 'violated' : 'unknown'),
    detail: violations.get(id) ?? '',
  }));
  const scenario = str(s.scenario, file);
  return {
    scenario,
    description: builtinScenario(scenario)?.description ?? '',
    design: s.design as string,
    seed: typeof s.seed === 'number' ? s.seed : null,
    until: typeof s.until === 'number' ? s.until : null,
    replay: str(s.replay, `npx pvlcheck report --trace ${/^[\w@%+=:,./-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`}`),
    source: `trace ${file}`,
    events: read.events,
    verdicts,
    recovery: recoveryFromSummary(s.recovery),
  };
}
