/**
 * The findings of docs/findings.md, each a built-in scenario: what the trace shows. These
 * are behaviours of the patent's design outside its fault model, so they are asserted on
 * the trace, not as property verdicts (the properties' preconditions exclude them).
 */
import { describe, expect, it } from 'vitest';
import { builtinScenario, builtinViolations } from '../../src/config/builtins.js';
import type { DeliverEvent, TraceEvent } from '../../src/engine/trace.js';
import type { EniContext } from '../../models/eni.js';
import { PROPERTIES } from '../../properties/index.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { IP } from '../../src/engine/system.js';
import { runScenario } from '../../src/sim/simulate.js';

function run(name: string, design = 'patent') {
  const s = builtinScenario(name, design)!;
  const r = runScenario(s);
  return { s, events: r.events, world: r.world };
}

const deliveries = (events: TraceEvent[], from: string, to: string): DeliverEvent[] =>
  events.filter((e): e is DeliverEvent => e.event === 'deliver' && e.from === from && e.to === to);

/** The LVS still sends through the VGW in the last second of the run. */
function vgwUntilTheEnd(events: TraceEvent[], until: number): boolean {
  return deliveries(events, 'lvs', 'vgw').some((e) => e.t > until - 1000);
}

describe('findings', () => {
  it('reverse-link-down (E2): the LVS oscillates between the broken fast path and the VGW', () => {
    const { events } = run('reverse-link-down');
    const lvs = events.filter((e) => e.event === 'state' && e.node === 'lvs').map((e) => (e as { state: unknown }).state);
    const toVgw = lvs.filter((s) => s === 'viaVgw').length;
    expect(toVgw).toBeGreaterThanOrEqual(2);
    // The probe of fp2 succeeds every time: fp2 is never marked down.
    expect(events.some((e) => e.event === 'deliver' && e.from === 'fp2' && e.to === 'eni' && e.msg.type === 'probeAck')).toBe(true);
  });

  it('forward-link-down: no hang, no request, no probe: the LVS stays on the VGW', () => {
    const { s, events } = run('forward-link-down');
    const crash = s.faults[0]!.at;
    expect(vgwUntilTheEnd(events, s.until)).toBe(true);
    expect(events.some((e) => e.t > crash && e.event === 'send' && e.from === 'eni' && e.msg.type === 'probe')).toBe(false);
    expect(events.some((e) => e.t > crash && e.event === 'state' && e.node === 'client' && e.state === 'hung')).toBe(false);
  });

  it('second-dead-fast-path: the ENI moves the flow onto the other dead fast path and stays there', () => {
    const { s, events, world } = run('second-dead-fast-path');
    const eni = world.actors.eni!.xs.context as EniContext;
    expect(eni.flows.f1).toBe(IP.fpVirt(2, 0));
    expect(world.down.fp2).toBe(true);
    expect(vgwUntilTheEnd(events, s.until)).toBe(true);
  });

  it('probe-shorter-than-round-trip: a healthy fast path is marked down, the flow moves onto the dead one', () => {
    const { s, events, world } = run('probe-shorter-than-round-trip');
    const eni = world.actors.eni!.xs.context as EniContext;
    expect(world.down.fp2).toBeUndefined();
    expect(eni.live).not.toContain(IP.fpVirt(2, 0));
    expect(eni.flows.f1).toBe(IP.fpVirt(1, 0));
    expect(vgwUntilTheEnd(events, s.until)).toBe(true);
  });

  it.each(['patent', 'prior-art'])('lvs-restart (E7, %s): reverse data never reaches the client again', (design) => {
    const { s, events } = run('lvs-restart', design);
    const restart = s.faults[0]!.at;
    expect(deliveries(events, 'eni', 'client').filter((e) => e.t > restart + 10)).toEqual([]);
  });

  it.each(['routine-probing-moves-flows', 'spoofed-server-vni'])('%s violates exactly the properties it demonstrates', (name) => {
    const s = builtinScenario(name)!;
    const r = evaluate(s, PROPERTIES);
    const violated = [...r.verdicts].filter(([, v]) => v.violation).map(([id]) => id);
    expect(violated).toEqual([...builtinViolations(name)]);
  });
});
