/**
 * The extended fault model's generator (src/checker/extended.ts): every kind of the
 * vocabulary (and a test-only one handed in), the configurations outside the comfortable
 * ranges, shrinking to the simplest story, and scenarios that validate.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSpecArbitrary, toScenario, type RunSpec } from '../../src/checker/arbitraries.js';
import { drawnKinds } from '../../src/checker/extended.js';
import { FAULT_KINDS, roleOf } from '../../src/config/faults.js';
import { parseScenario, scenarioToJson } from '../../src/config/scenario.js';
import { clientReacts, probeOutlastsRoundTrip } from '../../src/checker/observe.js';
import { WITH_ISOLATE } from '../config/faultHelpers.js';

const sample = (n: number, vocabulary = FAULT_KINDS): RunSpec[] =>
  fc.sample(runSpecArbitrary({ maxFaults: 3, faultModel: 'extended', vocabulary }), { seed: 42, numRuns: n });

describe('check --fault-model extended: what it draws', () => {
  const specs = sample(600);

  it('draws every fault kind of the vocabulary', () => {
    const kinds = new Set(specs.flatMap((s) => s.faults.map((f) => f.kind)));
    expect([...kinds].sort()).toEqual(drawnKinds(FAULT_KINDS).map((d) => d.kind).sort());
  });

  it('hits fast paths, the slow path, the VGW, PVL-Control and the LVS, links one way and both ways', () => {
    const roles = new Set(specs.flatMap((s) => s.faults.filter((f) => 'node' in f).map((f) => roleOf((f as { node: string }).node))));
    for (const r of ['fp', 'sp', 'vgw', 'control', 'lvs']) expect(roles, r).toContain(r);
    const links = specs.flatMap((s) => s.faults.filter((f) => 'link' in f).map((f) => (f as { link: string }).link));
    expect(links.some((l) => l.includes('<->'))).toBe(true);
    expect(links.some((l) => /^lvs->fp\d$/.test(l))).toBe(true);
    expect(links.some((l) => /^eni->fp\d$/.test(l))).toBe(true);
    expect(specs.some((s) => s.faults.filter((f) => f.kind === 'crash').length >= 2)).toBe(true);
  });

  it('draws configurations outside the comfortable ranges', () => {
    const some = (p: (s: RunSpec) => boolean) => specs.some(p);
    expect(some((s) => s.config.routineProbeMs > 0)).toBe(true);
    expect(some((s) => s.config.routineProbeMs === 0)).toBe(true);
    expect(some((s) => s.config.ecmp === 'resilient')).toBe(true);
    expect(some((s) => s.config.tenants.length > 1)).toBe(true);
    expect(some((s) => s.workload.vni !== null && !s.config.tenants.some((t) => t.vni === s.workload.vni))).toBe(true);
    expect(some((s) => s.workload.vni !== null && s.config.tenants.some((t) => t.vni === s.workload.vni))).toBe(true);
    expect(some((s) => Object.keys(s.config.links).length > 0)).toBe(true);
    expect(some((s) => !probeOutlastsRoundTrip(s.config))).toBe(true);
    expect(some((s) => s.workload.ackEvery > 0 && !clientReacts(s.config, s.workload))).toBe(true);
    expect(some((s) => s.workload.ackEvery === 0)).toBe(true);
  });

  it('every generated run is a valid scenario, judged under the extended model', () => {
    for (const spec of specs.slice(0, 100)) {
      const s = toScenario(spec, 'patent');
      expect(s.faultModel).toBe('extended');
      expect(parseScenario(JSON.parse(scenarioToJson(s)), s.name)).toEqual(s);
    }
  });

  it('the patent fault model draws none of the new kinds and leaves the scenario without a fault model', () => {
    const patent = fc.sample(runSpecArbitrary({ maxFaults: 2 }), { seed: 42, numRuns: 300 });
    const kinds = new Set(patent.flatMap((s) => s.faults.map((f) => f.kind)));
    expect(kinds.has('gray')).toBe(false);
    expect(kinds.has('delaySpike')).toBe(false);
    expect(patent.every((s) => toScenario(s, 'patent').faultModel === undefined)).toBe(true);
  });
});

describe('a test-only fault kind reaches the generator', () => {
  it('is drawn, on the targets its declaration allows, with its parameters', () => {
    const specs = sample(300, WITH_ISOLATE);
    const isolates = specs.flatMap((s) => s.faults).filter((f) => (f.kind as string) === 'isolate') as unknown as { node: string; quietly?: boolean }[];
    expect(isolates.length).toBeGreaterThan(0);
    expect(isolates.every((f) => /^fp\d$/.test(f.node))).toBe(true);
    expect(isolates.some((f) => f.quietly === true)).toBe(true);
    // and validates with the same vocabulary
    const spec = specs.find((s) => s.faults.some((f) => (f.kind as string) === 'isolate'))!;
    const s = toScenario(spec, 'patent');
    expect(parseScenario(JSON.parse(scenarioToJson(s)), s.name, WITH_ISOLATE).faults).toEqual(s.faults);
  });
});

describe('shrinking toward the simplest story', () => {
  it('a failure that needs one gray fast path shrinks to that one fault and the default configuration', () => {
    const arb = runSpecArbitrary({ maxFaults: 3, faultModel: 'extended' });
    const result = fc.check(
      fc.property(arb, (spec) => !spec.faults.some((f) => f.kind === 'gray')),
      { seed: 42, numRuns: 500 },
    );
    expect(result.failed).toBe(true);
    const spec = result.counterexample![0];
    expect(spec.faults).toHaveLength(1);
    expect(spec.faults[0]).toMatchObject({ kind: 'gray', at: 0 });
    expect(spec.config.routineProbeMs).toBe(0);
    expect(spec.config.ecmp).toBe('hash-threshold');
    expect(spec.config.tenants).toHaveLength(1);
    expect(spec.config.links).toEqual({});
    expect(spec.workload.vni).toBeNull();
    expect(spec.choices).toBe('minimal');
  });
});
