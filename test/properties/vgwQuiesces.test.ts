/**
 * L3 the VGW falls silent: holds in the patent design; violated when the fast path is
 * never restored (an ENI that never probes, an LVS that never relearns); voided by a
 * broken precondition, among them the reverse-only link failure of E2 under which the
 * patent design oscillates; and not applicable to a client that never reacts (E10).
 */
import { describe, expect, it } from 'vitest';
import { vgwQuiesces } from '../../properties/vgwQuiesces.js';
import { vgwFallbackWitness } from '../../properties/vgwFallbackWitness.js';
import { sentToVgw } from '../../src/checker/observe.js';
import { computeBounds } from '../../src/sim/bounds.js';
import { builtin, expectHolds, expectViolated, record, scenario, verdictOn } from './helpers.js';

const crashAt = 5000;
const crashFp2 = { at: crashAt, kind: 'crash', node: 'fp2' };

describe('L3 VGW falls silent holds', () => {
  it.each(['fp-crash-reverse-only', 'fp-restart', 'fp-restart-new-ip', 'normal'])('in the patent design on %s', (name) => {
    const s = builtin(name);
    const v = verdictOn(s, vgwQuiesces);
    expectHolds(v);
    expect(v.triggers).toBe(s.faults.length);
  });
});

describe('L3 VGW falls silent is violated', () => {
  it.each(['eni-never-probes', 'eni-never-fails-over', 'lvs-learns-first-packet-only', 'vgw-wrong-eni'])(
    'by %s: the LVS still uses the VGW long after the crash',
    (design) => {
      const s = builtin('fp-crash-reverse-only', design);
      const v = expectViolated(verdictOn(s, vgwQuiesces));
      const bound = computeBounds(s.config, s.workload).l2.ms;
      expect(v.message).toBe(
        `the LVS still sends f1's reverse data to the VGW at ${v.t} ms, more than L2's bound (${bound} ms) after the last fault (${crashAt} ms)`,
      );
      expect(v.t).toBeGreaterThan(crashAt + bound);
      expect(v.flow).toBe('f1');
    },
  );
});

describe('L3 preconditions', () => {
  it('patent, reverse-only link failure (E2): the oscillation through the VGW is excluded, voided', () => {
    const s = builtin('reverse-link-down');
    expect(record(s).observations.some((o) => o.world.now > 5000 + computeBounds(s.config, s.workload).l2.ms && sentToVgw(o).length > 0)).toBe(true);
    const v = verdictOn(s, vgwQuiesces);
    expectHolds(v);
    expect(v.voided).toBeGreaterThan(0);
  });

  it.each(['eni->fp1', 'fp1->lvs'])('eni-never-probes: the surviving fast path loses its link %s', (link) => {
    const s = scenario({ design: 'eni-never-probes', faults: [crashFp2, { at: crashAt + 1000, kind: 'linkDown', link }] });
    const v = verdictOn(s, vgwQuiesces);
    expectHolds(v);
    expect(v.voided).toBeGreaterThan(0);
  });

  it('lvs-learns-first-packet-only: the LVS restarts and loses its session state (E7)', () => {
    const s = scenario({ design: 'lvs-learns-first-packet-only', faults: [crashFp2, { at: crashAt + 1000, kind: 'restart', node: 'lvs' }] });
    const v = verdictOn(s, vgwQuiesces);
    expectHolds(v);
    expect(v.voided).toBeGreaterThan(0);
  });

  it('a silent client (ackEvery 0, E6/E10) makes the LVS use the VGW on healthy paths; L3 does not apply', () => {
    const s = scenario({ workload: { ackEvery: 0 } });
    expect(s.faults).toEqual([]);
    // Without a fault, reverse data still reaches the client through the VGW ...
    expect(verdictOn(s, vgwFallbackWitness).witnessed).toBe(true);
    // ... which a reacting client would make a violation; this client cannot react.
    const v = verdictOn(s, vgwQuiesces);
    expectHolds(v);
    // Not applicable: no obligation is evaluated, and the run says so once (voided).
    expect(v.triggers).toBe(0);
    expect(v.voided).toBe(1);
  });
});
