/**
 * What properties look for in a step, named once: forward arrivals at the LVS, reverse
 * deliveries at the client (and the hop that brought them), sends to the VGW, faults,
 * and whether the components a property needs are healthy.
 */
import type { Config, Scenario } from '../config/types.js';
import type { FaultModel } from '../config/faults.js';
import type { DataMsg, Message } from '../../models/protocol.js';
import type { EniContext } from '../../models/eni.js';
import { fastPathIds, lvsIds, type NodeKind, type System } from '../engine/system.js';
import { clusterMember } from '../engine/world.js';
import { clientCount, clientIds, eniIds } from '../config/topology.js';
import { isLvsMember, roleOf } from '../config/faults.js';
import type { DeliverEvent, FaultEvent } from '../engine/trace.js';
import { actorNode, type InFlight, type World } from '../engine/world.js';
import type { Snap } from '../engine/runner.js';
import { memoOf, setMemo, type Memoised } from '../engine/memo.js';
import type { Observation } from './property.js';

/** Is this node id a fast path's ("fp1", "fp2", ...)? Node ids are the contract's (model-contract.md); `nodeKind` asks the run's system. */
export function isFastPath(node: string): boolean {
  return node.length > 2 && node.charCodeAt(0) === 102 /* f */ && node.charCodeAt(1) === 112 /* p */ && /^fp\d+$/.test(node);
}

/** The kind of a node of this run ("fp2" -> "fp", "lvs" -> "lvs"), or undefined for an id that names no node. */
export function nodeKind(obs: Observation, node: string): NodeKind | undefined {
  return obs.sys.nodes[node]?.kind;
}

/** Is this node an LVS: the single `lvs` or a cluster member (by the node's kind in the system)? */
export function isLvs(sys: System, node: string | null | undefined): boolean {
  return node !== null && node !== undefined && sys.nodes[node]?.kind === 'lvs';
}

/**
 * The message this step delivered to a statechart, as it was in flight (with its causal
 * metadata); null if the step delivered nothing or the message was dropped on arrival.
 */
export function delivered(obs: Observation): InFlight | null {
  return facts(obs).delivered;
}

export function deliveries(obs: Observation): DeliverEvent[] {
  return facts(obs).deliveries;
}

export function faultsOf(obs: Observation): FaultEvent[] {
  return facts(obs).faults;
}

/** What every property asks of a step, worked out once per step. */
interface Facts {
  delivered: InFlight | null;
  deliveries: DeliverEvent[];
  faults: FaultEvent[];
  changed: ActorChange[] | null;
  sends: Send[] | null;
  toVgw: DataMsg[] | null;
  sessionLost: boolean | null;
  failovers: readonly MemberFailover[] | null;
  /** The ENI's change (eniChange), once asked: undefined before. */
  eni: EniChange | null | undefined;
  /** Every chart change (chartChanges), once asked. */
  charts: readonly ChartChange[] | null;
  /**
   * What `derived` worked out: pairs of a deriving function and its value (a list, not a
   * map: an observation meets one or two of them, and it is kept as long as the observation).
   */
  derived: unknown[] | null;
}

/**
 * A statechart as a property reads it: which actor (a node's chart, "eni", or a node's
 * per-flow chart, "lvs/f1"), its state value and its context.
 */
export interface ChartState<C = Readonly<Record<string, unknown>>> {
  readonly actor: string;
  readonly node: string;
  /** The node's kind ("fp" for fp1, fp2...). */
  readonly kind: NodeKind;
  /** The flow of a per-flow chart ("lvs/f1" -> "f1"), else null. */
  readonly flow: string | null;
  /** The state value, as XState gives it ("idle", or { serving: "viaVgw" }). */
  readonly value: unknown;
  readonly context: C;
}

/** A statechart this step changed: started (no `before`), ended by a crash (no `after`), or stepped. */
export interface ChartChange<C = Readonly<Record<string, unknown>>> {
  readonly actor: string;
  readonly node: string;
  readonly kind: NodeKind;
  readonly flow: string | null;
  readonly before: ChartState<C> | undefined;
  readonly after: ChartState<C> | undefined;
}

function chartState<C>(obs: Observation, actor: string, snap: Snap | undefined): ChartState<C> | undefined {
  if (!snap) return undefined;
  const node = actorNode(actor);
  const slash = actor.indexOf('/');
  return chartStateOf(actor, node, obs.sys.nodes[node]!.kind, slash < 0 ? null : actor.slice(slash + 1), snap);
}

function chartStateOf<C>(actor: string, node: string, kind: NodeKind, flow: string | null, snap: Snap | undefined): ChartState<C> | undefined {
  return snap ? { actor, node, kind, flow, value: snap.xs.value, context: snap.xs.context as C } : undefined;
}

/**
 * A statechart's state after this step (`when` "after", the default) or before it: the
 * chart of a node ("eni") or of a node's flow ("lvs/f1"); undefined when it is not running.
 */
export function chartOf<C = Readonly<Record<string, unknown>>>(obs: Observation, actor: string, when: 'before' | 'after' = 'after'): ChartState<C> | undefined {
  const world = when === 'after' ? obs.world : obs.prev;
  return world ? chartState<C>(obs, actor, world.actors[actor]) : undefined;
}

/**
 * The statecharts this step changed (of a node kind, when given), in the world's actor
 * order. On the run's first observation every chart counts as started.
 */
export function chartChanges<C = Readonly<Record<string, unknown>>>(obs: Observation, kind?: NodeKind): readonly ChartChange<C>[] {
  const f = facts(obs);
  const all = (f.charts ??= chartChangesNow(obs)) as readonly ChartChange<C>[];
  return kind === undefined ? all : all.filter((c) => c.kind === kind);
}

function chartChangesNow(obs: Observation): ChartChange[] {
  const out: ChartChange[] = [];
  for (const c of changedActors(obs)) {
    const node = actorNode(c.key);
    const kind = obs.sys.nodes[node]!.kind;
    const slash = c.key.indexOf('/');
    const flow = slash < 0 ? null : c.key.slice(slash + 1);
    // The actor's node, kind and flow worked out once, for the change and both its states.
    out.push({ actor: c.key, node, kind, flow, before: chartStateOf(c.key, node, kind, flow, c.before), after: chartStateOf(c.key, node, kind, flow, c.after) });
  }
  return out;
}

/**
 * A message's JSON, what a text search of it reads (privacy.ts): a message does not change
 * once sent, and the same message objects come in many steps (a model's cached step sends
 * the same ones). A memo of a pure function, keyed weakly, as stringsIn's.
 */
export function messageJson(msg: Message): string {
  let json = messageJsons.get(msg);
  if (json === undefined) messageJsons.set(msg, (json = JSON.stringify(msg)));
  return json;
}
const messageJsons = new WeakMap<Message, string>();

/**
 * Every string a chart's state holds, at any depth: state names, context values and the
 * keys of its maps (what a text search of the snapshot's JSON would find, quoted).
 */
export function stringsIn(chart: ChartState<unknown>): ReadonlySet<string> {
  const context = chart.context;
  if (context === null || typeof context !== 'object') return stringsInNow(chart);
  const known = stringsOf.get(context);
  if (known !== undefined && known.value === chart.value) return known.strings;
  const strings = stringsInNow(chart);
  stringsOf.set(context, { value: chart.value, strings });
  return strings;
}

/**
 * stringsIn by context object (and state value): a snapshot's context does not change once
 * made, and the same snapshots come in many steps. A memo of a pure function, keyed weakly.
 */
const stringsOf = new WeakMap<object, { value: unknown; strings: ReadonlySet<string> }>();

function stringsInNow(chart: ChartState<unknown>): ReadonlySet<string> {
  const out = new Set<string>();
  const walk = (x: unknown): void => {
    if (typeof x === 'string') out.add(x);
    else if (Array.isArray(x)) for (const y of x) walk(y);
    else if (x !== null && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if (v === undefined || typeof v === 'function') continue;
        out.add(k);
        walk(v);
      }
    }
  };
  walk(chart.value);
  walk(chart.context);
  return out;
}

/** A statechart whose snapshot this step replaced (started: no `before`; crashed: no `after`). */
interface ActorChange {
  key: string;
  before: Snap | undefined;
  after: Snap | undefined;
}

/** The statecharts this step changed, in the world's actor order. */
function changedActors(obs: Observation): ActorChange[] {
  const f = facts(obs);
  if (f.changed) return f.changed;
  const changed: ActorChange[] = [];
  const before = obs.prev?.actors;
  const after = obs.world.actors;
  if (before !== after) {
    for (const key in after) {
      const was = before?.[key];
      if (was !== after[key]) changed.push({ key, before: was, after: after[key] });
    }
    if (before) for (const key in before) if (!(key in after)) changed.push({ key, before: before[key], after: undefined });
  }
  return (f.changed = changed);
}

const NONE: never[] = [];
/** Facts live on the observation they are about (memo.ts), owner-tagged like every memo. */
function facts(obs: Observation): Facts {
  const f = memoOf<Facts & { owner: object }>(obs as Memoised);
  if (f) return f;
  let deliveriesList: DeliverEvent[] = NONE;
  let faults: FaultEvent[] = NONE;
  for (const e of obs.events) {
    if (e.event === 'deliver') (deliveriesList === NONE ? (deliveriesList = []) : deliveriesList).push(e);
    else if (e.event === 'fault') (faults === NONE ? (faults = []) : faults).push(e);
  }
  let message: InFlight | null = null;
  if (obs.move?.kind === 'deliver' && obs.prev) {
    const id = obs.move.id;
    if (withId(deliveriesList, id) !== null) message = withId(obs.prev.inFlight, id);
  }
  return setMemo(obs as Memoised, { delivered: message, deliveries: deliveriesList, faults, changed: null, sends: null, toVgw: null, sessionLost: null, failovers: null, eni: undefined, charts: null, derived: null, owner: obs });
}

/** The item of a list with this id, or null (a loop: `find` would make a closure per call). */
function withId<T extends { readonly id?: number }>(list: readonly T[], id: number): T | null {
  for (const x of list) if (x.id === id) return x;
  return null;
}

/**
 * What a pure function of an observation (`derive`) gives for this one, worked out once per
 * observation: the explorer steps every monitor state that takes a world move on the same
 * observation object, and those states ask it the same (chartMonitor.ts, its `observe`).
 */
export function derived<T>(obs: Observation, derive: (obs: Observation) => T): T {
  const f = facts(obs);
  const known = f.derived;
  if (known !== null) for (let i = 0; i < known.length; i += 2) if (known[i] === derive) return known[i + 1] as T;
  const value = derive(obs);
  // Read again: a deriving function may itself have asked `derived` and started the list.
  if (f.derived === null) f.derived = [derive, value];
  else f.derived.push(derive, value);
  return value;
}

/** A forward data packet arriving at the LVS from a fast path. */
export function forwardAtLvs(obs: Observation): DataMsg | null {
  const m = delivered(obs);
  if (!m || m.msg.type !== 'data' || m.msg.dir !== 'fwd' || !isLvs(obs.sys, m.to)) return null;
  return m.msg;
}

export interface ReverseAtClient {
  flow: string;
  /** The hop before the ENI: "vgw" or a fast path. */
  via: string;
  /** When the server sent the packet. */
  originAt: number;
}

/** Reverse data reaching the client through the ENI. */
export function reverseAtClient(obs: Observation): ReverseAtClient | null {
  const m = delivered(obs);
  if (!m || obs.sys.nodes[m.to]?.kind !== 'client' || m.msg.type !== 'data' || m.msg.dir !== 'rev') return null;
  return { flow: m.msg.flow, via: m.causeFrom ?? '?', originAt: m.originAt };
}

/** What nodes put on the wire in this step: sent messages, and those lost as they were sent. */
export function sendsOf(obs: Observation): readonly Send[] {
  const f = facts(obs);
  if (f.sends) return f.sends;
  let out: Send[] = NONE;
  for (const e of obs.events) {
    if (e.event === 'send') (out === NONE ? (out = []) : out).push(e);
    else if (e.event === 'drop' && e.stage === 'send' && e.msg) (out === NONE ? (out = []) : out).push({ ...e, msg: e.msg });
  }
  return (f.sends = out);
}

export interface Send {
  from: string;
  to: string | null;
  msg: Message;
  t: number;
}

/** Reverse data the LVS put on its way to the VGW this step (sent, or lost at once). */
export function sentToVgw(obs: Observation): readonly DataMsg[] {
  const f = facts(obs);
  if (f.toVgw) return f.toVgw;
  let out: DataMsg[] = NONE;
  for (const e of sendsOf(obs)) if (e.to === 'vgw' && e.msg.type === 'data' && isLvs(obs.sys, e.from)) (out === NONE ? (out = []) : out).push(e.msg);
  return (f.toVgw = out);
}

// ---- Health: which components a bounded-response property needs --------------------

function linkHealthy(world: World, config: Config, id: string): boolean {
  const state = world.links[id];
  if (state?.up === false) return false;
  // A delay spike: the deadlines count the configured delays (src/sim/bounds.ts).
  if (state?.extraMs !== undefined && state.extraMs > 0) return false;
  const loss = state?.loss ?? config.links[id]?.loss ?? config.loss;
  return loss === 0;
}

function nodesUp(world: World, nodes: readonly string[]): boolean {
  return nodes.every((n) => !world.down[n]);
}

interface ClientSide {
  nodes: string[];
  detourLinks: string[];
  requestLinks: string[];
  enis: string[];
}
const clientSides = new Map<number, ClientSide>();
/** The client-side nodes and links of a configuration: `client`/`eni`, or each of `client1`/`eni1` … (several clients). */
function clientSide(config: Config): ClientSide {
  const k = clientCount(config);
  let side = clientSides.get(k);
  if (!side) {
    const cs = clientIds(k);
    const es = eniIds(k);
    side = {
      nodes: [...es, ...cs],
      detourLinks: es.flatMap((e, i) => [`vgw->${e}`, `${e}->${cs[i]}`]),
      requestLinks: cs.map((c, i) => `${c}->${es[i]}`),
      enis: es,
    };
    clientSides.set(k, side);
  }
  return side;
}

/** The LVS node ids of a configuration: `lvs`, or the cluster's members. */
function lvsNodesOf(config: Config): readonly string[] {
  return lvsIds(config.lvsMembers);
}

/**
 * The nodes and links the health checks below read, per configuration (a configuration
 * does not change once built: a memo of a pure function, keyed weakly, as bounds.ts's).
 */
interface HealthPlan {
  side: ClientSide;
  /** Per LVS node: its links to the server and the VGW. */
  lvs: readonly { id: string; links: readonly string[] }[];
  /** The client's links to its ENI, and control's to the slow path. */
  requestLinks: readonly string[];
  /**
   * A fast path's links: to and from each ENI and the slow path, and per LVS node (in
   * `lvs` order) to and from it, which count while that node is up.
   */
  fps: readonly { id: string; links: readonly string[]; lvsLinks: readonly (readonly string[])[] }[];
}
const healthPlans = new WeakMap<Config, HealthPlan>();
function healthPlan(config: Config): HealthPlan {
  let plan = healthPlans.get(config);
  if (!plan) {
    const side = clientSide(config);
    const lvs = lvsNodesOf(config);
    plan = {
      side,
      lvs: lvs.map((id) => ({ id, links: [`server->${id}`, `${id}->vgw`] })),
      requestLinks: [...side.requestLinks, 'control->sp'],
      fps: fastPathIds(config.fastPaths).map((fp) => ({
        id: fp,
        links: [...side.enis.flatMap((e) => [`${e}->${fp}`, `${fp}->${e}`]), `${fp}->sp`, `sp->${fp}`],
        lvsLinks: lvs.map((l) => [`${fp}->${l}`, `${l}->${fp}`]),
      })),
    };
    healthPlans.set(config, plan);
  }
  return plan;
}

function linksHealthy(world: World, config: Config, ids: readonly string[]): boolean {
  for (const id of ids) if (!linkHealthy(world, config, id)) return false;
  return true;
}

/** Are a fast path's links healthy: to and from each ENI, the slow path, and each LVS node that is up? */
function fastPathLinksHealthy(world: World, config: Config, plan: HealthPlan, fp: HealthPlan['fps'][number]): boolean {
  if (!linksHealthy(world, config, fp.links)) return false;
  for (let i = 0; i < plan.lvs.length; i++) {
    if (!world.down[plan.lvs[i]!.id] && !linksHealthy(world, config, fp.lvsLinks[i]!)) return false;
  }
  return true;
}

/**
 * What the health checks found of one world, under one configuration: a world does not
 * change once built, and monitors ask of the same one again and again (every monitor
 * state that takes a move, several properties). A memo of pure functions, keyed weakly.
 */
interface WorldHealth {
  config: Config;
  detour?: boolean;
  failover?: boolean;
  spec?: boolean;
}
const worldHealth = new WeakMap<World, WorldHealth>();
function healthOf(world: World, config: Config): WorldHealth {
  let h = worldHealth.get(world);
  if (h === undefined || h.config !== config) worldHealth.set(world, (h = { config }));
  return h;
}

/**
 * L1 needs the reverse detour: LVS, VGW, every ENI and client, server and the links between
 * them. With an LVS cluster: at least one member up, and every member that is up with its
 * links to the server and the VGW (the ECMP may give the flow to any of them).
 */
export function reverseDetourHealthy(world: World, config: Config): boolean {
  const h = healthOf(world, config);
  return (h.detour ??= reverseDetourHealthyNow(world, config));
}

function reverseDetourHealthyNow(world: World, config: Config): boolean {
  const plan = healthPlan(config);
  let up = 0;
  for (const lvs of plan.lvs) if (!world.down[lvs.id]) up++;
  if (up === 0 || world.down['vgw'] || world.down['server'] || !nodesUp(world, plan.side.nodes)) return false;
  for (const lvs of plan.lvs) if (!world.down[lvs.id] && !linksHealthy(world, config, lvs.links)) return false;
  return linksHealthy(world, config, plan.side.detourLinks);
}

/**
 * L2/L3 need, besides the detour: the slow path and PVL-Control with their links, the
 * client's link to the ENI, and the patent's fault model for fast paths (spec §5: "FP host
 * crash", "FP restart, new IP: as crash"): at most one fast path failed, and failed by a
 * crash (or a restart at a new address, which makes the ENI's and the LVS's address for
 * it stale). A fast path link that is cut or lossy is outside that model: a reverse-only
 * failure hides from the ENI's forward probe (E2), a forward-only one never makes the
 * client hang, so no new request triggers a probe (see docs/findings.md).
 */
export function failoverHealthy(world: World, config: Config, model: FaultModel = 'patent'): boolean {
  return model === 'extended' ? specHealthy(world, config) : failoverHealthyNow(world, config);
}

function failoverHealthyNow(world: World, config: Config): boolean {
  const h = healthOf(world, config);
  return (h.failover ??= patentHealthy(world, config));
}

function patentHealthy(world: World, config: Config): boolean {
  if (!reverseDetourHealthy(world, config)) return false;
  if (world.down['sp'] || world.down['control']) return false;
  const plan = healthPlan(config);
  if (!linksHealthy(world, config, plan.requestLinks)) return false;
  let failed = 0;
  for (const fp of plan.fps) {
    if (!fastPathLinksHealthy(world, config, plan, fp)) return false;
    // A gray fast path (extended model) hides from the probe, as a cut link does.
    if (world.modes?.[fp.id] !== undefined) return false;
    if (world.down[fp.id] || (world.epochs[fp.id] ?? 0) > 0) failed++;
  }
  return failed <= 1 && failed < config.fastPaths;
}

/**
 * The spec's own preconditions of L2 and L3 (§6: "≥1 FP_j healthy both ways; SP, VGW,
 * PVL-Control up"), what the extended fault model keeps of the patent's: the VGW detour,
 * the slow path and control with their links, the client's link to the ENI, and at least
 * one fast path up, not gray, with all six of its links up, lossless and without a spike.
 * How many others failed, and how (a cut in one direction, a gray failure, a second
 * crash), is no longer a precondition: that is what the extended model searches.
 */
export function specHealthy(world: World, config: Config): boolean {
  const h = healthOf(world, config);
  return (h.spec ??= specHealthyNow(world, config));
}

function specHealthyNow(world: World, config: Config): boolean {
  if (!reverseDetourHealthy(world, config)) return false;
  if (world.down['sp'] || world.down['control']) return false;
  const plan = healthPlan(config);
  if (!linksHealthy(world, config, plan.requestLinks)) return false;
  return plan.fps.some((fp) => !world.down[fp.id] && world.modes?.[fp.id] === undefined && fastPathLinksHealthy(world, config, plan, fp));
}

/**
 * The nodes that hold a session's state: the client, the ENI (flow to member, members
 * believed down), the LVS (learned path, VGW-IP, relay timeout) and the server. The patent
 * assumes they keep it (LVS session sync [¶38] is not modelled, E7): a crash or restart of
 * one of them ends the recovery properties' obligations for the rest of the run.
 */
/** Drop reasons of a packet lost to a failure on its way (a cut link, a down or crashing node), not refused by a node. */
export const LOST_TO_FAILURE: readonly string[] = ['link-down', 'node-down', 'node-crashed'];

export const SESSION_NODES: readonly string[] = ['client', 'eni', 'lvs', 'server'];

/**
 * Under the extended fault model the LVS is not assumed to keep its sessions: its restart
 * is a fault like another (E7, the `lvs-restart` finding); while it is down the VGW
 * detour is broken, which voids the obligations anyway.
 */
const EXTENDED_SESSION_NODES: readonly string[] = ['client', 'eni', 'server'];

/**
 * Did this step crash or restart a node that holds session state (that the run's fault
 * model assumes kept)? With an LVS cluster, under the patent's fault model, a member
 * crash or restart loses session state only for a flow the ECMP moved to a member that
 * cannot carry it on (memberFailovers: no session synced with the VGW extras, E7): the
 * patent assumes the cluster's sync [¶38] and leaves its content open.
 */
export function sessionStateLost(obs: Observation): boolean {
  const f = facts(obs);
  return (f.sessionLost ??= sessionStateLostNow(obs));
}

function sessionStateLostNow(obs: Observation): boolean {
  const extended = obs.scenario.faultModel === 'extended';
  const nodes = extended ? EXTENDED_SESSION_NODES : SESSION_NODES;
  if (faultsOf(obs).some((f) => (f.kind === 'crash' || f.kind === 'restart') && f.node !== undefined && nodes.includes(sessionRole(f.node)))) return true;
  return !extended && memberFailovers(obs).some((m) => !m.ready);
}

/**
 * The role a node holds sessions in: `client1` … and `eni1` … as `client` and `eni`; an LVS
 * cluster member stays itself (its sessions are the cluster's, memberFailovers).
 */
function sessionRole(node: string): string {
  return isLvsMember(node) ? node : roleOf(node);
}

/** A flow this step's faults moved from one LVS cluster member to another (or to none). */
export interface MemberFailover {
  flow: string;
  from: string | null;
  to: string | null;
  /**
   * Can the member that has the flow now carry it on after a fault: it serves the session
   * already, or holds a backup synced with the VGW-IP and relay timeout (the fallback's
   * needs, E7), or the member it left had no session for it yet (nothing to carry on)?
   */
  ready: boolean;
}

interface MemberSession {
  vgwIp: string | null;
  relayTimeoutMs: number | null;
}

const NO_FAILOVERS: readonly MemberFailover[] = [];

/** The flows whose LVS cluster member this step changed (a member crashed or came back); none without a cluster. */
export function memberFailovers(obs: Observation): readonly MemberFailover[] {
  const f = facts(obs);
  return (f.failovers ??= memberFailoversNow(obs));
}

function memberFailoversNow(obs: Observation): readonly MemberFailover[] {
  const { sys, prev, world } = obs;
  if (!sys.lvsService || !prev) return NO_FAILOVERS;
  // A member crashed or restarted in this step: a restart of a member that was up keeps
  // its flows (the ECMP sees it live before and after) but not their sessions.
  const hit = faultsOf(obs).filter((f) => (f.kind === 'crash' || f.kind === 'restart') && f.node !== undefined).map((f) => f.node!);
  if (hit.length === 0 && prev.down === world.down) return NO_FAILOVERS;
  let out: MemberFailover[] | null = null;
  for (const flow of sys.flows) {
    const from = clusterMember(sys, prev.down, flow);
    const to = clusterMember(sys, world.down, flow);
    if (from === to && (from === null || !hit.includes(from))) continue;
    const had = from !== null && sessionStateOf(prev.actors[`${from}/${flow}`]) !== 'none';
    const now = to === null ? 'none' : sessionStateOf(world.actors[`${to}/${flow}`]);
    const ready = !had || now === 'serving' || now === 'fallback-ready';
    (out ??= []).push({ flow, from, to, ready });
  }
  return out ?? NO_FAILOVERS;
}

/** What an LVS member's per-flow chart holds: nothing, a session it serves, a backup ready for the fallback, or a backup without it. */
function sessionStateOf(snap: Snap | undefined): 'none' | 'serving' | 'fallback-ready' | 'backup' {
  if (!snap) return 'none';
  const value = snap.xs.value as { session?: string } | string;
  const session = typeof value === 'string' ? value : value.session;
  if (session === undefined || session === 'noSession') return 'none';
  if (session === 'viaFastPath' || session === 'viaVgw') return 'serving';
  const c = snap.xs.context as MemberSession;
  return c.vgwIp !== null && c.relayTimeoutMs !== null ? 'fallback-ready' : 'backup';
}

/**
 * The client reacts to VGW data with a new request only if it has hung by then: its hang
 * timeout plus the longest gap between its acks must end before the relay timeout does.
 * With no acks at all (a silent sink, E6) the LVS uses the VGW on healthy paths (E10) and
 * no request ever comes.
 */
export function clientReacts(config: Config, w: { ackEvery: number; hangTimeoutMs: number; streamIntervalMs: number }): boolean {
  if (w.ackEvery <= 0) return false;
  const slack = 10 * config.linkDelayMs[1] + config.scanMs;
  return w.hangTimeoutMs + w.ackEvery * w.streamIntervalMs + slack < config.relayTimeoutMs;
}

/**
 * The ENI's probe timeout must outlast a probe's round trip (ENI → fast path → ENI): a
 * shorter one declares healthy fast paths down, and a flow moved onto a dead one never
 * comes back (docs/findings.md).
 */
export function probeOutlastsRoundTrip(config: Config): boolean {
  let rtt = 0;
  for (const fp of fastPathIds(config.fastPaths)) {
    const d = (id: string) => (config.links[id]?.delayMs ?? config.linkDelayMs)[1];
    rtt = Math.max(rtt, d(`eni->${fp}`) + d(`${fp}->eni`));
  }
  return config.probeTimeoutMs > rtt;
}

/**
 * L2's and L3's static preconditions: valid tenant ids, a client that reacts, a probe that
 * outlasts its round trip.
 */
export function failoverApplicable(s: Scenario): boolean {
  let byWorkload = applicableOf.get(s.config);
  if (byWorkload === undefined) applicableOf.set(s.config, (byWorkload = new WeakMap()));
  let a = byWorkload.get(s.workload);
  if (a === undefined) {
    const reacts = tenantIdsValid(s.config, s.workload) && clientReacts(s.config, s.workload);
    byWorkload.set(s.workload, (a = { patent: reacts && probeOutlastsRoundTrip(s.config), extended: reacts }));
  }
  // Under the extended model a probe timeout at or below the round trip is searched, not assumed away.
  return s.faultModel === 'extended' ? a.extended : a.patent;
}

/**
 * failoverApplicable per configuration and workload, under each fault model: monitors ask
 * at every step they see, and neither changes once built (a memo of a pure function, keyed
 * weakly, as bounds.ts's).
 */
const applicableOf = new WeakMap<Config, WeakMap<Scenario['workload'], { patent: boolean; extended: boolean }>>();

/**
 * Do the workload's tenant ids pass the slow path's check, for every client? Each client's
 * flows carry its tenant's CVNI and VNI (the workload's cvni/vni override them: a spoof),
 * and they must be one tenant entry's pair [¶72, ¶75]. Without it there is no service.
 */
export function tenantIdsValid(config: Config, w: { cvni: number | null; vni: number | null }): boolean {
  for (const c of config.clients ?? [{ tenant: 0 }]) {
    const t = config.tenants[c.tenant];
    const cvni = w.cvni ?? t?.cvni;
    const vni = w.vni ?? t?.vni;
    if (!config.tenants.some((x) => x.cvni === cvni && x.vni === vni)) return false;
  }
  return true;
}

export interface EniChange {
  was: EniContext;
  now: EniContext;
  /** Members the ENI stopped believing live in this step. */
  removed: string[];
  /** Flows that left a fast path in this step: flow -> [from, to]. */
  moved: [string, string, string | null][];
}

/** How an ENI's view changed in this step (the first that changed, of several clients' ENIs), or null when none did. */
export function eniChange(obs: Observation): EniChange | null {
  const f = facts(obs);
  if (f.eni === undefined) f.eni = eniChangeNow(obs);
  return f.eni;
}

function eniChangeNow(obs: Observation): EniChange | null {
  const clients = obs.sys.clients;
  if (clients.length === 1) return eniChangeOf(obs, clients[0]!.eni);
  for (const c of clients) {
    const change = eniChangeOf(obs, c.eni);
    if (change) return change;
  }
  return null;
}

function eniChangeOf(obs: Observation, eni: string): EniChange | null {
  const before = chartOf<EniContext>(obs, eni, 'before');
  const after = chartOf<EniContext>(obs, eni);
  if (!before || !after || obs.prev!.actors[eni] === obs.world.actors[eni]) return null;
  const was = before.context;
  const now = after.context;
  const moved: [string, string, string | null][] = [];
  for (const [flow, member] of Object.entries(now.flows)) {
    const old = was.flows[flow];
    if (old !== undefined && old !== null && old !== member) moved.push([flow, old, member]);
  }
  return { was, now, removed: was.live.filter((m) => !now.live.includes(m)), moved };
}
