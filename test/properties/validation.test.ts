/**
 * S2 validate before offload and S3 tenant isolation: hold on the built-in scenarios
 * (a spoofed CVNI included) and catch the two seeded bugs that skip the slow path's
 * check: sp-skips-validation (with a spoofed CVNI) and fp-bypasses-slow-path.
 */
import { describe, expect, it } from 'vitest';
import { tenantIsolation } from '../../properties/tenantIsolation.js';
import { validateBeforeOffload } from '../../properties/validateBeforeOffload.js';
import { BUILTIN_NAMES, builtinViolations } from '../../src/config/builtins.js';
import { SPOOFED_CVNI } from '../../src/checker/arbitraries.js';
import { builtin, expectHolds, expectViolated, scenario, verdictOn } from './helpers.js';

const designs = ['patent', 'prior-art'];

describe('S2 validate before offload', () => {
  it.each(BUILTIN_NAMES.flatMap((n) => designs.map((d) => [n, d])))('holds on %s (%s)', (name, design) => {
    expectHolds(verdictOn(builtin(name, design), validateBeforeOffload));
  });

  it('holds with a spoofed CVNI: the slow path rejects it and nothing is offloaded', () => {
    expectHolds(verdictOn(scenario({ workload: { cvni: SPOOFED_CVNI }, faults: [{ at: 3000, kind: 'crash', node: 'fp2' }] }), validateBeforeOffload));
  });

  it('is violated when the slow path offloads a spoofed CVNI (sp-skips-validation)', () => {
    const v = expectViolated(verdictOn(scenario({ design: 'sp-skips-validation', workload: { cvni: SPOOFED_CVNI } }), validateBeforeOffload));
    expect(v.message).toMatch(new RegExp(`^the slow path offloaded f1's fwd entry to fp\\d with CVNI ${SPOOFED_CVNI}, which the tenant table does not hold$`));
  });

  it('is not violated by sp-skips-validation with a valid CVNI: the bug needs a spoofed id to show', () => {
    expectHolds(verdictOn(builtin('normal', 'sp-skips-validation'), validateBeforeOffload));
  });

  it('is violated when a fast path forwards a miss itself (fp-bypasses-slow-path), even with valid ids', () => {
    const v = expectViolated(verdictOn(builtin('normal', 'fp-bypasses-slow-path'), validateBeforeOffload));
    expect(v.message).toMatch(/^fp\d forwarded f1's fwd packet to lvs without an entry the slow path validated$/);
    const w = builtin('normal').workload;
    // The very first request: before the server's first reverse packet could be acked.
    expect(v.t).toBeGreaterThanOrEqual(w.startAtMs);
    expect(v.t).toBeLessThan(w.startAtMs + w.streamIntervalMs);
  });
});

describe('S3 tenant isolation', () => {
  const holding = BUILTIN_NAMES.filter((n) => !builtinViolations(n).includes('S3'));
  it.each(holding.flatMap((n) => designs.map((d) => [n, d])))('holds on %s (%s)', (name, design) => {
    expectHolds(verdictOn(builtin(name, design), tenantIsolation));
  });

  it('is violated by the patent itself when the server side spoofs: the VGW detour skips the VNI check (finding)', () => {
    const v = expectViolated(verdictOn(builtin('spoofed-server-vni', 'patent'), tenantIsolation));
    expect(v.message).toBe("f1's rev packet with tenant id 777 reached client (from eni)");
    // Only after the relay timeout: the slow path did reject the first reverse packet.
    expect(v.t).toBeGreaterThan(builtin('spoofed-server-vni').config.relayTimeoutMs);
  });

  it.each(['sp-skips-validation', 'fp-bypasses-slow-path'])('is violated by %s with a spoofed CVNI', (design) => {
    const v = expectViolated(verdictOn(scenario({ design, workload: { cvni: SPOOFED_CVNI } }), tenantIsolation));
    expect(v.message).toMatch(new RegExp(`^f1's fwd packet with tenant id ${SPOOFED_CVNI} reached lvs \\(from fp\\d\\)$`));
  });

  it('is violated by a spoofed server-side VNI once the slow path skips validation', () => {
    const v = expectViolated(verdictOn(scenario({ design: 'sp-skips-validation', workload: { vni: 777 } }), tenantIsolation));
    expect(v.message).toBe("f1's rev packet with tenant id 777 reached client (from eni)");
  });
});
