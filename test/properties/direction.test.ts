/**
 * S5 direction: holds on the built-in scenarios; no model variant sends a packet the
 * wrong way, so its violations are shown on a recorded run with one hop altered.
 */
import { describe, expect, it } from 'vitest';
import { direction } from '../../properties/direction.js';
import { BUILTIN_NAMES } from '../../src/config/builtins.js';
import { MUTANT_NAMES } from '../../models/mutants.js';
import type { Message } from '../../models/protocol.js';
import { alterEvent, builtin, delivers, expectHolds, expectViolated, findStep, monitor, record, replaceAt, verdictOn } from './helpers.js';

describe('S5 direction holds', () => {
  it.each(BUILTIN_NAMES.flatMap((n) => [[n, 'patent'], [n, 'prior-art']]))('on %s (%s)', (name, design) => {
    expectHolds(verdictOn(builtin(name, design), direction));
  });

  it.each(MUTANT_NAMES)('on fp-crash-reverse-only under the seeded bug %s', (design) => {
    expectHolds(verdictOn(builtin('fp-crash-reverse-only', design), direction));
  });
});

describe('S5 direction is violated', () => {
  const rec = record(builtin('fp-crash-reverse-only'));
  const isDeliver = (e: { event: string }) => e.event === 'deliver';

  it('not on the recorded run itself', () => {
    expectHolds(monitor(direction, rec));
  });

  it('when a forward packet travels a reverse hop (fast path to ENI)', () => {
    const i = findStep(rec, (o) => delivers(o, 'fp2', 'lvs', (m) => m.type === 'data' && m.dir === 'fwd'));
    const altered = alterEvent(rec.observations[i]!, isDeliver, (e) => ({ ...e, to: 'eni' }) as typeof e);
    const v = expectViolated(monitor(direction, rec, replaceAt(rec, i, altered)));
    expect(v.message).toBe('a fwd data packet of f1 went fp2 → eni, not a fwd hop');
    expect(v.t).toBe(rec.observations[i]!.world.now);
  });

  it('when a reverse packet is marked forward on its way from the LVS to the VGW', () => {
    const i = findStep(rec, (o) => delivers(o, 'lvs', 'vgw'));
    const altered = alterEvent(rec.observations[i]!, isDeliver, (e) =>
      e.event === 'deliver' ? { ...e, msg: { ...e.msg, dir: 'fwd' } as Message } : e,
    );
    const v = expectViolated(monitor(direction, rec, replaceAt(rec, i, altered)));
    expect(v.message).toBe('a fwd data packet of f1 went lvs → vgw, not a fwd hop');
  });

  it('when an offload for one direction carries a packet of the other', () => {
    const i = findStep(rec, (o) => delivers(o, 'sp', 'fp2', (m) => m.type === 'offload' && m.dir === 'rev'));
    const altered = alterEvent(rec.observations[i]!, isDeliver, (e) =>
      e.event === 'deliver' && e.msg.type === 'offload' ? { ...e, msg: { ...e.msg, packet: { ...e.msg.packet, dir: 'fwd' } } } : e,
    );
    const v = expectViolated(monitor(direction, rec, replaceAt(rec, i, altered)));
    expect(v.message).toBe("an offload for f1's rev direction carried a fwd packet");
  });
});
