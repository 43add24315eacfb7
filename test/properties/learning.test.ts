/**
 * S6 learning: the LVS's learned path changes only on a forward packet carrying that
 * path. Holds on the built-in scenarios (relearning after a failover included); no model
 * variant learns from elsewhere, so the violations alter one world of a recorded run.
 */
import { describe, expect, it } from 'vitest';
import { learning } from '../../properties/learning.js';
import { BUILTIN_NAMES } from '../../src/config/builtins.js';
import { IP } from '../../src/engine/system.js';
import { MUTANT_NAMES } from '../../models/mutants.js';
import { builtin, delivers, expectHolds, expectViolated, findStep, monitor, record, replaceAt, verdictOn, withContext } from './helpers.js';

describe('S6 learning holds', () => {
  it.each(BUILTIN_NAMES.flatMap((n) => [[n, 'patent'], [n, 'prior-art']]))('on %s (%s)', (name, design) => {
    expectHolds(verdictOn(builtin(name, design), learning));
  });

  it.each(MUTANT_NAMES)('on fp-crash-reverse-only under the seeded bug %s', (design) => {
    expectHolds(verdictOn(builtin('fp-crash-reverse-only', design), learning));
  });

  it('while the LVS relearns fp1 after the failover (the path does change)', () => {
    const rec = record(builtin('fp-crash-reverse-only'));
    const paths = new Set(rec.observations.map((o) => (o.world.actors['lvs/f1']?.xs.context as { pathVirtIp?: string } | undefined)?.pathVirtIp));
    expect(paths).toEqual(new Set([undefined, IP.fpVirt(2, 0), IP.fpVirt(1, 0)]));
    expectHolds(monitor(learning, rec));
  });
});

describe('S6 learning is violated', () => {
  const rec = record(builtin('fp-crash-reverse-only'));
  const fp1 = IP.fpVirt(1, 0);
  const fp2 = IP.fpVirt(2, 0);

  it('when the learned path changes on a reverse packet from the server', () => {
    const i = findStep(rec, (o) => o.world.now > 1000 && delivers(o, 'server', 'lvs'));
    const world = withContext(rec.observations[i]!.world, 'lvs/f1', (c) => ({ ...c, pathVirtIp: fp1 }));
    const v = expectViolated(monitor(learning, rec, replaceAt(rec, i, { ...rec.observations[i]!, world })));
    expect(v.message).toBe(`lvs/f1 changed its learned path from ${fp2} to ${fp1} without a forward packet carrying that path`);
    expect(v.t).toBe(world.now);
  });

  it('when a forward packet arrives but the LVS learns another path than the one it carries', () => {
    // The relearning step after the failover: fp1's first forward packet.
    const i = findStep(rec, (o) => delivers(o, 'fp1', 'lvs', (m) => m.type === 'data' && m.dir === 'fwd'));
    const bogus = '10.1.0.9';
    const world = withContext(rec.observations[i]!.world, 'lvs/f1', (c) => ({ ...c, pathVirtIp: bogus }));
    const v = expectViolated(monitor(learning, rec, replaceAt(rec, i, { ...rec.observations[i]!, world })));
    expect(v.message).toBe(`lvs/f1 changed its learned path from ${fp2} to ${bogus} without a forward packet carrying that path`);
  });
});
