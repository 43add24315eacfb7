/**
 * The exported statecharts are the models, not a drawing of them: every chart's JSON
 * config, loaded with xstate's `createMachine`, has the runtime machine's state nodes and,
 * per node, its transitions (event, targets, guard, actions, delays, eventless ones); the
 * machine source Stately imports evaluates to the same machine; the Mermaid diagram names
 * every state; and `pvlcheck export` writes all three files per chart.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assign, createMachine, setup, type AnyStateMachine } from 'xstate';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { charts, machineSource, mermaid, type ExportedChart } from '../../src/export/statecharts.js';

/** What a state node does, as plain data: enough to tell two machines apart. */
interface NodeShape {
  type: string;
  initial: string | null;
  children: string[];
  transitions: string[];
  after: string[];
  always: string[];
}

// Loose types on purpose: xstate's StateNode internals (transitions, after, always).
type Loose = any;

function name(x: Loose): string {
  if (x === undefined || x === null) return '';
  if (typeof x === 'string') return x;
  if (typeof x === 'function') return `fn:${x.name || 'anonymous'}`;
  return String(x.type ?? '?');
}

function transitionText(t: Loose): string {
  const targets = (t.target ?? []).map((s: Loose) => s.id).join('|');
  const actions = (t.actions ?? []).map(name).join(',');
  return `${t.eventType} -> [${targets}] guard=${name(t.guard)} actions=${actions} reenter=${Boolean(t.reenter)}`;
}

/** Every state node of a machine, by id. */
function shape(machine: AnyStateMachine): Map<string, NodeShape> {
  const out = new Map<string, NodeShape>();
  const walk = (node: Loose): void => {
    const transitions: string[] = [];
    for (const [, list] of node.transitions as Map<string, Loose[]>) for (const t of list) transitions.push(transitionText(t));
    out.set(node.id, {
      type: node.type,
      initial: node.initial?.target?.map((s: Loose) => s.id).join('|') ?? null,
      children: Object.values(node.states as Record<string, Loose>).map((s) => s.id),
      transitions,
      after: (node.after as Loose[]).map((a) => `${String(a.delay)} ${transitionText(a)}`),
      always: ((node.always ?? []) as Loose[]).map(transitionText),
    });
    for (const child of Object.values(node.states as Record<string, Loose>)) walk(child);
  };
  walk(machine.root);
  return out;
}

/** The state names of a chart's config, at every depth. */
function stateNames(config: Record<string, unknown>): string[] {
  const names: string[] = [];
  const walk = (node: Record<string, unknown>): void => {
    for (const [key, child] of Object.entries((node.states ?? {}) as Record<string, Record<string, unknown>>)) {
      names.push(key);
      walk(child);
    }
  };
  walk(config);
  return names;
}

/** Evaluates an exported machine source with the real `setup` (the import stripped). */
function evaluateSource(chart: ExportedChart): AnyStateMachine {
  const source = machineSource(chart);
  const body = source
    .split('\n')
    .filter((l) => !/^import .* from 'xstate';$/.test(l))
    .join('\n')
    .replace(/^export const /m, 'const ');
  const make = new Function('setup', 'assign', `${body}\nreturn ${chart.id}Machine;`) as (s: typeof setup, a: typeof assign) => AnyStateMachine;
  return make(setup, assign);
}

const all = charts();

describe('exported statecharts', () => {
  it('cover every model and the recovery monitor, each once', () => {
    const ids = all.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['client', 'eni', 'slowPath', 'fastPath', 'control', 'lvs', 'lvsPriorArt', 'lvsMember', 'vgw', 'server', 'recoveryMonitor']));
  });

  describe.each(all.map((c) => [c.id, c] as const))('%s', (_id, chart) => {
    const runtime = shape(chart.machine);

    it('has at least one state, and its config is JSON (no functions)', () => {
      expect(runtime.size).toBeGreaterThan(1);
      expect(JSON.parse(JSON.stringify(chart.config))).toEqual(chart.config);
    });

    it('round-trips through createMachine: same state nodes, same transitions', () => {
      const loaded = shape(createMachine(chart.config as Parameters<typeof createMachine>[0]));
      expect([...loaded.keys()].sort()).toEqual([...runtime.keys()].sort());
      for (const [id, node] of runtime) expect(loaded.get(id), `state node ${id}`).toEqual(node);
    });

    it('has a machine source that evaluates to the same machine', () => {
      const source = machineSource(chart);
      expect(source).toContain('}).createMachine(');
      expect(source).toMatch(/^import \{ (assign, )?setup \} from 'xstate';$/m);
      const loaded = shape(evaluateSource(chart));
      expect([...loaded.entries()]).toEqual([...runtime.entries()]);
    });

    it('has a Mermaid diagram that names every state', () => {
      const text = mermaid(chart);
      expect(text.startsWith('stateDiagram-v2\n')).toBe(true);
      const names = stateNames(chart.config);
      expect(names.length).toBeGreaterThan(0);
      for (const n of names) expect(text, `state ${n}`).toContain(`state "${n}"`);
    });
  });

  it('a changed config is told apart (the comparison can fail)', () => {
    const lvs = all.find((c) => c.id === 'lvs')!;
    const states = (lvs.config.states ?? {}) as Record<string, Record<string, unknown>>;
    const broken = {
      ...lvs.config,
      states: { ...states, viaFastPath: { ...states.viaFastPath, after: { relayTimeout: { target: 'noSession' } } } },
    };
    const loaded = shape(createMachine(broken as Parameters<typeof createMachine>[0]));
    expect(loaded.get('lvs.viaFastPath')).not.toEqual(shape(lvs.machine).get('lvs.viaFastPath'));
  });
});

describe('pvlcheck export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-export-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a machine source, the JSON config and a Mermaid diagram per chart', async () => {
    const out = join(dir, 'charts');
    const io = bufferIo(dir);
    const code = await main(['export', '--out-dir', out], io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    for (const chart of all) {
      for (const ext of ['.machine.ts', '.json', '.mmd']) expect(existsSync(join(out, chart.id + ext)), chart.id + ext).toBe(true);
      expect(JSON.parse(readFileSync(join(out, `${chart.id}.json`), 'utf8'))).toEqual(chart.config);
      expect(readFileSync(join(out, `${chart.id}.machine.ts`), 'utf8')).toBe(machineSource(chart));
      expect(readFileSync(join(out, `${chart.id}.mmd`), 'utf8')).toBe(mermaid(chart));
      expect(io.stdout()).toContain(`${chart.id}.machine.ts`);
    }
  });

  it('rejects a stray argument with exit code 2', async () => {
    const io = bufferIo(dir);
    expect(await main(['export', 'somewhere'], io)).toBe(2);
    expect(io.stderr()).toMatch(/^pvlcheck: somewhere: unexpected argument/);
  });
});
