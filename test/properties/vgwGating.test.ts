/**
 * S4 VGW gating: holds wherever the LVS falls back to the VGW (its timer waits for the
 * relay timeout); no model variant breaks the gate, so the violations are shown on a
 * recorded fallback run whose in-band relay timeout is altered.
 */
import { describe, expect, it } from 'vitest';
import { vgwGating } from '../../properties/vgwGating.js';
import { BUILTIN_NAMES, builtinViolations } from '../../src/config/builtins.js';
import { sentToVgw } from '../../src/checker/observe.js';
import type { Message } from '../../models/protocol.js';
import { MUTANT_NAMES } from '../../models/mutants.js';
import {
  alterDelivered,
  builtin,
  delivers,
  expectHolds,
  expectViolated,
  findStep,
  monitor,
  record,
  replaceWhere,
  scenario,
  verdictOn,
} from './helpers.js';

const forwardAtLvs = (m: Message) => m.type === 'data' && m.dir === 'fwd';

describe('S4 VGW gating holds', () => {
  // Except the finding that breaks it (F15: a cluster's sync records with a stale idle clock).
  const holding = BUILTIN_NAMES.filter((n) => !builtinViolations(n).includes('S4'));
  it.each(holding.flatMap((n) => [[n, 'patent'], [n, 'prior-art']]))('on %s (%s)', (name, design) => {
    expectHolds(verdictOn(builtin(name, design), vgwGating));
  });

  it('but not on lvs-member-stale-idle-clock (F15): a survivor falls back on a record\'s stale idle clock', () => {
    expectViolated(verdictOn(builtin('lvs-member-stale-idle-clock', 'patent'), vgwGating));
  });

  it.each(MUTANT_NAMES)('on fp-crash-reverse-only under the seeded bug %s (none of them touches the gate)', (design) => {
    expectHolds(verdictOn(builtin('fp-crash-reverse-only', design), vgwGating));
  });

  it('with a relay timeout below the normal forward gap (E10): the VGW is used, but only after the timeout', () => {
    const s = scenario({ config: { relayTimeoutMs: 500 } });
    expect(record(s).observations.some((o) => sentToVgw(o).length > 0)).toBe(true);
    expectHolds(verdictOn(s, vgwGating));
  });
});

describe('S4 VGW gating is violated', () => {
  const rec = record(builtin('fp-crash-reverse-only'));
  const firstVgw = findStep(rec, (o) => sentToVgw(o).length > 0);
  const vgwAt = rec.observations[firstVgw]!.world.now;

  it('not on the recorded run itself', () => {
    expectHolds(monitor(vgwGating, rec));
  });

  it('when the session learned a relay timeout longer than the idle time before the fallback', () => {
    const relay = 10_000;
    const altered = replaceWhere(
      rec,
      (o) => delivers(o, null, 'lvs', (m) => forwardAtLvs(m) && m.type === 'data' && m.relayTimeoutMs !== undefined),
      (o) => alterDelivered(o, (m) => ({ ...m, relayTimeoutMs: relay }) as Message),
    );
    const lastFwd = rec.observations[findLastBefore(firstVgw)]!.world.now;
    const v = expectViolated(monitor(vgwGating, rec, altered));
    expect(v.t).toBe(vgwAt);
    expect(v.message).toBe(`the LVS sent f1's reverse data to the VGW ${vgwAt - lastFwd} ms after its last forward packet (relay timeout ${relay} ms)`);
  });

  it('when no relay timeout arrived in-band for the session', () => {
    const altered = replaceWhere(
      rec,
      (o) => delivers(o, null, 'lvs', (m) => forwardAtLvs(m) && m.type === 'data' && m.relayTimeoutMs !== undefined),
      (o) =>
        alterDelivered(o, (m) => {
          if (m.type !== 'data') return m;
          const { relayTimeoutMs: _gone, ...rest } = m;
          return rest;
        }),
    );
    const v = expectViolated(monitor(vgwGating, rec, altered));
    expect(v.t).toBe(vgwAt);
    expect(v.message).toBe("the LVS sent f1's reverse data to the VGW with no relay timeout learned");
  });

  /** The last forward arrival at the LVS before step `i`. */
  function findLastBefore(i: number): number {
    for (let j = i - 1; j >= 0; j--) if (delivers(rec.observations[j]!, null, 'lvs', forwardAtLvs)) return j;
    throw new Error('no forward arrival before the fallback');
  }
});
