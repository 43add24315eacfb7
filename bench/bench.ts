/**
 * `npm run bench`: the same workload every time, so that two runs compare as ratios.
 * Prints one JSON document. Wall-clock time is read here and only here.
 */
import { builtinScenario, DEFAULT_SCENARIO } from '../src/config/builtins.js';
import { runScenario } from '../src/sim/simulate.js';
import { evaluate } from '../src/checker/evaluate.js';
import { PROPERTIES } from '../properties/index.js';
import { runSpecArbitrary, toScenario } from '../src/checker/arbitraries.js';
import fc from 'fast-check';

const now = () => performance.now(); // real-time-ok: this is the benchmark

function measure<T>(minMs: number, once: () => T): { perSecond: number; count: number; ms: number; last: T } {
  let count = 0;
  let last = once(); // warm-up
  const start = now();
  while (now() - start < minMs) {
    last = once();
    count++;
  }
  const ms = now() - start;
  return { perSecond: (count / ms) * 1000, count, ms, last };
}

const scenario = builtinScenario(DEFAULT_SCENARIO)!;
const long = { ...scenario, until: 200_000 };

// World steps per second: the engine alone, with and without building trace events.
const bare = measure(3000, () => runScenario(long, { trace: false }).steps);
const traced = measure(3000, () => runScenario(long, { trace: true, keep: false }).steps);
// A checked run: the world plus every property monitor (what `check` does per run).
const checked = measure(3000, () => evaluate(long, PROPERTIES).steps);
// Generated runs as `check` makes them (random configurations, faults and choices).
const specs = fc.sample(runSpecArbitrary({ maxFaults: 2 }), { seed: 7, numRuns: 60 });
let steps = 0;
const generated = measure(5000, () => {
  for (const spec of specs) steps += evaluate(toScenario(spec, 'patent'), PROPERTIES).steps;
  return steps;
});

console.log(
  JSON.stringify({
    bench: 'pvlcheck',
    node: process.version,
    scenario: scenario.name,
    untilMs: long.until,
    worldStepsPerSecond: Math.round((bare.last * bare.perSecond)),
    worldStepsPerSecondTraced: Math.round(traced.last * traced.perSecond),
    checkedStepsPerSecond: Math.round(checked.last * checked.perSecond),
    generatedRunsPerSecond: Math.round(generated.perSecond * specs.length * 10) / 10,
    generatedStepsPerRun: Math.round(steps / ((generated.count + 1) * specs.length)),
  }),
);
