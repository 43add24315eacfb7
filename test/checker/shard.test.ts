/**
 * Sharding a campaign (src/checker/shard.ts, merge.ts): `i/n` parsed and checked; the
 * shards partition the runs; run r is the same run in any shard (its seed and its
 * generation bias, which is fast-check's for run r of one long campaign); and the shards'
 * outcomes, merged, are the unsharded outcome: counts, coverage, samples and, per
 * property, the counterexample of the lowest run with the same shrunk story.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { checkDesign, type DesignOutcome } from '../../src/checker/check.js';
import { canonicalSamples, firstDifference, mergePropertyOutcomes, mergeShards, outcomeJson, readShardResult, type Campaign } from '../../src/checker/merge.js';
import { biasOfRun, generatedAsRun } from '../../src/checker/runBias.js';
import { WHOLE, inShard, parseShard, shardIndexes, shardSize, type Shard } from '../../src/checker/shard.js';
import { InputError } from '../../src/config/validate.js';

describe('--shard i/n', () => {
  it('reads i/n, shards numbered from 1', () => {
    expect(parseShard('--shard', '2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard('--shard', ' 1 / 1 ')).toEqual({ index: 1, count: 1 });
  });

  it.each(['0/3', '4/3', '1/0', 'x', '1/', '-1/3', '1.5/3', '2/3/4'])('refuses %s, naming the flag', (text) => {
    expect(() => parseShard('--shard', text)).toThrow(InputError);
    try {
      parseShard('--shard', text);
    } catch (e) {
      expect((e as InputError).field).toBe('--shard');
    }
  });

  it('the shards partition the runs, each run in exactly one shard', () => {
    for (const [runs, n] of [[10, 3], [3, 5], [1000, 7], [1, 1]] as const) {
      const seen: number[] = [];
      for (let i = 1; i <= n; i++) {
        const s: Shard = { index: i, count: n };
        const mine = [...shardIndexes(runs, s)];
        expect(mine.length).toBe(shardSize(runs, s));
        for (const r of mine) expect(inShard(r, s)).toBe(true);
        seen.push(...mine);
      }
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: runs }, (_, r) => r));
    }
    expect([...shardIndexes(5, WHOLE)]).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('run r is the same run in any shard', () => {
  it("has fast-check's bias for run r of one long campaign", () => {
    // fast-check's runIdToFrequency: 2 + floor(log10(r + 1)), computed as it computes it.
    expect([0, 8, 9, 98, 99, 998, 999, 9998, 9999].map(biasOfRun)).toEqual([2, 2, 3, 3, 4, 4, 5, 5, 6]);
  });

  it("equals the bias fast-check itself gives run r of one long campaign, and generatedAsRun passes it on", () => {
    /** An arbitrary that records the bias factor it is asked to generate with. */
    class Recording extends fc.Arbitrary<number> {
      seen: (number | undefined)[] = [];
      generate(_mrng: fc.Random, bias: number | undefined): fc.Value<number> {
        this.seen.push(bias);
        return new fc.Value(0, undefined);
      }
      canShrinkWithoutContext(v: unknown): v is number {
        return typeof v === 'number';
      }
      shrink(): fc.Stream<fc.Value<number>> {
        return fc.Stream.nil();
      }
    }
    const campaign = new Recording();
    fc.check(fc.property(campaign, () => true), { seed: 1, numRuns: 1200 });
    expect(campaign.seen).toHaveLength(1200);
    expect(campaign.seen).toEqual(campaign.seen.map((_, r) => biasOfRun(r)));
    // One run on its own, as the checker runs run r: the same bias.
    for (const r of [0, 9, 99, 999, 1199]) {
      const alone = new Recording();
      fc.check(fc.property(generatedAsRun(alone, r), () => true), { seed: 3, numRuns: 1 });
      expect(alone.seen).toEqual([biasOfRun(r)]);
    }
  });
});

describe('merged shards are the unsharded campaign', () => {
  const options = { properties: PROPERTIES, runs: 24, seed: 5, maxFaults: 2 };
  const strip = (d: DesignOutcome) => JSON.parse(JSON.stringify(outcomeJson(d), (k, v: unknown) => (k === 'ms' || k === 'shrinkMs' || k === 'foundAfterMs' ? undefined : v))) as unknown;

  const campaign: Campaign = { version: 'test', seed: 5, runs: 24, maxFaults: 2, designs: [], properties: PROPERTIES.map((p) => p.id), config: {}, shrinkBudget: 400 };
  /** A design's campaign in 3 shards, each through JSON and back (as `pvlcheck merge` reads them), merged. */
  const sharded = (design: string): DesignOutcome => {
    const shards = [1, 2, 3].map((index) => checkDesign(design, { ...options, shard: { index, count: 3 } }));
    expect(shards.map((s) => s.runs)).toEqual([8, 8, 8]);
    const results = shards.map((d, i) =>
      readShardResult(
        JSON.parse(JSON.stringify({ campaign: { ...campaign, designs: [design] }, shard: { index: i + 1, count: 3 }, command: 'x', outcomes: [outcomeJson(d)] })),
        `s${i + 1}.json`,
        PROPERTIES,
      ),
    );
    return mergeShards(results)[0]!;
  };

  it('prior-art in 3 shards: same counts, coverage and counterexamples (the lowest run, the same story)', () => {
    const whole = checkDesign('prior-art', options);
    const merged = sharded('prior-art');
    expect(strip(merged)).toEqual(strip(whole));
    // The test has teeth: the prior art's L1 is violated, in some shard first.
    const l1 = merged.properties.find((p) => p.property.id === 'L1')!;
    expect(l1.counterexample).not.toBeNull();
    expect(l1.counterexample!.foundAtRun).toBe(whole.properties.find((p) => p.property.id === 'L1')!.counterexample!.foundAtRun);
  });

  it('patent in 3 shards: same counts, coverage and recovery samples', () => {
    const whole = checkDesign('patent', options);
    const merged = sharded('patent');
    expect(strip(merged)).toEqual(strip(whole));
    expect(merged.properties.find((p) => p.property.id === 'L1')!.samples.length).toBeGreaterThan(0);
    expect(merged.properties.find((p) => p.property.id === 'S1')!.exercisedSteps).toBeGreaterThan(0);
  });

  it('takes the counterexample of the lowest run; adds up the counts and the time spent shrinking', () => {
    const base = checkDesign('prior-art', { ...options, properties: PROPERTIES.filter((p) => p.id === 'L1') }).properties[0]!;
    expect(base.counterexample).not.toBeNull();
    const later = { ...base, counterexample: { ...base.counterexample!, foundAtRun: base.counterexample!.foundAtRun + 5 }, shrinkMs: 99 };
    const none = { ...base, counterexample: null, shrinkMs: 0 };
    const m = mergePropertyOutcomes([none, later, base]);
    expect(m.counterexample!.foundAtRun).toBe(base.counterexample!.foundAtRun);
    expect(m.shrinkMs).toBe(base.shrinkMs + 99);
    expect(m.runs).toBe(3 * base.runs);
    expect(m.samples).toEqual(canonicalSamples([...base.samples, ...base.samples, ...base.samples]));
  });

  it('names the first field where two campaigns differ', () => {
    expect(firstDifference({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } })).toBeNull();
    expect(firstDifference({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 3 } })).toBe('b.c');
    expect(firstDifference({ seed: 1 }, { seed: 1, faultModel: 'extended' })).toBe('faultModel');
    expect(firstDifference({ designs: ['a'] }, { designs: ['a', 'b'] })).toBe('designs');
  });
});
