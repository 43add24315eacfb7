/**
 * S7 VGW-IP in-band: the LVS uses the VGW for a session only after the VGW-IP arrived on
 * that session's forward traffic. Holds on the built-in scenarios; no model variant has
 * the LVS know the VGW otherwise, so the violations alter the in-band VGW-IP of a
 * recorded fallback run.
 */
import { describe, expect, it } from 'vitest';
import { vgwInBand } from '../../properties/vgwInBand.js';
import { BUILTIN_NAMES } from '../../src/config/builtins.js';
import { sentToVgw } from '../../src/checker/observe.js';
import { MUTANT_NAMES } from '../../models/mutants.js';
import type { Message } from '../../models/protocol.js';
import { alterDelivered, builtin, delivers, expectHolds, expectViolated, findStep, monitor, record, replaceWhere, verdictOn } from './helpers.js';

describe('S7 VGW-IP in-band holds', () => {
  it.each(BUILTIN_NAMES.flatMap((n) => [[n, 'patent'], [n, 'prior-art']]))('on %s (%s)', (name, design) => {
    expectHolds(verdictOn(builtin(name, design), vgwInBand));
  });

  it.each(MUTANT_NAMES)('on fp-crash-reverse-only under the seeded bug %s', (design) => {
    expectHolds(verdictOn(builtin('fp-crash-reverse-only', design), vgwInBand));
  });
});

describe('S7 VGW-IP in-band is violated', () => {
  const rec = record(builtin('fp-crash-reverse-only'));
  const firstVgw = findStep(rec, (o) => sentToVgw(o).length > 0);
  const carriesVgw = (m: Message) => m.type === 'data' && m.dir === 'fwd' && m.vgwIp !== undefined;

  it('not on the recorded run itself', () => {
    expectHolds(monitor(vgwInBand, rec));
  });

  it('when the forward packets never carried the VGW-IP', () => {
    const altered = replaceWhere(
      rec,
      (o) => delivers(o, null, 'lvs', carriesVgw),
      (o) =>
        alterDelivered(o, (m) => {
          if (m.type !== 'data') return m;
          const { vgwIp: _gone, ...rest } = m;
          return rest;
        }),
    );
    const v = expectViolated(monitor(vgwInBand, rec, altered));
    expect(v.t).toBe(rec.observations[firstVgw]!.world.now);
    expect(v.message).toBe("the LVS sent f1's reverse data to the VGW, whose address never arrived in-band for it");
  });

  it('when the address that arrived in-band is not the VGW it uses', () => {
    const altered = replaceWhere(
      rec,
      (o) => delivers(o, null, 'lvs', carriesVgw),
      (o) => alterDelivered(o, (m) => ({ ...m, vgwIp: '10.2.0.99' }) as Message),
    );
    const v = expectViolated(monitor(vgwInBand, rec, altered));
    expect(v.t).toBe(rec.observations[firstVgw]!.world.now);
  });
});
