/**
 * `pvlcheck merge FILE...`: the shards of a campaign (each `check --shard i/n --format
 * json`, or `sweep --shard i/n --format json`) merged into the campaign's result, written
 * by the same reporters as `check` (text, JSON, JUnit, `--html`) or `sweep`, with the exit
 * code the unsharded command would have given. Shards of different campaigns (version,
 * seed, runs, configuration, fault model, ...) are refused with exit 2 naming the field.
 */
import { join } from 'node:path';
import { forFaultModel, manifestPath, readManifest } from '../checker/verdicts.js';
import { FINDINGS_ENV, FINDINGS_FILE, readFindings } from '../checker/findings.js';
import type { FaultModel } from '../config/faults.js';
import { checkCoverage, checkShards, mergeShards, readShardResult, type ShardResult } from '../checker/merge.js';
import { InputError } from '../config/validate.js';
import { helpText, parseArgs, type FlagSpecs } from './args.js';
import { MAX_TRACE_BYTES, readInputFile } from './inputs.js';
import type { Io } from './io.js';
import { checkOutDir, checkOutFile } from './outputs.js';
import { reportCampaign } from './check.js';
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
  const count = results[0]!.shard.count;
  return reportCampaign(io, {
    name: 'merge',
    outcomes: designs,
    manifest,
    findingsTable,
    faultModel,
    outDir,
    outDirName,
    htmlPath,
    htmlName,
    format,
    report: { seed: campaign.seed, runs: campaign.runs, maxFaults: campaign.maxFaults, command: campaignCommand(results[0]!.command), campaign, shard: null },
    headline: `${count} shard${count > 1 ? 's' : ''} of ${campaign.designs.join(', ')}; ${campaign.runs} runs each, up to ${campaign.maxFaults} faults per run, seed ${campaign.seed}`,
    footer: [],
    exitCode: null,
  });
}
