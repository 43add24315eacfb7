/**
 * The fault vocabulary (src/config/faults.ts): one declaration per kind, from which come
 * validation, the world's handling, the docs table (and the generator, the explorer's
 * menu: test/checker/extended.test.ts). A test-only kind reaches each of them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FAULT_KINDS,
  FAULT_TABLE_BEGIN,
  FAULT_TABLE_END,
  directedLinks,
  faultTable,
  linkNames,
  linkRoleOf,
  roleOf,
} from '../../src/config/faults.js';
import { parseScenario } from '../../src/config/scenario.js';
import { buildSystem } from '../../src/engine/system.js';
import { runScenario } from '../../src/sim/simulate.js';
import { WITH_ISOLATE } from './faultHelpers.js';
import type { TraceEvent } from '../../src/engine/trace.js';
import { inputError } from './inputError.js';

describe('the docs table', () => {
  it("docs/scenarios.md's fault table is the one generated from the vocabulary", () => {
    const doc = readFileSync(new URL('../../docs/scenarios.md', import.meta.url), 'utf8');
    const from = doc.indexOf(FAULT_TABLE_BEGIN);
    const to = doc.indexOf(FAULT_TABLE_END);
    expect(from).toBeGreaterThan(0);
    expect(to).toBeGreaterThan(from);
    const inDoc = doc.slice(from + FAULT_TABLE_BEGIN.length, to).trim();
    // On a difference, the expected text is the table to paste.
    expect(inDoc).toBe(faultTable());
  });

  it('has one row per declared kind, and a test-only kind gets its row', () => {
    const rows = faultTable().split('\n').slice(2);
    expect(rows.map((r) => r.split('`')[1])).toEqual(Object.keys(FAULT_KINDS));
    const extended = faultTable(WITH_ISOLATE);
    expect(extended).toContain('| `isolate` | `node`: a fast path | `quietly` (true/false, optional): test-only flag | test-only: the fast path loses both its links to the LVS | extended | L2, L3 |');
  });

  it('every declaration names its kind under its own key, has a meaning and belongs to a fault model', () => {
    for (const [k, d] of Object.entries(FAULT_KINDS)) {
      expect(d.kind).toBe(k);
      expect(d.meaning.length).toBeGreaterThan(10);
      expect(Object.keys(d.models).length).toBeGreaterThan(0);
    }
  });
});

describe('validation from the vocabulary', () => {
  const base = { design: 'patent' };
  it('reads the new kinds and the both-directions form', () => {
    const s = parseScenario({
      ...base,
      faults: [
        { at: 10, kind: 'gray', node: 'fp1' },
        { at: 20, kind: 'delaySpike', link: 'lvs->fp2', extraMs: 500 },
        { at: 30, kind: 'linkDown', link: 'fp2<->lvs' },
        { at: 40, kind: 'loss', link: 'eni<->fp1', probability: 0.5 },
      ],
    });
    expect(s.faults).toEqual([
      { at: 10, kind: 'gray', node: 'fp1' },
      { at: 20, kind: 'delaySpike', link: 'lvs->fp2', extraMs: 500 },
      { at: 30, kind: 'linkDown', link: 'fp2<->lvs' },
      { at: 40, kind: 'loss', link: 'eni<->fp1', probability: 0.5 },
    ]);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['gray on a node that is not a fast path', { at: 1, kind: 'gray', node: 'lvs' }, 'faults[0].node', /fast path, not lvs/],
    ['a spike without its extra delay', { at: 1, kind: 'delaySpike', link: 'lvs->fp2' }, 'faults[0].extraMs', /number/],
    ['a negative spike', { at: 1, kind: 'delaySpike', link: 'lvs->fp2', extraMs: -3 }, 'faults[0].extraMs', /negative/],
    ['both ways where one direction only exists', { at: 1, kind: 'linkDown', link: 'lvs<->vgw' }, 'faults[0].link', /both directions/],
    ['a field of another kind', { at: 1, kind: 'gray', node: 'fp1', extraMs: 3 }, 'faults[0].extraMs', /unknown field/],
    ['a test-only kind without its vocabulary', { at: 1, kind: 'isolate', node: 'fp1' }, 'faults[0].kind', /must be one of/],
    ['newIp on a node that is not a fast path', { at: 1, kind: 'restart', node: 'vgw', newIp: true }, 'faults[0].newIp', /fast path/],
  ])('%s', (_name, fault, field, message) => {
    const e = inputError(() => parseScenario({ ...base, faults: [fault] }));
    expect(e.field).toBe(field);
    expect(e.problem).toMatch(message);
  });

  it('faultModel is patent (left out) or extended; anything else names the field', () => {
    expect(parseScenario({ ...base, faultModel: 'extended' }).faultModel).toBe('extended');
    expect('faultModel' in parseScenario({ ...base, faultModel: 'patent' })).toBe(false);
    const e = inputError(() => parseScenario({ ...base, faultModel: 'wild' }));
    expect(e.field).toBe('faultModel');
  });

  it('a test-only kind is validated from its declaration when the vocabulary has it', () => {
    const s = parseScenario({ ...base, faults: [{ at: 5, kind: 'isolate', node: 'fp2', quietly: true }] }, 'x', WITH_ISOLATE);
    expect(s.faults).toEqual([{ at: 5, kind: 'isolate', node: 'fp2', quietly: true }]);
    const e = inputError(() => parseScenario({ ...base, faults: [{ at: 5, kind: 'isolate', node: 'sp' }] }, 'x', WITH_ISOLATE));
    expect(e.field).toBe('faults[0].node');
    const f = inputError(() => parseScenario({ ...base, faults: [{ at: 5, kind: 'isolate', node: 'fp2', quietly: 1 }] }, 'x', WITH_ISOLATE));
    expect(f.field).toBe('faults[0].quietly');
  });
});

describe('roles and link names', () => {
  it('names roles and both-ways links', () => {
    expect(roleOf('fp3')).toBe('fp');
    expect(roleOf('vgw')).toBe('vgw');
    expect(linkRoleOf('lvs->fp2')).toBe('lvs->fp');
    expect(directedLinks('fp2<->lvs')).toEqual(['fp2->lvs', 'lvs->fp2']);
    const { directed, both } = linkNames(2);
    expect(directed).toContain('lvs->vgw');
    expect(both).toContain('eni<->fp1');
    expect(both).not.toContain('lvs<->vgw');
    for (const b of both) for (const l of directedLinks(b)) expect(directed).toContain(l);
  });
});

describe('the world applies each kind through its declaration', () => {
  const at = (events: TraceEvent[], pred: (e: TraceEvent) => boolean) => events.filter(pred);

  it('gray: the fast path answers probes and drops data, until it restarts', () => {
    const s = parseScenario({
      design: 'patent',
      until: 12_000,
      faults: [
        { at: 5000, kind: 'gray', node: 'fp2' },
        { at: 9000, kind: 'restart', node: 'fp2' },
      ],
    });
    const { events } = runScenario(s);
    const grayDrops = at(events, (e) => e.event === 'drop' && e.reason === 'gray-failure');
    expect(grayDrops.length).toBeGreaterThan(0);
    expect(grayDrops.every((e) => e.t >= 5000 && e.t < 9000)).toBe(true);
    // Probes sent to fp2 while it is gray are answered.
    const acks = at(events, (e) => e.event === 'deliver' && e.from === 'fp2' && e.to === 'eni' && e.msg.type === 'probeAck');
    expect(acks.some((e) => e.t > 5000 && e.t < 9000)).toBe(true);
  });

  it('linkDown "a<->b" cuts both directions; a delay spike slows the link until it ends', () => {
    const s = parseScenario({
      design: 'patent',
      until: 8000,
      faults: [
        { at: 2000, kind: 'delaySpike', link: 'server->lvs', extraMs: 50 },
        { at: 3000, kind: 'delaySpike', link: 'server->lvs', extraMs: 0 },
        { at: 5000, kind: 'linkDown', link: 'fp2<->lvs' },
      ],
    });
    const { events, world } = runScenario(s);
    const sends = at(events, (e) => e.event === 'send' && e.from === 'server' && e.to === 'lvs') as { t: number; arrives: number }[];
    const late = sends.filter((e) => e.arrives - e.t >= 50);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((e) => e.t >= 2000 && e.t < 3000)).toBe(true);
    expect(world.links['fp2->lvs']?.up).toBe(false);
    expect(world.links['lvs->fp2']?.up).toBe(false);
    expect(world.links['server->lvs']).toBeUndefined();
    const fault = at(events, (e) => e.event === 'fault' && e.t === 5000)[0] as { link: string };
    expect(fault.link).toBe('fp2<->lvs');
  });

  it('a test-only kind runs in the world when the system is built with its vocabulary', () => {
    const s = parseScenario({ design: 'patent', until: 8000, faults: [{ at: 5000, kind: 'isolate', node: 'fp2' }] }, 'iso', WITH_ISOLATE);
    const system = buildSystem(s.design, s.config, s.workload, WITH_ISOLATE);
    const { world, events } = runScenario(s, { system });
    expect(world.links['lvs->fp2']?.up).toBe(false);
    expect(world.links['fp2->lvs']?.up).toBe(false);
    expect(events.some((e) => e.event === 'fault' && e.kind === 'isolate')).toBe(true);
    // Without it, the world refuses the kind.
    expect(() => runScenario(s)).toThrow(/unknown fault kind isolate/);
  });

  it('worlds of the patent fault model carry no extra state', () => {
    const s = parseScenario({ design: 'patent', until: 8000, faults: [{ at: 5000, kind: 'crash', node: 'fp2' }] });
    const { world } = runScenario(s);
    expect('modes' in world).toBe(false);
  });
});
