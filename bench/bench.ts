/**
 * `npm run bench`: the same workloads every time, so that two runs compare as ratios.
 * Prints one JSON document. Wall-clock time is read here and only here.
 *
 * - simulation: world steps per second on the default scenario (engine alone, with trace
 *   events, and with every property monitor watching);
 * - random checking: generated runs per second; time to the first prior-art
 *   counterexample to L1 and its shrink time (median over seeds);
 * - exhaustive exploration: distinct states per second with 1 worker and with every
 *   core (best of three runs each), bytes per state (visited set; heap growth), on
 *   profile `small` with two faults, for the product of all properties and for each
 *   property on its own (--per-property); time to the shortest prior-art counterexample;
 * - agreement: check's shrunk counterexample length against the explorer's shortest;
 * - shards: the wall time of one check campaign as 2 shards in 2 processes at once against
 *   1 process (one worker thread each), as a ratio, and whether the merged result equals
 *   the unsharded one.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { PROPERTIES } from '../properties/index.js';
import { runSpecArbitrary, toScenario } from '../src/checker/arbitraries.js';
import { checkDesign } from '../src/checker/check.js';
import { evaluate } from '../src/checker/evaluate.js';
import { DEFAULT_SCENARIO, builtinScenario } from '../src/config/builtins.js';
import { explore } from '../src/explorer/explore.js';
import { profileCheckSpace, profileSpace } from '../src/explorer/profiles.js';
import { runScenario } from '../src/sim/simulate.js';

const now = () => performance.now(); // real-time-ok: this is the benchmark
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

function rate(minMs: number, once: () => number): number {
  once(); // warm-up
  let work = 0;
  const start = now();
  while (now() - start < minMs) work += once();
  return (work / (now() - start)) * 1000;
}

// ---- simulation --------------------------------------------------------------------
const scenario = { ...builtinScenario(DEFAULT_SCENARIO)!, until: 200_000 };
const worldStepsPerSecond = rate(3000, () => runScenario(scenario, { trace: false }).steps);
const tracedStepsPerSecond = rate(3000, () => runScenario(scenario, { trace: true, keep: false }).steps);
const checkedStepsPerSecond = rate(3000, () => evaluate(scenario, PROPERTIES).steps);

// ---- random checking ---------------------------------------------------------------
const specs = fc.sample(runSpecArbitrary({ maxFaults: 2 }), { seed: 7, numRuns: 60 });
const generatedRunsPerSecond = rate(5000, () => {
  for (const spec of specs) evaluate(toScenario(spec, 'patent'), PROPERTIES);
  return specs.length;
});
const L1 = PROPERTIES.filter((p) => p.id === 'L1');
const firsts = [1, 2, 3, 4, 5].map((seed) => {
  const r = checkDesign('prior-art', { properties: L1, runs: 1000, seed, maxFaults: 2, clock: now });
  const cx = r.properties[0]!.counterexample!;
  return { foundMs: cx.foundAfterMs, shrinkMs: r.properties[0]!.shrinkMs, runs: cx.foundAtRun };
});

// ---- exhaustive exploration --------------------------------------------------------
const bin = fileURLToPath(new URL('../../bin/pvlcheck.js', import.meta.url));
interface ExploreFigures {
  states: number;
  transitions: number;
  ms: number;
  statesPerSecond: number;
  bytesPerState: number;
  heapBytesPerState: number;
}
const exploreCli = (workers: number, ...more: string[]): ExploreFigures =>
  JSON.parse(
    execFileSync(process.execPath, [bin, 'explore', '--workers', String(workers), '--max-faults', '2', '--format', 'json', ...more], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    }),
  ) as ExploreFigures;
/** The best of three runs: this machine's speed wanders by a quarter from run to run. */
const bestOf3 = (run: () => ExploreFigures): ExploreFigures => [run(), run(), run()].sort((a, b) => a.ms - b.ms)[0]!;
const cores = availableParallelism();
const one = bestOf3(() => exploreCli(1));
const all = bestOf3(() => exploreCli(cores));
const eachOne = bestOf3(() => exploreCli(1, '--per-property'));
const eachAll = bestOf3(() => exploreCli(cores, '--per-property'));
const exploreOptions = { ...profileSpace('small', 'prior-art'), properties: PROPERTIES, maxDepth: 100_000, stopWhenFound: ['L1'] };
const exhaustiveFirst = [0, 1, 2].map(() => {
  const t0 = now();
  const r = explore(exploreOptions);
  return { ms: now() - t0, moves: r.violations.find((v) => v.property === 'L1')!.depth };
});

// ---- agreement: check's shrunk length against the shortest --------------------------
const agreement = checkDesign('prior-art', { ...profileCheckSpace('small'), properties: L1, runs: 200, seed: 42 });
const shrunk = agreement.properties[0]!.counterexample!;
const shrunkMoves = evaluate(shrunk.scenario, L1).movesToViolation.get('L1')!;

// ---- shards: 2 processes against 1, the same campaign -------------------------------
const shardDir = mkdtempSync(join(tmpdir(), 'pvlcheck-bench-shards-'));
const CAMPAIGN = ['check', '--design', 'patent', '--runs', '600', '--seed', '42', '--workers', '1', '--format', 'json', '--out-dir', join(shardDir, 'cx')];
const pvl = (args: string[]): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(process.execPath, [bin, ...args], { maxBuffer: 1 << 28, cwd: shardDir }, (error, stdout) => {
      // Exit 1 (a verdict not as expected) still leaves a whole JSON report.
      if (error && (error as { code?: number }).code !== 1) reject(error);
      else resolve(stdout);
    });
  });
const timed = async (run: () => Promise<unknown>): Promise<number> => {
  const t0 = now();
  await run();
  return now() - t0;
};
let wholeJson = '';
let shardJsons: string[] = [];
const oneProcessMs = await timed(async () => {
  wholeJson = await pvl(CAMPAIGN);
});
const twoShardsMs = await timed(async () => {
  shardJsons = await Promise.all([1, 2].map((i) => pvl([...CAMPAIGN, '--shard', `${i}/2`])));
});
shardJsons.forEach((j, i) => writeFileSync(join(shardDir, `shard-${i + 1}.json`), j));
const mergedJson = await pvl(['merge', join(shardDir, 'shard-1.json'), join(shardDir, 'shard-2.json'), '--format', 'json', '--out-dir', join(shardDir, 'cx')]);
const untimed = (text: string) => JSON.stringify(JSON.parse(text, (k, v: unknown) => (k === 'ms' || k === 'shrinkMs' || k === 'foundAfterMs' ? undefined : v)));
const mergedEqualsWhole = untimed(mergedJson) === untimed(wholeJson);
rmSync(shardDir, { recursive: true, force: true });

console.log(
  JSON.stringify(
    {
      bench: 'pvlcheck',
      node: process.version,
      cores,
      simulation: {
        scenario: scenario.name,
        worldStepsPerSecond: Math.round(worldStepsPerSecond),
        worldStepsPerSecondTraced: Math.round(tracedStepsPerSecond),
        checkedStepsPerSecond: Math.round(checkedStepsPerSecond),
      },
      check: {
        generatedRunsPerSecond: round(generatedRunsPerSecond, 1),
        priorArtFirstCounterexampleMs: Math.round(median(firsts.map((f) => f.foundMs))),
        priorArtFirstCounterexampleRuns: median(firsts.map((f) => f.runs)),
        shrinkMs: Math.round(median(firsts.map((f) => f.shrinkMs))),
      },
      explore: {
        profile: 'small, 2 faults',
        states: one.states,
        transitions: one.transitions,
        statesPerSecond1Worker: one.statesPerSecond,
        statesPerSecondAllWorkers: all.statesPerSecond,
        speedup: round(all.statesPerSecond / one.statesPerSecond, 2),
        bytesPerState: one.bytesPerState,
        heapBytesPerState: one.heapBytesPerState,
        perProperty: {
          states: eachOne.states,
          transitions: eachOne.transitions,
          statesPerSecond1Worker: eachOne.statesPerSecond,
          statesPerSecondAllWorkers: eachAll.statesPerSecond,
          speedup: round(eachAll.statesPerSecond / eachOne.statesPerSecond, 2),
          ms1Worker: eachOne.ms,
        },
        priorArtShortestCounterexampleMs: Math.round(median(exhaustiveFirst.map((e) => e.ms))),
      },
      agreement: {
        shortestMoves: exhaustiveFirst[0]!.moves,
        shrunkMoves,
      },
      shards: {
        campaign: 'check --design patent --runs 600 --workers 1',
        oneProcessMs: Math.round(oneProcessMs),
        twoShardProcessesMs: Math.round(twoShardsMs),
        speedup: round(oneProcessMs / twoShardsMs, 2),
        mergedEqualsUnsharded: mergedEqualsWhole,
      },
    },
    null,
    2,
  ),
);
