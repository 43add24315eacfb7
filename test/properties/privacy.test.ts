/**
 * S1 privacy: holds on the built-in scenarios of both designs; no model variant leaks an
 * address, so its violations are shown on a recorded run altered in one place.
 */
import { describe, expect, it } from 'vitest';
import { privacy } from '../../properties/privacy.js';
import { BUILTIN_NAMES } from '../../src/config/builtins.js';
import { IP } from '../../src/engine/system.js';
import type { Message } from '../../models/protocol.js';
import {
  alterEvent,
  builtin,
  delivers,
  expectHolds,
  expectViolated,
  findStep,
  monitor,
  record,
  replaceAt,
  verdictOn,
  withContext,
} from './helpers.js';

describe('S1 privacy holds', () => {
  it.each(BUILTIN_NAMES.flatMap((n) => [[n, 'patent'], [n, 'prior-art']]))('on %s (%s)', (name, design) => {
    expectHolds(verdictOn(builtin(name, design), privacy));
  });
});

describe('S1 privacy is violated', () => {
  const rec = record(builtin('fp-crash-reverse-only'));

  it('not on the recorded run itself', () => {
    expectHolds(monitor(privacy, rec));
  });

  it('when the client receives a packet from anyone but its ENI', () => {
    const i = findStep(rec, (o) => delivers(o, 'eni', 'client', (m) => m.type === 'data' && m.dir === 'rev'));
    const at = rec.observations[i]!.world.now;
    const altered = alterEvent(
      rec.observations[i]!,
      (e) => e.event === 'deliver',
      (e) => ({ ...e, from: 'vgw' }) as typeof e,
    );
    const v = expectViolated(monitor(privacy, rec, replaceAt(rec, i, altered)));
    expect(v.message).toBe('the client received a packet from vgw, not from its ENI');
    expect(v.t).toBe(at);
  });

  it("when the client's state holds the LVS's address", () => {
    const i = findStep(rec, (o) => o.prev !== null && o.prev.actors['client/f1'] !== o.world.actors['client/f1'] && o.world.now > 1000);
    const world = withContext(rec.observations[i]!.world, 'client/f1', (c) => ({ ...c, peer: IP.lvs }));
    const v = expectViolated(monitor(privacy, rec, replaceAt(rec, i, { ...rec.observations[i]!, world })));
    expect(v.message).toBe(`the client's state (client/f1) holds the infrastructure address "${IP.lvs}"`);
    expect(v.t).toBe(world.now);
  });

  it("when the client's state holds a fast path's address from after a restart at a new address", () => {
    const moved = record(builtin('fp-restart-new-ip'));
    expectHolds(monitor(privacy, moved));
    const newVirt = IP.fpVirt(2, 1);
    const i = findStep(moved, (o) => o.world.now > 5100 && (o.world.epochs.fp2 ?? 0) > 0 && o.prev?.actors['client/f1'] !== o.world.actors['client/f1']);
    const world = withContext(moved.observations[i]!.world, 'client/f1', (c) => ({ ...c, eniIp: newVirt }));
    const v = expectViolated(monitor(privacy, moved, replaceAt(moved, i, { ...moved.observations[i]!, world })));
    expect(v.message).toContain(`holds the infrastructure address "${newVirt}"`);
  });

  it("when the LVS's session state holds the client's real IP", () => {
    const i = findStep(rec, (o) => o.prev !== null && o.prev.actors['lvs/f1'] !== undefined && o.prev.actors['lvs/f1'] !== o.world.actors['lvs/f1']);
    const world = withContext(rec.observations[i]!.world, 'lvs/f1', (c) => ({ ...c, clientIp: IP.client }));
    const v = expectViolated(monitor(privacy, rec, replaceAt(rec, i, { ...rec.observations[i]!, world })));
    expect(v.message).toBe(`lvs/f1's state holds the client's real IP "${IP.client}"`);
  });

  it("when a packet to the server carries the client's real IP", () => {
    const i = findStep(rec, (o) => delivers(o, 'lvs', 'server'));
    const altered = alterEvent(
      rec.observations[i]!,
      (e) => e.event === 'deliver',
      (e) => (e.event === 'deliver' ? { ...e, msg: { ...e.msg, origin: IP.client } as unknown as Message } : e),
    );
    const v = expectViolated(monitor(privacy, rec, replaceAt(rec, i, altered)));
    expect(v.message).toBe("a packet to server carries the client's real IP");
  });
});
