/**
 * The findings of docs/findings.md, each a built-in scenario: what the trace shows. These
 * are behaviours of the patent's design outside its fault model, so they are asserted on
 * the trace, not as property verdicts (the properties' preconditions exclude them).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify, parseFindings } from '../../src/checker/findings.js';
import { builtinScenario, builtinViolations } from '../../src/config/builtins.js';
import type { DeliverEvent, TraceEvent } from '../../src/engine/trace.js';
import type { EniContext } from '../../models/eni.js';
import { ALL_PROPERTIES, PROPERTIES } from '../../properties/index.js';
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

  it.each(['routine-probing-moves-flows', 'spoofed-server-vni', 'gray-fast-path', 'lvs-member-crash-unsynced', 'lvs-member-crash-no-vgw-extras', 'lvs-member-crash', 'lvs-member-stale-idle-clock'])('%s violates exactly the properties it demonstrates', (name) => {
    const s = builtinScenario(name)!;
    const r = evaluate(s, PROPERTIES);
    const violated = [...r.verdicts].filter(([, v]) => v.violation).map(([id]) => id);
    expect(violated).toEqual([...builtinViolations(name)]);
  });
});

describe('the findings table (properties/findings.json) and docs/findings.md', () => {
  const json = JSON.parse(readFileSync(new URL('../../properties/findings.json', import.meta.url), 'utf8')) as unknown;
  const table = parseFindings(json, 'properties/findings.json');
  const doc = readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8');
  const rows = doc
    .slice(doc.indexOf('<!-- findings-table'), doc.indexOf('<!-- end of findings-table -->'))
    .split('\n')
    .filter((l) => /^\| F\d+ \|/.test(l))
    .map((l) => l.split(' | ').map((c) => c.replace(/^\| /, '').trim()));

  it('docs/findings.md has one row per finding, with its id, scenario, title and properties', () => {
    expect(rows.map((r) => r[0])).toEqual(table.findings.map((f) => f.id));
    for (const [i, f] of table.findings.entries()) {
      expect(rows[i]![1]).toBe(`\`${f.scenario}\``);
      expect(rows[i]![2]).toBe(f.title);
      expect(rows[i]![4]).toBe(f.properties.join(', '));
    }
  });

  it('every finding has a built-in scenario, and each scenario classifies as its finding under the extended model', () => {
    for (const f of table.findings) {
      const s = builtinScenario(f.scenario!, f.designs[0] ?? 'patent');
      expect(s, f.id).not.toBeNull();
    }
    // The scenarios that break a property (not witnesses) classify as their finding.
    const cases: [string, string, string][] = [
      ['F1', 'reverse-link-down', 'L4'],
      ['F2', 'reverse-link-down', 'L3'],
      ['F3', 'forward-link-down', 'L3'],
      ['F4', 'probe-shorter-than-round-trip', 'L3'],
      ['F5', 'gray-fast-path', 'L3'],
      ['F6', 'second-dead-fast-path', 'L2'],
      ['F7', 'lvs-restart', 'L1'],
      ['F13', 'lvs-member-crash-unsynced', 'L1'],
      ['F14', 'lvs-member-crash-no-vgw-extras', 'L1'],
      ['F15', 'lvs-member-stale-idle-clock', 'S4'],
      ['F8', 'spoofed-server-vni', 'S3'],
      ['F9', 'routine-probing-moves-flows', 'S8'],
    ];
    for (const [id, name, property] of cases) {
      const s = { ...builtinScenario(name)!, faultModel: 'extended' as const };
      const r = evaluate(s, ALL_PROPERTIES);
      expect(r.verdicts.get(property)?.violation, `${name} violates ${property}`).not.toBeNull();
      expect(classify(table, s, property, 'patent')?.id, name).toBe(id);
    }
    // A counterexample no finding names is new.
    const odd = { ...builtinScenario('normal')!, faults: [{ at: 10, kind: 'crash' as const, node: 'client' }] };
    expect(classify(table, odd, 'L1', 'patent')).toBeNull();
  });

  it('the witness findings are witnessed by their scenarios', () => {
    for (const [name, witness] of [
      ['vgw-down', 'W4'],
      ['slow-path-down', 'W5'],
    ] as const) {
      const r = evaluate(builtinScenario(name)!, ALL_PROPERTIES);
      expect(r.verdicts.get(witness)?.witnessed, name).toBe(true);
    }
  });
});
