/**
 * False alarms and blind spots the property tests found once, kept so that they stay fixed.
 */
import { describe, expect, it } from 'vitest';
import { fastPathRestored } from '../../properties/fastPathRestored.js';
import { learning } from '../../properties/learning.js';
import { validateBeforeOffload } from '../../properties/validateBeforeOffload.js';
import { vgwGating } from '../../properties/vgwGating.js';
import type { LvsContext } from '../../models/lvs.js';
import { IP } from '../../src/engine/system.js';
import { builtin, expectHolds, expectViolated, findStep, monitor, record, replaceAt, scenario, verdictOn } from './helpers.js';

describe('drops on arrival are not sends', () => {
  it('S2: a packet fp2 sent before its crash, lost at a dead ENI, is no forwarding decision after the crash', () => {
    const s = scenario({
      choices: 'minimal',
      faults: [
        { at: 100, kind: 'crash', node: 'eni' },
        { at: 1019, kind: 'crash', node: 'fp2' },
      ],
    });
    expectHolds(verdictOn(s, validateBeforeOffload));
  });

  it('S4: a packet to the VGW lost on arrival is not sent again at that moment', () => {
    const s = scenario({
      choices: 'minimal',
      faults: [
        { at: 4000, kind: 'crash', node: 'vgw' },
        { at: 5000, kind: 'crash', node: 'fp2' },
        { at: 8112, kind: 'restart', node: 'client' },
      ],
    });
    expectHolds(verdictOn(s, vgwGating));
  });
});

describe('L2: forward traffic after the fault does not postpone the deadline', () => {
  it('catches an LVS that never relearns, although acks keep reaching it', () => {
    const v = expectViolated(verdictOn(builtin('fp-crash-reverse-only', 'lvs-learns-first-packet-only'), fastPathRestored));
    expect(v.message).toMatch(/^no response for flow f1 by \d+ ms/);
  });

  it('still holds for the patent on the same story', () => {
    expectHolds(verdictOn(builtin('fp-crash-reverse-only'), fastPathRestored));
  });
});

describe("S6: a new session's first learned path is checked too", () => {
  it('is violated when a new LVS session starts on a path no packet carried', () => {
    const rec = record(builtin('normal'));
    const i = findStep(rec, (o) => o.prev !== null && o.prev.actors['lvs/f1'] === undefined && o.world.actors['lvs/f1'] !== undefined);
    const obs = rec.observations[i]!;
    const snap = obs.world.actors['lvs/f1']!;
    const ctx = snap.xs.context as LvsContext;
    const forged = rec.sys.nodes.lvs!.runner.resolve(snap.xs.value, { ...ctx, pathVirtIp: IP.fpVirt(1, 0) });
    const world = { ...obs.world, actors: { ...obs.world.actors, 'lvs/f1': forged } };
    expectHolds(monitor(learning, rec));
    const v = expectViolated(monitor(learning, rec, replaceAt(rec, i, { ...obs, world })));
    expect(v.message).toContain(`lvs/f1 changed its learned path from null to ${IP.fpVirt(1, 0)}`);
  });
});
