/**
 * The property checker (src/checker/check.ts): it has teeth (every seeded bug is caught,
 * with a shrunk counterexample that tells a short story), it finds the prior art's
 * blackhole as the patent describes it, it is deterministic, it finds nothing wrong with
 * the patent design while exercising every bounded response and witness, and its
 * verdicts agree with the manifest.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { failoverWitness } from '../../properties/failoverWitness.js';
import { reverseResumes } from '../../properties/reverseResumes.js';
import { MUTANTS, MUTANT_NAMES } from '../../models/mutants.js';
import { ecmpPick } from '../../models/eni.js';
import { checkDesign, deriveSeed, type DesignOutcome, type PropertyOutcome } from '../../src/checker/check.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { judge, manifestPath, readManifest, verdictOf } from '../../src/checker/verdicts.js';
import { PACKAGE_ROOT } from '../../src/config/packageRoot.js';
import { describeRun } from '../../src/checker/arbitraries.js';
import { DEFAULT_RUNS } from '../../src/cli/check.js';
import { parseScenarioText, scenarioToJson } from '../../src/config/scenario.js';
import { fastPathIds } from '../../src/engine/system.js';
import { computeBounds } from '../../src/sim/bounds.js';

/** properties/manifest.json, read as the command reads it (at run time). */
const MANIFEST = readManifest(manifestPath(PACKAGE_ROOT, {}));

const SEED = 42;

function story(o: PropertyOutcome): string {
  const cx = o.counterexample;
  return cx ? `${o.property.id}: ${describeRun(cx.spec).join(' ')} -> ${cx.violation.message}` : `${o.property.id}: none`;
}

/** A counterexample must replay: the saved scenario violates the property the same way. */
function expectReplays(o: PropertyOutcome): void {
  const cx = o.counterexample!;
  const again = parseScenarioText(scenarioToJson(cx.scenario), 'counterexample');
  const v = evaluate(again, [o.property]).verdicts.get(o.property.id)!;
  expect(v.violation, story(o)).toEqual(cx.violation);
}

describe('teeth: every seeded bug is caught, with a short story', () => {
  it.each(MUTANT_NAMES)('%s', (name) => {
    const mutant = MUTANTS[name]!;
    const properties = PROPERTIES.filter((p) => mutant.caughtBy.includes(p.id));
    expect(properties.map((p) => p.id)).toEqual(mutant.caughtBy);
    const d = checkDesign(name, { properties, runs: DEFAULT_RUNS, seed: SEED, maxFaults: 2 });

    const caught = d.properties.filter((o) => o.counterexample !== null);
    expect(caught.length, `${name} escaped ${mutant.caughtBy.join(', ')} in ${d.runs} runs`).toBeGreaterThan(0);
    for (const o of caught) {
      const cx = o.counterexample!;
      expect(cx.property).toBe(o.property.id);
      expect(cx.scenario.design).toBe(name);
      expect(cx.spec.faults.length, story(o)).toBeLessThanOrEqual(2);
      expect(cx.spec.workload.flows, story(o)).toBeLessThanOrEqual(2);
      expect(cx.spec.config.fastPaths, story(o)).toBe(2);
      expect(cx.foundAtRun).toBeGreaterThan(0);
      expect(cx.foundAtRun).toBeLessThanOrEqual(d.runs);
      expectReplays(o);
    }
    // The manifest expects a seeded bug to be caught by one of its properties.
    expect(judge(MANIFEST, d.properties).filter((j) => j.unexpected)).toEqual([]);
  });
});

describe('prior art: the blackhole of [¶45]', () => {
  let d: DesignOutcome;
  let o: PropertyOutcome;
  let cx: NonNullable<PropertyOutcome['counterexample']>;
  beforeAll(() => {
    d = checkDesign('prior-art', { properties: [reverseResumes], runs: DEFAULT_RUNS, seed: SEED, maxFaults: 2 });
    o = d.properties[0]!;
    cx = o.counterexample!;
    // 1000 runs and a shrink: about 8 s alone, more on a shared machine (as the hook below).
  }, 120_000);

  it('is found early, and every run asked for is still run (counts must not depend on a split into shards)', () => {
    expect(cx, 'no counterexample for L1 in the prior art').not.toBeNull();
    expect(cx.foundAtRun).toBeLessThan(DEFAULT_RUNS / 10);
    expect(d.runs).toBe(DEFAULT_RUNS);
    expect(o.runs).toBe(DEFAULT_RUNS);
  });

  it('shrinks to one crash of the fast path that carries f1, with one flow', () => {
    const fps = fastPathIds(cx.spec.config.fastPaths);
    expect(cx.spec.faults).toEqual([{ at: cx.spec.faults[0]!.at, kind: 'crash', node: ecmpPick('f1', fps) }]);
    expect(cx.spec.workload.flows).toBe(1);
    expect(cx.spec.config.fastPaths).toBe(2);
    expect(cx.scenario.faults).toEqual(cx.spec.faults);
  });

  it("names L1's deadline in its violation", () => {
    const budget = computeBounds(cx.scenario.config, cx.scenario.workload).l1.ms;
    const m = /^no response for flow f1 by (\d+) ms \(t_f (\d+) \+ budget (\d+) ms; fault at (\d+) ms\)$/.exec(cx.violation.message);
    expect(m, cx.violation.message).not.toBeNull();
    const [deadline, tf, named, fault] = m!.slice(1).map(Number) as [number, number, number, number];
    expect(named).toBe(budget);
    expect(fault).toBe(cx.spec.faults[0]!.at);
    expect(deadline).toBe(Math.max(tf + budget, fault + computeBounds(cx.scenario.config, cx.scenario.workload).l1FloorMs));
    expect(cx.violation.t).toBe(deadline);
    expect(cx.violation.flow).toBe('f1');
  });

  it('replays from its scenario file', () => {
    expectReplays(o);
  });
});

describe('determinism', () => {
  const options = { properties: PROPERTIES, runs: 30, seed: 7, maxFaults: 2 };

  it('gives identical outcomes for the same options', () => {
    const a = checkDesign('prior-art', options);
    const b = checkDesign('prior-art', options);
    const summary = (d: DesignOutcome) =>
      d.properties.map((o) => ({
        id: o.property.id,
        runs: o.runs,
        triggeredRuns: o.triggeredRuns,
        disruptiveRuns: o.disruptiveRuns,
        voidedRuns: o.voidedRuns,
        witnessedRuns: o.witnessedRuns,
        samples: o.samples,
        counterexample: o.counterexample && {
          spec: o.counterexample.spec,
          scenario: o.counterexample.scenario,
          violation: o.counterexample.violation,
          fcSeed: o.counterexample.fcSeed,
          fcPath: o.counterexample.fcPath,
          foundAtRun: o.counterexample.foundAtRun,
          shrinks: o.counterexample.shrinks,
        },
      }));
    expect(a.runs).toBe(b.runs);
    expect(summary(a).some((x) => x.counterexample !== null)).toBe(true);
    expect(summary(b)).toEqual(summary(a));
  });

  it('derives fast-check seeds from the seed, the design and the run', () => {
    expect(deriveSeed(42, 'patent', 0)).toBe(deriveSeed(42, 'patent', 0));
    const seeds = new Set([deriveSeed(42, 'patent', 0), deriveSeed(43, 'patent', 0), deriveSeed(42, 'prior-art', 0), deriveSeed(42, 'patent', 1)]);
    expect(seeds.size).toBe(4);
    for (const s of seeds) expect(Number.isInteger(s) && s >= -(2 ** 31) && s < 2 ** 31).toBe(true);
  });

  it('reports progress up to the number of runs', () => {
    const seen: number[] = [];
    const d = checkDesign('patent', { properties: [failoverWitness], runs: 12, seed: SEED, maxFaults: 2, onProgress: (done, total) => {
      expect(total).toBe(12);
      seen.push(done);
    } });
    expect(d.runs).toBe(12);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });
});

describe('the patent design and the manifest', () => {
  const RUNS = 150;
  let patent: DesignOutcome;
  let priorArt: DesignOutcome;
  beforeAll(() => {
    patent = checkDesign('patent', { properties: PROPERTIES, runs: RUNS, seed: SEED, maxFaults: 2 });
    priorArt = checkDesign('prior-art', { properties: PROPERTIES, runs: RUNS, seed: SEED, maxFaults: 2 });
  }, 120_000);

  it('patent: no property violated in any run', () => {
    expect(patent.runs).toBe(RUNS);
    for (const o of patent.properties) {
      expect(o.counterexample, o.counterexample ? story(o) : '').toBeNull();
      expect(o.runs).toBe(RUNS);
    }
  });

  it('patent: every bounded response is triggered and every witness seen', () => {
    for (const o of patent.properties) {
      if (o.property.kind === 'eventually') {
        expect(o.triggeredRuns, o.property.id).toBeGreaterThan(0);
        expect(o.disruptiveRuns, o.property.id).toBeGreaterThan(0);
        expect(verdictOf(o)).toBe('holds');
      }
      if (o.property.kind === 'sometimes') {
        expect(o.witnessedRuns, o.property.id).toBeGreaterThan(0);
        expect(verdictOf(o)).toBe('witnessed');
      }
    }
  });

  it('patent: every recovery sample is within its budget', () => {
    for (const o of patent.properties) {
      for (const s of o.samples) expect(s.latencyMs, o.property.id).toBeLessThanOrEqual(s.budgetMs);
    }
    for (const id of ['L1', 'L2']) {
      const o = patent.properties.find((x) => x.property.id === id)!;
      // Every disruptive recovery leaves a sample.
      expect(o.samples.length, id).toBeGreaterThanOrEqual(o.disruptiveRuns);
      expect(o.samples.length, id).toBeGreaterThan(0);
    }
  });

  it.each([
    ['patent', () => patent],
    ['prior-art', () => priorArt],
  ] as const)('%s: every verdict is the one the manifest expects', (_design, outcome) => {
    const judged = judge(MANIFEST, outcome().properties);
    expect(judged).toHaveLength(PROPERTIES.length);
    const unexpected = judged.filter((j) => j.unexpected).map((j) => `${j.outcome.property.id}: ${j.verdict}, expected ${j.expected}`);
    expect(unexpected).toEqual([]);
  });

  it('prior-art: L1 and L2 violated, the witnesses of the fallback never seen', () => {
    const verdict = (id: string) => verdictOf(priorArt.properties.find((o) => o.property.id === id)!);
    expect(verdict('L1')).toBe('violated');
    expect(verdict('L2')).toBe('violated');
    expect(verdict('W1')).toBe('not witnessed');
    expect(verdict('W3')).toBe('not witnessed');
    for (const id of ['S1', 'S2', 'S3', 'S5', 'S6']) expect(verdict(id), id).toBe('holds');
    // About the LVS sending to the VGW, which the prior-art LVS never does: they hold only vacuously.
    for (const id of ['S4', 'S7', 'L3']) expect(verdict(id), id).toBe('vacuous');
  });

  it('patent: every invariant is exercised, so holds is not vacuous', () => {
    for (const o of patent.properties.filter((x) => x.property.kind === 'always')) {
      expect(o.exercisedRuns, o.property.id).toBeGreaterThan(0);
      expect(o.exercisedSteps, o.property.id).toBeGreaterThanOrEqual(o.exercisedRuns);
      expect(verdictOf(o), o.property.id).toBe('holds');
    }
  });
});

describe('verdicts that differ from the manifest', () => {
  it('a bounded response never triggered is vacuous, not a pass', () => {
    const d = checkDesign('patent', { properties: [reverseResumes], runs: 10, seed: SEED, maxFaults: 0 });
    const [j] = judge(MANIFEST, d.properties);
    expect(j!.verdict).toBe('vacuous');
    expect(j!.expected).toBe('holds');
    expect(j!.unexpected).toBe(true);
  });

  it('a witness never seen is unexpected for the patent', () => {
    const d = checkDesign('patent', { properties: [failoverWitness], runs: 10, seed: SEED, maxFaults: 0 });
    const [j] = judge(MANIFEST, d.properties);
    expect(j!.verdict).toBe('not witnessed');
    expect(j!.unexpected).toBe(true);
  });

  it('a seeded bug that none of its properties catches is unexpected', () => {
    const d = checkDesign('relay-timer-never-fires', {
      properties: PROPERTIES.filter((p) => MUTANTS['relay-timer-never-fires']!.caughtBy.includes(p.id)),
      runs: 10,
      seed: SEED,
      maxFaults: 0,
    });
    const judged = judge(MANIFEST, d.properties);
    expect(judged.map((j) => j.verdict)).toEqual(['vacuous', 'vacuous']);
    expect(judged.every((j) => j.unexpected)).toBe(true);
  });
});
