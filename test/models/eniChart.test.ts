/**
 * The ENI as a statechart users can read (issue 11, point 4): per-member health and the
 * probing logic are chart structure, with named and documented guards, actions and delays.
 *
 * - State nodes are counted twice: from the machine definition (machine.root and its
 *   descendants) and from the source's literal config, as Stately's code extractor
 *   reads `setup({...}).createMachine({...})`: only object literals count, so regions built by
 *   a function call would not (the real extractor reads every model in test/export/extractor.test.ts).
 * - Every member region's state is a function of the context (the regions are a faithful
 *   view, so the explorer's state space is unchanged): checked on every state reachable by
 *   a bounded breadth-first search over the ENI's events.
 * - The seeded ENI bugs are `provide` variants that replace exactly one named guard or action.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine, StateNode } from 'xstate';
import { eniMachine, MAX_MEMBERS, type EniContext, type EniInput } from '../../models/eni.js';
import { MUTANTS } from '../../models/mutants.js';
import type { DataKind } from '../../models/protocol.js';
import { CONFIG_RANGES } from '../../src/config/defaults.js';
import { MachineRunner, type Snap } from '../../src/engine/runner.js';
import { IP } from '../../src/engine/system.js';

const SOURCE = readFileSync(new URL('../../models/eni.ts', import.meta.url), 'utf8');

function descendants(node: StateNode<any, any>): StateNode<any, any>[] {
  return [node, ...Object.values(node.states).flatMap((child) => descendants(child as StateNode<any, any>))];
}

/** The `setup({...})` and `createMachine({...})` object literals of the source, as the extractor finds them. */
function literals(source: string): { setup: ts.ObjectLiteralExpression; config: ts.ObjectLiteralExpression } {
  const file = ts.createSourceFile('eni.ts', source, ts.ScriptTarget.Latest, true);
  let found: { setup: ts.ObjectLiteralExpression; config: ts.ObjectLiteralExpression } | undefined;
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'createMachine' &&
      ts.isCallExpression(node.expression.expression) &&
      ts.isIdentifier(node.expression.expression.expression) &&
      node.expression.expression.expression.text === 'setup'
    ) {
      const setupArg = node.expression.expression.arguments[0];
      const configArg = node.arguments[0];
      if (setupArg && configArg && ts.isObjectLiteralExpression(setupArg) && ts.isObjectLiteralExpression(configArg)) {
        found = { setup: setupArg, config: configArg };
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (!found) throw new Error('no setup({...}).createMachine({...}) with object literals in models/eni.ts');
  return found;
}

const propName = (p: ts.ObjectLiteralElementLike): string | undefined =>
  p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;

function property(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  const p = obj.properties.find((x) => propName(x) === name);
  return p && ts.isPropertyAssignment(p) ? p.initializer : undefined;
}

/** State nodes of a literal config: the node itself and every literal under `states`. */
function literalStateNodes(node: ts.ObjectLiteralExpression): number {
  const states = property(node, 'states');
  if (!states || !ts.isObjectLiteralExpression(states)) return 1;
  let n = 1;
  for (const p of states.properties) {
    if (ts.isPropertyAssignment(p) && ts.isObjectLiteralExpression(p.initializer)) n += literalStateNodes(p.initializer);
  }
  return n;
}

describe('the ENI chart', () => {
  it('has at least 12 state nodes in the machine definition: root, paths, routine and one region per member slot', () => {
    const nodes = descendants(eniMachine.root);
    expect(nodes.length).toBeGreaterThanOrEqual(12);
    expect(nodes.length).toBe(1 + 3 + 4 + MAX_MEMBERS * 6);
    const ids = nodes.map((n) => n.id);
    for (let slot = 1; slot <= MAX_MEMBERS; slot++) {
      for (const s of ['absent', 'up', 'probing', 'down', 'reprobing']) expect(ids).toContain(`eni.slot${slot}.${s}`);
    }
  });

  it('has a region for every member slot a configuration may have', () => {
    expect(MAX_MEMBERS).toBe(CONFIG_RANGES.fastPaths[1]);
  });

  it('reads as the same number of state nodes from the source literal, as the code extractor reads it', () => {
    const { config } = literals(SOURCE);
    expect(literalStateNodes(config)).toBe(descendants(eniMachine.root).length);
    expect(literalStateNodes(config)).toBeGreaterThanOrEqual(12);
  });

  it('describes every state node', () => {
    for (const node of descendants(eniMachine.root)) expect(node.description, node.id).toBeTruthy();
  });

  it('names every guard, action and delay it uses, and each has an implementation with a doc comment', () => {
    const used = { guards: new Set<string>(), actions: new Set<string>(), delays: new Set<string>() };
    const nameOf = (x: unknown): string | undefined =>
      typeof x === 'string' ? x : x && typeof x === 'object' && 'type' in x ? String((x as { type: unknown }).type) : undefined;
    for (const node of descendants(eniMachine.root)) {
      for (const t of node.transitions.values()) {
        for (const tr of t) {
          if (tr.guard !== undefined) {
            const g = nameOf(tr.guard);
            expect(g, `an unnamed guard in ${node.id}`).toBeTruthy();
            used.guards.add(g!);
          }
          for (const a of tr.actions) {
            const name = nameOf(a);
            expect(name, `an unnamed action in ${node.id}`).toBeTruthy();
            if (!name!.startsWith('xstate.')) used.actions.add(name!);
          }
        }
      }
      for (const tr of node.always ?? []) {
        if (tr.guard !== undefined) used.guards.add(nameOf(tr.guard)!);
      }
      for (const d of node.after) {
        if (typeof d.delay === 'string') used.delays.add(d.delay);
      }
    }
    // The probe timer is a delayed raise with the named delay `probeTimeout`.
    used.delays.add('probeTimeout');

    const impl = (eniMachine as AnyStateMachine).implementations;
    for (const g of used.guards) expect(impl.guards[g], `guard ${g}`).toBeTypeOf('function');
    for (const a of used.actions) expect(impl.actions[a], `action ${a}`).toBeDefined();
    for (const d of used.delays) expect(impl.delays[d], `delay ${d}`).toBeDefined();
    expect(used.guards.size).toBeGreaterThanOrEqual(12);
    expect(used.actions.size).toBeGreaterThanOrEqual(10);

    // Each is declared in setup({...}) with a /** doc comment */ that says what it means.
    const { setup } = literals(SOURCE);
    const documented = (section: string): Set<string> => {
      const obj = property(setup, section);
      if (!obj || !ts.isObjectLiteralExpression(obj)) throw new Error(`setup has no ${section} literal`);
      return new Set(obj.properties.filter((p) => ts.getJSDocCommentsAndTags(p).length > 0).map((p) => propName(p)!));
    };
    const docs = { guards: documented('guards'), actions: documented('actions'), delays: documented('delays') };
    for (const kind of ['guards', 'actions', 'delays'] as const) {
      for (const name of used[kind]) expect(docs[kind].has(name), `${kind}.${name} has a doc comment`).toBe(true);
    }
  });

  it('handles probe answers and timeouts in the member regions, one transition per verdict', () => {
    const probing = eniMachine.root.states.slot1!.states.probing!;
    const onAck = probing.transitions.get('probeAck')!;
    expect(onAck.map((t) => t.target?.map((s) => s.key))).toEqual([['up']]);
    const onTimeout = probing.transitions.get('probeTimeout')!;
    expect(onTimeout.map((t) => (t.guard as { type: string }).type)).toEqual(['slotTimeoutRetriesLeft', 'slotTimeout']);
    expect(onTimeout.map((t) => t.target?.map((s) => s.key) ?? null)).toEqual([null, ['down']]);
    expect(onTimeout[1]!.actions.map((a) => (a as { type: string }).type)).toEqual(['endProbeRound', 'markMemberDown', 'releaseAfterFailedProbe']);
  });
});

// ---- The regions are a function of the context --------------------------------------

const FP = [IP.fpVirt(1, 0), IP.fpVirt(2, 0), IP.fpVirt(3, 0)];
const ROUTINE = 'xstate.after.routineProbe.eni.routine.waiting';

function expectedSlot(ctx: EniContext, slot: number): string {
  const m = ctx.members[slot];
  if (m === undefined) return 'absent';
  const out = ctx.probes[m] !== undefined;
  return ctx.live.includes(m) ? (out ? 'probing' : 'up') : out ? 'reprobing' : 'down';
}

/** Every ENI state reachable within `depth` events (forward packets, answers, timeouts, routine rounds). */
function reachable(machine: AnyStateMachine, input: EniInput, depth: number): Snap[] {
  const runner = new MachineRunner(machine);
  const fwd = (flow: string, kind: DataKind) => ({ type: 'data', dir: 'fwd', flow, vni: 100, kind, src: IP.client });
  const events = [
    fwd('f1', 'request'),
    fwd('f1', 'ack'),
    fwd('f2', 'request'),
    ...input.members.map((m) => ({ type: 'probeAck', src: m })),
    ...input.members.map((m) => ({ type: 'probeTimeout', member: m })),
    { type: ROUTINE },
  ];
  const start = runner.initial(input).snap;
  const seen = new Map<string, Snap>([[start.key, start]]);
  let frontier = [start];
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const next: Snap[] = [];
    for (const snap of frontier) {
      for (const e of events) {
        const s = runner.step(snap, e).snap;
        if (!seen.has(s.key)) {
          seen.set(s.key, s);
          next.push(s);
        }
      }
    }
    frontier = next;
  }
  return [...seen.values()];
}

describe('the member regions mirror the context', () => {
  const input: EniInput = { clientIp: IP.client, members: FP, probeTimeoutMs: 300, probeRetries: 2, routineProbeMs: 1000, ecmp: 'hash-threshold' };

  for (const [name, machine] of [
    ['eniMachine', eniMachine],
    ['eni-never-probes', MUTANTS['eni-never-probes']!.machine],
    ['eni-never-fails-over', MUTANTS['eni-never-fails-over']!.machine],
  ] as const) {
    it(`${name}: every slot's state is up, probing, down, reprobing or absent as live and probes say`, () => {
      const states = reachable(machine, input, 6);
      expect(states.length).toBeGreaterThan(100);
      const seenStates = new Set<string>();
      for (const snap of states) {
        const ctx = snap.xs.context as EniContext;
        const value = snap.xs.value as Record<string, string>;
        for (let slot = 0; slot < MAX_MEMBERS; slot++) {
          expect(value[`slot${slot + 1}`], snap.key).toBe(expectedSlot(ctx, slot));
          seenStates.add(value[`slot${slot + 1}`]!);
        }
        expect(value.paths).toBe(Object.keys(ctx.probes).length > 0 ? 'probing' : 'forwarding');
      }
      // The search reaches every health state (a down member only where failover happens).
      const expected = name === 'eni-never-fails-over' ? ['absent', 'up', 'probing'] : ['absent', 'up', 'probing', 'down', 'reprobing'];
      expect([...seenStates].sort()).toEqual([...expected].sort());
    });
  }
});

describe('the seeded ENI bugs', () => {
  const eniMutants = Object.entries(MUTANTS).filter(([, m]) => m.kind === 'eni');

  it('are the ENI chart with exactly one named guard or action replaced', () => {
    expect(eniMutants.map(([n]) => n).sort()).toEqual(['eni-never-fails-over', 'eni-never-probes']);
    const base = (eniMachine as AnyStateMachine).implementations;
    for (const [name, mutant] of eniMutants) {
      const impl = mutant.machine.implementations;
      expect(mutant.machine.config, `${name}: the same chart`).toBe(eniMachine.config);
      const changed: string[] = [];
      for (const kind of ['guards', 'actions', 'delays'] as const) {
        expect(Object.keys(impl[kind]).sort(), `${name} ${kind}`).toEqual(Object.keys(base[kind]).sort());
        for (const key of Object.keys(base[kind])) if (impl[kind][key] !== base[kind][key]) changed.push(`${kind}.${key}`);
      }
      expect(changed, name).toEqual(name === 'eni-never-probes' ? ['guards.newRequestOnEstablishedFlow'] : ['actions.markMemberDown']);
    }
  });

  it('eni-never-fails-over keeps a member that failed its probes up: the region goes back to up', () => {
    const runner = new MachineRunner(MUTANTS['eni-never-fails-over']!.machine);
    const good = new MachineRunner(eniMachine);
    const input: EniInput = { clientIp: IP.client, members: FP.slice(0, 2), probeTimeoutMs: 300, probeRetries: 1, routineProbeMs: 0, ecmp: 'hash-threshold' };
    const fwd = (kind: DataKind) => ({ type: 'data', dir: 'fwd', flow: 'f1', vni: 100, kind, src: IP.client });
    const run = (r: MachineRunner) => {
      let s = r.initial(input).snap;
      s = r.step(s, fwd('ack')).snap;
      const member = (s.xs.context as EniContext).flows.f1!;
      s = r.step(s, fwd('request')).snap;
      const slot = `slot${FP.indexOf(member) + 1}`;
      expect((s.xs.value as Record<string, string>)[slot]).toBe('probing');
      const timeout = { type: 'probeTimeout', member };
      s = r.step(s, timeout).snap;
      return { slot, value: s.xs.value as Record<string, string>, ctx: s.xs.context as EniContext, member };
    };
    const bad = run(runner);
    expect(bad.value[bad.slot]).toBe('up');
    expect(bad.ctx.live).toContain(bad.member);
    const ok = run(good);
    expect(ok.value[ok.slot]).toBe('down');
    expect(ok.ctx.live).not.toContain(ok.member);
  });
});
