/**
 * `pvlcheck explore`: exhaustive breadth-first exploration of a small configuration,
 * every property checked at every state; the shortest counterexample of each violated
 * property as a timeline and a scenario file for `replay`; then the figures (distinct
 * states, transitions, depth, states per second, bytes per state) and whether the space
 * was exhausted or cut by a bound.
 *
 * With --workers > 1 the worker threads share one visited set (explore.ts, exploreShare);
 * the shortest counterexamples then come from a breadth-first rerun in this thread.
 * Worker threads get their heap size from --memory here, not from the user's NODE_OPTIONS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { PROPERTIES } from '../../properties/index.js';
import { evaluate } from '../checker/evaluate.js';
import { scenarioToJson } from '../config/scenario.js';
import { InputError } from '../config/validate.js';
import { DESIGN_NAMES } from '../engine/system.js';
import { combine, explore, explorePerProperty, initialState, pathToScenario, spaceFor, worldCacheFor, type ExploreOptions, type ExploreResult } from '../explorer/explore.js';
import type { WorldCache } from '../explorer/worldCache.js';
import { controlBuffer, type ShareResult } from '../explorer/parallel.js';
import { SharedFingerprintSet } from '../explorer/sharedSet.js';
import { DEFAULT_PROFILE, PROFILES, faultMenu, profileScenario } from '../explorer/profiles.js';
import { EXPLORER_MANIFEST } from '../explorer/manifest.js';
import type { Scenario } from '../config/types.js';
import { formatTimeline } from '../report/timeline.js';
import { helpText, parseArgs, type FlagSpecs } from './args.js';
import { readFixed } from './check.js';
import type { Io } from './io.js';

export const EXPLORE_FLAGS: FlagSpecs = {
  profile: { type: 'string', choices: Object.keys(PROFILES), help: `a named small configuration (default ${DEFAULT_PROFILE})` },
  design: { type: 'string', choices: DESIGN_NAMES, help: 'the design (default patent)' },
  'fast-paths': { type: 'int', min: 2, help: "number of fast paths (overrides the profile's)" },
  'max-faults': { type: 'int', help: "fault budget (overrides the profile's)" },
  faults: { type: 'list', choices: ['crash', 'restart', 'link'], help: "fault kinds on fast paths (overrides the profile's)" },
  'max-depth': { type: 'int', min: 1, help: 'stop after this many moves (default 100000: no bound in practice)' },
  'max-states': { type: 'int', min: 1, help: 'stop after this many distinct states' },
  delays: { type: 'string', choices: ['bounds', 'all'], help: "each link's two delay bounds (default) or every value between" },
  config: { type: 'string', help: 'a JSON file with config/workload values laid over the profile' },
  property: { type: 'list', choices: PROPERTIES.map((p) => p.id), help: 'only these properties' },
  workers: { type: 'int', min: 1, help: 'worker threads (default 1: see docs/explorer.md for what more give)' },
  memory: { type: 'int', min: 256, help: 'heap of each worker thread, MB (default 4096)' },
  'table-bits': { type: 'int', min: 10, help: 'shared state table of 2^N slots, 12 bytes each (default 22; parallel runs)' },
  exact: { type: 'boolean', help: 'store full state keys, not 64-bit fingerprints (1 worker)' },
  'per-property': {
    type: 'boolean',
    help: 'explore each property with the model on its own (as Spin checks one claim at a time): same verdicts and shortest counterexamples, each in a space no larger than the product; workers take properties',
  },
  reporter: { type: 'string', choices: ['text', 'json'], help: 'output format (default text)' },
  out: { type: 'string', help: 'where counterexample scenario files go (default counterexamples/)' },
  help: { type: 'boolean', help: 'this help' },
};

export interface ExploreRequest {
  scenario: Scenario;
  propertyIds: string[];
  faultKinds: string[];
  maxFaults: number;
  maxDepth: number;
  maxStates?: number;
  delays: 'bounds' | 'all';
  exact: boolean;
  perProperty?: boolean;
  stopWhenFound?: string[];
}

/** An exploration's figures and its counterexamples as scenarios. */
export interface ExploreReply {
  result: Omit<ExploreResult, 'violations'> & { violations: { property: string; message: string; depth: number; scenario: Scenario }[] };
}

export function optionsOf(r: ExploreRequest, clock?: () => number): ExploreOptions {
  return {
    scenario: r.scenario,
    properties: PROPERTIES.filter((p) => r.propertyIds.includes(p.id)),
    faultMenu: faultMenu(r.faultKinds, r.scenario.config.fastPaths),
    maxFaults: r.maxFaults,
    maxDepth: r.maxDepth,
    ...(r.maxStates !== undefined ? { maxStates: r.maxStates } : {}),
    delays: r.delays,
    exact: r.exact,
    ...(r.perProperty ? { perProperty: true } : {}),
    ...(r.stopWhenFound ? { stopWhenFound: r.stopWhenFound } : {}),
    ...(clock ? { clock } : {}),
  };
}

/** Run one exploration (a whole one, or a worker's share) and turn its paths into scenarios. */
export function runExplore(r: ExploreRequest, clock?: () => number, worlds?: WorldCache): ExploreReply {
  const options = optionsOf(r, clock);
  const result = worlds && options.perProperty ? explorePerProperty(options, worlds) : explore(options);
  const { space } = spaceFor(options);
  const root = initialState(space);
  return {
    result: {
      ...result,
      violations: result.violations.map((v) => ({
        property: v.property,
        message: v.violation.message,
        depth: v.depth,
        scenario: pathToScenario(space, root.choices, v.edges, `${r.scenario.design}-${v.property}-shortest`),
      })),
    },
  };
}

/**
 * A parallel exploration: worker threads over one shared visited set (exploreShare),
 * then, if any property was violated, a breadth-first rerun in this thread for the
 * shortest counterexamples (it stops once it has them all).
 */
async function inWorkers(request: ExploreRequest, workers: number, memoryMb: number, tableBits: number, clock: () => number): Promise<ExploreReply> {
  const started = clock();
  const shared = new SharedFingerprintSet(tableBits);
  const control = controlBuffer(workers);
  // One message channel per pair of workers, for handing over work.
  const ports: Map<number, MessagePort>[] = Array.from({ length: workers }, () => new Map());
  for (let a = 0; a < workers; a++) {
    for (let b = a + 1; b < workers; b++) {
      const { port1, port2 } = new MessageChannel();
      ports[a]!.set(b, port1);
      ports[b]!.set(a, port2);
    }
  }
  const url = new URL('./exploreWorker.js', import.meta.url);
  const shares = await Promise.all(
    Array.from(
      { length: workers },
      (_, index) =>
        new Promise<ShareResult>((resolve, reject) => {
          const peers = ports[index]!;
          const w = new Worker(url, {
            workerData: { request, buffer: shared.buffer, control, index, count: workers, peers },
            transferList: [...peers.values()],
            resourceLimits: { maxOldGenerationSizeMb: memoryMb },
          });
          w.on('message', resolve);
          w.on('error', reject);
          w.on('exit', (code) => {
            if (code !== 0) reject(new Error(`explorer worker ${index} exited with code ${code}`));
          });
        }),
    ),
  );
  const ms = clock() - started;
  if (process.env.PVLCHECK_DEBUG) for (const s of shares) process.stderr.write(`worker: ${JSON.stringify(s)}\n`);
  const violated = [...new Set(shares.flatMap((s) => s.violated))].sort();
  const cut = shares.find((s) => s.cutBy)?.cutBy ?? null;
  let violations: ExploreReply['result']['violations'] = [];
  if (violated.length > 0) {
    violations = runExplore({ ...request, stopWhenFound: violated }).result.violations;
  }
  return {
    result: {
      states: shared.size,
      transitions: shares[0]!.prefixTransitions + shares.reduce((n, s) => n + s.transitions, 0),
      depth: Math.max(...shares.map((s) => s.depth)),
      exhausted: cut === null,
      cutBy: cut,
      violations,
      ms,
      // The shared table's cost per state at the load it is sized for (half full).
      bytesPerState: 24,
      heapBytesPerState: 0,
      byProperty: null,
    },
  };
}

/** Heaviest first, so that the last property to finish is a light one. */
function byWeight(ids: readonly string[]): string[] {
  const weight = (id: string) => ({ eventually: 2, always: 1, sometimes: 0 })[PROPERTIES.find((p) => p.id === id)!.kind] + (id === 'L3' ? 1 : 0);
  return [...ids].sort((a, b) => weight(b) - weight(a));
}

/**
 * Replies of properties explored on their own, totalled again in the properties' order
 * (`rank`), whoever explored them.
 */
function totalOf(replies: readonly ExploreReply[], ms: number, rank: (property: string) => number = () => 0): ExploreReply {
  const parts = replies
    .flatMap((r) => (r.result.byProperty ?? []).map((p) => ({ ...p, violations: [], bytesPerState: 0, heapBytesPerState: 0, byProperty: null })))
    .sort((a, b) => rank(a.property) - rank(b.property));
  return {
    result: {
      ...combine(parts, ms),
      violations: replies.flatMap((r) => r.result.violations).sort((a, b) => rank(a.property) - rank(b.property)),
      bytesPerState: Math.max(0, ...replies.map((r) => r.result.bytesPerState)),
      heapBytesPerState: Math.max(0, ...replies.map((r) => r.result.heapBytesPerState)),
    },
  };
}

/**
 * Per-property exploration in worker threads: each takes the next property not yet
 * taken (a shared counter) until none is left, and explores it on its own, keeping the
 * moves of each world for its next property. Nothing else is shared: the shortest
 * counterexamples come straight from each worker's breadth-first search.
 */
async function inWorkersPerProperty(request: ExploreRequest, workers: number, memoryMb: number, clock: () => number): Promise<ExploreReply> {
  const started = clock();
  const counter = new SharedArrayBuffer(4);
  const order = byWeight(request.propertyIds);
  const url = new URL('./exploreWorker.js', import.meta.url);
  const replies = await Promise.all(
    Array.from(
      { length: Math.min(workers, order.length) },
      (_, index) =>
        new Promise<ExploreReply>((resolve, reject) => {
          const w = new Worker(url, {
            workerData: { mode: 'perProperty', request, counter, order, index },
            resourceLimits: { maxOldGenerationSizeMb: memoryMb },
          });
          w.on('message', resolve);
          w.on('error', reject);
          w.on('exit', (code) => {
            if (code !== 0) reject(new Error(`explorer worker ${index} exited with code ${code}`));
          });
        }),
    ),
  );
  // Back in the properties' order, whichever worker explored them.
  return totalOf(replies, clock() - started, (id) => request.propertyIds.indexOf(id));
}

/** A worker's part of inWorkersPerProperty: the properties it takes, one at a time. */
export function explorePropertiesTaken(request: ExploreRequest, counter: SharedArrayBuffer, order: readonly string[], clock: () => number): ExploreReply {
  const next = new Int32Array(counter);
  const worlds = worldCacheFor(request.scenario);
  const replies: ExploreReply[] = [];
  for (;;) {
    const k = Atomics.add(next, 0, 1);
    if (k >= order.length) break;
    replies.push(runExplore({ ...request, propertyIds: [order[k]!], perProperty: true }, clock, worlds));
  }
  return totalOf(replies, replies.reduce((n, r) => n + r.result.ms, 0));
}

export async function exploreCommand(argv: readonly string[], io: Io): Promise<number> {
  const { flags, positional } = parseArgs('explore', argv, EXPLORE_FLAGS);
  if (flags.help) {
    io.out(helpText('explore', 'Explores every reachable state of a small configuration and checks every property at every state.', EXPLORE_FLAGS, '[options]'));
    return 0;
  }
  if (positional.length > 0) throw new InputError(positional[0]!, "unexpected argument for 'explore'");
  const profileName = (flags.profile as string | undefined) ?? DEFAULT_PROFILE;
  const profile = PROFILES[profileName]!;
  const design = (flags.design as string | undefined) ?? 'patent';
  let scenario = profileScenario(profileName, design);
  if (flags.config) {
    const fixed = readFixed(flags.config as string, io);
    scenario = { ...scenario, config: { ...scenario.config, ...fixed.config }, workload: { ...scenario.workload, ...fixed.workload } };
  }
  if (flags['fast-paths'] !== undefined) scenario = { ...scenario, config: { ...scenario.config, fastPaths: flags['fast-paths'] as number } };
  if (scenario.config.fastPaths > 8) throw new InputError('--fast-paths', `at most 8, got ${scenario.config.fastPaths}`);
  const exact = flags.exact === true;
  // One thread by default: measured on 2 cores, two were slower (docs/explorer.md).
  const workers = exact ? 1 : ((flags.workers as number | undefined) ?? 1);
  const request: ExploreRequest = {
    scenario,
    propertyIds: (flags.property as string[] | undefined) ?? PROPERTIES.map((p) => p.id),
    faultKinds: (flags.faults as string[] | undefined) ?? profile.faults,
    maxFaults: (flags['max-faults'] as number | undefined) ?? profile.maxFaults,
    maxDepth: (flags['max-depth'] as number | undefined) ?? 100_000,
    ...(flags['max-states'] !== undefined ? { maxStates: flags['max-states'] as number } : {}),
    delays: ((flags.delays as string | undefined) ?? 'bounds') as 'bounds' | 'all',
    exact,
    ...(flags['per-property'] === true ? { perProperty: true } : {}),
  };
  const clock = () => performance.now(); // real-time-ok: figures only
  const inProcess = workers <= 1 || !import.meta.url.endsWith('.js');
  const memory = (flags.memory as number | undefined) ?? 4096;
  const reply = inProcess
    ? runExplore(request, clock)
    : request.perProperty
      ? await inWorkersPerProperty(request, workers, memory, clock)
      : await inWorkers(request, workers, memory, (flags['table-bits'] as number | undefined) ?? 22, clock);
  const r = reply.result;

  const files: Record<string, string> = {};
  const outDir = io.resolve((flags.out as string | undefined) ?? 'counterexamples');
  for (const v of r.violations) {
    mkdirSync(outDir, { recursive: true });
    const path = join(outDir, `${v.scenario.name}.json`);
    writeFileSync(path, scenarioToJson(v.scenario));
    files[v.property] = relative(io.resolve('.'), path) || path;
  }
  // The manifest speaks of a profile run as it is: its own faults and budget, no bounds.
  const asProfile =
    flags.config === undefined &&
    flags['fast-paths'] === undefined &&
    flags.faults === undefined &&
    flags['max-faults'] === undefined &&
    flags.delays === undefined &&
    flags.property === undefined &&
    r.exhausted;
  const expected = asProfile ? EXPLORER_MANIFEST[profileName]?.[design] : undefined;
  const found = Object.fromEntries(r.violations.map((v) => [v.property, v.depth]));
  const figures = expected && (request.perProperty ? expected.perProperty : expected);
  const mismatch =
    figures !== undefined &&
    expected !== undefined &&
    (figures.states !== r.states ||
      figures.transitions !== r.transitions ||
      JSON.stringify(Object.entries(expected.violated).sort()) !== JSON.stringify(Object.entries(found).sort()));

  if (flags.reporter === 'json') {
    io.out(
      JSON.stringify(
        {
          profile: profileName,
          design,
          workers: inProcess ? 1 : workers,
          states: r.states,
          transitions: r.transitions,
          depth: r.depth,
          exhausted: r.exhausted,
          cutBy: r.cutBy,
          ms: Math.round(r.ms),
          statesPerSecond: Math.round((r.states / r.ms) * 1000),
          bytesPerState: Math.round(r.bytesPerState),
          heapBytesPerState: Math.round(r.heapBytesPerState),
          violations: r.violations.map((v) => ({ property: v.property, message: v.message, moves: v.depth, file: files[v.property] })),
          ...(r.byProperty
            ? { byProperty: r.byProperty.map((p) => ({ ...p, ms: Math.round(p.ms), statesPerSecond: Math.round((p.states / Math.max(1, p.ms)) * 1000) })) }
            : {}),
          expected: expected ?? null,
          asExpected: !mismatch,
        },
        null,
        2,
      ),
    );
    return mismatch ? 1 : 0;
  }
  io.out(`pvlcheck explore: profile ${profileName}, design ${design}, faults ${request.faultKinds.join(',')} (at most ${request.maxFaults}), ${inProcess ? 1 : workers} worker(s)`);
  io.out(`  ${profile.description}`);
  io.out('');
  const ids = request.propertyIds;
  for (const id of ids) {
    const p = PROPERTIES.find((x) => x.id === id)!;
    const v = r.violations.find((x) => x.property === id);
    io.out(`  ${`${p.id} ${p.title}`.padEnd(40)} ${v ? `VIOLATED (shortest counterexample: ${v.depth} moves)` : r.exhausted ? 'holds in every reachable state' : 'holds as far as explored'}`);
  }
  for (const v of r.violations) {
    io.out('');
    io.out(`• ${v.property}: ${v.message}`);
    const run = evaluate(v.scenario, PROPERTIES.filter((p) => p.id === v.property), { keepTrace: true });
    for (const line of formatTimeline(run.events ?? [])) io.out(`  ${line}`);
    io.out(`  scenario: ${files[v.property]}`);
    io.out(`  replay:   npx pvlcheck replay ${files[v.property]}`);
  }
  io.out('');
  if (r.byProperty) {
    io.out('');
    io.out('  each property explored on its own:');
    for (const p of r.byProperty) {
      io.out(`    ${p.property.padEnd(4)} ${String(p.states).padStart(9)} states ${String(p.transitions).padStart(9)} transitions  depth ${String(p.depth).padStart(4)}  ${(p.ms / 1000).toFixed(2)} s${p.exhausted ? '' : `  (cut by the ${p.cutBy} bound)`}`);
    }
    io.out('');
  }
  io.out(`  distinct states  ${r.states}${r.byProperty ? ' (summed over the properties)' : ''}`);
  io.out(`  transitions      ${r.transitions}`);
  io.out(inProcess || request.perProperty ? `  depth reached    ${r.depth}` : `  longest path     ${r.depth} moves (workers race: not a breadth-first depth)`);
  io.out(`  search           ${r.exhausted ? 'exhausted: every reachable state visited' : `cut by the ${r.cutBy} bound`}`);
  io.out(`  time             ${(r.ms / 1000).toFixed(2)} s (${Math.round((r.states / Math.max(1, r.ms)) * 1000)} states/s)`);
  io.out(`  bytes per state  ${Math.round(r.bytesPerState)} (visited set)${r.heapBytesPerState > 0 ? `; heap growth ${Math.round(r.heapBytesPerState)} (caches, frontier)` : ''}`);
  if (expected) {
    io.out(
      mismatch
        ? `  UNEXPECTED: the manifest expects ${figures!.states} states, ${figures!.transitions} transitions and violations ${JSON.stringify(expected.violated)} (src/explorer/manifest.ts)`
        : '  as the explorer manifest expects',
    );
  }
  return mismatch ? 1 : 0;
}
