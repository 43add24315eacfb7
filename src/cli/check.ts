/**
 * `pvlcheck check`: the property suites, on random interleavings of traffic and faults,
 * for each design; a verdict table; each counterexample shrunk, written as a scenario
 * file and given a replay command. Exit 1 only when a verdict differs from the manifest.
 *
 * Designs run in parallel worker threads (one per design, up to --workers); results do
 * not depend on how many, since each design's runs follow from the seed alone.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MUTANT_NAMES } from '../../models/mutants.js';
import { PROPERTIES } from '../../properties/index.js';
import { type Fixed } from '../checker/arbitraries.js';
import { checkDesign, type DesignOutcome } from '../checker/check.js';
import { MANIFEST, judge } from '../checker/verdicts.js';
import { DEFAULT_SEED } from '../config/defaults.js';
import { parseConfig, parseWorkload, scenarioToJson } from '../config/scenario.js';
import { InputError, object } from '../config/validate.js';
import { DESIGN_NAMES } from '../engine/system.js';
import { jsonReport, junitReport, textReport, type CheckReport } from '../report/checkReport.js';
import { checkReportHtml } from '../report/plots.js';
import { helpText, parseArgs, type FlagSpecs } from './args.js';
import type { Io } from './io.js';
import { fromWire, type WireOutcome, type WorkerRequest } from './checkWire.js';

export const DEFAULT_RUNS = 1000;
export const DEFAULT_MAX_FAULTS = 2;

export const CHECK_FLAGS: FlagSpecs = {
  design: { type: 'list', choices: ['all', ...DESIGN_NAMES], help: 'patent, prior-art, all (default: both) or a seeded bug' },
  mutant: { type: 'list', choices: ['all', ...MUTANT_NAMES], help: 'check seeded bugs (models/mutants.ts), or all of them' },
  property: { type: 'list', choices: PROPERTIES.map((p) => p.id), help: 'only these properties (e.g. L1,S4)' },
  runs: { type: 'int', min: 1, help: `random runs per design (default ${DEFAULT_RUNS})` },
  seed: { type: 'int', help: `the seed of everything (default ${DEFAULT_SEED})` },
  'max-faults': { type: 'int', help: `faults per run, at most (default ${DEFAULT_MAX_FAULTS})` },
  config: { type: 'string', help: 'a JSON file fixing config/workload values; the rest is generated' },
  reporter: { type: 'string', choices: ['text', 'json', 'junit'], help: 'output format (default text)' },
  out: { type: 'string', help: 'where counterexample scenario files go (default counterexamples/)' },
  report: { type: 'string', help: 'also write an HTML page with plots (recovery times, coverage) and the verdicts' },
  workers: { type: 'int', min: 1, help: 'worker threads (default: one per design, up to the cores)' },
  'shrink-budget': { type: 'int', min: 1, help: 'evaluations per shrink, at most (default 400)' },
  help: { type: 'boolean', help: 'this help' },
};

function designsOf(flags: Record<string, unknown>): string[] {
  const named = (flags.design as string[] | undefined) ?? [];
  const mutants = (flags.mutant as string[] | undefined) ?? [];
  const designs = new Set<string>();
  for (const d of named) {
    if (d === 'all') designs.add('patent').add('prior-art');
    else designs.add(d);
  }
  for (const m of mutants) {
    if (m === 'all') for (const n of MUTANT_NAMES) designs.add(n);
    else designs.add(m);
  }
  if (designs.size === 0) designs.add('patent').add('prior-art');
  return [...designs];
}

/** `--config F`: values to hold fixed, validated like a scenario's config and workload. */
export function readFixed(file: string, io: Io): Fixed {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(io.resolve(file), 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError('--config', code ? `cannot read ${file}: ${code}` : `${file} is not valid JSON: ${(e as Error).message}`);
  }
  const o = object(json, file, ['config', 'workload']);
  const pick = <T extends object>(parsed: T, raw: unknown): Partial<T> => {
    const keys = raw && typeof raw === 'object' ? Object.keys(raw) : [];
    return Object.fromEntries(keys.map((k) => [k, parsed[k as keyof T]])) as Partial<T>;
  };
  return {
    config: pick(parseConfig(o.config, `${file}: config`), o.config),
    workload: pick(parseWorkload(o.workload, `${file}: workload`), o.workload),
  };
}

function commandLine(flags: Record<string, unknown>, designs: string[], runs: number, seed: number, maxFaults: number): string {
  let cmd = `npx pvlcheck check --design ${designs.join(',')} --runs ${runs} --seed ${seed} --max-faults ${maxFaults}`;
  if (flags.property) cmd += ` --property ${(flags.property as string[]).join(',')}`;
  if (flags.config) cmd += ` --config ${flags.config as string}`;
  return cmd;
}

class Progress {
  private readonly done = new Map<string, number>();
  private shown = false;
  constructor(
    private readonly io: Io,
    private readonly total: number,
    private readonly startedAt: number,
  ) {}
  update(design: string, done: number): void {
    this.done.set(design, done);
    if (!this.io.interactive || performance.now() - this.startedAt < 2000) return; // real-time-ok: display only
    const all = [...this.done.values()].reduce((a, b) => a + b, 0);
    const width = 30;
    const filled = Math.round((all / this.total) * width);
    process.stderr.write(`\r  checking [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${all}/${this.total} runs`);
    this.shown = true;
  }
  end(): void {
    if (this.shown) process.stderr.write('\r' + ' '.repeat(60) + '\r');
  }
}

async function runDesigns(requests: WorkerRequest[], workers: number, progress: Progress): Promise<DesignOutcome[]> {
  // Worker threads need the built JavaScript; from the TypeScript sources (tests) run in-process.
  const workerUrl = new URL('./checkWorker.js', import.meta.url);
  const inProcess = workers <= 1 || requests.length <= 1 || !import.meta.url.endsWith('.js');
  if (inProcess) {
    return requests.map((r) =>
      checkDesign(r.design, {
        ...r.options,
        properties: PROPERTIES.filter((p) => r.propertyIds.includes(p.id)),
        onProgress: (done) => progress.update(r.design, done),
        clock: () => performance.now(), // real-time-ok: timings in the report only
      }),
    );
  }
  const results: DesignOutcome[] = new Array(requests.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < requests.length) {
      const i = next++;
      const r = requests[i]!;
      const wire = await new Promise<WireOutcome>((resolve, reject) => {
        const w = new Worker(workerUrl, { workerData: r });
        w.on('message', (m: { type: 'progress'; done: number } | { type: 'done'; outcome: WireOutcome }) => {
          if (m.type === 'progress') progress.update(r.design, m.done);
          else resolve(m.outcome);
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (code !== 0) reject(new Error(`checker worker for ${r.design} exited with code ${code}`));
        });
      });
      results[i] = fromWire(wire);
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, requests.length) }, lane));
  return results;
}

export async function checkCommand(argv: readonly string[], io: Io): Promise<number> {
  const { flags, positional } = parseArgs('check', argv, CHECK_FLAGS);
  if (flags.help) {
    io.out(helpText('check', 'Checks the properties on random runs of each design and compares the verdicts with properties/manifest.json.', CHECK_FLAGS, '[options]'));
    return 0;
  }
  if (positional.length > 0) throw new InputError(positional[0]!, "unexpected argument for 'check'");
  const designs = designsOf(flags);
  const runs = (flags.runs as number | undefined) ?? DEFAULT_RUNS;
  const seed = (flags.seed as number | undefined) ?? DEFAULT_SEED;
  const maxFaults = (flags['max-faults'] as number | undefined) ?? DEFAULT_MAX_FAULTS;
  const propertyIds = (flags.property as string[] | undefined) ?? PROPERTIES.map((p) => p.id);
  const fixed = flags.config ? readFixed(flags.config as string, io) : {};
  const workers = (flags.workers as number | undefined) ?? Math.min(designs.length, availableParallelism());
  // Check where the HTML report goes before the runs, not after them.
  const reportPath = flags.report === undefined ? null : io.resolve(flags.report as string);
  if (reportPath !== null) {
    const dir = dirname(reportPath);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError('--report', `no directory ${dir} to write ${flags.report as string} into`);
    if (existsSync(reportPath) && statSync(reportPath).isDirectory()) throw new InputError('--report', `${flags.report as string} is a directory`);
  }
  const started = performance.now(); // real-time-ok: progress and timings only
  const progress = new Progress(io, runs * designs.length, started);
  const requests: WorkerRequest[] = designs.map((design) => ({
    design,
    propertyIds,
    options: { runs, seed, maxFaults, fixed, shrinkBudget: (flags['shrink-budget'] as number | undefined) ?? 400 },
  }));
  const outcomes = await runDesigns(requests, workers, progress);
  progress.end();

  const judged = judge(MANIFEST, outcomes.flatMap((d) => d.properties));
  const files: Record<string, string> = {};
  const outDir = io.resolve((flags.out as string | undefined) ?? 'counterexamples');
  for (const j of judged) {
    const cx = j.outcome.counterexample;
    if (!cx) continue;
    mkdirSync(outDir, { recursive: true });
    const path = join(outDir, `${j.outcome.design}-${cx.property}.json`);
    writeFileSync(path, scenarioToJson(cx.scenario));
    files[`${j.outcome.design}/${cx.property}`] = relative(io.resolve('.'), path) || path;
  }
  const report: CheckReport = {
    seed,
    runs,
    maxFaults,
    designs: outcomes,
    judged,
    files,
    command: commandLine(flags, designs, runs, seed, maxFaults),
  };
  const reporter = (flags.reporter as string | undefined) ?? 'text';
  if (reportPath !== null) {
    try {
      writeFileSync(reportPath, checkReportHtml(report));
    } catch (e) {
      throw new InputError('--report', `cannot write ${flags.report as string}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    // On stderr when stdout carries JSON or XML for a tool.
    const say = reporter === 'text' ? io.out : io.err;
    say(`HTML report written to ${reportPath}`);
  }
  if (reporter === 'json') io.out(JSON.stringify(jsonReport(report), null, 2));
  else if (reporter === 'junit') io.out(junitReport(report));
  else {
    io.out(`pvlcheck check: ${designs.join(', ')}; ${runs} runs each, up to ${maxFaults} faults per run, seed ${seed}`);
    io.out('');
    for (const line of textReport(report)) io.out(line);
  }
  return judged.some((j) => j.unexpected) ? 1 : 0;
}

