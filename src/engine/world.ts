/**
 * The world: every component's statechart snapshot, the messages in flight, the pending
 * timers, the fault state and a virtual clock (integer ms). `step(system, world, move,
 * chooser)` is a pure function that returns the next world and the trace events.
 *
 * Worlds are immutable and cheap to copy: a step copies only what it changes (structural
 * sharing), contexts are JSON, snapshots are interned (runner.ts). `worldKey` gives the
 * canonical key an exhaustive explorer hashes.
 *
 * Semantics (discrete-event):
 * - A message's delay is chosen, within its link's bounds, when it is sent; it is then
 *   delivered at `at`. Of the events due at the earliest time, the scheduler (or the
 *   chooser) picks which happens first: `enabledMoves`.
 * - `after` timers and delayed raises become world timers; `xstate.cancel` removes them,
 *   and a timer whose id is reused replaces the old one (XState itself would not reject a
 *   stale timer event). A timer label listed in a node's `timerJitterMs` fires 1..N ms
 *   after it is due (the LVS's idle scan, Δscan).
 * - A crash drops the node's statecharts (its volatile state), its timers and the messages
 *   in flight to it; messages it sent before are still on the wire (E5b). A restart
 *   re-initialises it, optionally at a new address (a fast path: a new virtual IP on the
 *   same host) or, for a fast path, on a new host (a new physical IP, the same virtual IP).
 * - A send with an inner destination (the LVS's reverse data [C7]) goes to the outer
 *   address, a fast path's physical host, and is delivered only if the node on that host
 *   owns the inner virtual address now: otherwise it is dropped as it is sent, with
 *   `no-route:<outer>` (no such host) or `no-route:<outer>:inner-mismatch:<inner>`.
 * - A link that is down, or lossy, drops what is sent on it; what is on a link when it
 *   goes down is lost then.
 */
import { NEVER_MS, type Delivered, type Message } from '../../models/protocol.js';
import type { Chooser } from './chooser.js';
import { timerLabel, type Effect, type Snap } from './runner.js';
import type { NodeSpec, System } from './system.js';
import type { TraceEvent } from './trace.js';
import { MEMO } from './memo.js';
import type { AnyFault, FaultDraft, LinkPatch, NodeMode } from '../config/faults.js';
import type { PatentEraFault } from '../config/types.js';

// Worlds, messages and timers may carry the explorer's memo (memo.ts). The step makes them
// with the slot there, empty: the memo is then a plain write, not a new shape for the object
// and a new property store. A symbol key: JSON, Object.keys and traces never see it.


export interface InFlight {
  [MEMO]?: unknown;
  readonly id: number;
  /** Delivery time. */
  readonly at: number;
  readonly sentAt: number;
  readonly from: string;
  readonly to: string;
  /** The sender's address, as the receiver sees it. */
  readonly src: string;
  readonly msg: Message;
  /** The message whose handling sent this one (null: a timer or a start). */
  readonly cause: number | null;
  /** The application packet this one carries on, hop after hop (its first message's id). */
  readonly origin: number;
  /** When that first message was sent. */
  readonly originAt: number;
  /** Who sent the message whose handling sent this one: the previous hop (e.g. "vgw"). */
  readonly causeFrom: string | null;
}

export interface Timer {
  [MEMO]?: unknown;
  readonly id: number;
  readonly at: number;
  /** "node" or "node/flow". */
  readonly actor: string;
  /** XState's id for it, e.g. "xstate.after.relayTimeout.lvs.viaFastPath" or "probe:10.1.0.2". */
  readonly name: string;
  /** Short name for traces: the `after` delay name, or the raise id. */
  readonly label: string;
  readonly event: { readonly type: string };
}

export interface LinkState {
  readonly up: boolean;
  /** Loss probability set by a fault; null = the configured one. */
  readonly loss: number | null;
  /** Extra one-way delay set by a delay spike (absent: none). */
  readonly extraMs?: number;
}

export interface World {
  [MEMO]?: unknown;
  readonly now: number;
  /** Next id for a message or a timer (one sequence: creation order). */
  readonly nextId: number;
  /** Statechart snapshots by actor: "eni", "fp1", "lvs/f1", ... */
  readonly actors: Readonly<Record<string, Snap>>;
  readonly down: Readonly<Record<string, true>>;
  /** Restarts with a new address, per node (absent = 0). */
  readonly epochs: Readonly<Record<string, number>>;
  /**
   * Restarts on a new physical host, per fast path (absent = 0). Absent unless such a
   * restart happened, so that other worlds are as before.
   */
  readonly hosts?: Readonly<Record<string, number>>;
  /** Links whose state differs from the configuration. */
  readonly links: Readonly<Record<string, LinkState>>;
  /** Sorted by (at, id). */
  readonly inFlight: readonly InFlight[];
  /** Sorted by (at, id). */
  readonly timers: readonly Timer[];
  /**
   * Nodes in a failure mode short of a crash (a gray fast path). Absent unless a fault of
   * the extended model set one, so that worlds of the patent's fault model are as before.
   */
  readonly modes?: Readonly<Record<string, NodeMode>>;
}

/**
 * The faults the explorer's menu is made of today (crash, restart, link down/up, loss). A
 * move may carry any fault of the system's vocabulary (src/config/faults.ts): `AnyFault`.
 */
export type Fault = PatentEraFault;

export type Move =
  | { kind: 'deliver'; id: number }
  | { kind: 'fire'; id: number }
  | { kind: 'drop'; id: number }
  | { kind: 'fault'; fault: AnyFault }
  | { kind: 'advance'; to: number };

export interface StepOutput {
  world: World;
  events: TraceEvent[];
}

/** Thrown when a move is not possible in a world: a bug in the caller, not in a model. */
export class MoveError extends Error {}

const NO_EVENTS: TraceEvent[] = [];
const START = { type: 'start' } as const;

export function actorKey(node: string, flow: string | null): string {
  return flow === null ? node : `${node}/${flow}`;
}

export function actorNode(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash);
}

function actorFlow(key: string): string | undefined {
  const slash = key.indexOf('/');
  return slash < 0 ? undefined : key.slice(slash + 1);
}

/** An actor key's node and flow (undefined for a per-node statechart). */
interface ActorParts {
  readonly node: string;
  readonly flow: string | undefined;
}

/**
 * The names a step looks up again and again, per system: link keys, actor keys and their
 * parts, timer labels, node addresses by epoch. Each is made once, so a step builds no string to look
 * one up by, and looks up by strings that are always the same objects (their hashes kept).
 * A memo of pure functions of an immutable system: it changes speed, never a result.
 */
class Names {
  private readonly linkKeys = new Map<string, Map<string, string>>();
  private readonly actorKeys = new Map<string, Map<string | null, string>>();
  private readonly actorParts = new Map<string, ActorParts>();
  private readonly ips = new Map<string, string[]>();
  private readonly labels = new Map<string, string>();

  constructor(private readonly sys: System) {}

  /** `${from}->${to}`, the key of links and link states. */
  link(from: string, to: string): string {
    let byTo = this.linkKeys.get(from);
    if (byTo === undefined) this.linkKeys.set(from, (byTo = new Map()));
    let key = byTo.get(to);
    if (key === undefined) byTo.set(to, (key = `${from}->${to}`));
    return key;
  }

  actorKey(node: string, flow: string | null): string {
    let byFlow = this.actorKeys.get(node);
    if (byFlow === undefined) this.actorKeys.set(node, (byFlow = new Map()));
    let key = byFlow.get(flow);
    if (key === undefined) byFlow.set(flow, (key = actorKey(node, flow)));
    return key;
  }

  parts(key: string): ActorParts {
    let parts = this.actorParts.get(key);
    if (parts === undefined) this.actorParts.set(key, (parts = { node: actorNode(key), flow: actorFlow(key) }));
    return parts;
  }

  /** `timerLabel(name)`. */
  label(name: string): string {
    let label = this.labels.get(name);
    if (label === undefined) this.labels.set(name, (label = timerLabel(name)));
    return label;
  }

  /**
   * `sys.nodes[node].ip(epoch)`, by the node's id: the step looks no node up by a name that
   * varies (such a lookup, where the JIT had seen one name only, threw its optimised code away
   * at the next name).
   */
  ip(node: string, epoch: number): string {
    let byEpoch = this.ips.get(node);
    if (byEpoch === undefined) this.ips.set(node, (byEpoch = []));
    let ip = byEpoch[epoch];
    if (ip === undefined) ip = byEpoch[epoch] = this.sys.nodes[node]!.ip(epoch);
    return ip;
  }
}

const namesBySystem = new WeakMap<System, Names>();
function namesOf(sys: System): Names {
  let names = namesBySystem.get(sys);
  if (names === undefined) namesBySystem.set(sys, (names = new Names(sys)));
  return names;
}

/** Time of the next message or timer, or Infinity when nothing is pending. */
export function nextEventTime(w: World): number {
  const m = w.inFlight[0]?.at ?? Infinity;
  const t = w.timers[0]?.at ?? Infinity;
  return m < t ? m : t;
}

/**
 * The moves the scheduler may take next: every delivery and timer due at the earliest
 * pending time, in creation order. Faults, drops and advances are offered by drivers.
 */
export function enabledMoves(w: World): Move[] {
  const at = nextEventTime(w);
  if (at === Infinity) return [];
  // Both lists are sorted by (at, id), so what is due at `at` heads each in id order: merge.
  const msgs = w.inFlight;
  const timers = w.timers;
  const out: Move[] = [];
  let i = 0;
  let j = 0;
  for (;;) {
    const m = i < msgs.length && msgs[i]!.at === at ? msgs[i]! : undefined;
    const t = j < timers.length && timers[j]!.at === at ? timers[j]! : undefined;
    if (m !== undefined && (t === undefined || m.id < t.id)) {
      out.push({ kind: 'deliver', id: m.id });
      i++;
    } else if (t !== undefined) {
      out.push({ kind: 'fire', id: t.id });
      j++;
    } else {
      return out;
    }
  }
}

/** The initial world: every per-node statechart started, client flows scheduled to start. */
export function createWorld(sys: System, chooser: Chooser, trace = true): StepOutput {
  const empty: World = {
    now: 0,
    nextId: 1,
    actors: {},
    down: {},
    epochs: {},
    links: {},
    inFlight: [],
    timers: [],
  };
  const d = new Draft(sys, empty, chooser, trace);
  for (const id of sys.nodeIds) {
    const node = sys.nodes[id]!;
    if (!node.perFlow) d.startActor(node, null);
  }
  sys.flows.forEach((flow, k) => d.startFlow(flow, sys.workload.startAtMs + k * sys.workload.startGapMs));
  return d.finish();
}

export function step(sys: System, w: World, move: Move, chooser: Chooser, trace = true): StepOutput {
  const d = new Draft(sys, w, chooser, trace);
  switch (move.kind) {
    case 'deliver':
      d.deliver(move.id);
      break;
    case 'fire':
      d.fire(move.id);
      break;
    case 'drop':
      d.dropInFlight(move.id, 'dropped');
      break;
    case 'fault':
      d.fault(move.fault);
      break;
    case 'advance':
      if (move.to < w.now || move.to > nextEventTime(w)) {
        throw new MoveError(`cannot advance from ${w.now} to ${move.to}: next event at ${nextEventTime(w)}`);
      }
      d.now = move.to;
      break;
  }
  return d.finish();
}

/**
 * A world under change: copies each part of the world the first time it is written, so
 * a step costs what it changes.
 */
class Draft implements FaultDraft {
  now: number;
  private nextId: number;
  private actors: Record<string, Snap>;
  private down: Record<string, true>;
  private epochs: Record<string, number>;
  private links: Record<string, LinkState>;
  private inFlight: InFlight[];
  private timers: Timer[];
  private modes: Readonly<Record<string, NodeMode>> | undefined;
  private hosts: Readonly<Record<string, number>> | undefined;
  /** Whether the draft owns its copy of `actors`, `inFlight`, `timers` yet. */
  private actorsCopied = false;
  private inFlightCopied = false;
  private timersCopied = false;
  private readonly events: TraceEvent[] | null;
  private readonly names: Names;

  constructor(
    private readonly sys: System,
    w: World,
    private readonly chooser: Chooser,
    trace: boolean,
  ) {
    this.now = w.now;
    this.nextId = w.nextId;
    this.actors = w.actors as Record<string, Snap>;
    this.down = w.down as Record<string, true>;
    this.epochs = w.epochs as Record<string, number>;
    this.links = w.links as Record<string, LinkState>;
    this.inFlight = w.inFlight as InFlight[];
    this.timers = w.timers as Timer[];
    this.modes = w.modes;
    this.hosts = w.hosts;
    this.events = trace ? [] : null;
    this.names = namesOf(sys);
  }

  finish(): StepOutput {
    // One literal, no spread (a spread is a slow copy in V8), the memo's slot made empty.
    const world: { -readonly [K in keyof World]: World[K] } = {
      now: this.now,
      nextId: this.nextId,
      actors: this.actors,
      down: this.down,
      epochs: this.epochs,
      links: this.links,
      inFlight: this.inFlight,
      timers: this.timers,
      [MEMO]: undefined,
    };
    // Only faults of the extended model set these: after the rest, where they always were.
    if (this.modes !== undefined) world.modes = this.modes;
    if (this.hosts !== undefined) world.hosts = this.hosts;
    return { world, events: this.events ?? NO_EVENTS };
  }

  takeId(): number {
    return this.nextId++;
  }

  // ---- copy-on-write helpers ----

  private writableActors(): Record<string, Snap> {
    if (!this.actorsCopied) {
      this.actors = { ...this.actors };
      this.actorsCopied = true;
    }
    return this.actors;
  }

  private writableInFlight(): InFlight[] {
    if (!this.inFlightCopied) {
      this.inFlight = this.inFlight.slice();
      this.inFlightCopied = true;
    }
    return this.inFlight;
  }

  private writableTimers(): Timer[] {
    if (!this.timersCopied) {
      this.timers = this.timers.slice();
      this.timersCopied = true;
    }
    return this.timers;
  }

  addTimer(t: Timer): void {
    insertSorted(this.writableTimers(), t);
  }

  // ---- moves ----

  deliver(id: number): void {
    const i = this.dueIndex(this.inFlight, id, 'message');
    const m = this.inFlight[i]!;
    this.writableInFlight().splice(i, 1);
    this.now = m.at;
    if (this.down[m.to]) return this.traceDrop(m, 'node-down');
    if (this.links[this.names.link(m.from, m.to)]?.up === false) return this.traceDrop(m, 'link-down');
    // A gray fast path answers probes and drops everything else it is given.
    if (this.modes?.[m.to] === 'gray' && (m.msg.type === 'data' || m.msg.type === 'offload')) return this.traceDrop(m, 'gray-failure');
    this.events?.push({ t: this.now, event: 'deliver', id: m.id, from: m.from, to: m.to, msg: m.msg });
    const node = this.sys.nodes[m.to]!;
    const flow = node.perFlow ? flowOf(m.msg) : null;
    if (node.perFlow && flow === null) {
      return this.traceDrop(m, 'no-flow', false);
    }
    const key = this.names.actorKey(m.to, flow);
    if (!this.actors[key]) this.startActor(node, flow);
    this.run(node, key, deliveredEvent(m.msg, m.src), m);
  }

  fire(id: number): void {
    const i = this.dueIndex(this.timers, id, 'timer');
    const t = this.timers[i]!;
    this.writableTimers().splice(i, 1);
    this.now = t.at;
    const { node, flow } = this.names.parts(t.actor);
    // Literals with each key set rather than spreads: the same JSON, built faster.
    this.events?.push(
      flow !== undefined
        ? { t: this.now, event: 'timer', node, instance: flow, timer: t.label }
        : { t: this.now, event: 'timer', node, timer: t.label },
    );
    this.run(this.sys.nodes[node]!, t.actor, t.event, null);
  }

  dropInFlight(id: number, reason: string): void {
    const i = this.inFlight.findIndex((m) => m.id === id);
    if (i < 0) throw new MoveError(`no message #${id} in flight`);
    const m = this.inFlight[i]!;
    this.writableInFlight().splice(i, 1);
    this.traceDrop(m, reason);
  }

  /** A fault of the system's vocabulary: its declaration's `apply` does it (src/config/faults.ts). */
  fault(f: AnyFault): void {
    const decl = Object.prototype.hasOwnProperty.call(this.sys.faults, f.kind) ? this.sys.faults[f.kind] : undefined;
    if (!decl) throw new MoveError(`unknown fault kind ${f.kind}`);
    this.events?.push({ t: this.now, event: 'fault', ...f } as TraceEvent);
    decl.apply(this, f);
  }

  // ---- FaultDraft: what a fault's `apply` may do ----

  setLink(link: string, patch: LinkPatch, loseInFlight = false): void {
    if (!this.sys.links[link]) throw new MoveError(`unknown link ${link}`);
    const old = this.links[link] ?? { up: true, loss: null };
    const merged = { ...old, ...patch };
    const next: LinkState =
      merged.extraMs !== undefined && merged.extraMs > 0
        ? { up: merged.up, loss: merged.loss, extraMs: merged.extraMs }
        : { up: merged.up, loss: merged.loss };
    if (next.up && next.loss === null && next.extraMs === undefined) {
      // A link as configured is left out: a new record of the others rather than `delete`
      // (which would turn it into a slow dictionary-mode object).
      const links: Record<string, LinkState> = {};
      for (const key of Object.keys(this.links)) if (key !== link) links[key] = this.links[key]!;
      this.links = links;
    } else {
      this.links = { ...this.links, [link]: next };
    }
    if (loseInFlight) this.dropOnLink(link);
  }

  setMode(node: string, mode: NodeMode | null): void {
    this.nodeSpec(node);
    if (mode === null) {
      if (this.modes?.[node] === undefined) return;
      const { [node]: _gone, ...rest } = this.modes;
      this.modes = Object.keys(rest).length > 0 ? rest : undefined;
      return;
    }
    if (this.down[node]) return; // a node that is down has no mode
    this.modes = { ...this.modes, [node]: mode };
  }

  crash(node: string): void {
    this.nodeSpec(node);
    this.setMode(node, null);
    if (this.down[node]) return;
    this.down = { ...this.down, [node]: true };
    // A new record of the others rather than `delete`: that would turn the record, and
    // every copy made of it in the worlds after, into a slow dictionary-mode object.
    const names = this.names;
    const before = this.actors;
    const keys = Object.keys(before);
    const actors: Record<string, Snap> = {};
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (names.parts(key).node !== node) actors[key] = before[key]!;
    }
    this.actors = actors;
    this.actorsCopied = true;
    // Plain loops rather than `some`/`filter` with a new closure each: a crash is rare, so
    // this code mostly runs before the JIT optimises it, where each callback costs a call.
    const timers = this.timers;
    let kept: Timer[] | null = null;
    for (let i = 0; i < timers.length; i++) {
      const t = timers[i]!;
      if (names.parts(t.actor).node === node) kept ??= timers.slice(0, i);
      else if (kept !== null) kept.push(t);
    }
    if (kept !== null) {
      this.timers = kept;
      this.timersCopied = true;
    }
    const inFlight = this.inFlight;
    let left: InFlight[] | null = null;
    for (let i = 0; i < inFlight.length; i++) {
      const m = inFlight[i]!;
      if (m.to === node) left ??= inFlight.slice(0, i);
      else if (left !== null) left.push(m);
    }
    if (left !== null) {
      this.inFlight = left;
      this.inFlightCopied = true;
      for (const m of inFlight) if (m.to === node) this.traceDrop(m, 'node-crashed');
    }
  }

  /** What is on a link when it goes down is lost, even if the link is back before it would arrive. */
  private dropOnLink(link: string): void {
    const names = this.names;
    const lost = this.inFlight.filter((m) => names.link(m.from, m.to) === link);
    if (lost.length === 0) return;
    this.inFlight = this.inFlight.filter((m) => names.link(m.from, m.to) !== link);
    this.inFlightCopied = true;
    for (const m of lost) this.traceDrop(m, 'link-down');
  }

  /**
   * Restart a node, crashed first if it was up. `newIp`: a fast path comes back at a new
   * virtual address on the same host (spec §5 "FP restart, new IP", E3); `newHost`: a fast
   * path comes back on a new physical host with the same virtual address [¶47]. Either
   * way the LVS's learned (physical, virtual) pair is stale [C7].
   */
  restart(node: string, newIp: boolean, newHost = false): void {
    const spec = this.nodeSpec(node);
    if (newHost && !spec.hostIp) throw new MoveError(`${node} has no physical host to move`);
    if (!this.down[node]) this.crash(node);
    const { [node]: _wasDown, ...down } = this.down;
    this.down = down;
    if (newIp) this.epochs = { ...this.epochs, [node]: this.epoch(node) + 1 };
    if (newHost) this.hosts = { ...this.hosts, [node]: (this.hosts?.[node] ?? 0) + 1 };
    if (!spec.perFlow) this.startActor(spec, null);
    // A restarted client starts its flows again: a fresh request each (LVS and server
    // sessions are created by the traffic that reaches them).
    if (spec.kind === 'client') for (const flow of spec.flows ?? this.sys.flows) this.startFlow(flow, this.now);
  }

  /** A client flow, started by a `start` timer at `at`. */
  startFlow(flow: string, at: number): void {
    const key = this.startActor(this.sys.nodes[this.sys.tenancy[flow]?.client ?? 'client']!, flow);
    this.addTimer({ id: this.takeId(), at, actor: key, name: 'start', label: 'start', event: START, [MEMO]: undefined });
  }

  /**
   * A node's restarts with a new address. One place looks the record up, for every node: a
   * lookup by a name that varies, where the JIT had seen one name only, throws its optimised
   * code away at the next name, and this one sees them all from the start.
   */
  private epoch(node: string): number {
    return this.epochs[node] ?? 0;
  }

  private nodeSpec(node: string): NodeSpec {
    const spec = this.sys.nodes[node];
    if (!spec) throw new MoveError(`unknown node ${node}`);
    return spec;
  }

  // ---- statecharts ----

  /** Create a statechart at its initial state, running its entry actions. */
  startActor(node: NodeSpec, flow: string | null): string {
    const key = this.names.actorKey(node.id, flow);
    const host = this.hosts?.[node.id];
    const input = host === undefined ? node.input(flow, this.epoch(node.id)) : node.input(flow, this.epoch(node.id), host);
    const { snap, effects } = node.runner.initial(input);
    this.writableActors()[key] = snap;
    this.traceState(key, snap);
    this.apply(node, key, effects, null);
    return key;
  }

  /** Step the statechart `key` of `node` (its node's spec, passed on rather than looked up again). */
  private run(node: NodeSpec, key: string, event: { type: string }, cause: InFlight | null): void {
    const before = this.actors[key];
    if (!before) throw new MoveError(`no statechart ${key}`);
    const { snap, effects } = node.runner.step(before, event);
    if (snap !== before) {
      this.writableActors()[key] = snap;
      if (snap.valueKey !== before.valueKey) this.traceState(key, snap);
    }
    this.apply(node, key, effects, cause);
  }

  private apply(node: NodeSpec, key: string, effects: readonly Effect[], cause: InFlight | null): void {
    for (const e of effects) {
      switch (e.type) {
        case 'send':
          this.send(node, e.params.to, e.params.msg, cause, e.params.innerDst);
          break;
        case 'discard':
          this.events?.push(
            cause
              ? { t: this.now, event: 'drop', from: node.id, to: null, msg: cause.msg, reason: e.params.reason, stage: 'node' }
              : { t: this.now, event: 'drop', from: node.id, to: null, reason: e.params.reason, stage: 'node' },
          );
          break;
        case 'schedule':
          this.schedule(node, key, e.id, e.delay, e.event);
          break;
        case 'cancel':
          this.cancel(key, e.id);
          break;
      }
    }
  }

  private schedule(node: NodeSpec, key: string, name: string, delay: number, event: { type: string }): void {
    const label = this.names.label(name);
    let at = this.now + delay;
    const scan = node.timerJitterMs[label];
    if (scan !== undefined) at += this.chooser.choose({ kind: 'jitter', node: node.id, timer: label, max: scan });
    this.cancel(key, name);
    // A timer armed for never (NEVER_MS, models/protocol.ts: due past any run's end, as
    // `until` is at most MAX_UNTIL_MS) is not kept: a state holding it would count down to
    // it at every step, and the explorer's space would never close (an LVS member's session
    // without a relay timeout, E7; a prior-art member). Its
    // id and its jitter choice are taken all the same, so that every other id and choice,
    // and so every trace and replay, is as before.
    if (delay >= NEVER_MS) {
      this.takeId();
      return;
    }
    this.addTimer({ id: this.takeId(), at, actor: key, name, label, event, [MEMO]: undefined });
  }

  private cancel(key: string, name: string): void {
    const timers = this.timers;
    for (let i = 0; i < timers.length; i++) {
      const t = timers[i]!;
      if (t.actor === key && t.name === name) {
        this.writableTimers().splice(i, 1);
        return;
      }
    }
  }

  // ---- network ----

  private resolve(ip: string, msg: Message): string | null {
    if (this.sys.lvsService !== undefined && ip === this.sys.lvsService.ip) return clusterMember(this.sys, this.down, flowOf(msg));
    const node = this.sys.addresses.get(ip);
    if (node !== undefined) return this.epoch(node) === 0 ? node : null;
    for (const [id, epoch] of Object.entries(this.epochs)) {
      if (this.sys.nodes[id]!.ip(epoch) === ip) return id;
    }
    return null;
  }

  /** The fast path on the physical host at `ip` now, or null. */
  private resolveHost(ip: string): string | null {
    const node = this.sys.hostAddresses.get(ip);
    if (node !== undefined) return (this.hosts?.[node] ?? 0) === 0 ? node : null;
    for (const [id, host] of Object.entries(this.hosts ?? {})) {
      if (this.sys.nodes[id]!.hostIp?.(host) === ip) return id;
    }
    return null;
  }

  /**
   * Put a message on the network. With `innerDst` [C7]: `dstIp` is the outer address, a
   * physical host's; the node on it must own the inner (virtual) address now, or the
   * message is dropped as it is sent.
   */
  private send(sender: NodeSpec, dstIp: string, msg: Message, cause: InFlight | null, innerDst?: string): void {
    const from = sender.id;
    const id = this.takeId();
    const carriesOn = cause !== null && sameDirection(cause.msg, msg);
    const origin = carriesOn ? cause.origin : id;
    const originAt = carriesOn ? cause.originAt : this.now;
    const to = innerDst === undefined ? this.resolve(dstIp, msg) : this.resolveHost(dstIp);
    if (to === null) return this.dropAtSend(id, from, null, msg, `no-route:${dstIp}`);
    if (innerDst !== undefined && this.names.ip(to, this.epoch(to)) !== innerDst) {
      return this.dropAtSend(id, from, to, msg, `no-route:${dstIp}:inner-mismatch:${innerDst}`);
    }
    const link = this.sys.links[this.names.link(from, to)];
    if (!link) return this.dropAtSend(id, from, to, msg, 'no-link');
    const state = this.links[link.id];
    if (state?.up === false) return this.dropAtSend(id, from, to, msg, 'link-down');
    const loss = state?.loss ?? link.loss;
    if (loss > 0 && this.chooser.choose({ kind: 'loss', link: link.id, probability: loss }) === 1) {
      return this.dropAtSend(id, from, to, msg, 'loss');
    }
    const delay =
      (link.minMs === link.maxMs
        ? link.minMs
        : this.chooser.choose({ kind: 'delay', link: link.id, min: link.minMs, max: link.maxMs })) + (state?.extraMs ?? 0);
    const src = this.names.ip(from, this.epoch(from));
    const m: InFlight = {
      id,
      at: this.now + delay,
      sentAt: this.now,
      from,
      to,
      src,
      msg,
      cause: cause?.id ?? null,
      origin,
      originAt,
      causeFrom: cause?.from ?? null,
      [MEMO]: undefined,
    };
    insertSorted(this.writableInFlight(), m);
    this.events?.push(
      innerDst === undefined
        ? { t: this.now, event: 'send', id, from, to, msg, arrives: m.at, cause: m.cause, origin }
        : { t: this.now, event: 'send', id, from, to, msg, arrives: m.at, cause: m.cause, origin, innerDst },
    );
  }

  private dropAtSend(id: number, from: string, to: string | null, msg: Message, reason: string): void {
    this.events?.push({ t: this.now, event: 'drop', id, from, to, msg, reason, stage: 'send' });
  }

  // ---- trace ----

  private traceDrop(m: InFlight, reason: string, withId = true): void {
    this.events?.push(
      withId
        ? { t: this.now, event: 'drop', id: m.id, from: m.from, to: m.to, msg: m.msg, reason, stage: 'transit' }
        : { t: this.now, event: 'drop', from: m.from, to: m.to, msg: m.msg, reason, stage: 'transit' },
    );
  }

  private traceState(key: string, snap: Snap): void {
    if (!this.events) return;
    const { node, flow } = this.names.parts(key);
    this.events.push(
      flow !== undefined
        ? { t: this.now, event: 'state', node, instance: flow, state: snap.xs.value }
        : { t: this.now, event: 'state', node, state: snap.xs.value },
    );
  }

  /** The index in `list` of the item `id`, which must be due next. */
  private dueIndex(list: readonly { id: number; at: number }[], id: number, what: string): number {
    let i = 0;
    while (i < list.length && list[i]!.id !== id) i++;
    if (i === list.length) throw new MoveError(`no ${what} #${id}`);
    const item = list[i]!;
    const due = Math.min(this.inFlight[0]?.at ?? Infinity, this.timers[0]?.at ?? Infinity);
    if (item.at !== due) throw new MoveError(`${what} #${id} is due at ${item.at}, not next (${due})`);
    return i;
  }
}

/** Does `next` carry the same application packet on (a forward, a miss, an offload)? */
function sameDirection(prev: Message, next: Message): boolean {
  return (
    (prev.type === 'data' || prev.type === 'offload') &&
    (next.type === 'data' || next.type === 'offload') &&
    prev.dir === next.dir
  );
}

// Statecharts treat events as immutable, so one event object per (message, sender) is
// shared by every delivery of it: the runner's caches then recognise it by identity.
const deliveredEvents = new WeakMap<Message, Map<string, Delivered>>();
function deliveredEvent(msg: Message, src: string): Delivered {
  let bySrc = deliveredEvents.get(msg);
  if (!bySrc) {
    bySrc = new Map();
    deliveredEvents.set(msg, bySrc);
  }
  let event = bySrc.get(src);
  if (!event) {
    event = { ...msg, src };
    bySrc.set(src, event);
  }
  return event;
}

function flowOf(msg: Message): string | null {
  return msg.type === 'data' || msg.type === 'offload' || msg.type === 'sync' ? msg.flow : null;
}

/**
 * The LVS cluster member the upstream ECMP gives a flow now [¶37]: of the members that are
 * up (keepalived's view; INF: it sees a crash at once), the one with the highest hash of
 * (flow, member), rendezvous hashing. It is deterministic, both directions of a flow
 * (fast path -> LVS and server -> LVS) meet at the same member, a dead member's flows
 * spread over the survivors and no other flow moves; a member that comes back takes its
 * flows back. Null: no member is up (or a message of no flow).
 */
export function clusterMember(sys: System, down: Readonly<Record<string, true>>, flow: string | null): string | null {
  const service = sys.lvsService;
  if (!service || flow === null) return null;
  return rendezvousPick(flow, service.members.filter((m) => !down[m]));
}

/** Rendezvous hashing: of `members`, the one with the highest hash of (flow, member); null for none. */
export function rendezvousPick(flow: string, members: readonly string[]): string | null {
  let best: string | null = null;
  let bestHash = -1;
  for (const m of members) {
    const h = fnv1a(`${flow}|${m}`);
    if (h > bestHash) {
      best = m;
      bestHash = h;
    }
  }
  return best;
}

/** 32-bit FNV-1a of a string: a fixed hash, the same on every platform and run. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Insert keeping (at, id) order; ids only grow, so a new item goes after equal times. */
function insertSorted<T extends { at: number; id: number }>(list: T[], item: T): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = list[mid]!;
    if (x.at < item.at || (x.at === item.at && x.id < item.id)) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, item);
}
