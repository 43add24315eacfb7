/**
 * The statecharts as users' other tools read them: a `createMachine({...})` source that
 * the Stately visualiser and Studio import as it is (actions, guards and delays by name,
 * no functions), the same config as JSON, and a Mermaid `stateDiagram-v2`.
 *
 * The config is the machine's own (`machine.config`); what cannot travel is replaced:
 * a context function by the context it gives for the default configuration, parameter
 * functions by nothing (the action keeps its name).
 */
import type { AnyStateMachine } from 'xstate';
import { clientMachine } from '../../models/client.js';
import { controlMachine } from '../../models/control.js';
import { eniMachine } from '../../models/eni.js';
import { fastPathMachine } from '../../models/fastPath.js';
import { lvsMachine } from '../../models/lvs.js';
import { lvsPriorArtMachine } from '../../models/lvsPriorArt.js';
import { lvsMemberMachine } from '../../models/lvsMember.js';
import { serverMachine } from '../../models/server.js';
import { slowPathMachine } from '../../models/slowPath.js';
import { vgwMachine } from '../../models/vgw.js';
import { recoveryMonitorMachine } from '../../properties/recoveryMonitor.js';
import { DEFAULT_CONFIG, DEFAULT_WORKLOAD } from '../config/defaults.js';
import { buildSystem } from '../engine/system.js';
import type { NodeKind } from '../engine/system.js';

export interface ExportedChart {
  /** The machine's id (also its file name). */
  id: string;
  /** Where it lives: models/… or properties/… */
  source: string;
  kind: 'model' | 'monitor';
  machine: AnyStateMachine;
  /** The importable config: JSON only. */
  config: Record<string, unknown>;
}

/** Every statechart pvlcheck has, models first, each with its default-configuration context. */
export function charts(): ExportedChart[] {
  const sys = buildSystem('patent', DEFAULT_CONFIG, DEFAULT_WORKLOAD);
  const inputOf = (kind: NodeKind): unknown => {
    const node = Object.values(sys.nodes).find((n) => n.kind === kind)!;
    return node.input(node.perFlow ? 'f1' : null, 0);
  };
  const model = (machine: AnyStateMachine, file: string, kind: NodeKind): ExportedChart => ({
    id: machine.id,
    source: `models/${file}.ts`,
    kind: 'model',
    machine,
    config: exportConfig(machine, inputOf(kind)),
  });
  return [
    model(clientMachine, 'client', 'client'),
    model(eniMachine, 'eni', 'eni'),
    model(slowPathMachine, 'slowPath', 'sp'),
    model(fastPathMachine, 'fastPath', 'fp'),
    model(controlMachine, 'control', 'control'),
    model(lvsMachine, 'lvs', 'lvs'),
    model(lvsPriorArtMachine, 'lvsPriorArt', 'lvs'),
    {
      // An LVS cluster member, with the spec's default cluster of two (§7 "LVS nodes").
      id: lvsMemberMachine.id,
      source: 'models/lvsMember.ts',
      kind: 'model',
      machine: lvsMemberMachine,
      config: exportConfig(lvsMemberMachine, clusterMemberInput()),
    },
    model(vgwMachine, 'vgw', 'vgw'),
    model(serverMachine, 'server', 'server'),
    {
      id: recoveryMonitorMachine.id,
      source: 'properties/recoveryMonitor.ts',
      kind: 'monitor',
      machine: recoveryMonitorMachine,
      config: exportConfig(recoveryMonitorMachine, { flow: 'f1', budgetMs: 3308, floorMs: 212, applicable: true }),
    },
  ];
}

/** The input of member lvs1 of a two-member cluster, otherwise the default configuration. */
function clusterMemberInput(): unknown {
  const sys = buildSystem('patent', { ...DEFAULT_CONFIG, lvsMembers: 2 }, DEFAULT_WORKLOAD);
  return sys.nodes.lvs1!.input('f1', 0);
}

/** The machine's config as JSON: functions out, the context resolved for `input` (none without one). */
export function exportConfig(machine: AnyStateMachine, input: unknown): Record<string, unknown> {
  const config = machine.config as Record<string, unknown>;
  const context =
    typeof config.context === 'function'
      ? input === undefined
        ? undefined // no input: the caller gives the context (an instance's, src/inspect)
        : (config.context as (a: { input: unknown }) => unknown)({ input })
      : (config.context ?? undefined);
  const clean = (v: unknown): unknown => {
    if (typeof v === 'function') return undefined;
    if (Array.isArray(v)) return v.map(clean).filter((x) => x !== undefined);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === 'params' && typeof x === 'function') continue;
        const c = clean(x);
        if (c !== undefined) out[k] = c;
      }
      return out;
    }
    return v;
  };
  const out = clean({ ...config, context: undefined }) as Record<string, unknown>;
  return context === undefined ? out : { id: out.id, ...(out.description ? { description: out.description } : {}), context, ...out };
}

/**
 * Guards as plain JavaScript over the exported context and the event: the model's own
 * predicate where it needs nothing but `context` and `event`, so that a user clicking
 * through the exported machine in a simulator takes the branches the model would take.
 * A guard not listed here is `() => false` in the export (the safe default: a guarded
 * transition is not taken, and no eventless transition loops).
 */
const GUARD_SOURCES: Record<string, string> = {
  'client.isReverseData': "({ event }) => event.type === 'data' && event.dir === 'rev'",
  'eni.isReverse': "({ event }) => event.type === 'data' && event.dir === 'rev'",
  'eni.probeOutstanding': '({ context }) => Object.keys(context.probes).length > 0',
  'eni.noProbeOutstanding': '({ context }) => Object.keys(context.probes).length === 0',
  'eni.routineProbing': '({ context }) => context.routineProbeMs > 0',
  'eni.flowAwaitingVerdict': "({ context, event }) => event.type === 'data' && context.awaiting[event.flow] !== undefined",
  'eni.newRequestOnEstablishedFlow':
    "({ context, event }) => event.type === 'data' && event.kind === 'request' && context.flows[event.flow] !== undefined && (context.flows[event.flow] !== null || context.live.length === 0)",
  // The member regions' guards, parameterised by the slot (an index into context.members).
  'eni.slotEmpty': '({ context }, params) => context.members[params.slot] === undefined',
  'eni.slotProbeOut': '({ context }, params) => { const m = context.members[params.slot]; return m !== undefined && context.probes[m] !== undefined; }',
  'eni.slotLive': '({ context }, params) => { const m = context.members[params.slot]; return m !== undefined && context.live.includes(m); }',
  'eni.slotDown': '({ context }, params) => { const m = context.members[params.slot]; return m !== undefined && !context.live.includes(m); }',
  'eni.ackFromSlot': "({ context, event }, params) => event.type === 'probeAck' && context.members[params.slot] !== undefined && event.src === context.members[params.slot]",
  'eni.slotTimeout': "({ context, event }, params) => event.type === 'probeTimeout' && context.members[params.slot] !== undefined && event.member === context.members[params.slot]",
  'eni.slotTimeoutRetriesLeft':
    "({ context, event }, params) => { const m = context.members[params.slot]; return event.type === 'probeTimeout' && m !== undefined && event.member === m && (context.probes[m] ?? Infinity) < context.probeRetries; }",
  'fastPath.hasEntry':
    "({ context, event }) => event.type === 'data' && (event.dir === 'fwd' ? context.fwd : context.rev)[event.flow] !== undefined",
  'lvs.isForward': "({ event }) => event.dir === 'fwd'",
  'lvs.isReverse': "({ event }) => event.dir === 'rev'",
  'lvs.relayConfigured': '({ context }) => context.vgwIp !== null && context.relayTimeoutMs !== null',
  'lvsMember.isForward': "({ event }) => event.type === 'data' && event.dir === 'fwd'",
  'lvsMember.isReverse': "({ event }) => event.type === 'data' && event.dir === 'rev'",
  'lvsMember.relayConfigured': '({ context }) => context.vgwIp !== null && context.relayTimeoutMs !== null',
  'lvsMember.idleClockRuns': '({ context }) => context.idleClockSynced && context.vgwIp !== null && context.relayTimeoutMs !== null',
  'lvsMember.syncDue':
    "({ context, event }) => event.type === 'data' && event.dir === 'fwd' && (context.syncPeriod === 0 ? context.fwdPackets + 1 === context.syncThreshold : (context.fwdPackets + 1 >= context.syncThreshold + context.syncPeriod ? context.fwdPackets + 1 - context.syncPeriod : context.fwdPackets + 1) === context.syncThreshold)",
  'lvsPriorArt.isForward': "({ event }) => event.dir === 'fwd'",
  'lvsPriorArt.isReverse': "({ event }) => event.dir === 'rev'",
  'vgw.isReverse': "({ event }) => event.dir === 'rev'",
  // The slow path's tenant checks [¶72, ¶75]: the reverse VNI must pair with the CVNI the flow was validated with.
  'slowPath.forwardCvniValid':
    "({ context, event }) => event.type === 'data' && event.dir === 'fwd' && context.config !== null && context.config.tenants.some((t) => t.cvni === event.vni)",
  'slowPath.reverseTenantPairValid':
    "({ context, event }) => event.type === 'data' && event.dir === 'rev' && context.config !== null && context.flows[event.flow] !== undefined && context.config.tenants.some((t) => t.cvni === context.flows[event.flow] && t.vni === event.vni)",
  'server.isRequest': "({ event }) => event.dir === 'fwd' && event.kind === 'request'",
  'server.streamDone': '({ context }) => context.remaining !== null && context.remaining <= 0',
  'recoveryMonitor.applicable': '({ context }) => context.applicable',
  'recoveryMonitor.movesDeadline':
    "({ context, event }) => event.type === 'forwardAtLvs' && (context.movingDeadline || event.sentAt <= context.faultAt)",
  'recoveryMonitor.healthy': "({ event }) => event.type === 'fault' && event.healthy === true",
};

/**
 * Delays whose value in the exported context is not the default configuration's: the LVS
 * learns its relay timeout from the first forward packet (its context starts with none, and
 * the model waits "for ever"), so the export uses the configured default; so does a cluster member.
 */
const DELAY_DEFAULTS: Record<string, number> = {
  'lvs.relayTimeout': DEFAULT_CONFIG.relayTimeoutMs,
  'lvsMember.relayTimeout': DEFAULT_CONFIG.relayTimeoutMs,
};

/** How the exported source implements a chart's guards, actions and delays. */
export interface ExportedImplementations {
  /** Guard name -> JavaScript source (a listed predicate, or `() => false`). */
  guards: Record<string, string>;
  /** Action name -> JavaScript source (`assign({...})` of constants, or a no-op). */
  actions: Record<string, string>;
  /** Delay name -> milliseconds in the default configuration. */
  delays: Record<string, number>;
}

/** Default implementations for the exported source, so that `createActor(machine).start()` runs. */
export function exportedImplementations(chart: ExportedChart): ExportedImplementations {
  const impl = (chart.machine as unknown as {
    implementations: { guards: Record<string, unknown>; actions: Record<string, unknown>; delays: Record<string, unknown> };
  }).implementations;
  const context = chart.config.context;
  const guards: Record<string, string> = {};
  for (const name of Object.keys(impl.guards).sort()) guards[name] = GUARD_SOURCES[`${chart.id}.${name}`] ?? '() => false';
  const actions: Record<string, string> = {};
  for (const [name, action] of Object.entries(impl.actions).sort(([a], [b]) => a.localeCompare(b))) {
    const a = action as { type?: string; assignment?: unknown };
    const constant =
      a?.type === 'xstate.assign' &&
      a.assignment !== null &&
      typeof a.assignment === 'object' &&
      Object.values(a.assignment as object).every((v) => typeof v !== 'function');
    actions[name] = constant ? `assign(${JSON.stringify(a.assignment)})` : '() => {}';
  }
  const delays: Record<string, number> = {};
  for (const [name, delay] of Object.entries(impl.delays).sort(([a], [b]) => a.localeCompare(b))) {
    const fallback = DELAY_DEFAULTS[`${chart.id}.${name}`];
    const value =
      fallback ?? (typeof delay === 'function' ? (delay as (a: { context: unknown; event: unknown }) => unknown)({ context, event: { type: 'xstate.init' } }) : delay);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 600_000) {
      throw new Error(`export: delay ${chart.id}.${name} has no default value (${String(value)})`);
    }
    delays[name] = value;
  }
  return { guards, actions, delays };
}

/**
 * A source file Stately imports and that runs as it is: `setup({ actions, guards, delays })
 * .createMachine({...})` with the literal config and default implementations (guards as
 * above, actions that do nothing but assign constants the model assigns, the delays of the
 * default configuration), so that `createActor(machine).start()` works and a user can click
 * through it in a simulator. It is plain JavaScript as well as TypeScript.
 */
export function machineSource(chart: ExportedChart): string {
  const name = `${chart.id}Machine`;
  const impl = exportedImplementations(chart);
  const block = (entries: [string, string][], what: string): string[] =>
    entries.length === 0 ? [`  ${what}: {},`] : [`  ${what}: {`, ...entries.map(([k, v]) => `    ${JSON.stringify(k)}: ${v},`), '  },'];
  const usesAssign = Object.values(impl.actions).some((a) => a.startsWith('assign('));
  return [
    `// ${chart.id}: exported by \`pvlcheck export\` from ${chart.source}.`,
    '// Open it in the Stately visualiser (https://stately.ai/viz) or Studio, or with the',
    '// Stately VS Code extension. Actions, guards and delays are named as in the model; their',
    '// code is in the model file. The implementations below are defaults so that the machine',
    '// runs as it is (createActor(machine).start()): guards that read only context and event,',
    '// actions that send nothing (they only assign constants the model assigns), and the',
    '// delays of the default configuration, in ms.',
    '// @ts-nocheck',
    `import { ${usesAssign ? 'assign, setup' : 'setup'} } from 'xstate';`,
    '',
    `export const ${name} = setup({`,
    ...block(Object.entries(impl.actions), 'actions'),
    ...block(Object.entries(impl.guards), 'guards'),
    ...block(Object.entries(impl.delays).map(([k, v]) => [k, String(v)]), 'delays'),
    `}).createMachine(${JSON.stringify(chart.config, null, 2)});`,
    '',
  ].join('\n');
}

/** The parts of an exported state node config that drawings read. */
export interface StateNodeConfig {
  type?: string;
  initial?: string;
  states?: Record<string, StateNodeConfig>;
  on?: Record<string, unknown>;
  after?: Record<string, unknown>;
  always?: unknown;
}

export interface TransitionConfig {
  target?: string | string[];
  guard?: string | { type: string };
  actions?: unknown;
}

function asList(t: unknown): TransitionConfig[] {
  if (t === undefined) return [];
  if (typeof t === 'string') return [{ target: t }];
  return (Array.isArray(t) ? t : [t]) as TransitionConfig[];
}

function label(event: string, t: TransitionConfig): string {
  const guard = typeof t.guard === 'string' ? t.guard : t.guard?.type;
  const list = t.actions === undefined ? [] : Array.isArray(t.actions) ? t.actions : [t.actions];
  const actions = list.map((a) => (typeof a === 'string' ? a : (a as { type: string }).type));
  let s = event;
  if (guard) s += ` [${guard}]`;
  if (actions.length > 0) s += ` / ${actions.join(', ')}`;
  return s.replace(/:/g, '');
}

/** A Mermaid `stateDiagram-v2` of the chart (parallel regions as `--` separated). */
export function mermaid(chart: ExportedChart): string {
  const lines = ['stateDiagram-v2', `  %% ${chart.id} (${chart.source})`];
  const id = (path: string[]) => path.join('_') || 'root';
  const walk = (node: StateNodeConfig, path: string[], indent: string): void => {
    const children = Object.entries(node.states ?? {});
    if (node.type === 'parallel') {
      children.forEach(([name, child], i) => {
        if (i > 0) lines.push(`${indent}--`);
        lines.push(`${indent}state "${name}" as ${id([...path, name])} {`);
        walk(child, [...path, name], indent + '  ');
        lines.push(`${indent}}`);
      });
      return;
    }
    if (node.initial) lines.push(`${indent}[*] --> ${id([...path, node.initial])}`);
    for (const [name, child] of children) {
      const here = [...path, name];
      if (child.states) {
        lines.push(`${indent}state "${name}" as ${id(here)} {`);
        walk(child, here, indent + '  ');
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state "${name}" as ${id(here)}`);
      }
      const edges: [string, TransitionConfig][] = [];
      for (const [event, t] of Object.entries(child.on ?? {})) for (const x of asList(t)) edges.push([event, x]);
      for (const [delay, t] of Object.entries(child.after ?? {})) for (const x of asList(t)) edges.push([`after ${delay}`, x]);
      for (const x of asList(child.always)) edges.push(['always', x]);
      for (const [event, t] of edges) {
        const targets = t.target === undefined ? [name] : Array.isArray(t.target) ? t.target : [t.target];
        for (const target of targets) {
          const to = target.startsWith('#') || target.startsWith('.') ? target.replace(/^[#.]/, '').split('.') : [...path, target];
          lines.push(`${indent}${id(here)} --> ${id(to)}: ${label(event, t)}`);
        }
      }
    }
  };
  walk(chart.config as StateNodeConfig, [], '  ');
  return lines.join('\n') + '\n';
}
