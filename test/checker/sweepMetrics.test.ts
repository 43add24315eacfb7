/**
 * The sweep's figures (src/checker/sweepMetrics.ts) on runs whose story is known: a relay
 * timeout below the client's forward gap sends a healthy flow to the VGW (E10: needless);
 * one above it does not; a silent client is not counted; a probe timeout below the probe's
 * round trip declares a healthy fast path down (needless failover); a crashed fast path
 * is a needed one. And the recommendation over a grid's points (src/checker/sweep.ts).
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/checker/evaluate.js';
import { NEEDLESS_FAILOVER, NEEDLESS_VGW, SWEEP_METRICS } from '../../src/checker/sweepMetrics.js';
import { recommend, type PointResult } from '../../src/checker/sweep.js';
import { parseScenario } from '../../src/config/scenario.js';

function figures(config: Record<string, unknown>, workload: Record<string, unknown> = {}, faults: unknown[] = []): { vgw: number; failover: number } {
  const s = parseScenario({ design: 'patent', until: 8000, choices: 'minimal', config, workload, faults });
  const run = evaluate(s, SWEEP_METRICS);
  return { vgw: run.exercised.get(NEEDLESS_VGW) ?? 0, failover: run.exercised.get(NEEDLESS_FAILOVER) ?? 0 };
}

describe('needless VGW fallbacks', () => {
  it('a relay timeout below the forward gap (acks every 5 × 200 ms) switches healthy flows to the VGW', () => {
    expect(figures({ relayTimeoutMs: 600 }).vgw).toBeGreaterThan(0);
  });

  it('the default relay timeout (3 s) never does on a healthy network', () => {
    expect(figures({ relayTimeoutMs: 3000 })).toEqual({ vgw: 0, failover: 0 });
  });

  it('a silent client (no acks) gets the VGW whatever the setting: not counted', () => {
    expect(figures({ relayTimeoutMs: 600 }, { ackEvery: 0 }).vgw).toBe(0);
  });

  it('a crash of the learned fast path makes the fallback needed, not needless', () => {
    // fp2 carries f1 (ECMP over two members); crashed at 2 s, the relay timer then fires.
    expect(figures({ relayTimeoutMs: 3000 }, {}, [{ at: 2000, kind: 'crash', node: 'fp2' }]).vgw).toBe(0);
    expect(figures({ relayTimeoutMs: 3000 }, {}, [{ at: 2000, kind: 'crash', node: 'fp1' }]).vgw).toBe(0);
  });
});

describe('needless ENI failovers', () => {
  it('a probe timeout below the round trip declares a healthy fast path down', () => {
    // Routine probing [¶65] every 500 ms with a 1 ms timeout: the round trip takes 2-4 ms.
    expect(figures({ routineProbeMs: 500, probeTimeoutMs: 1, probeRetries: 1 }).failover).toBeGreaterThan(0);
  });

  it('a probe timeout above it does not, and a crashed path is a needed failover', () => {
    expect(figures({ routineProbeMs: 500, probeTimeoutMs: 300, probeRetries: 1 }).failover).toBe(0);
    expect(figures({ relayTimeoutMs: 3000 }, {}, [{ at: 2000, kind: 'crash', node: 'fp1' }, { at: 2000, kind: 'crash', node: 'fp2' }]).failover).toBe(0);
  });
});

describe('the recommendation', () => {
  const point = (index: number, relay: number, safe: boolean, l2p99: number, needless: number): PointResult => ({
    index,
    values: { relayTimeoutMs: relay },
    runs: 100,
    safe,
    verdicts: safe
      ? [{ property: 'L2', verdict: 'holds', expected: 'holds', unexpected: false, unsafe: false }]
      : [{ property: 'L2', verdict: 'violated', expected: 'holds', unexpected: true, unsafe: true }],
    L1: { count: 10, p50Ms: l2p99 - 200, p99Ms: l2p99 - 100, maxMs: l2p99 - 50 },
    L2: { count: 10, p50Ms: l2p99 - 50, p99Ms: l2p99, maxMs: l2p99 + 10 },
    needlessVgw: { runs: needless, events: needless, rate: needless / 100 },
    needlessFailover: { runs: 0, events: 0, rate: 0 },
    ms: 0,
  });
  const params = [{ name: 'relayTimeoutMs', values: [500, 1000, 2000, 3000, 5000] }];

  it('is the fastest safe point whose needless fallbacks stay under the bound, with reasons', () => {
    const points = [point(0, 500, true, 700, 30), point(1, 1000, false, 1200, 0), point(2, 2000, true, 2300, 0), point(3, 3000, true, 3300, 0), point(4, 5000, true, 5300, 0)];
    const r = recommend(points, params, 0.01, { relayTimeoutMs: 3000 });
    expect(r.index).toBe(2);
    expect(r.values).toEqual({ relayTimeoutMs: 2000 });
    const text = r.reasons.join('\n');
    expect(text).toContain('4 of the 5 points are safe');
    expect(text).toContain('L2 p50 2250 ms, p99 2300 ms');
    expect(text).toContain('faster but not chosen: relayTimeoutMs=500');
    expect(text).toContain('on the edge of the safe region: relayTimeoutMs=1000 is not (L2 violated (expected holds))');
    expect(text).toContain("the spec's default (relayTimeoutMs=3000): safe");
  });

  it('takes the fewest needless fallbacks when no safe point is under the bound', () => {
    const points = [point(0, 500, true, 700, 30), point(1, 1000, true, 1200, 5), point(2, 2000, true, 2300, 5)];
    const r = recommend(points, params, 0.01, {});
    expect(r.index).toBe(1);
    expect(r.reasons.join('\n')).toContain('no safe point keeps needless fallbacks at or below 1.0% of runs');
  });

  it('is none when no point is safe', () => {
    const r = recommend([point(0, 500, false, 700, 0)], params, 0.01, {});
    expect(r.index).toBeNull();
    expect(r.reasons[0]).toContain('No point of the 1 is safe');
  });
});
