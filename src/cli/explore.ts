/**
 * `pvlcheck explore`: exhaustive breadth-first exploration of a small configuration,
 * every property checked at every state; the shortest counterexample of each violated
 * property as a timeline and a scenario file for `replay`; then the figures (distinct
 * states, transitions, depth, states per second, bytes per state) and whether the space
 * was exhausted or cut by a bound.
 *
 * The search itself, in worker threads or not, is src/explorer/workers.ts's: this command
 * reads the flags and the manifests, hands it the request and the properties, and turns
 * its reply into verdicts, output and an exit code.
 */
import { availableParallelism, totalmem } from 'node:os';
import { relative } from 'node:path';
import { MUTANTS } from '../../models/mutants.js';
import { ALL_PROPERTIES as PROPERTIES, propertiesFor } from '../../properties/index.js';
import { DEFAULT_VOCABULARY, FAULT_MODELS, type FaultModel } from '../config/faults.js';
import { evaluate } from '../checker/evaluate.js';
import { scenarioToJson } from '../config/scenario.js';
import { InputError } from '../config/validate.js';
import { DESIGN_NAMES } from '../engine/system.js';
import { ecmpOrdersOf, type StopReason } from '../explorer/explore.js';
import { controlFor, interrupt, optionsOf, search, type ExploreReply, type ExploreRequest, type PropertySource } from '../explorer/workers.js';
import { DEFAULT_PROFILE, PROFILES, profileScenario } from '../explorer/profiles.js';
import { verdictAgrees, type ExplorerVerdict } from '../explorer/manifest.js';
import { loadExpectedVerdicts, loadExplorerManifest } from './exploreManifest.js';
import { checkOutDir, shellQuote, writeInto } from './outputs.js';
import { formatTimeline } from '../report/timeline.js';
import { helpText, parseArgs, type FlagSpecs } from './args.js';
import { readFixed } from './fixed.js';
import type { Io } from './io.js';
import { parseShard, shardText } from '../checker/shard.js';
import { VERSION } from '../config/packageRoot.js';
import { DEFAULT_MEMORY_MB, IN_PROCESS, LARGE_NURSERY_MIN_MEMORY_MB, MEMORY_MIN_MB, maxMemoryMb, type SearchThread } from '../explorer/searchThread.js';
import { PROPERTY_MODULE } from './propertyModule.js';

/**
 * The fault budget's range. Each fault multiplies the space about tenfold: `small` exhausts
 * 3 faults (2.8 million states, 14 s) and 4 (35 million, 3 minutes, a 2.6 GB heap); 5 ends
 * at the memory bound with what it found; beyond, nothing more would be learnt in memory.
 */
const MAX_FAULTS_RANGE = [0, 5] as const;
/** A shared table smaller than this fills before workers have shared the first levels. */
const TABLE_BITS_MIN = 18;

/**
 * As many worker threads as cores (two at least, so that a command works the same on a
 * one-core runner): more only contend (docs/explorer.md: two are already memory-bound).
 */
function maxWorkers(): number {
  return Math.max(2, availableParallelism());
}

/** 2^N slots of 12 bytes in at most a quarter of the machine's memory, and N ≤ 30 (the table's arithmetic is 32-bit). */
function maxTableBits(): number {
  return Math.max(TABLE_BITS_MIN, Math.min(30, Math.floor(Math.log2(totalmem() / 4 / 12))));
}

/** An int flag's value within [lo, hi], or an InputError naming the flag with the range and why. */
function inRange(flag: string, value: number | undefined, lo: number, hi: number, why: string): void {
  if (value === undefined || (value >= lo && value <= hi)) return;
  throw new InputError(`--${flag}`, `must be between ${lo} and ${hi} (${why}), got ${value}`);
}

export const EXPLORE_FLAGS: FlagSpecs = {
  profile: { type: 'string', choices: Object.keys(PROFILES), help: `a named small configuration (default ${DEFAULT_PROFILE})` },
  design: { type: 'string', choices: DESIGN_NAMES, help: 'the design (default patent)' },
  'fast-paths': { type: 'int', min: 2, help: "number of fast paths (overrides the profile's)" },
  'max-faults': {
    type: 'int',
    help: `fault budget, ${MAX_FAULTS_RANGE[0]}..${MAX_FAULTS_RANGE[1]} (overrides the profile's): each fault multiplies the space about fivefold (small, --no-por: 3 faults 460,960 states, 4 faults 2.7 million in about half a minute); past --memory the search stops with what it found`,
  },
  faults: {
    type: 'list',
    choices: [...new Set(['crash', 'restart', 'link', ...Object.keys(DEFAULT_VOCABULARY)])],
    help: "fault kinds (overrides the profile's): crash, restart, link on fast paths (crash, restart on LVS cluster members too); with --fault-model extended, kinds of the vocabulary (docs/scenarios.md) on every target",
  },
  'fault-model': {
    type: 'string',
    choices: FAULT_MODELS,
    help: "patent (default: the profile's fast path faults) or extended (every kind of docs/scenarios.md on every target, the extended model's preconditions, L4, W4, W5)",
  },
  'max-depth': { type: 'int', min: 1, help: 'stop after this many moves (default 100000: no bound in practice)' },
  'max-states': { type: 'int', min: 1, help: 'stop after this many distinct states' },
  delays: { type: 'string', choices: ['bounds', 'all'], help: "each link's two delay bounds (default) or every value between" },
  config: { type: 'string', help: 'a JSON file with config/workload values laid over the profile' },
  property: { type: 'list', choices: PROPERTIES.map((p) => p.id), help: 'only these properties (L4, W4, W5 belong to --fault-model extended)' },
  workers: { type: 'int', min: 1, help: `worker threads, 1..${maxWorkers()} (this machine's cores; default 1: see docs/explorer.md for what more give)` },
  memory: {
    type: 'int',
    help: `heap of the search, per thread, MB, ${MEMORY_MIN_MB}..${maxMemoryMb()} (this machine's memory; default ${DEFAULT_MEMORY_MB}): past it the search stops and reports what it found; the heap as V8 reports it, uncollected garbage included (from ${LARGE_NURSERY_MIN_MEMORY_MB} up, a thread also reserves a 768 MB nursery: docs/explorer.md)`,
  },
  'table-bits': { type: 'int', help: `shared state table of 2^N slots, 12 bytes each, ${TABLE_BITS_MIN}..${maxTableBits()} (default 22; parallel runs)` },
  exact: { type: 'boolean', help: 'store full state keys, not 64-bit fingerprints (1 worker)' },
  'no-por': {
    type: 'boolean',
    help: 'no partial-order reduction (on by default: one order of the moves of an instant that commute; the same verdicts, counterexamples at most 2 moves longer; with --no-por the shortest of all)',
  },
  'no-folds': {
    type: 'boolean',
    help: 'no folds (on by default: the key leaves out monitor data no property can read any more; the same verdicts and shortest counterexamples, docs/explorer.md)',
  },
  'no-symmetry': {
    type: 'boolean',
    help: "no symmetry reduction (on by default for a profile's own space: interchangeable fast paths keyed by their orbit's representative; the same verdicts and shortest counterexamples, docs/explorer.md)",
  },
  lean: {
    type: 'boolean',
    help: 'memory first: depth first (the current path, not a breadth-first level), small caches, a visited set without parent links (the same states and verdicts; counterexamples not the shortest; 37 bytes a state at its highest on small with 3 faults, docs/explorer.md)',
  },
  'per-property': {
    type: 'boolean',
    help: 'explore each property with the model on its own (as Spin checks one claim at a time): same verdicts and shortest counterexamples, each in a space no larger than the product; workers take properties',
  },
  format: { type: 'string', choices: ['text', 'json'], help: 'output format (default text)' },
  shard: { type: 'string', help: "i/n: only shard i of n of the space (split by a hash of the states at one level, one worker); pvlcheck merge joins the shards' --format json" },
  'out-dir': { type: 'string', help: 'where counterexample scenario files go (default counterexamples/)' },
  reporter: { type: 'string', aliasOf: 'format', help: 'deprecated spelling of --format' },
  out: { type: 'string', aliasOf: 'out-dir', help: 'deprecated spelling of --out-dir' },
  help: { type: 'boolean', help: 'this help' },
};

/** The properties a request names by id, and where the explorer's worker threads import the same list. */
const PROPERTY_SOURCE: PropertySource = { properties: PROPERTIES, module: PROPERTY_MODULE };

/** A stop reason as the user reads it. */
/** --max-depth's default: no bound in practice (the deepest manifest profile goes to 365). */
const DEFAULT_MAX_DEPTH = 100_000;

function stopText(cut: StopReason, flags: Record<string, unknown>, memoryMb: number, tableBits: number): string {
  switch (cut) {
    case 'depth':
      // Without the flag, its default (a space that goes on past it has a state that never recurs).
      return `--max-depth ${(flags['max-depth'] as number | undefined) ?? DEFAULT_MAX_DEPTH} reached`;
    case 'states':
      return `--max-states ${flags['max-states']} reached`;
    case 'memory':
      return `--memory ${memoryMb} MB reached`;
    case 'interrupted':
      return 'interrupted (Ctrl-C)';
    case 'table':
      return `the shared state table is full (--table-bits ${tableBits})`;
    case 'found':
      return 'every counterexample sought was found';
  }
}

/** What a design's properties are expected to do: properties/manifest.json, or a seeded bug's own list. */
function expectationsFor(design: string, ids: readonly string[], verdicts: Record<string, Record<string, string>>): Record<string, string | undefined> {
  const mutant = MUTANTS[design];
  if (mutant && !verdicts[design]) {
    // A seeded bug: one of its properties must catch it; the others are not compared.
    return Object.fromEntries(ids.map((id) => [id, mutant.caughtBy.includes(id) ? 'caught' : 'any']));
  }
  return Object.fromEntries(ids.map((id) => [id, verdicts[design]?.[id]]));
}

/** `early`: a search thread the command line started before it loaded this module (searchThread.ts). */
export async function exploreCommand(argv: readonly string[], io: Io, early: SearchThread | null = null): Promise<number> {
  const { flags, positional } = parseArgs('explore', argv, EXPLORE_FLAGS);
  if (flags.help) {
    io.out(helpText('explore', 'Explores every reachable state of a small configuration and checks every property at every state.', EXPLORE_FLAGS, '[options]'));
    return 0;
  }
  if (positional.length > 0) throw new InputError(positional[0]!, "unexpected argument for 'explore'");
  // Ranges first, before any work (each a one-line exit 2 with the allowed range).
  inRange('max-faults', flags['max-faults'] as number | undefined, MAX_FAULTS_RANGE[0], MAX_FAULTS_RANGE[1], 'each fault multiplies the space about tenfold; small with 4 takes minutes and GBs');
  inRange('workers', flags.workers as number | undefined, 1, maxWorkers(), "this machine's cores, at least 2: more threads only contend");
  inRange('memory', flags.memory as number | undefined, MEMORY_MIN_MB, maxMemoryMb(), "MB: the models need some to start; at most this machine's memory");
  inRange('table-bits', flags['table-bits'] as number | undefined, TABLE_BITS_MIN, maxTableBits(), "2^N slots of 12 bytes: room for the first levels, at most a quarter of this machine's memory");
  // The manifests are read now, at run time: an edit takes effect without a rebuild, a malformed file is exit 2.
  const explorerManifest = loadExplorerManifest();
  const faultModel = ((flags['fault-model'] as FaultModel | undefined) ?? 'patent') as FaultModel;
  const verdictManifest = loadExpectedVerdicts(undefined, faultModel);
  if (faultModel === 'patent') {
    const outside = ((flags.faults as string[] | undefined) ?? []).filter((k) => !['crash', 'restart', 'link'].includes(k));
    if (outside.length > 0) throw new InputError('--faults', `${outside.join(', ')}: a kind of the extended fault model (add --fault-model extended)`);
    const props = ((flags.property as string[] | undefined) ?? []).filter((id) => !propertiesFor('patent').some((p) => p.id === id));
    if (props.length > 0) throw new InputError('--property', `${props.join(', ')} belong${props.length === 1 ? 's' : ''} to --fault-model extended`);
  }
  // Where counterexamples go, checked before the search (a file there, or no right to write, is exit 2 now, not after it).
  const outDirName = (flags['out-dir'] ?? flags.out) as string | undefined;
  const outDir = io.resolve(outDirName ?? 'counterexamples');
  if (outDirName !== undefined) checkOutDir('--out-dir', outDir, outDirName);
  const profileName = (flags.profile as string | undefined) ?? DEFAULT_PROFILE;
  const profile = PROFILES[profileName]!;
  const design = (flags.design as string | undefined) ?? 'patent';
  let scenario = profileScenario(profileName, design);
  // Under the extended model the properties keep only the spec's own preconditions (the scenario says so).
  if (faultModel === 'extended') scenario = { ...scenario, faultModel };
  if (flags.config) {
    const fixed = readFixed(flags.config as string, io);
    scenario = { ...scenario, config: { ...scenario.config, ...fixed.config }, workload: { ...scenario.workload, ...fixed.workload } };
  }
  if (flags['fast-paths'] !== undefined) scenario = { ...scenario, config: { ...scenario.config, fastPaths: flags['fast-paths'] as number } };
  if (scenario.config.fastPaths > 8) throw new InputError('--fast-paths', `at most 8, got ${scenario.config.fastPaths}`);
  const order = scenario.config.ecmpOrder;
  if (order && order.length !== scenario.config.fastPaths) {
    throw new InputError('--fast-paths', `${scenario.config.fastPaths} fast paths, but config.ecmpOrder [${order.join(', ')}] orders ${order.length}`);
  }
  const exact = flags.exact === true;
  const shard = flags.shard === undefined ? null : parseShard('--shard', flags.shard as string);
  if (shard && ((flags.workers as number | undefined) ?? 1) > 1) {
    throw new InputError('--workers', 'a shard (--shard) searches with one worker: each shard is its own job of the matrix');
  }
  // Symmetry reduction by default where it is shown sound: a profile's own space (its faults,
  // budget, delays and configuration) for a design the explorer manifest records `symmetry`
  // figures for, as test/explorer/symmetry.test.ts checks them; never a shard (shards count
  // states to be merged, each with its own first faults).
  const ownSpace =
    flags.config === undefined &&
    flags['fast-paths'] === undefined &&
    flags.faults === undefined &&
    flags['max-faults'] === undefined &&
    flags.delays === undefined &&
    faultModel === 'patent' &&
    shard === null &&
    explorerManifest.manifest[profileName]?.[design]?.symmetry !== undefined;
  const symmetry = flags['no-symmetry'] === true || !ownSpace ? [] : (profile.symmetry ?? []);
  const symmetryText =
    symmetry.length > 0
      ? `, symmetry ${symmetry.map((g) => `{${g.join(',')}}`).join(' ')}`
      : flags['no-symmetry'] === true || (profile.symmetry ?? []).length === 0
        ? ''
        : ", no symmetry (shown sound for the profile's own space and designs only)";
  // One thread by default: measured on 2 cores, two were slower (docs/explorer.md).
  const workers = exact ? 1 : ((flags.workers as number | undefined) ?? 1);
  const request: ExploreRequest = {
    scenario,
    propertyIds: (flags.property as string[] | undefined) ?? propertiesFor(faultModel).map((p) => p.id),
    faultKinds: (flags.faults as string[] | undefined) ?? (faultModel === 'extended' ? [] : profile.faults),
    ...(faultModel === 'extended' ? { faultModel } : {}),
    maxFaults: (flags['max-faults'] as number | undefined) ?? profile.maxFaults,
    maxDepth: (flags['max-depth'] as number | undefined) ?? DEFAULT_MAX_DEPTH,
    ...(flags['max-states'] !== undefined ? { maxStates: flags['max-states'] as number } : {}),
    delays: ((flags.delays as string | undefined) ?? 'bounds') as 'bounds' | 'all',
    exact,
    ...(flags['per-property'] === true ? { perProperty: true } : {}),
    ...(shard ? { shard } : {}),
    // Partial-order reduction by default, as Spin: the same verdicts on every manifest profile (test/explorer/por.test.ts).
    ...(flags['no-por'] === true ? {} : { por: true }),
    // Lean goes depth first: its memory is then the visited set's (docs/explorer.md, "Lean").
    ...(flags.lean === true ? { lean: true, depthFirst: true } : {}),
    ...(flags['no-folds'] === true ? { folds: false } : {}),
    ...(symmetry.length > 0 ? { symmetry } : {}),
    // The profile's initial states: every ECMP member order where it says so (a fixed --config order is then one of them).
    ...(profile.ecmpOrders ? { ecmpOrders: profile.ecmpOrders } : {}),
  };
  const clock = () => performance.now(); // real-time-ok: figures and progress lines only
  // Under vitest the sources are .ts, which worker threads cannot load: the search runs here (workers.ts).
  const inProcess = IN_PROCESS;
  const memory = (flags.memory as number | undefined) ?? DEFAULT_MEMORY_MB;
  const tableBits = (flags['table-bits'] as number | undefined) ?? 22;
  const control = controlFor(workers, memory);

  // Progress on stderr every few seconds, terminal or not (CI logs), and Ctrl-C: stop, then report.
  const onSigint = (): void => {
    interrupt(control);
    io.err('explore: interrupted: stopping, then reporting what was found so far (Ctrl-C again to quit at once)');
    process.removeListener('SIGINT', onSigint);
  };
  process.on('SIGINT', onSigint);
  let reply: ExploreReply;
  try {
    reply = await search(request, control, { source: PROPERTY_SOURCE, workers, tableBits, clock, onProgress: (line) => io.err(line), early });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  const r = reply.result;

  // The verdicts are printed even when a counterexample cannot be written (then exit 2, after them).
  const files: Record<string, string> = {};
  let writeFailure: InputError | null = null;
  for (const v of r.violations) {
    if (writeFailure) break;
    try {
      const written = writeInto('--out-dir', outDir, `${v.scenario.name}.json`, scenarioToJson(v.scenario));
      files[v.property] = relative(io.resolve('.'), written.path) || written.path;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      writeFailure = outDirName === undefined ? new InputError('--out-dir', `${e.problem} (the default directory; choose one with --out-dir DIR)`) : e;
    }
  }
  const finish = (code: number): number => {
    if (!writeFailure) return code;
    io.err(`pvlcheck: ${writeFailure.message}`);
    return 2;
  };

  // Each property's verdict. A search stopped early proves no absence: what it did not
  // find is inconclusive, never "holds" (nor "not witnessed").
  const ids = request.propertyIds;
  const exhaustedFor = (id: string): boolean => (r.byProperty ? (r.byProperty.find((p) => p.property === id)?.exhausted ?? false) : r.exhausted);
  const complete = ids.every(exhaustedFor);
  const stoppedBy = complete ? null : (r.cutBy ?? 'interrupted');
  const stopWhy = stoppedBy ? stopText(stoppedBy, flags, memory, tableBits) : '';
  const violatedIds = new Set([...r.violations.map((v) => v.property), ...(r.violatedWithoutPath ?? [])]);
  const verdicts: Record<string, ExplorerVerdict> = {};
  for (const id of ids) {
    const p = PROPERTIES.find((x) => x.id === id)!;
    if (violatedIds.has(id)) verdicts[id] = 'violated';
    else if (p.kind === 'sometimes' && r.witnessed.includes(id)) verdicts[id] = 'witnessed';
    else if (!exhaustedFor(id)) verdicts[id] = 'inconclusive';
    else verdicts[id] = p.kind === 'sometimes' ? 'not witnessed' : 'holds';
  }
  // Against properties/manifest.json, whatever the bounds: a verdict it does not expect is exit 1.
  const expectations = expectationsFor(design, ids, verdictManifest.verdicts);
  const caught = ids.some((id) => expectations[id] === 'caught' && verdicts[id] === 'violated');
  // The extended block records what `check` finds in a larger space: a violation or a witness the
  // bounded space does not reach is "not reached here", not unexpected.
  const notReached = (id: string): boolean =>
    faultModel === 'extended' &&
    ((expectations[id] === 'violated' && verdicts[id] === 'holds') || (expectations[id] === 'witnessed' && verdicts[id] === 'not witnessed'));
  const agrees = (id: string): boolean =>
    expectations[id] === 'caught'
      ? verdicts[id] !== 'inconclusive' && (caught || verdicts[id] === 'violated')
      : verdictAgrees(verdicts[id]!, expectations[id]) || notReached(id);
  const unexpected = ids.filter((id) => !agrees(id));
  const expectedText = (id: string): string =>
    expectations[id] === undefined
      ? `no verdict for ${id} in ${verdictManifest.file} (design ${design})`
      : expectations[id] === 'caught'
        ? `${design} caught by one of ${MUTANTS[design]!.caughtBy.join(', ')}`
        : `${verdictManifest.file} expects ${expectations[id]}`;

  // The explorer manifest speaks of a profile run as it is: its own faults and budget, to the end.
  const asProfile =
    flags.config === undefined &&
    flags['fast-paths'] === undefined &&
    flags.faults === undefined &&
    flags['max-faults'] === undefined &&
    flags.delays === undefined &&
    flags.property === undefined &&
    faultModel === 'patent' &&
    shard === null &&
    complete;
  const expected = asProfile ? explorerManifest.manifest[profileName]?.[design] : undefined;
  // Depth first, the lengths are not the shortest the manifest records: the violated properties are compared.
  const depthFirst = r.depthFirst === true;
  const found = Object.fromEntries(r.violations.map((v) => [v.property, depthFirst ? 0 : v.depth]));
  // With partial-order reduction the manifest's `por` figures, with symmetry reduction its
  // `symmetry` ones (product only: --per-property is compared without either).
  const reduced = request.symmetry ? expected?.symmetry : expected;
  // Without folds only the unreduced product's figures are recorded (`unfolded`).
  const figures =
    expected &&
    (request.folds === false
      ? request.perProperty || request.por || request.symmetry
        ? undefined
        : expected.unfolded
      : request.perProperty
        ? request.por || request.symmetry
          ? undefined
          : expected.perProperty
        : request.por
          ? reduced?.por
          : reduced);
  const manifestViolated = (figures && 'violated' in figures ? figures.violated : undefined) ?? expected?.violated ?? {};
  const expectedViolated = depthFirst ? Object.fromEntries(Object.keys(manifestViolated).map((id) => [id, 0])) : manifestViolated;
  const mismatch =
    figures !== undefined &&
    expected !== undefined &&
    (figures.states !== r.states ||
      figures.transitions !== r.transitions ||
      JSON.stringify(Object.entries(expectedViolated).sort()) !== JSON.stringify(Object.entries(found).sort()));
  const asExpected = !mismatch && unexpected.length === 0 && stoppedBy === null;
  // A shard's verdicts are of its part (and the shared prefix): only a violation is final there.
  const code = shard && shard.count > 1 ? (unexpected.some((id) => verdicts[id] === 'violated') || stoppedBy !== null ? 1 : 0) : asExpected ? 0 : 1;

  if (((flags.format ?? flags.reporter) as string | undefined) === 'json') {
    io.out(
      JSON.stringify(
        {
          profile: profileName,
          design,
          workers: inProcess ? 1 : workers,
          initialStates: r.initialStates,
          states: r.states,
          transitions: r.transitions,
          depth: r.depth,
          exhausted: complete,
          cutBy: r.cutBy,
          stoppedBy,
          ms: Math.round(r.ms),
          statesPerSecond: Math.round((r.states / Math.max(1, r.ms)) * 1000),
          bytesPerState: Math.round(r.bytesPerState),
          heapBytesPerState: Math.round(r.heapBytesPerState),
          heapLive: r.heapLive === true,
          lean: request.lean === true,
          depthFirst,
          ...(r.peakHeapBytesPerState !== undefined ? { peakHeapBytesPerState: Math.round(r.peakHeapBytesPerState) } : {}),
          verdicts,
          violations: r.violations.map((v) => ({ property: v.property, message: v.message, moves: v.depth, shortest: !depthFirst, file: files[v.property] })),
          ...(r.byProperty
            ? { byProperty: r.byProperty.map((p) => ({ ...p, ms: Math.round(p.ms), statesPerSecond: Math.round((p.states / Math.max(1, p.ms)) * 1000) })) }
            : {}),
          expected: expected ?? null,
          unexpected: unexpected.map((id) => ({ property: id, verdict: verdicts[id], expected: expectations[id] ?? null })),
          asExpected,
          // For `pvlcheck merge` (docs/campaigns.md): what decides the space, the shard, where it split,
          // what the manifest expects, each shortest counterexample's scenario, whether each property's search ended.
          exploration: {
            version: VERSION,
            profile: profileName,
            design,
            faultModel,
            faultKinds: request.faultKinds,
            maxFaults: request.maxFaults,
            maxDepth: request.maxDepth,
            maxStates: request.maxStates ?? null,
            delays: request.delays,
            exact: request.exact,
            perProperty: request.perProperty === true,
            por: request.por === true,
            // Shards explored with and without folds count different states: merge refuses them.
            folds: request.folds !== false,
            symmetry: request.symmetry ?? null,
            ecmpOrders: request.ecmpOrders ?? null,
            // Depth-first shards' counterexamples are not the shortest: merge says so.
            depthFirst,
            properties: ids,
            config: scenario.config,
            workload: scenario.workload,
          },
          shard: shard ?? null,
          split: r.split ?? null,
          expectations: Object.fromEntries(ids.map((id) => [id, expectations[id] ?? null])),
          exhaustedBy: Object.fromEntries(ids.map((id) => [id, exhaustedFor(id)])),
          witnessed: r.witnessed,
          scenarios: Object.fromEntries(r.violations.map((v) => [v.property, v.scenario])),
        },
        null,
        2,
      ),
    );
    return finish(code);
  }
  const faultsText =
    faultModel === 'extended'
      ? `extended fault model: ${optionsOf(request, PROPERTIES).faultMenu.length} faults in the menu${request.faultKinds.length > 0 ? ` (${request.faultKinds.join(',')})` : ''}`
      : `faults ${request.faultKinds.join(',')}`;
  io.out(`pvlcheck explore: profile ${profileName}, design ${design}, ${faultsText} (at most ${request.maxFaults}), ${inProcess ? 1 : workers} worker(s)${request.por ? ', partial-order reduction' : ', every order (--no-por)'}${symmetryText}${request.lean ? ', lean' : ''}`);
  io.out(`  ${profile.description}`);
  if (shard && shard.count > 1) {
    const sp = r.split;
    io.out(
      `  shard ${shardText(shard)}: the fault-free space (${sp?.prefixStates ?? 0} states) is every shard's; ${sp?.own ?? 0} of its ${sp?.firstFaults ?? 0} first faults and what follows them are this shard's; its verdicts are of its part only (exit 1 only for an unexpected violation): pvlcheck merge of the shards' --format json gives the space's`,
    );
  }
  io.out('');
  for (const id of ids) {
    const p = PROPERTIES.find((x) => x.id === id)!;
    const v = r.violations.find((x) => x.property === id);
    const verdict = verdicts[id]!;
    const text =
      verdict === 'violated'
        ? v
          ? depthFirst
            ? `VIOLATED (counterexample: ${v.depth} moves; depth-first: not the shortest; run without --lean for the shortest)`
            : `VIOLATED (shortest counterexample: ${v.depth} moves)`
          : 'VIOLATED (counterexample not rebuilt: the search stopped first)'
        : verdict === 'holds'
          ? 'holds in every reachable state'
          : verdict === 'witnessed'
            ? 'witnessed'
            : verdict === 'not witnessed'
              ? 'not witnessed in any reachable state'
              : `inconclusive (search stopped: ${stopWhy}, ${r.states} states)`;
    const note = notReached(id) ? `   (${verdictManifest.file} expects ${expectations[id]} under extended: not reached in this space)` : '';
    io.out(`  ${`${p.id} ${p.title}`.padEnd(40)} ${text}${agrees(id) || verdict === 'inconclusive' ? note : `   UNEXPECTED: ${expectedText(id)}`}`);
  }
  for (const v of r.violations) {
    io.out('');
    io.out(`• ${v.property}: ${v.message}`);
    if (depthFirst) io.out(`  depth-first: not the shortest (${v.depth} moves); run without --lean for the shortest`);
    const run = evaluate(v.scenario, PROPERTIES.filter((p) => p.id === v.property), { keepTrace: true });
    for (const line of formatTimeline(run.events ?? [])) io.out(`  ${line}`);
    const file = files[v.property];
    if (v.scenario.config.ecmpOrder) io.out(`  from ECMP member order [${v.scenario.config.ecmpOrder.join(', ')}] (config.ecmpOrder)`);
    io.out(file ? `  scenario: ${file}` : '  scenario: not written (see below)');
    if (file) io.out(`  replay:   npx pvlcheck replay ${shellQuote(file)}`);
  }
  io.out('');
  if (r.byProperty) {
    io.out('');
    io.out('  each property explored on its own:');
    for (const p of r.byProperty) {
      io.out(`    ${p.property.padEnd(4)} ${String(p.states).padStart(9)} states ${String(p.transitions).padStart(9)} transitions  depth ${String(p.depth).padStart(4)}  ${(p.ms / 1000).toFixed(2)} s${p.exhausted ? '' : `  (stopped: ${stopText(p.cutBy ?? 'interrupted', flags, memory, tableBits)})`}`);
    }
    io.out('');
  }
  const orders = ecmpOrdersOf(scenario.config.fastPaths).length;
  const startsText = r.initialStates < orders ? `of ${orders} ECMP member orders, one per orbit under symmetry` : 'one per ECMP member order';
  io.out(`  initial states   ${r.initialStates}${request.ecmpOrders === 'all' ? ` (${startsText})` : ''}`);
  io.out(`  distinct states  ${r.states}${r.byProperty ? ' (summed over the properties)' : ''}`);
  io.out(`  transitions      ${r.transitions}`);
  io.out(
    depthFirst
      ? `  longest path     ${r.depth} moves (depth-first: not a breadth-first depth)`
      : inProcess || workers <= 1 || request.perProperty
        ? `  depth reached    ${r.depth}`
        : `  longest path     ${r.depth} moves (workers race: not a breadth-first depth)`,
  );
  io.out(`  search           ${complete ? 'exhausted: every reachable state visited' : `STOPPED EARLY: ${stopWhy}; what it did not find is inconclusive`}`);
  io.out(`  time             ${(r.ms / 1000).toFixed(2)} s (${Math.round((r.states / Math.max(1, r.ms)) * 1000)} states/s)`);
  const peak = r.peakHeapBytesPerState !== undefined ? `, ${Math.round(r.peakHeapBytesPerState)} at its highest` : '';
  // Uncollected garbage counts too unless the heap was collected before it was read (node --expose-gc).
  const heapWhat = `caches, ${depthFirst ? 'path' : 'frontier'}${r.heapLive ? '' : ', uncollected garbage: node --expose-gc counts live objects only'}`;
  io.out(`  bytes per state  ${Math.round(r.bytesPerState)} (visited set)${r.heapBytesPerState > 0 || peak ? `; ${r.heapLive ? 'live ' : ''}heap growth ${Math.round(r.heapBytesPerState)}${peak} (${heapWhat})` : ''}`);
  if (expected) {
    io.out(
      mismatch
        ? `  UNEXPECTED: the explorer manifest expects ${figures!.states} states, ${figures!.transitions} transitions and violations ${JSON.stringify(manifestViolated)} (${explorerManifest.file})`
        : '  as the explorer manifest expects',
    );
  }
  if (unexpected.length > 0) {
    const said = unexpected.filter((id) => verdicts[id] !== 'inconclusive');
    if (said.length > 0) io.out(`  UNEXPECTED: ${said.map((id) => `${id} ${verdicts[id]} (${expectedText(id)})`).join('; ')}`);
    if (stoppedBy) io.out(`  INCONCLUSIVE: ${unexpected.length - said.length} propert${unexpected.length - said.length === 1 ? 'y' : 'ies'} without a verdict: the search stopped (${stopWhy}) after ${r.states} states`);
  } else if (!mismatch) io.out(`  every verdict as ${verdictManifest.file} expects`);
  return finish(code);
}
