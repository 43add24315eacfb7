/**
 * Conformance of recorded component logs (docs/conformance.md).
 *
 * 1. Pairing: every `recv` line is paired with the `send` line it received (by the sender's
 *    message `id` when both carry one, else first-in first-out by sender, receiver and
 *    content).
 * 2. Clocks: each node logs on its own clock. The offsets are a solution of difference
 *    constraints: any two nodes' clocks differ by at most `--skew`, a message takes a
 *    delay within its link's configured bounds (so it is received after it is sent), the
 *    timers a node starts with fire when its chart says, and no event is before time 0.
 *    No solution: lines are out of order beyond the skew, and the first such line is
 *    named. The greatest and the least solution are the two extreme consistent orders.
 * 3. Replay: the merged log drives the engine's own world (src/engine/world.ts) with the
 *    statecharts of the design: each `recv` is the delivery of the message its `send`
 *    put on the wire, each `timer` the firing of the chart's timer, each `fault` the
 *    fault. The world's chooser takes every delay, loss and scan jitter from the log. After
 *    each step the sends (and, for a node that logs them, drops and state changes) the
 *    chart made are compared with the lines the node logged after that event: the first
 *    line no chart transition explains is named. A message sent but never received was
 *    lost in the network; a chart timer no line logs fires silently and must send nothing.
 * 4. Properties: every property's monitor steps over the replayed world, exactly as in
 *    `simulate`, so that the verdicts are the same ones. They are computed on both extreme
 *    orders; a verdict that differs between them is inconclusive.
 */
import type { Scenario } from '../config/types.js';
import type { Chooser, Choice } from '../engine/chooser.js';
import { buildSystem, type System } from '../engine/system.js';
import type { TraceEvent, ViolationEvent } from '../engine/trace.js';
import { actorNode, createWorld, enabledMoves, nextEventTime, step, type Move, type World } from '../engine/world.js';
import { DEFAULT_VOCABULARY, declOf, type AnyFault } from '../config/faults.js';
import { finishMonitor, initMonitor, stepMonitor, StepRecorder, type AnyProperty, type MonitorState, type Verdict } from '../checker/property.js';
import { mergeByTime } from '../checker/evaluate.js';
import { InputError } from '../config/validate.js';
import { messageKey, messageOf, messageText, where, type LogLine } from './log.js';

/** Where a chart lives, for "chart lvs (models/lvs.ts)". */
const CHART_SOURCE: Record<string, string> = {
  client: 'models/client.ts',
  eni: 'models/eni.ts',
  sp: 'models/slowPath.ts',
  control: 'models/control.ts',
  vgw: 'models/vgw.ts',
  server: 'models/server.ts',
};

export function chartName(sys: System, node: string): string {
  const kind = sys.nodes[node]?.kind;
  if (kind === 'fp') return `chart fastPath of ${node} (models/fastPath.ts)`;
  if (kind === 'lvs' && sys.lvsService) return `chart ${sys.design === 'prior-art' ? 'lvsMember, prior art' : 'lvsMember'} (models/lvsMember.ts) of ${node}`;
  if (kind === 'lvs') return `chart ${sys.design === 'prior-art' ? 'lvsPriorArt (models/lvsPriorArt.ts)' : 'lvs (models/lvs.ts)'} of ${node}`;
  return `chart ${node} (${CHART_SOURCE[kind ?? node] ?? 'models/'})`;
}

/** The first thing in the logs that the charts or the network do not explain. */
export interface Finding {
  kind: 'chart' | 'causality';
  /** The first offending line (null: at the end of the log). */
  line: LogLine | null;
  /** "chart lvs (models/lvs.ts) of lvs", or "causality". */
  subject: string;
  message: string;
}

/** Lines by node, each node's split into the events it handled and what it did then. */
export interface PreparedLogs {
  sys: System;
  scenario: Scenario;
  byNode: Map<string, LogLine[]>;
  /** recv line -> its send line. */
  pairOf: Map<LogLine, LogLine>;
  /** send line -> its recv line. */
  recvOf: Map<LogLine, LogLine>;
  /** The first pairing problem, if any (a recv with no send). */
  finding: Finding | null;
  /** Sends never received (lost in the network, or to a node that was down). */
  unreceived: number;
}

const TRIGGERS = new Set(['recv', 'timer', 'fault']);

/** The fields of a line that are not a fault's parameters. */
const LINE_FIELDS = new Set(['ts', 'unit', 'node', 'event', 'kind', 'link']);

/**
 * A `fault` line as the world's fault (src/config/faults.ts): a fault of the logging node,
 * or of a link (logged by its sending node); its parameters checked against the kind's
 * declaration. Bad ones are an InputError naming file:line and the field.
 */
export function faultOfLine(l: LogLine, sys: System): AnyFault {
  const kind = l.raw.kind as string;
  const decl = declOf(DEFAULT_VOCABULARY, kind);
  if (!decl) throw new InputError(`${where(l)}: kind`, `unknown fault kind ${JSON.stringify(kind)} (known: ${Object.keys(DEFAULT_VOCABULARY).join(', ')})`);
  const link = l.raw.link;
  const fault: AnyFault = { kind };
  if (decl.target === 'node') {
    if (link !== undefined) throw new InputError(`${where(l)}: link`, `a ${kind} is of the logging node, not of a link`);
    fault.node = l.node;
  } else {
    if (typeof link !== 'string') throw new InputError(`${where(l)}: link`, `missing: a ${kind} names its link`);
    const both = link.includes('<->');
    const [a, b] = link.split(both ? '<->' : '->') as [string, string];
    const known = both ? decl.links === 'directed-or-both' && sys.links[`${a}->${b}`] && sys.links[`${b}->${a}`] : sys.links[link];
    if (!known) throw new InputError(`${where(l)}: link`, `no link ${link} in this configuration${both && decl.links !== 'directed-or-both' ? ` (a ${kind} names one direction)` : ''}`);
    fault.link = link;
  }
  const params = new Map(decl.params.map((p) => [p.name, p]));
  for (const [k, v] of Object.entries(l.raw)) {
    if (LINE_FIELDS.has(k)) continue;
    const p = params.get(k);
    if (!p) throw new InputError(`${where(l)}: ${k}`, `not a parameter of a ${kind} fault`);
    const ok = p.type === 'boolean' ? typeof v === 'boolean' : p.type === 'probability' ? typeof v === 'number' && v >= 0 && v <= 1 : Number.isInteger(v) && (v as number) >= 0;
    if (!ok) throw new InputError(`${where(l)}: ${k}`, `must be ${p.type === 'boolean' ? 'true or false' : p.type === 'probability' ? 'a probability in [0, 1]' : 'a whole number of ms'}, got ${JSON.stringify(v)}`);
    if (p.type !== 'boolean' || v === true) fault[k] = v;
  }
  for (const p of decl.params) {
    if (p.type !== 'boolean' && !p.optional && fault[p.name] === undefined) throw new InputError(`${where(l)}: ${p.name}`, `missing: a ${kind} fault gives its ${p.name}`);
  }
  return fault;
}

/** Checks node ids against the topology and pairs sends with receives. */
export function prepare(lines: readonly LogLine[], scenario: Scenario, skewMs = 0): PreparedLogs {
  const sys = buildSystem(scenario.design, scenario.config, scenario.workload);
  const byNode = new Map<string, LogLine[]>();
  const fileOf = new Map<string, string>();
  for (const id of sys.nodeIds) byNode.set(id, []);
  for (const l of lines) {
    if (!sys.nodes[l.node]) {
      throw new InputError(`${where(l)}: node`, `no node ${JSON.stringify(l.node)} in this configuration (nodes: ${sys.nodeIds.join(', ')})`);
    }
    const seen = fileOf.get(l.node);
    if (seen !== undefined && seen !== l.file) {
      throw new InputError(`${where(l)}: node`, `${l.node} also logs in ${seen}: give each node's lines in one file (or one merged file)`);
    }
    fileOf.set(l.node, l.file);
    for (const f of ['from', 'to'] as const) {
      const v = l.raw[f];
      if (typeof v === 'string' && !sys.nodes[v]) throw new InputError(`${where(l)}: ${f}`, `no node ${JSON.stringify(v)} in this configuration`);
    }
    if (l.event === 'fault') faultOfLine(l, sys);
    byNode.get(l.node)!.push(l);
  }
  const missing = sys.nodeIds.filter((n) => byNode.get(n)!.length === 0);
  if (missing.length === sys.nodeIds.length) throw new InputError('LOG', 'the logs have no lines');

  // Pair sends and receives.
  const byId = new Map<string, LogLine>();
  const fifo = new Map<string, LogLine[]>();
  for (const [node, list] of byNode) {
    for (const l of list) {
      if (l.event !== 'send' || l.raw.to === null) continue;
      const to = l.raw.to as string;
      if (typeof l.raw.id === 'number') {
        const key = `${node}->${to}#${l.raw.id}`;
        if (byId.has(key)) throw new InputError(`${where(l)}: id`, `message id ${l.raw.id} from ${node} to ${to} is also at ${where(byId.get(key)!)}`);
        byId.set(key, l);
      }
      const key = `${node}->${to}|${messageKey(messageOf(l))}`;
      let q = fifo.get(key);
      if (!q) fifo.set(key, (q = []));
      q.push(l);
    }
  }
  const pairOf = new Map<LogLine, LogLine>();
  const recvOf = new Map<LogLine, LogLine>();
  let finding: Finding | null = null;
  const taken = new Set<LogLine>();
  const recvs: LogLine[] = [];
  for (const list of byNode.values()) for (const l of list) if (l.event === 'recv') recvs.push(l);
  for (const r of recvs) {
    const from = r.raw.from as string;
    let s: LogLine | undefined;
    if (typeof r.raw.id === 'number') s = byId.get(`${from}->${r.node}#${r.raw.id}`);
    if (s === undefined && typeof r.raw.id !== 'number') {
      // First in, first out among the sends that could arrive now: a send too old to be
      // this receive (its link's longest delay and the skew passed) was lost on the way.
      const q = fifo.get(`${from}->${r.node}|${messageKey(messageOf(r))}`) ?? [];
      const link = sys.links[`${from}->${r.node}`];
      const latest = (x: LogLine): number => Math.round(x.ts) + (link?.maxMs ?? 0) + skewMs;
      while (q.length > 0 && (taken.has(q[0]!) || latest(q[0]!) < Math.round(r.ts))) q.shift();
      if (q.length > 0 && Math.round(q[0]!.ts) + (link?.minMs ?? 0) - skewMs <= Math.round(r.ts)) s = q.shift();
    }
    if (s && messageKey(messageOf(s)) !== messageKey(messageOf(r))) {
      finding ??= { kind: 'causality', line: r, subject: 'causality', message: `${r.node} received ${messageText(messageOf(r))} as message ${String(r.raw.id)}, but ${from} sent ${messageText(messageOf(s))} with that id (${where(s)})` };
      continue;
    }
    if (!s || taken.has(s)) {
      finding ??= { kind: 'causality', line: r, subject: 'causality', message: `${r.node} received ${messageText(messageOf(r))} from ${from}, which no line of ${from}'s log sent` };
      continue;
    }
    taken.add(s);
    pairOf.set(r, s);
    recvOf.set(s, r);
  }
  let unreceived = 0;
  for (const list of byNode.values()) for (const l of list) if (l.event === 'send' && !recvOf.has(l)) unreceived++;
  return { sys, scenario, byNode, pairOf, recvOf, finding, unreceived };
}

// ---- Clocks -------------------------------------------------------------------------------

export interface Offsets {
  /** Per node: its clock minus the reference time, in ms. */
  hi: Record<string, number>;
  lo: Record<string, number>;
  /**
   * More consistent assignments between those two: for each node whose offset the logs do
   * not pin, that node at its earliest with every other as late as it then may be, and at
   * its latest with every other as early (deduplicated; hi and lo not repeated).
   */
  between: Record<string, number>[];
}

interface Edge {
  u: number;
  v: number;
  /** x_v - x_u <= w */
  w: number;
  why: { recv: LogLine; send: LogLine } | null;
}

/**
 * The clock offsets the logs allow, or the first line that no offsets within the skew
 * explain. Node 0 of the constraint graph is the reference clock (time 0 of the run).
 */
export function solveOffsets(p: PreparedLogs, skewMs: number): Offsets | Finding {
  const nodes = p.sys.nodeIds;
  const index = new Map(nodes.map((n, i) => [n, i + 1]));
  const best = new Map<string, Edge>();
  const add = (u: number, v: number, w: number, why: Edge['why'] = null): void => {
    const k = `${u},${v}`;
    const old = best.get(k);
    if (!old || w < old.w) best.set(k, { u, v, w, why });
  };
  // A delay spike (a fault line with `extraMs`) may slow a link beyond its configured bounds:
  // its largest spike widens the link's bound.
  const spike = new Map<string, number>();
  for (const list of p.byNode.values()) {
    for (const l of list) {
      if (l.event !== 'fault' || typeof l.raw.extraMs !== 'number' || typeof l.raw.link !== 'string') continue;
      const link = l.raw.link;
      const both = link.includes('<->');
      const [a, b] = link.split(both ? '<->' : '->') as [string, string];
      for (const id of both ? [`${a}->${b}`, `${b}->${a}`] : [link]) spike.set(id, Math.max(spike.get(id) ?? 0, l.raw.extraMs));
    }
  }
  const maxOf = (link: { id: string; maxMs: number }): number => link.maxMs + (spike.get(link.id) ?? 0);
  // Direct check first, so that the message names the very pair: a receive earlier than its
  // send (plus the link's least delay) by more than the skew.
  for (const list of p.byNode.values()) {
    for (const r of list) {
      if (r.event !== 'recv') continue;
      const s = p.pairOf.get(r);
      if (!s) continue;
      const link = p.sys.links[`${s.node}->${r.node}`];
      if (!link) return { kind: 'causality', line: r, subject: 'causality', message: `no link ${s.node}->${r.node} in this configuration for the message sent at ${where(s)}` };
      const gap = Math.round(r.ts) - Math.round(s.ts);
      if (gap - link.minMs + skewMs < 0) {
        return {
          kind: 'causality',
          line: r,
          subject: 'causality',
          message: `received at ${Math.round(r.ts)} ms on ${r.node}'s clock, ${link.minMs - gap} ms before it can arrive after its send at ${where(s)} (${Math.round(s.ts)} ms on ${s.node}'s clock, link ${link.id} takes ${link.minMs}-${link.maxMs} ms): more than the ${skewMs} ms skew allowed (--skew)`,
        };
      }
      if (gap - maxOf(link) - skewMs > 0) {
        return {
          kind: 'causality',
          line: r,
          subject: 'causality',
          message: `received at ${Math.round(r.ts)} ms on ${r.node}'s clock, ${gap - maxOf(link)} ms later than link ${link.id} (${link.minMs}-${maxOf(link)} ms) can take after its send at ${where(s)}: more than the ${skewMs} ms skew allowed (--skew)`,
        };
      }
      const a = index.get(s.node)!;
      const b = index.get(r.node)!;
      // (r - o_b) - (s - o_a) in [min, max]
      add(a, b, gap - link.minMs, { recv: r, send: s });
      add(b, a, maxOf(link) - gap, { recv: r, send: s });
    }
  }
  for (let i = 1; i <= nodes.length; i++) {
    for (let j = 1; j <= nodes.length; j++) if (i !== j) add(i, j, skewMs);
    const list = p.byNode.get(nodes[i - 1]!)!;
    // No event before time 0; and a node's clock is not behind the reference by more than the skew.
    if (list.length > 0) add(0, i, Math.floor(Math.min(...list.map((l) => l.ts))));
    add(i, 0, skewMs);
  }
  // Anchors: the timers the charts start with fire at a known time of the run.
  const start = createWorld(p.sys, { choose: (c: Choice) => (c.kind === 'loss' || c.kind === 'order' ? 0 : c.kind === 'delay' ? c.min : 1) }, false).world;
  const anchored = new Set<string>();
  for (const t of start.timers) {
    const node = actorNode(t.actor);
    const flow = t.actor.includes('/') ? t.actor.slice(t.actor.indexOf('/') + 1) : undefined;
    const key = `${t.actor}|${t.label}`;
    if (anchored.has(key)) continue;
    anchored.add(key);
    const line = p.byNode.get(node)!.find((l) => l.event === 'timer' && l.raw.timer === t.label && (l.raw.instance as string | undefined) === flow);
    if (!line) continue;
    const c = Math.round(line.ts) - t.at;
    const i = index.get(node)!;
    add(0, i, c);
    add(i, 0, -c);
  }
  const edges = [...best.values()];
  const n = nodes.length + 1;
  const shortest = (from: number, reverse: boolean, extra: readonly Edge[] = []): number[] | Edge[] => {
    const all = extra.length === 0 ? edges : [...edges, ...extra];
    const d = new Array<number>(n).fill(Infinity);
    const via = new Array<Edge | null>(n).fill(null);
    d[from] = 0;
    for (let round = 0; round < n; round++) {
      let changed = false;
      for (const e of all) {
        const [u, v] = reverse ? [e.v, e.u] : [e.u, e.v];
        if (d[u]! + e.w < d[v]!) {
          d[v] = d[u]! + e.w;
          via[v] = e;
          changed = true;
          if (round === n - 1) {
            // A negative cycle: the lines on it cannot all be explained.
            const cycle: Edge[] = [];
            let x = v;
            for (let k = 0; k < n; k++) x = (reverse ? via[x]!.v : via[x]!.u);
            const seen = new Set<number>();
            while (!seen.has(x)) {
              seen.add(x);
              const edge = via[x]!;
              cycle.push(edge);
              x = reverse ? edge.v : edge.u;
            }
            return cycle;
          }
        }
      }
      if (!changed) break;
    }
    return d;
  };
  const hi = shortest(0, false);
  const lo = shortest(0, true);
  const cycle = (typeof hi[0] === 'number' ? (typeof lo[0] === 'number' ? null : lo) : hi) as Edge[] | null;
  if (cycle) {
    const lines = cycle.filter((e) => e.why).map((e) => e.why!.recv);
    lines.sort((a, b) => a.ts - b.ts);
    const first = lines[0] ?? null;
    return {
      kind: 'causality',
      line: first,
      subject: 'causality',
      message: `no clock offsets within the ${skewMs} ms skew (--skew) order these receives after their sends: ${lines
        .slice(0, 4)
        .map((l) => `${where(l)} (sent at ${where(p.pairOf.get(l)!)})`)
        .join(', ')}${lines.length > 4 ? ', …' : ''}`,
    };
  }
  const out: Offsets = { hi: {}, lo: {}, between: [] };
  nodes.forEach((node, k) => {
    out.hi[node] = (hi as number[])[k + 1]!;
    out.lo[node] = -(lo as number[])[k + 1]!;
  });
  const seen = new Set([JSON.stringify(out.hi), JSON.stringify(out.lo)]);
  const assignment = (d: number[], sign: number): Record<string, number> => Object.fromEntries(nodes.map((node, k) => [node, sign * d[k + 1]!]));
  nodes.forEach((node, k) => {
    const i = k + 1;
    if (out.lo[node] === out.hi[node]) return;
    const pin = (x: number): Edge[] => [
      { u: 0, v: i, w: x, why: null },
      { u: i, v: 0, w: -x, why: null },
    ];
    // Pinning a node at a value its range holds keeps the constraints satisfiable.
    for (const a of [assignment(shortest(0, false, pin(out.lo[node]!)) as number[], 1), assignment(shortest(0, true, pin(out.hi[node]!)) as number[], -1)]) {
      const key = JSON.stringify(a);
      if (!seen.has(key)) {
        seen.add(key);
        out.between.push(a);
      }
    }
  });
  return out;
}

// ---- Replay -------------------------------------------------------------------------------

/** The lines of one step: the event a node handled and the last line of what it did then. */
export interface Evidence {
  first: LogLine;
  last: LogLine;
}

/** "lvs.jsonl:12" or "lvs.jsonl:12-14". */
export function evidenceText(e: Evidence): string {
  return e.last === e.first ? where(e.first) : `${where(e.first)}-${e.last.line}`;
}

export interface ReplayResult {
  verdicts: Map<string, Verdict>;
  exercised: Map<string, number>;
  /** Per violated property: the log lines of the step that violated it (null: a deadline passed between lines, or the end). */
  evidence: Map<string, Evidence | null>;
  finding: Finding | null;
  /** The replayed run's trace (with violations), for the sequence diagram. */
  events: TraceEvent[];
  steps: number;
  /** Sends that no node received: lost in the network or to a node that was down. */
  lost: number;
  /** Chart timers no line logged (they fired silently). */
  silentTimers: number;
  until: number;
}

interface Segment {
  trigger: LogLine;
  reactions: LogLine[];
}

/** A chooser that answers from prepared lists: per link the delay and loss of each send, and jitters. */
class LogChooser implements Chooser {
  asked: Choice[] = [];
  constructor(
    private readonly sends: Map<string, { loss: number; delay: number }[]>,
    private readonly jitters: number[],
    /** Links whose delay is fixed: a send on one is asked only whether it is lost. */
    private readonly fixed: (link: string) => boolean = () => false,
  ) {}
  choose(c: Choice): number {
    this.asked.push(c);
    switch (c.kind) {
      case 'loss': {
        const head = this.sends.get(c.link)?.[0];
        if (head && (head.loss === 1 || this.fixed(c.link))) this.sends.get(c.link)!.shift();
        return head?.loss ?? 0;
      }
      case 'delay': {
        const head = this.sends.get(c.link)?.shift();
        return head ? head.delay : c.min;
      }
      case 'jitter':
        return this.jitters.shift() ?? 1;
      case 'order':
        return 0;
    }
  }
}

interface NodeEffects {
  sends: { to: string | null; msg: unknown; id: number | undefined; event: TraceEvent }[];
  drops: string[];
  states: { state: unknown; instance: string | undefined }[];
}

function effectsOf(events: readonly TraceEvent[], node: string): NodeEffects {
  const out: NodeEffects = { sends: [], drops: [], states: [] };
  for (const e of events) {
    if (e.event === 'send' && e.from === node) out.sends.push({ to: e.to, msg: e.msg, id: e.id, event: e });
    else if (e.event === 'drop' && e.from === node && e.stage === 'send' && e.msg) out.sends.push({ to: e.to, msg: e.msg, id: e.id, event: e });
    else if (e.event === 'drop' && e.from === node && e.stage === 'node') out.drops.push(e.reason);
    else if (e.event === 'state' && e.node === node) out.states.push({ state: e.state, instance: e.instance });
  }
  return out;
}

export interface ReplayOptions {
  properties: readonly AnyProperty[];
  /** Virtual time at which the run ends; at least the last line's. */
  until: number | null;
}

/** Replays the logs with one assignment of clock offsets. */
export function replayLogs(p: PreparedLogs, offsets: Readonly<Record<string, number>>, options: ReplayOptions): ReplayResult {
  const { sys, scenario } = p;
  const time = (l: LogLine): number => Math.round(l.ts) - offsets[l.node]!;
  const fixed = (link: string): boolean => sys.links[link]!.minMs === sys.links[link]!.maxMs;
  const nodes = sys.nodeIds;
  const logsDrops = new Set(nodes.filter((n) => p.byNode.get(n)!.some((l) => l.event === 'drop')));
  const logsStates = new Set(nodes.filter((n) => p.byNode.get(n)!.some((l) => l.event === 'state')));

  // Each node's lines: what it did at start, then each event it handled and what it did then.
  const creation = new Map<string, LogLine[]>();
  const segments = new Map<string, Segment[]>();
  for (const n of nodes) {
    const segs: Segment[] = [];
    const first: LogLine[] = [];
    for (const l of p.byNode.get(n)!) {
      if (TRIGGERS.has(l.event)) segs.push({ trigger: l, reactions: [] });
      else (segs.length > 0 ? segs[segs.length - 1]!.reactions : first).push(l);
    }
    creation.set(n, first);
    segments.set(n, segs);
  }
  const next = new Map<string, number>(nodes.map((n) => [n, 0]));

  const props = options.properties;
  let states: MonitorState<unknown>[] = props.map((q) => initMonitor(q, scenario, sys));
  const evidence = new Map<string, Evidence | null>();
  const exercisedSteps = props.map(() => 0);
  /** After each monitor step, whether it exercised the property's situation. */
  const recorder = new StepRecorder();
  const trace: TraceEvent[] = [];
  const violations: ViolationEvent[] = [];
  let finding: Finding | null = null;
  let steps = 0;
  let lost = 0;
  let silentTimers = 0;

  /** World message id -> the recv line that delivers it. */
  const claimed = new Map<number, LogLine>();
  /** send line -> world message id. */
  const worldIdOf = new Map<LogLine, number>();

  const observe = (prev: World | null, world: World, events: readonly TraceEvent[], move: Move | null, line: Evidence | null): void => {
    for (const e of events) trace.push(e);
    const obs = { scenario, sys, prev, world, events, move };
    for (let i = 0; i < props.length; i++) {
      const before = states[i]!;
      const after = stepMonitor(props[i]!, before, obs, recorder);
      if (recorder.exercised) exercisedSteps[i]!++;
      if (after.verdict.violation && !before.verdict.violation) {
        // A deadline that passed before this step is no line's doing.
        evidence.set(props[i]!.id, after.verdict.violation.t === world.now ? line : null);
        violations.push({ t: after.verdict.violation.t, event: 'violation', property: props[i]!.id, message: after.verdict.violation.message });
      }
      states[i] = after;
    }
  };

  /** The next line of a node not yet replayed (for "the first line no transition explains"). */
  const nextLineOf = (node: string): LogLine | null => {
    const segs = segments.get(node)!;
    const k = next.get(node)!;
    if (k < segs.length) return segs[k]!.trigger;
    const all = p.byNode.get(node)!;
    return all[all.length - 1] ?? null;
  };

  /**
   * Compares what a node's chart did in one step with the lines the node logged then;
   * records which world message each logged send is. Returns a finding or null.
   */
  const compare = (node: string, fx: NodeEffects, logged: readonly LogLine[], trigger: LogLine | null, what: string): Finding | null => {
    const chart = chartName(sys, node);
    const sends = logged.filter((l) => l.event === 'send');
    for (let k = 0; k < Math.max(sends.length, fx.sends.length); k++) {
      const l = sends[k];
      const e = fx.sends[k];
      const msg = l ? messageOf(l) : null;
      if (l && e && (l.raw.to ?? null) === e.to && messageKey(msg) === messageKey(e.msg)) continue;
      const chartSaid =
        e === undefined
          ? 'sends nothing more'
          : `sends ${messageText(e.msg as never)} to ${e.to ?? '(no route)'}`;
      if (l) {
        return { kind: 'chart', line: l, subject: chart, message: `${what}, the chart ${chartSaid}; the log sends ${messageText(msg)} to ${(l.raw.to as string | null) ?? '(no route)'}: no transition explains it` };
      }
      return { kind: 'chart', line: trigger ?? nextLineOf(node), subject: chart, message: `${what}, the chart ${chartSaid}, which the log does not show` };
    }
    if (logsDrops.has(node)) {
      const drops = logged.filter((l) => l.event === 'drop');
      for (let k = 0; k < Math.max(drops.length, fx.drops.length); k++) {
        if (drops[k] && drops[k]!.raw.reason === fx.drops[k]) continue;
        const chartSaid = fx.drops[k] === undefined ? 'drops nothing' : `drops the packet (${fx.drops[k]})`;
        return drops[k]
          ? { kind: 'chart', line: drops[k]!, subject: chart, message: `${what}, the chart ${chartSaid}; the log drops it (${String(drops[k]!.raw.reason)}): no transition explains it` }
          : { kind: 'chart', line: trigger ?? nextLineOf(node), subject: chart, message: `${what}, the chart ${chartSaid}, which the log does not show` };
      }
    }
    if (logsStates.has(node)) {
      const st = logged.filter((l) => l.event === 'state');
      for (let k = 0; k < Math.max(st.length, fx.states.length); k++) {
        const l = st[k];
        const e = fx.states[k];
        if (l && e && JSON.stringify(l.raw.state) === JSON.stringify(e.state) && (l.raw.instance as string | undefined) === e.instance) continue;
        const chartSaid = e === undefined ? 'stays where it is' : `goes to ${JSON.stringify(e.state)}${e.instance ? ` (${e.instance})` : ''}`;
        return l
          ? { kind: 'chart', line: l, subject: chart, message: `${what}, the chart ${chartSaid}; the log says ${JSON.stringify(l.raw.state)}${l.raw.instance ? ` (${String(l.raw.instance)})` : ''}: no transition explains it` }
          : { kind: 'chart', line: trigger ?? nextLineOf(node), subject: chart, message: `${what}, the chart ${chartSaid}, which the log does not show` };
      }
    }
    // Pair the chart's messages with the logged sends, for their receives.
    sends.forEach((l, k) => {
      const id = fx.sends[k]!.id;
      if (id === undefined || fx.sends[k]!.event.event !== 'send') return;
      worldIdOf.set(l, id);
      const r = p.recvOf.get(l);
      if (r) claimed.set(id, r);
      else lost++;
    });
    return null;
  };

  /**
   * Takes one step twice if the world asked a question the log answers from its future
   * (the first time with defaults, to learn which sends and timers the step makes).
   */
  const take = (world: World, move: Move, node: string | null, logged: readonly LogLine[], trigger: LogLine | null): { world: World; events: TraceEvent[] } => {
    const probe = new LogChooser(new Map(), []);
    const first = step(sys, world, move, probe, true);
    if (probe.asked.length === 0 || node === null) return first;
    // What the log says of each send: received when (delay), or never (lost on a lossy hop).
    const perLink = new Map<string, { loss: number; delay: number }[]>();
    const fx = effectsOf(first.events, node);
    const sendLines = logged.filter((l) => l.event === 'send');
    const questions = probe.asked.filter((c) => c.kind === 'loss' || c.kind === 'delay');
    let q = 0;
    fx.sends.forEach((e, k) => {
      if (e.event.event !== 'send') return;
      const link = `${node}->${e.to}`;
      let asked = false;
      if (questions[q]?.kind === 'loss' && (questions[q] as { link: string }).link === link) {
        q++;
        asked = true;
      }
      if (questions[q]?.kind === 'delay' && (questions[q] as { link: string }).link === link) {
        q++;
        asked = true;
      }
      if (!asked) return;
      const l = sendLines[k];
      const r = l ? p.recvOf.get(l) : undefined;
      const spec = sys.links[link]!;
      // The step happens at the new world's time (a delivery or a timer moves the clock);
      // a delay spike on the link adds its extra to the chosen delay.
      const extra = first.world.links[link]?.extraMs ?? 0;
      const ans = r ? { loss: 0, delay: time(r) - first.world.now - extra } : { loss: 1, delay: spec.minMs };
      let list = perLink.get(link);
      if (!list) perLink.set(link, (list = []));
      list.push(ans);
    });
    // Scan jitter: the timer fires when the node's log says (its next line of that timer).
    const jitters: number[] = [];
    const segs = segments.get(node)!;
    for (const c of probe.asked) {
      if (c.kind !== 'jitter') continue;
      const fresh = first.world.timers.filter((t) => t.id >= world.nextId && t.label === c.timer && actorNode(t.actor) === c.node);
      const t = fresh[fresh.length - 1];
      if (!t) {
        jitters.push(1);
        continue;
      }
      const flow = t.actor.includes('/') ? t.actor.slice(t.actor.indexOf('/') + 1) : undefined;
      const from = next.get(node)!;
      const line = segs.slice(from).find((s) => s.trigger.event === 'timer' && s.trigger.raw.timer === c.timer && (s.trigger.raw.instance as string | undefined) === flow && s.trigger !== trigger);
      const base = t.at - 1;
      jitters.push(line ? Math.min(Math.max(1, time(line.trigger) - base), Math.max(1, c.max)) : 1);
    }
    return step(sys, world, move, new LogChooser(perLink, jitters, fixed), true);
  };

  // The start: every node's chart at its initial state, and what it does then.
  let world: World;
  {
    // Creation sends: their delays come from the log (those the world asks about).
    const perLink = new Map<string, { loss: number; delay: number }[]>();
    for (const n of nodes) {
      for (const l of creation.get(n)!) {
        if (l.event !== 'send' || l.raw.to === null) continue;
        const link = `${n}->${String(l.raw.to)}`;
        const spec = sys.links[link];
        if (!spec || (spec.minMs === spec.maxMs && spec.loss === 0)) continue;
        const r = p.recvOf.get(l);
        let list = perLink.get(link);
        if (!list) perLink.set(link, (list = []));
        list.push(r ? { loss: 0, delay: time(r) } : { loss: 1, delay: spec.minMs });
      }
    }
    const out = createWorld(sys, new LogChooser(perLink, [], fixed), true);
    world = out.world;
    for (const n of nodes) {
      finding ??= compare(n, effectsOf(out.events, n), creation.get(n)!, null, `at its start`);
    }
    observe(null, world, out.events, null, null);
  }

  const advanceTo = (t: number, line: LogLine | null): void => {
    if (t > world.now) {
      const prev = world;
      const out = step(sys, world, { kind: 'advance', to: t }, new LogChooser(new Map(), []), true);
      world = out.world;
      observe(prev, world, out.events, { kind: 'advance', to: t }, line ? { first: line, last: line } : null);
    }
  };

  /** Is this chart timer the one a node's pending `timer` line logs? */
  const timerClaimed = (t: World['timers'][number]): boolean => {
    const node = actorNode(t.actor);
    const flow = t.actor.includes('/') ? t.actor.slice(t.actor.indexOf('/') + 1) : undefined;
    const segs = segments.get(node)!;
    for (let k = next.get(node)!; k < segs.length; k++) {
      const l = segs[k]!.trigger;
      if (time(l) > t.at) break;
      if (l.event === 'timer' && l.raw.timer === t.label && (l.raw.instance as string | undefined) === flow && time(l) === t.at) return true;
    }
    return false;
  };

  /** When each node's log ends: after it, what its chart does is replayed but not compared. */
  const logEnd = new Map<string, number>(nodes.map((n) => [n, Math.max(-Infinity, ...p.byNode.get(n)!.map(time))]));

  /** Takes every world event due before `until` (or at it, when `inclusive`) that no line claims. */
  const drain = (until: number, inclusive: boolean): Finding | null => {
    for (;;) {
      const due = nextEventTime(world);
      if (due > until || (!inclusive && due === until) || due === Infinity) return null;
      let acted = false;
      for (const mv of enabledMoves(world)) {
        if (mv.kind === 'deliver') {
          if (claimed.has(mv.id)) continue;
          const m = world.inFlight.find((x) => x.id === mv.id)!;
          // Not received by anyone: to a down node or over a down link the world drops it; after
          // the receiver's log ended it is delivered (its chart would get it); else the network lost it.
          const blocked = world.down[m.to] === true || world.links[`${m.from}->${m.to}`]?.up === false;
          const afterEnd = m.at > logEnd.get(m.to)!;
          const move: Move = blocked || afterEnd ? mv : { kind: 'drop', id: mv.id };
          const prev = world;
          const out = step(sys, world, move, new LogChooser(new Map(), []), true);
          world = out.world;
          observe(prev, world, out.events, move, null);
          acted = true;
          break;
        }
        if (mv.kind === 'fire') {
          const t = world.timers.find((x) => x.id === mv.id)!;
          if (timerClaimed(t)) continue;
          const node = actorNode(t.actor);
          const prev = world;
          const out = take(world, mv, node, [], null);
          world = out.world;
          steps++;
          observe(prev, world, out.events, mv, null);
          // After the node's last line its log has ended: nothing to compare with.
          if (t.at > logEnd.get(node)!) {
            acted = true;
            break;
          }
          silentTimers++;
          const f = compare(node, effectsOf(out.events, node), [], null, `at ${t.at} ms ${node}'s timer ${t.label}${t.actor.includes('/') ? ` (${t.actor.slice(t.actor.indexOf('/') + 1)})` : ''} fires (no line logs it) and`);
          if (f) return f;
          acted = true;
          break;
        }
      }
      if (!acted) {
        if (due < until) {
          // Something a line claims is due before that line: its line is at another time.
          const m = world.inFlight.find((x) => x.at === due && claimed.has(x.id));
          if (m) {
            const r = claimed.get(m.id)!;
            return { kind: 'causality', line: r, subject: 'causality', message: `the message arrives at ${due} ms in the replay, but ${r.node} logs it at ${time(r)} ms` };
          }
          return null;
        }
        return null;
      }
    }
  };

  // The events the nodes handled, merged in time order.
  for (;;) {
    if (finding) break;
    let pick: { node: string; seg: Segment; t: number } | null = null;
    for (const n of nodes) {
      const seg = segments.get(n)![next.get(n)!];
      if (!seg) continue;
      const t = time(seg.trigger);
      if (seg.trigger.event === 'recv') {
        const s = p.pairOf.get(seg.trigger);
        const id = s ? worldIdOf.get(s) : undefined;
        // Its send has not happened yet in the replay: not eligible yet.
        if (id === undefined || !world.inFlight.some((m) => m.id === id)) continue;
      }
      if (!pick || t < pick.t) pick = { node: n, seg, t };
    }
    // A receive whose send comes later than every eligible event: out of order.
    const stuck = nodes
      .map((n) => segments.get(n)![next.get(n)!])
      .filter((s): s is Segment => s !== undefined && s.trigger.event === 'recv' && (!pick || time(s.trigger) < pick.t))
      .find((s) => {
        const snd = p.pairOf.get(s.trigger);
        const id = snd ? worldIdOf.get(snd) : undefined;
        return id === undefined || !world.inFlight.some((m) => m.id === id);
      });
    if (stuck) {
      const snd = p.pairOf.get(stuck.trigger);
      const id = snd ? worldIdOf.get(snd) : undefined;
      const causal = !snd || id === undefined;
      finding = {
        kind: causal ? 'causality' : 'chart',
        line: stuck.trigger,
        subject: causal ? 'causality' : chartName(sys, stuck.trigger.node),
        message: !snd
          ? `${stuck.trigger.node} receives a message no log sent`
          : id === undefined
            ? `received at ${time(stuck.trigger)} ms, before its send at ${where(snd)} was replayed (${time(snd)} ms): the order of the logs is not causal`
            : `received at ${time(stuck.trigger)} ms, but the message is no longer on the wire (the replay dropped or delivered it)`,
      };
      break;
    }
    if (!pick) break;
    const { node, seg, t } = pick;
    const trig = seg.trigger;
    finding = drain(t, false);
    if (finding) break;
    const prev = world;
    let move: Move;
    let what: string;
    if (trig.event === 'recv') {
      const id = worldIdOf.get(p.pairOf.get(trig)!)!;
      const m = world.inFlight.find((x) => x.id === id)!;
      if (m.at !== t) {
        finding = { kind: 'causality', line: trig, subject: 'causality', message: `received at ${t} ms in the replay, but the message was to arrive at ${m.at} ms` };
        break;
      }
      if (world.down[node]) {
        finding = { kind: 'chart', line: trig, subject: chartName(sys, node), message: `${node} logs a receive while it is down (crashed at an earlier fault line)` };
        break;
      }
      move = { kind: 'deliver', id };
      what = `on ${messageText(m.msg)} from ${m.from} at ${t} ms`;
    } else if (trig.event === 'timer') {
      const flow = trig.raw.instance as string | undefined;
      const actor = flow === undefined ? node : `${node}/${flow}`;
      const timer = world.timers.find((x) => x.actor === actor && x.label === trig.raw.timer);
      if (!timer) {
        finding = { kind: 'chart', line: trig, subject: chartName(sys, node), message: `timer ${String(trig.raw.timer)} fires at ${t} ms, but the chart has no such timer running` };
        break;
      }
      if (timer.at !== t) {
        finding = { kind: 'chart', line: trig, subject: chartName(sys, node), message: `timer ${String(trig.raw.timer)} fires at ${t} ms, but the chart's is due at ${timer.at} ms` };
        break;
      }
      move = { kind: 'fire', id: timer.id };
      what = `when its timer ${timer.label} fires at ${t} ms`;
    } else {
      advanceTo(t, trig);
      const r = trig.raw;
      const fault = faultOfLine(trig, sys);
      move = { kind: 'fault', fault };
      what = `after its ${String(r.kind)}${r.link ? ` of ${String(r.link)}` : ''} at ${t} ms`;
    }
    const out = take(world, move, node, seg.reactions, trig);
    world = out.world;
    if (move.kind !== 'fault') steps++;
    next.set(node, next.get(node)! + 1);
    observe(prev, world, out.events, move, { first: trig, last: seg.reactions[seg.reactions.length - 1] ?? trig });
    finding = compare(node, effectsOf(out.events, node), seg.reactions, trig, `${node} ${what}`);
  }

  const lastLine = Math.max(0, ...nodes.flatMap((n) => p.byNode.get(n)!.map(time)));
  const until = Math.max(options.until ?? 0, lastLine, world.now);
  if (!finding) {
    finding = drain(until, true);
    if (!finding) advanceTo(until, null);
  }
  states = states.map((s, i) => {
    const after = finishMonitor(props[i]!, s, world, scenario, recorder);
    if (props[i]!.finish && recorder.exercised) exercisedSteps[i]!++;
    if (after.verdict.violation && !s.verdict.violation) {
      evidence.set(props[i]!.id, null);
      violations.push({ t: after.verdict.violation.t, event: 'violation', property: props[i]!.id, message: after.verdict.violation.message });
    }
    return after;
  });
  const verdicts = new Map<string, Verdict>();
  const exercised = new Map<string, number>();
  props.forEach((q, i) => {
    verdicts.set(q.id, states[i]!.verdict);
    exercised.set(q.id, exercisedSteps[i]!);
  });
  const events = mergeByTime(trace, violations);
  return { verdicts, exercised, evidence, finding, events, steps, lost, silentTimers, until };
}

