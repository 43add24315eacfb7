/**
 * `pvlcheck merge FILE...`: the shards of a campaign (each `check --shard i/n --format
 * json`, or `sweep --shard i/n --format json`) merged into the campaign's result, written
 * by the same reporters as `check` (text, JSON, JUnit, `--html`) or `sweep`, with the exit
 * code the unsharded command would have given. Shards of different campaigns (version,
 * seed, runs, configuration, fault model, ...) are refused with exit 2 naming the field.
 */
import { join, relative } from 'node:path';
import { forFaultModel, judge, manifestPath, readManifest } from '../checker/verdicts.js';
import { coverageText } from '../checker/coverage.js';
import { FINDINGS_ENV, FINDINGS_FILE, readFindings } from '../checker/findings.js';
import type { FaultModel } from '../config/faults.js';
import { allFound, findingFileName, findingsJson, findingsText, newFindings } from '../report/findingsReport.js';
import { checkCoverage, checkShards, mergeShards, readShardResult, type ShardResult } from '../checker/merge.js';
import { scenarioToJson } from '../config/scenario.js';
import { InputError } from '../config/validate.js';
import { jsonReport, junitReport, textReport, type CheckReport } from '../report/checkReport.js';
import { checkReportHtml } from '../report/plots.js';
import { helpText, parseArgs, type FlagSpecs } from './args.js';
import { MAX_TRACE_BYTES, readInputFile } from './inputs.js';
import type { Io } from './io.js';
import { checkOutDir, checkOutFile, writeAtomic, writeErrorCode, writeInto } from './outputs.js';
import { PACKAGE_ROOT } from '../config/packageRoot.js';
import { isSweepResult, mergeSweepFiles } from './sweep.js';
import { isExploreResult, mergeExploreFiles } from './mergeExplore.js';
import { ALL_PROPERTIES } from '../../properties/index.js';

export const MERGE_FLAGS: FlagSpecs = {
  format: { type: 'string', choices: ['text', 'json', 'junit'], help: 'output format (default text); junit for check shards only' },
  'out-dir': { type: 'string', help: "where the campaign's counterexample files go (default ./counterexamples/, said on the first line)" },
  html: { type: 'string', help: 'also write the HTML page (check: plots and verdicts; sweep: heat maps)' },
  help: { type: 'boolean', help: 'this help' },
};

/** Shard files are the JSON of check: up to the trace cap (a long campaign's samples). */
const MAX_SHARD_BYTES = MAX_TRACE_BYTES;

/** Reads a file as JSON; InputError naming the file otherwise. */
export function readJsonFile(path: string, shown: string, io: Io): unknown {
  const text = readInputFile(shown, io.resolve(path), shown, MAX_SHARD_BYTES);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(shown, `is not valid JSON: ${(e as Error).message}`);
  }
}

/** The campaign's command: a shard's, without its --shard. */
export function campaignCommand(command: string): string {
  return command.replace(/ --shard \d+\/\d+/, '');
}

export async function mergeCommand(argv: readonly string[], io: Io): Promise<number> {
  const { flags, positional } = parseArgs('merge', argv, MERGE_FLAGS);
  if (flags.help) {
    io.out(
      helpText(
        'merge',
        "Merges the shards of a campaign (the --format json of check, sweep or explore --shard i/n) into the campaign's result, as the command would have printed it unsharded, with its exit code.",
        MERGE_FLAGS,
        'FILE... [options]',
      ),
    );
    return 0;
  }
  if (positional.length === 0) throw new InputError('merge', 'give the shard results to merge: pvlcheck merge shard-1.json shard-2.json ...');
  const format = (flags.format as string | undefined) ?? 'text';
  const htmlName = flags.html as string | undefined;
  const htmlPath = htmlName === undefined ? null : io.resolve(htmlName);
  if (htmlPath !== null) checkOutFile('--html', htmlPath, htmlName);
  const jsons = positional.map((f) => readJsonFile(f, f, io));
  const kinds = jsons.map((j) => (isSweepResult(j) ? 'sweep' : isExploreResult(j) ? 'explore' : 'check'));
  const other = kinds.findIndex((k) => k !== kinds[0]);
  if (other >= 0) throw new InputError(positional[other]!, `is a ${kinds[other]} result, but ${positional[0]} is a ${kinds[0]} result: merge the shards of one command`);
  if (kinds[0] === 'explore') return mergeExploreFiles(jsons, positional, format, flags['out-dir'] as string | undefined, io);
  const sweeps = jsons.map(isSweepResult);
  if (sweeps.some(Boolean)) {
    if (!sweeps.every(Boolean)) {
      const i = sweeps.indexOf(false);
      throw new InputError(positional[i]!, `is not a sweep result, but ${positional[sweeps.indexOf(true)]} is: merge the shards of one command`);
    }
    if (format === 'junit') throw new InputError('--format', 'junit is for check shards; a sweep is written as text or json (and --html)');
    if (flags['out-dir'] !== undefined) throw new InputError('--out-dir', 'a sweep writes no counterexample files (its points are in the JSON)');
    return mergeSweepFiles(jsons, positional, format as 'text' | 'json', htmlPath, htmlName, io);
  }

  const results: ShardResult[] = jsons.map((j, i) => readShardResult(j, positional[i]!, ALL_PROPERTIES));
  checkShards(results, positional);
  checkCoverage(results, positional);
  const outDirName = flags['out-dir'] as string | undefined;
  const outDir = io.resolve(outDirName ?? 'counterexamples');
  if (outDirName !== undefined) checkOutDir('--out-dir', outDir, outDirName);
  const campaign = results[0]!.campaign;
  // As check reads them: the manifest (of the campaign's fault model) and, for the extended model, the findings table.
  const faultModel = (typeof campaign.faultModel === 'string' ? campaign.faultModel : 'patent') as FaultModel;
  const manifest = forFaultModel(readManifest(manifestPath(PACKAGE_ROOT)), faultModel);
  const findingsTable =
    faultModel === 'extended' ? readFindings(process.env[FINDINGS_ENV] || join(PACKAGE_ROOT, FINDINGS_FILE), process.env[FINDINGS_ENV] || FINDINGS_FILE) : null;

  const designs = mergeShards(results);
  const judged = judge(manifest, designs.flatMap((d) => d.properties));
  const files: Record<string, string> = {};
  let writeFailure: InputError | null = null;
  let replaced = 0;
  for (const j of judged) {
    const cx = j.outcome.counterexample;
    if (!cx || writeFailure) continue;
    try {
      const written = writeInto('--out-dir', outDir, `${j.outcome.design}-${cx.property}.json`, scenarioToJson(cx.scenario));
      if (written.replaced) replaced++;
      files[`${j.outcome.design}/${cx.property}`] = relative(io.resolve('.'), written.path) || written.path;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      writeFailure = outDirName === undefined ? new InputError('--out-dir', `${e.problem} (the default directory; choose one with --out-dir DIR)`) : e;
    }
  }
  for (const f of allFound(designs)) {
    if (writeFailure) break;
    try {
      const w = writeInto('--out-dir', outDir, findingFileName(f), scenarioToJson(f.counterexample.scenario));
      if (w.replaced) replaced++;
      files[findingFileName(f)] = relative(io.resolve('.'), w.path) || w.path;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      writeFailure = e;
    }
  }
  const written = Object.keys(files).length;
  const shownDir = outDirName ?? `./${relative(io.resolve('.'), outDir) || '.'}/`;
  const where =
    written === 0
      ? ''
      : `${written} counterexample${written > 1 ? 's' : ''} written to ${shownDir}${outDirName === undefined ? ' (the default; --out-dir DIR to choose)' : ''}${replaced > 0 ? `, replacing ${replaced} existing file${replaced > 1 ? 's' : ''}` : ''}`;
  const report: CheckReport = {
    seed: campaign.seed,
    runs: campaign.runs,
    maxFaults: campaign.maxFaults,
    designs,
    judged,
    files,
    command: campaignCommand(results[0]!.command),
    campaign,
    shard: null,
  };
  const say = format === 'text' ? io.out : io.err;
  let htmlNote = '';
  if (htmlPath !== null) {
    try {
      htmlNote = `HTML report written to ${htmlPath}${writeAtomic(htmlPath, checkReportHtml(report)).replaced ? ' (replacing the file that was there)' : ''}`;
    } catch (e) {
      writeFailure ??= new InputError('--html', `cannot write ${htmlName!}: ${writeErrorCode(e)}`);
    }
  }
  const count = results[0]!.shard.count;
  if (format === 'text') {
    io.out(
      `pvlcheck merge: ${count} shard${count > 1 ? 's' : ''} of ${campaign.designs.join(', ')}; ${campaign.runs} runs each, up to ${campaign.maxFaults} faults per run, seed ${campaign.seed}${where ? `; ${where}` : ''}`,
    );
  } else if (where && (outDirName === undefined || replaced > 0)) {
    io.err(`pvlcheck merge: ${where}`);
  }
  if (htmlNote) say(htmlNote);
  // What check adds to its reports besides check's reporters: the same, from the merged outcomes.
  if (format === 'json') {
    const coverage = Object.fromEntries(designs.filter((d) => d.coverage).map((d) => [d.design, d.coverage]));
    const extra = { ...(Object.keys(coverage).length > 0 ? { coverage } : {}), ...(findingsTable ? { faultModel, findings: findingsJson(findingsTable, designs, files) } : {}) };
    io.out(JSON.stringify({ ...(jsonReport(report) as Record<string, unknown>), ...extra }, null, 2));
  } else if (format === 'junit') io.out(junitReport(report));
  else {
    io.out('');
    for (const line of textReport(report)) io.out(line);
    if (findingsTable) for (const line of findingsText(findingsTable, designs, files)) io.out(line);
    for (const d of designs) if (d.coverage) for (const line of ['', ...coverageText(d.design, d.runs, d.coverage)]) io.out(line);
  }
  if (writeFailure) {
    io.err(`pvlcheck: ${writeFailure.message}`);
    return 2;
  }
  return judged.some((j) => j.unexpected) || newFindings(designs).length > 0 ? 1 : 0;
}
