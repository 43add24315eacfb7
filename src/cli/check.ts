/**
 * `pvlcheck check`: the property suites, on random interleavings of traffic and faults,
 * for each design; a verdict table; each counterexample shrunk, written as a scenario
 * file and given a replay command. Exit 1 only when a verdict differs from the manifest.
 *
 * Designs run in parallel worker threads (one per design, up to --workers); results do
 * not depend on how many, since each design's runs follow from the seed alone.
 */
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MUTANT_NAMES } from '../../models/mutants.js';
import { ALL_PROPERTIES, propertiesFor } from '../../properties/index.js';
import { type Fixed } from '../checker/arbitraries.js';
import { checkDesign, type DesignOutcome } from '../checker/check.js';
import { forFaultModel, judge, manifestPath, readManifest, type Judged, type Manifest } from '../checker/verdicts.js';
import { FINDINGS_ENV, FINDINGS_FILE, findingSearchFor, readFindings, type FindingsTable } from '../checker/findings.js';
import { CoverageCounter, coverageText } from '../checker/coverage.js';
import { allFound, findingFileName, findingsJson, findingsText, newFindings } from '../report/findingsReport.js';
import { PACKAGE_ROOT } from '../config/packageRoot.js';
import { DEFAULT_SEED } from '../config/defaults.js';
import { FAULT_MODELS, type FaultModel } from '../config/faults.js';
import { scenarioToJson } from '../config/scenario.js';
import { InputError } from '../config/validate.js';
import { DESIGN_NAMES } from '../engine/system.js';
import { jsonReport, junitReport, textReport, type CheckReport } from '../report/checkReport.js';
import { checkReportHtml } from '../report/plots.js';
import { helpText, parseArgs, type FlagSpecs } from './args.js';
import type { Io } from './io.js';
import { checkOutDir, checkOutFile, shellQuote, writeAtomic, writeErrorCode, writeInto } from './outputs.js';
import { readFixed } from './fixed.js';
import { fromWire, type WireOutcome, type WorkerRequest } from './checkWire.js';
import type { Campaign } from '../checker/merge.js';
import { parseShard, shardExitCode, shardNote, shardSize, shardText, type Shard } from '../checker/shard.js';
import { VERSION } from '../config/packageRoot.js';

export const DEFAULT_RUNS = 1000;
export const DEFAULT_MAX_FAULTS = 2;
/** The extended fault model's default budget: every finding of docs/findings.md needs at most 3. */
export const DEFAULT_MAX_FAULTS_EXTENDED = 3;

export const CHECK_FLAGS: FlagSpecs = {
  design: { type: 'list', choices: ['all', ...DESIGN_NAMES], help: 'patent, prior-art, all (default: both) or a seeded bug' },
  mutant: { type: 'list', choices: ['all', ...MUTANT_NAMES], help: 'check seeded bugs (models/mutants.ts), or all of them' },
  property: { type: 'list', choices: ALL_PROPERTIES.map((p) => p.id), help: 'only these properties (e.g. L1,S4; L4, W4, W5 belong to --fault-model extended)' },
  runs: { type: 'int', min: 1, help: `random runs per design (default ${DEFAULT_RUNS})` },
  seed: { type: 'int', help: `the seed of everything (default ${DEFAULT_SEED})` },
  'max-faults': { type: 'int', help: `faults per run, at most (default ${DEFAULT_MAX_FAULTS}; ${DEFAULT_MAX_FAULTS_EXTENDED} with --fault-model extended)` },
  'fault-model': { type: 'string', choices: FAULT_MODELS, help: 'patent (default: the patent\'s fault model, today\'s verdicts) or extended (every fault kind of docs/scenarios.md, configurations outside the comfortable ranges)' },
  config: { type: 'string', help: 'a JSON file fixing config/workload values; the rest is generated' },
  format: { type: 'string', choices: ['text', 'json', 'junit'], help: 'output format (default text)' },
  'out-dir': { type: 'string', help: 'where counterexample scenario files go (default ./counterexamples/, said on the first line)' },
  html: { type: 'string', help: 'also write an HTML page with plots (recovery times, coverage) and the verdicts' },
  reporter: { type: 'string', aliasOf: 'format', help: 'deprecated spelling of --format' },
  out: { type: 'string', aliasOf: 'out-dir', help: 'deprecated spelling of --out-dir' },
  report: { type: 'string', aliasOf: 'html', help: 'deprecated spelling of --html' },
  workers: { type: 'int', min: 1, help: 'worker threads (default: one per design, up to the cores)' },
  'shrink-budget': { type: 'int', min: 1, help: 'evaluations per shrink, at most (default 400)' },
  shard: { type: 'string', help: "i/n: only shard i of n (run r is shard (r mod n) + 1's); pvlcheck merge joins the shards' --format json" },
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

function commandLine(flags: Record<string, unknown>, designs: string[], runs: number, seed: number, maxFaults: number): string {
  let cmd = `npx pvlcheck check --design ${designs.join(',')} --runs ${runs} --seed ${seed} --max-faults ${maxFaults}`;
  if (flags.property) cmd += ` --property ${(flags.property as string[]).join(',')}`;
  if (flags.config) cmd += ` --config ${shellQuote(flags.config as string)}`;
  if (flags['fault-model']) cmd += ` --fault-model ${flags['fault-model'] as string}`;
  return cmd;
}

/** What decides this campaign's runs: `pvlcheck merge` merges only shards whose campaigns are equal. */
function campaignOf(
  designs: string[],
  runs: number,
  seed: number,
  maxFaults: number,
  properties: string[],
  fixed: Fixed,
  shrinkBudget: number,
  faultModel: string,
): Campaign {
  return { version: VERSION, seed, runs, maxFaults, designs, properties, config: fixed, shrinkBudget, faultModel };
}

/** Progress lines when stderr is not a terminal: the first after a second, then one every five. */
export const PROGRESS_FIRST_MS = 1000;
export const PROGRESS_EVERY_MS = 5000;

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * Progress on stderr while designs run. On a terminal: a bar with the time left, redrawn
 * in place (from 2 s on). Otherwise (a CI log, `2>file`): a line after PROGRESS_FIRST_MS,
 * then one every PROGRESS_EVERY_MS, with runs done, violations so far (when the checker
 * reports them) and the time left, and a last line when done.
 */
export class Progress {
  private readonly done = new Map<string, number>();
  private readonly violations = new Map<string, number>();
  private shown = false;
  private lastLine: number | null = null;
  /** The first report of runs done: the time left is measured from it (worker start-up excluded). */
  private first: { at: number; done: number } | null = null;
  constructor(
    private readonly io: Io,
    private readonly total: number,
    private readonly startedAt: number,
  ) {}
  update(design: string, done: number, violations?: number): void {
    this.done.set(design, done);
    if (violations !== undefined) this.violations.set(design, violations);
    if (this.io.progress === 'none') return;
    const now = this.io.now();
    const elapsed = now - this.startedAt;
    const all = [...this.done.values()].reduce((a, b) => a + b, 0);
    if (this.first === null && all > 0) this.first = { at: now, done: all };
    const f = this.first;
    const perRun = f !== null && all > f.done && now > f.at ? (now - f.at) / (all - f.done) : all > 0 ? elapsed / all : null;
    const left = perRun === null ? '?' : duration(perRun * (this.total - all));
    if (this.io.progress === 'bar') {
      if (elapsed < 2000) return;
      const width = 30;
      const filled = Math.round((all / this.total) * width);
      this.io.bar(`  checking [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${all}/${this.total} runs, about ${left} left`);
      this.shown = true;
      return;
    }
    if (elapsed < PROGRESS_FIRST_MS || (this.lastLine !== null && now - this.lastLine < PROGRESS_EVERY_MS)) return;
    this.lastLine = now;
    this.shown = true;
    this.io.err(`pvlcheck check: ${all}/${this.total} runs (${Math.floor((all / this.total) * 100)}%)${this.violationsText()}, ${duration(elapsed)} so far, about ${left} left`);
  }
  private violationsText(): string {
    if (this.violations.size === 0) return '';
    const n = [...this.violations.values()].reduce((a, b) => a + b, 0);
    return `, ${n} violation${n === 1 ? '' : 's'} so far`;
  }
  end(): void {
    if (!this.shown) return;
    if (this.io.progress === 'bar') this.io.bar('');
    else {
      const all = [...this.done.values()].reduce((a, b) => a + b, 0);
      this.io.err(`pvlcheck check: ${all}/${this.total} runs done${this.violationsText().replace(' so far', '')} in ${duration(this.io.now() - this.startedAt)}`);
    }
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
        properties: ALL_PROPERTIES.filter((p) => r.propertyIds.includes(p.id)),
        coverage: new CoverageCounter(),
        ...(r.options.findingsTable ? { findings: findingSearchFor(r.options.findingsTable, r.design, ALL_PROPERTIES) } : {}),
        // A third argument (violations so far), when the checker gives one, is shown too.
        onProgress: (done: number, _total: number, violations?: number) => progress.update(r.design, done, violations),
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
        w.on('message', (m: { type: 'progress'; done: number; violations?: number } | { type: 'done'; outcome: WireOutcome }) => {
          if (m.type === 'progress') progress.update(r.design, m.done, m.violations);
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
  const faultModel = (flags['fault-model'] as FaultModel | undefined) ?? 'patent';
  const maxFaults = (flags['max-faults'] as number | undefined) ?? (faultModel === 'extended' ? DEFAULT_MAX_FAULTS_EXTENDED : DEFAULT_MAX_FAULTS);
  const propertyIds = (flags.property as string[] | undefined) ?? propertiesFor(faultModel).map((p) => p.id);
  const outside = propertyIds.filter((id) => !propertiesFor(faultModel).some((p) => p.id === id));
  if (outside.length > 0) throw new InputError('--property', `${outside.join(', ')} belong${outside.length === 1 ? 's' : ''} to --fault-model extended`);
  const fixed = flags.config ? readFixed(flags.config as string, io) : {};
  const shard: Shard | null = flags.shard === undefined ? null : parseShard('--shard', flags.shard as string);
  const workers = (flags.workers as number | undefined) ?? Math.min(designs.length, availableParallelism());
  // Check where files go before the runs, not after them.
  const htmlName = flags.html as string | undefined;
  const reportPath = htmlName === undefined ? null : io.resolve(htmlName);
  if (reportPath !== null) checkOutFile('--html', reportPath, htmlName);
  const outDirName = flags['out-dir'] as string | undefined;
  const outDir = io.resolve(outDirName ?? 'counterexamples');
  if (outDirName !== undefined) checkOutDir('--out-dir', outDir, outDirName);
  // Read at run time (never compiled in): an edited manifest counts without a rebuild; a
  // malformed one is refused before the runs.
  const manifest = forFaultModel(readManifest(manifestPath(PACKAGE_ROOT)), faultModel);
  // The extended model classifies its counterexamples against the findings table, read at run time too.
  const findingsFile = process.env[FINDINGS_ENV] || join(PACKAGE_ROOT, FINDINGS_FILE);
  const findingsTable = faultModel === 'extended' ? readFindings(findingsFile, process.env[FINDINGS_ENV] || FINDINGS_FILE) : null;
  const started = io.now();
  const progress = new Progress(io, (shard ? shardSize(runs, shard) : runs) * designs.length, started);
  const requests: WorkerRequest[] = designs.map((design) => ({
    design,
    propertyIds,
    options: { runs, seed, maxFaults, fixed, shrinkBudget: (flags['shrink-budget'] as number | undefined) ?? 400, ...(faultModel !== 'patent' ? { faultModel } : {}), ...(findingsTable ? { findingsTable } : {}), ...(shard ? { shard } : {}) },
  }));
  const outcomes = await runDesigns(requests, workers, progress);
  progress.end();

  const format = (flags.format as string | undefined) ?? 'text';
  const runsText = shard ? `shard ${shardText(shard)}: ${shardSize(runs, shard)} of ${runs} runs each` : `${runs} runs each`;
  return reportCampaign(io, {
    name: 'check',
    outcomes,
    manifest,
    findingsTable,
    faultModel,
    outDir,
    outDirName,
    htmlPath: reportPath,
    htmlName,
    format,
    report: {
      seed,
      runs,
      maxFaults,
      command: commandLine(flags, designs, runs, seed, maxFaults) + (shard ? ` --shard ${shardText(shard)}` : ''),
      campaign: campaignOf(designs, runs, seed, maxFaults, propertyIds, fixed, requests[0]?.options.shrinkBudget ?? 400, faultModel),
      shard,
    },
    headline: `${designs.join(', ')}; ${runsText}, up to ${maxFaults} faults per run, seed ${seed}`,
    footer: shard && shard.count > 1 ? [shardNote(shard)] : [],
    exitCode: shard && shard.count > 1 ? shardExitCode : null,
  });
}

/** What `check` and `merge` do with a campaign's outcomes, once run or merged. */
export interface CampaignReporting {
  name: 'check' | 'merge';
  outcomes: DesignOutcome[];
  manifest: Manifest;
  findingsTable: FindingsTable | null;
  faultModel: FaultModel;
  /** Where counterexample files go; `outDirName` as the user gave it (undefined: the default). */
  outDir: string;
  outDirName: string | undefined;
  htmlPath: string | null;
  htmlName: string | undefined;
  format: string;
  /** The report's fields besides its designs, verdicts and files. */
  report: Omit<CheckReport, 'designs' | 'judged' | 'files'>;
  /** The text output's first line, before where the files went. */
  headline: string;
  /** Text lines after the reports. */
  footer: string[];
  /** The exit code of a judged campaign, when not the usual one (a shard's). */
  exitCode: ((judged: Judged[]) => number) | null;
}

/**
 * Judges the outcomes against the manifest, writes the counterexample files and the HTML
 * page, prints the report in its format, and returns the exit code: 2 when a file could
 * not be written (after printing the verdicts), 1 for a verdict the manifest does not
 * expect or a new finding, else 0.
 */
export function reportCampaign(io: Io, r: CampaignReporting): number {
  const { outcomes, outDir, outDirName, format } = r;
  const judged = judge(r.manifest, outcomes.flatMap((d) => d.properties));
  // Counterexample files; a failed write still lets the verdicts be printed (then exit 2).
  const files: Record<string, string> = {};
  let writeFailure: InputError | null = null;
  let replaced = 0;
  const write = (key: string, name: string, text: string): void => {
    if (writeFailure) return;
    try {
      const written = writeInto('--out-dir', outDir, name, text);
      if (written.replaced) replaced++;
      files[key] = relative(io.resolve('.'), written.path) || written.path;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      writeFailure = outDirName === undefined ? new InputError('--out-dir', `${e.problem} (the default directory; choose one with --out-dir DIR)`) : e;
    }
  };
  for (const j of judged) {
    const cx = j.outcome.counterexample;
    if (cx) write(`${j.outcome.design}/${cx.property}`, `${j.outcome.design}-${cx.property}.json`, scenarioToJson(cx.scenario));
  }
  // Each finding found (extended model): its own counterexample file.
  for (const f of allFound(outcomes)) write(findingFileName(f), findingFileName(f), scenarioToJson(f.counterexample.scenario));
  const written = Object.keys(files).length;
  const shownDir = outDirName ?? `./${relative(io.resolve('.'), outDir) || '.'}/`;
  const where =
    written === 0
      ? ''
      : `${written} counterexample${written > 1 ? 's' : ''} written to ${shownDir}${outDirName === undefined ? ' (the default; --out-dir DIR to choose)' : ''}${replaced > 0 ? `, replacing ${replaced} existing file${replaced > 1 ? 's' : ''}` : ''}`;
  const report: CheckReport = { ...r.report, designs: outcomes, judged, files };
  // Notes about files go on stderr when stdout carries JSON or XML for a tool.
  const say = format === 'text' ? io.out : io.err;
  let htmlNote = '';
  if (r.htmlPath !== null) {
    try {
      htmlNote = `HTML report written to ${r.htmlPath}${writeAtomic(r.htmlPath, checkReportHtml(report)).replaced ? ' (replacing the file that was there)' : ''}`;
    } catch (e) {
      writeFailure ??= new InputError('--html', `cannot write ${r.htmlName!}: ${writeErrorCode(e)}`);
    }
  }
  if (format === 'text') {
    // The first line says where files went that the user did not name.
    io.out(`pvlcheck ${r.name}: ${r.headline}${where ? `; ${where}` : ''}`);
  } else if (where && (outDirName === undefined || replaced > 0)) {
    io.err(`pvlcheck ${r.name}: ${where}`);
  }
  if (htmlNote) say(htmlNote);
  if (format === 'json') {
    const json = jsonReport(report) as Record<string, unknown>;
    const coverage = Object.fromEntries(outcomes.filter((d) => d.coverage).map((d) => [d.design, d.coverage]));
    const extra = {
      ...(Object.keys(coverage).length > 0 ? { coverage } : {}),
      ...(r.findingsTable ? { faultModel: r.faultModel, findings: findingsJson(r.findingsTable, outcomes, files) } : {}),
    };
    io.out(JSON.stringify({ ...json, ...extra }, null, 2));
  } else if (format === 'junit') io.out(junitReport(report));
  else {
    io.out('');
    for (const line of textReport(report)) io.out(line);
    if (r.findingsTable) for (const line of findingsText(r.findingsTable, outcomes, files)) io.out(line);
    for (const d of outcomes) if (d.coverage) for (const line of ['', ...coverageText(d.design, d.runs, d.coverage)]) io.out(line);
    for (const line of r.footer) io.out(line);
  }
  if (writeFailure) {
    io.err(`pvlcheck: ${(writeFailure as InputError).message}`);
    return 2;
  }
  if (r.exitCode) return r.exitCode(judged);
  // A new finding fails the run until the findings table (and the manifest) name it.
  return judged.some((j) => j.unexpected) || newFindings(outcomes).length > 0 ? 1 : 0;
}

