/**
 * `pvlcheck sweep`: a grid over configuration and workload values (`--param NAME=a:b:step`
 * or `--param NAME=v1,v2,...`, repeated; default: around the spec's defaults), each point
 * a check campaign of one design; per point every verdict, L1/L2 recovery p50/p99/max and
 * the rates of needless VGW fallbacks and ENI failovers; a table (or JSON), an HTML page
 * with heat maps (`--html F`), and the recommended setting with its reasons.
 *
 * Points run in worker threads (up to --workers, default the cores); each point's runs
 * follow from the seed alone, so the result does not depend on how many. `--shard i/n`
 * runs point p only in shard (p mod n) + 1; `pvlcheck merge` joins the shards.
 *
 * Exit codes: 0 a recommendation (or a shard's points), 1 no point of the grid is safe,
 * 2 bad input (naming the flag, or `--param NAME`).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ALL_PROPERTIES, propertiesFor } from '../../properties/index.js';
import { firstDifference } from '../checker/merge.js';
import { inShard, parseShard, shardText, type Shard } from '../checker/shard.js';
import {
  DEFAULT_GRID,
  DEFAULT_MAX_NEEDLESS_PERCENT,
  DEFAULT_SWEEP_RUNS,
  MAX_POINTS,
  MAX_VALUES_PER_PARAM,
  SWEEPABLE,
  baseConflicts,
  gridPoints,
  recommend,
  runPoint,
  type PointOptions,
  type PointResult,
  type SweepParam,
} from '../checker/sweep.js';
import { forFaultModel, manifestPath, readManifest, type Manifest } from '../checker/verdicts.js';
import { DEFAULT_CONFIG, DEFAULT_SEED, DEFAULT_WORKLOAD } from '../config/defaults.js';
import { FAULT_MODELS, type FaultModel } from '../config/faults.js';
import { parseConfig, parseWorkload } from '../config/scenario.js';
import { InputError, describe } from '../config/validate.js';
import { DESIGN_NAMES } from '../config/topology.js';
import { sweepHtml, sweepJson, sweepTextReport, type SweepIdentity, type SweepResult } from '../report/sweepReport.js';
import { didYouMean, helpText, parseArgs, type FlagSpecs } from './args.js';
import { DEFAULT_MAX_FAULTS, DEFAULT_MAX_FAULTS_EXTENDED } from './check.js';
import { readFixed } from './fixed.js';
import type { Io } from './io.js';
import { checkOutFile, shellQuote, writeAtomic, writeErrorCode } from './outputs.js';
import { PACKAGE_ROOT, VERSION } from '../config/packageRoot.js';

export const SWEEP_FLAGS: FlagSpecs = {
  param: { type: 'repeated', help: `NAME=a:b:step or NAME=v1,v2,... (repeat for each parameter; default ${DEFAULT_GRID.join(' ')})` },
  design: { type: 'string', choices: DESIGN_NAMES, help: 'the design swept (default patent)' },
  runs: { type: 'int', min: 1, help: `random runs per point (default ${DEFAULT_SWEEP_RUNS})` },
  seed: { type: 'int', help: `the seed of everything, the same at every point (default ${DEFAULT_SEED})` },
  'max-faults': { type: 'int', help: `faults per run, at most (default ${DEFAULT_MAX_FAULTS}; ${DEFAULT_MAX_FAULTS_EXTENDED} with --fault-model extended)` },
  'fault-model': { type: 'string', choices: FAULT_MODELS, help: 'patent (default) or extended, as for check' },
  property: { type: 'list', choices: ALL_PROPERTIES.map((p) => p.id), help: "only these properties (default: all of the fault model's)" },
  config: { type: 'string', help: 'a JSON file fixing config/workload values under every point (not the swept ones)' },
  'max-needless': { type: 'int', min: 0, max: 100, help: `recommend only settings whose needless fallbacks/failovers stay at or below this % of runs (default ${DEFAULT_MAX_NEEDLESS_PERCENT})` },
  shard: { type: 'string', help: "i/n: only the grid points of shard i of n (point p is shard (p mod n) + 1's); pvlcheck merge joins the shards' --format json" },
  format: { type: 'string', choices: ['text', 'json'], help: 'output format (default text)' },
  html: { type: 'string', help: 'also write an HTML page: a heat map per figure, the safe region outlined, the recommended setting' },
  workers: { type: 'int', min: 1, help: 'worker threads (default: the cores)' },
  'shrink-budget': { type: 'int', min: 1, help: 'evaluations per shrink, at most (default 400)' },
  help: { type: 'boolean', help: 'this help' },
};

// ---- --param -------------------------------------------------------------------------

function checkValue(name: string, v: number): void {
  const section = SWEEPABLE[name]!;
  try {
    if (section === 'config') parseConfig({ [name]: v }, 'config');
    else parseWorkload({ [name]: v }, 'workload');
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`--param ${name}`, `${v}: ${e.problem}`);
    throw e;
  }
}

function wholeNumber(name: string, text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new InputError(`--param ${name}`, `${JSON.stringify(text)} is not a whole number`);
  return Number(text.trim());
}

/** `NAME=a:b:step` (a, a+step, ... up to b) or `NAME=v1,v2,...`; InputError naming `--param NAME` otherwise. */
export function parseParam(text: string): SweepParam {
  const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*)$/.exec(text);
  if (!m) throw new InputError('--param', `must be NAME=a:b:step or NAME=v1,v2,..., got ${JSON.stringify(text)}`);
  const name = m[1]!;
  const spec = m[2]!.trim();
  if (!Object.prototype.hasOwnProperty.call(SWEEPABLE, name)) {
    throw new InputError(`--param ${name}`, `not a sweepable parameter${didYouMean(name, Object.keys(SWEEPABLE))} (sweepable: ${Object.keys(SWEEPABLE).join(', ')})`);
  }
  if (spec === '') throw new InputError(`--param ${name}`, 'gives no values (NAME=a:b:step or NAME=v1,v2,...)');
  let values: number[];
  if (spec.includes(':')) {
    const parts = spec.split(':');
    if (parts.length !== 3) throw new InputError(`--param ${name}`, `a range is a:b:step (three numbers), got ${JSON.stringify(spec)}`);
    const [a, b, step] = parts.map((p) => wholeNumber(name, p)) as [number, number, number];
    if (step <= 0) throw new InputError(`--param ${name}`, `the step must be at least 1, got ${step}`);
    if (a > b) throw new InputError(`--param ${name}`, `the range ${a}:${b} runs backwards (a must be at most b)`);
    if ((b - a) / step + 1 > MAX_VALUES_PER_PARAM) throw new InputError(`--param ${name}`, `${a}:${b}:${step} gives more than ${MAX_VALUES_PER_PARAM} values`);
    values = [];
    for (let v = a; v <= b; v += step) values.push(v);
  } else {
    const items = spec.split(',').map((s) => s.trim());
    if (items.some((s) => s === '')) throw new InputError(`--param ${name}`, `an empty value in ${JSON.stringify(spec)}`);
    values = items.map((s) => wholeNumber(name, s));
    if (values.length > MAX_VALUES_PER_PARAM) throw new InputError(`--param ${name}`, `more than ${MAX_VALUES_PER_PARAM} values`);
    const seen = new Set<number>();
    for (const v of values) {
      if (seen.has(v)) throw new InputError(`--param ${name}`, `${v} is given twice`);
      seen.add(v);
    }
  }
  for (const v of values) checkValue(name, v);
  return { name, values };
}

/** The parameters of a grid, each once, with at most MAX_POINTS points. */
export function parseGrid(texts: readonly string[]): SweepParam[] {
  const params = texts.map(parseParam);
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name)) throw new InputError(`--param ${p.name}`, 'given twice; give each parameter once, with all its values');
    seen.add(p.name);
  }
  const points = params.reduce((n, p) => n * p.values.length, 1);
  if (points > MAX_POINTS) throw new InputError('--param', `the grid has ${points} points, more than the ${MAX_POINTS} a sweep runs`);
  return params;
}

// ---- running the points --------------------------------------------------------------

/** What a sweep worker is given: the point options and the manifest, as plain data. */
export interface SweepWorkerData {
  options: Omit<PointOptions, 'clock' | 'onProgress' | 'properties'> & { propertyIds: readonly string[] };
  manifest: Manifest;
}

/** A worker's point options: the properties looked up by id again (plain data crosses threads). */
export function pointOptions(data: SweepWorkerData, clock: () => number): PointOptions {
  const { propertyIds, ...rest } = data.options;
  return { ...rest, properties: ALL_PROPERTIES.filter((p) => propertyIds.includes(p.id)), clock };
}

type WorkerReply = { type: 'result'; result: PointResult };

async function runPoints(
  points: { index: number; values: Record<string, number> }[],
  data: SweepWorkerData,
  workers: number,
  onDone: (r: PointResult) => void,
): Promise<PointResult[]> {
  const results: PointResult[] = [];
  const clock = () => performance.now(); // real-time-ok: timings in the report only
  // Worker threads need the built JavaScript; from the TypeScript sources (tests) run in-process.
  const inProcess = workers <= 1 || points.length <= 1 || !import.meta.url.endsWith('.js');
  if (inProcess) {
    for (const p of points) {
      const r = runPoint(p.index, p.values, pointOptions(data, clock), data.manifest);
      results.push(r);
      onDone(r);
    }
    return results;
  }
  const url = new URL('./sweepWorker.js', import.meta.url);
  let next = 0;
  const lane = () =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(url, { workerData: data });
      const feed = () => {
        if (next >= points.length) {
          void w.terminate().then(() => resolve());
          return;
        }
        w.postMessage(points[next++]);
      };
      w.on('message', (m: WorkerReply) => {
        results.push(m.result);
        onDone(m.result);
        feed();
      });
      w.on('error', reject);
      w.on('exit', (code) => {
        if (code !== 0 && code !== 1) reject(new Error(`sweep worker exited with code ${code}`));
      });
      feed();
    });
  await Promise.all(Array.from({ length: Math.min(workers, points.length) }, lane));
  return results.sort((a, b) => a.index - b.index);
}

function defaultsOf(params: readonly SweepParam[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of params) {
    const v = (SWEEPABLE[p.name] === 'config' ? DEFAULT_CONFIG : DEFAULT_WORKLOAD)[p.name as never] as unknown;
    if (typeof v === 'number') out[p.name] = v;
  }
  return out;
}

function commandLine(flags: Record<string, unknown>, id: SweepIdentity, shard: Shard | null): string {
  let cmd = `npx pvlcheck sweep --design ${id.design} --runs ${id.runs} --seed ${id.seed} --max-faults ${id.maxFaults}`;
  if (id.faultModel !== 'patent') cmd += ` --fault-model ${id.faultModel}`;
  for (const p of id.params) cmd += ` --param ${p.name}=${p.values.join(',')}`;
  if (flags.property) cmd += ` --property ${(flags.property as string[]).join(',')}`;
  if (flags.config) cmd += ` --config ${shellQuote(flags.config as string)}`;
  if (flags['max-needless'] !== undefined) cmd += ` --max-needless ${flags['max-needless'] as number}`;
  if (shard) cmd += ` --shard ${shardText(shard)}`;
  return cmd;
}

/** Prints a sweep's result as asked; returns the exit code. */
function emit(result: SweepResult, format: 'text' | 'json', htmlPath: string | null, htmlName: string | undefined, first: string, io: Io): number {
  let failure: InputError | null = null;
  let note = '';
  if (htmlPath !== null) {
    try {
      note = `HTML report written to ${htmlPath}${writeAtomic(htmlPath, sweepHtml(result)).replaced ? ' (replacing the file that was there)' : ''}`;
    } catch (e) {
      failure = new InputError('--html', `cannot write ${htmlName!}: ${writeErrorCode(e)}`);
    }
  }
  if (format === 'json') {
    if (note) io.err(note);
    io.out(JSON.stringify(sweepJson(result), null, 2));
  } else {
    io.out(first);
    if (note) io.out(note);
    io.out('');
    for (const line of sweepTextReport(result)) io.out(line);
  }
  if (failure) {
    io.err(`pvlcheck: ${failure.message}`);
    return 2;
  }
  if (result.recommendation && result.recommendation.index === null) return 1;
  return 0;
}

function firstLine(command: string, r: SweepResult, total: number): string {
  const names = r.sweep.params.map((p) => p.name).join(' × ');
  const share = r.shard ? `shard ${shardText(r.shard)}: ${r.points.length} of ${total} points` : `${total} points`;
  return `pvlcheck ${command}: ${r.sweep.design}; ${share} (${names}), ${r.sweep.runs} runs each, up to ${r.sweep.maxFaults} faults per run, seed ${r.sweep.seed}`;
}

export async function sweepCommand(argv: readonly string[], io: Io): Promise<number> {
  const { flags, positional } = parseArgs('sweep', argv, SWEEP_FLAGS);
  if (flags.help) {
    io.out(
      helpText(
        'sweep',
        `Runs a check campaign at every point of a grid of configuration/workload values and maps where every property holds. Sweepable: ${Object.keys(SWEEPABLE).join(', ')}.`,
        SWEEP_FLAGS,
        '[--param NAME=a:b:step|v1,v2,...]... [options]',
      ),
    );
    return 0;
  }
  if (positional.length > 0) throw new InputError(positional[0]!, "unexpected argument for 'sweep'");
  const params = parseGrid((flags.param as string[] | undefined) ?? DEFAULT_GRID);
  const design = (flags.design as string | undefined) ?? 'patent';
  const runs = (flags.runs as number | undefined) ?? DEFAULT_SWEEP_RUNS;
  const seed = (flags.seed as number | undefined) ?? DEFAULT_SEED;
  const faultModel = (flags['fault-model'] as FaultModel | undefined) ?? 'patent';
  const maxFaults = (flags['max-faults'] as number | undefined) ?? (faultModel === 'extended' ? DEFAULT_MAX_FAULTS_EXTENDED : DEFAULT_MAX_FAULTS);
  const propertyIds = (flags.property as string[] | undefined) ?? propertiesFor(faultModel).map((p) => p.id);
  const base = flags.config ? readFixed(flags.config as string, io) : {};
  baseConflicts(base, params);
  const shard = flags.shard === undefined ? null : parseShard('--shard', flags.shard as string);
  const maxNeedless = ((flags['max-needless'] as number | undefined) ?? DEFAULT_MAX_NEEDLESS_PERCENT) / 100;
  const shrinkBudget = (flags['shrink-budget'] as number | undefined) ?? 400;
  const workers = (flags.workers as number | undefined) ?? availableParallelism();
  const format = ((flags.format as string | undefined) ?? 'text') as 'text' | 'json';
  const htmlName = flags.html as string | undefined;
  const htmlPath = htmlName === undefined ? null : io.resolve(htmlName);
  if (htmlPath !== null) checkOutFile('--html', htmlPath, htmlName);
  // The manifest of the fault model, as check reads it.
  const manifest = forFaultModel(readManifest(manifestPath(PACKAGE_ROOT)), faultModel);

  const identity: SweepIdentity = {
    version: VERSION,
    design,
    seed,
    runs,
    maxFaults,
    properties: propertyIds,
    config: base,
    shrinkBudget,
    faultModel,
    params,
    maxNeedless,
  };
  const grid = gridPoints(params);
  const mine = grid.map((values, index) => ({ index, values })).filter((p) => shard === null || inShard(p.index, shard));
  const data: SweepWorkerData = {
    options: { design, propertyIds, runs, seed, maxFaults, shrinkBudget, base, ...(faultModel !== 'patent' ? { extra: { faultModel } } : {}) },
    manifest,
  };
  const started = io.now();
  let lastLine = started;
  let done = 0;
  const points = await runPoints(mine, data, workers, () => {
    done++;
    if (io.progress === 'none') return;
    const now = io.now();
    if (now - lastLine < 5000 && done < mine.length) return;
    lastLine = now;
    io.err(`pvlcheck sweep: ${done}/${mine.length} points done, ${Math.round((now - started) / 1000)} s so far`);
  });
  const whole = shard === null || shard.count === 1;
  const command = commandLine(flags, identity, shard);
  const result: SweepResult = {
    sweep: identity,
    shard,
    command,
    points,
    recommendation: whole ? recommend(points, params, maxNeedless, defaultsOf(params)) : null,
  };
  return emit(result, format, htmlPath, htmlName, firstLine('sweep', result, grid.length), io);
}

// ---- merging a sweep's shards ---------------------------------------------------------

export function isSweepResult(json: unknown): boolean {
  return typeof json === 'object' && json !== null && !Array.isArray(json) && 'sweep' in json;
}

function obj(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(at, `must be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

function readSweep(json: unknown, file: string): SweepResult {
  const top = obj(json, file);
  const sweep = obj(top.sweep, `${file}: sweep`);
  if (typeof sweep.version !== 'string') throw new InputError(`${file}: sweep.version`, `must be a string, got ${describe(sweep.version)}`);
  const params = sweep.params;
  if (!Array.isArray(params)) throw new InputError(`${file}: sweep.params`, `must be an array, got ${describe(params)}`);
  // The grid is re-read through the same checks as --param.
  const grid = parseGrid(params.map((p, i) => {
    const o = obj(p, `${file}: sweep.params[${i}]`);
    if (typeof o.name !== 'string' || !Array.isArray(o.values)) throw new InputError(`${file}: sweep.params[${i}]`, 'must be {name, values}');
    return `${o.name}=${o.values.join(',')}`;
  }));
  if (typeof sweep.maxNeedless !== 'number' || !(sweep.maxNeedless >= 0 && sweep.maxNeedless <= 1)) {
    throw new InputError(`${file}: sweep.maxNeedless`, `must be a share between 0 and 1, got ${describe(sweep.maxNeedless)}`);
  }
  let shard: Shard | null = null;
  if (top.shard !== null && top.shard !== undefined) {
    const s = obj(top.shard, `${file}: shard`);
    shard = parseShard(`${file}: shard`, `${String(s.index)}/${String(s.count)}`);
  }
  if (!Array.isArray(top.points)) throw new InputError(`${file}: points`, `must be an array, got ${describe(top.points)}`);
  const total = gridPoints(grid).length;
  const points = top.points.map((p, i) => {
    const at = `${file}: points[${i}]`;
    const o = obj(p, at);
    if (typeof o.index !== 'number' || !Number.isInteger(o.index) || o.index < 0 || o.index >= total) throw new InputError(`${at}.index`, `must be a point of the grid (0 to ${total - 1}), got ${describe(o.index)}`);
    if (typeof o.safe !== 'boolean') throw new InputError(`${at}.safe`, `must be true or false, got ${describe(o.safe)}`);
    for (const k of ['needlessVgw', 'needlessFailover']) {
      const n = obj(o[k], `${at}.${k}`);
      if (typeof n.rate !== 'number' || !(n.rate >= 0 && n.rate <= 1)) throw new InputError(`${at}.${k}.rate`, `must be a share between 0 and 1, got ${describe(n.rate)}`);
    }
    if (!Array.isArray(o.verdicts)) throw new InputError(`${at}.verdicts`, `must be an array, got ${describe(o.verdicts)}`);
    return o as unknown as PointResult;
  });
  return {
    sweep: { ...(sweep as SweepIdentity), params: grid },
    shard,
    command: typeof top.command === 'string' ? top.command : '',
    points,
    recommendation: null,
  };
}

/** `pvlcheck merge` of sweep shards: the same grid and campaign, every point once. */
export function mergeSweepFiles(jsons: unknown[], names: string[], format: 'text' | 'json', htmlPath: string | null, htmlName: string | undefined, io: Io): number {
  const results = jsons.map((j, i) => readSweep(j, names[i]!));
  const first = results[0]!;
  for (let i = 1; i < results.length; i++) {
    const field = firstDifference(first.sweep, results[i]!.sweep);
    if (field !== null) {
      throw new InputError(`sweep.${field}`, `the shards are of different sweeps: ${names[0]} and ${names[i]} differ`);
    }
  }
  const total = gridPoints(first.sweep.params).length;
  const byIndex = new Map<number, { point: PointResult; file: string }>();
  results.forEach((r, i) => {
    for (const p of r.points) {
      const other = byIndex.get(p.index);
      if (other) throw new InputError('points', `point ${p.index} is in both ${other.file} and ${names[i]}`);
      byIndex.set(p.index, { point: p, file: names[i]! });
    }
  });
  const missing = [...Array(total).keys()].filter((k) => !byIndex.has(k));
  if (missing.length > 0) {
    const counts = new Set(results.map((r) => r.shard?.count ?? 1));
    throw new InputError('shard', `points ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''} missing (${[...counts].join(' or ')} shards expected): merge needs every shard`);
  }
  const points = [...byIndex.values()].map((x) => x.point).sort((a, b) => a.index - b.index);
  const params = first.sweep.params;
  const result: SweepResult = {
    sweep: first.sweep,
    shard: null,
    command: first.command.replace(/ --shard \d+\/\d+/, ''),
    points,
    recommendation: recommend(points, params, first.sweep.maxNeedless, defaultsOf(params)),
  };
  return emit(result, format, htmlPath, htmlName, firstLine('merge', result, total).replace(`${result.sweep.design};`, `${results.length} shards of a sweep of ${result.sweep.design};`), io);
}
