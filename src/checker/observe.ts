/**
 * What properties look for in a step, named once: forward arrivals at the LVS, reverse
 * deliveries at the client (and the hop that brought them), sends to the VGW, faults,
 * and whether the components a property needs are healthy.
 */
import type { Config, Scenario } from '../config/types.js';
import type { FaultModel } from '../config/faults.js';
import type { DataMsg, Message } from '../../models/protocol.js';
import type { EniContext } from '../../models/eni.js';
import { fastPathIds, type NodeKind } from '../engine/system.js';
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
  return { actor, node, kind: obs.sys.nodes[node]!.kind, flow: slash < 0 ? null : actor.slice(slash + 1), value: snap.xs.value, context: snap.xs.context as C };
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
  const out: ChartChange<C>[] = [];
  for (const c of changedActors(obs)) {
    const node = actorNode(c.key);
    const k = obs.sys.nodes[node]!.kind;
    if (kind !== undefined && k !== kind) continue;
    const slash = c.key.indexOf('/');
    out.push({
      actor: c.key,
      node,
      kind: k,
      flow: slash < 0 ? null : c.key.slice(slash + 1),
      before: chartState<C>(obs, c.key, c.before),
      after: chartState<C>(obs, c.key, c.after),
    });
  }
  return out;
}

/**
 * Every string a chart's state holds, at any depth: state names, context values and the
 * keys of its maps (what a text search of the snapshot's JSON would find, quoted).
 */
export function stringsIn(chart: ChartState<unknown>): ReadonlySet<string> {
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
    if (deliveriesList.some((e) => e.id === id)) message = obs.prev.inFlight.find((m) => m.id === id) ?? null;
  }
  return setMemo(obs as Memoised, { delivered: message, deliveries: deliveriesList, faults, changed: null, sends: null, toVgw: null, owner: obs });
}

/** A forward data packet arriving at the LVS from a fast path. */
export function forwardAtLvs(obs: Observation): DataMsg | null {
  const m = delivered(obs);
  if (!m || m.to !== 'lvs' || m.msg.type !== 'data' || m.msg.dir !== 'fwd') return null;
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
  if (!m || m.to !== 'client' || m.msg.type !== 'data' || m.msg.dir !== 'rev') return null;
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
  for (const e of sendsOf(obs)) if (e.from === 'lvs' && e.to === 'vgw' && e.msg.type === 'data') (out === NONE ? (out = []) : out).push(e.msg);
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

/** L1 needs the reverse detour: LVS, VGW, ENI, client, server and the links between them. */
export function reverseDetourHealthy(world: World, config: Config): boolean {
  return (
    nodesUp(world, ['lvs', 'vgw', 'eni', 'client', 'server']) &&
    ['server->lvs', 'lvs->vgw', 'vgw->eni', 'eni->client'].every((l) => linkHealthy(world, config, l))
  );
}

const FP_LINKS = (fp: string) => [`eni->${fp}`, `${fp}->eni`, `${fp}->sp`, `sp->${fp}`, `${fp}->lvs`, `lvs->${fp}`];

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
  if (!reverseDetourHealthy(world, config)) return false;
  if (!nodesUp(world, ['sp', 'control'])) return false;
  if (!['client->eni', 'control->sp'].every((l) => linkHealthy(world, config, l))) return false;
  let failed = 0;
  for (const fp of fastPathIds(config.fastPaths)) {
    if (!FP_LINKS(fp).every((l) => linkHealthy(world, config, l))) return false;
    // A gray fast path (extended model) hides from the probe, as a cut link does.
    if (world.modes?.[fp] !== undefined) return false;
    if (world.down[fp] || (world.epochs[fp] ?? 0) > 0) failed++;
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
  if (!reverseDetourHealthy(world, config)) return false;
  if (!nodesUp(world, ['sp', 'control'])) return false;
  if (!['client->eni', 'control->sp'].every((l) => linkHealthy(world, config, l))) return false;
  return fastPathIds(config.fastPaths).some(
    (fp) => !world.down[fp] && world.modes?.[fp] === undefined && FP_LINKS(fp).every((l) => linkHealthy(world, config, l)),
  );
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

/** Did this step crash or restart a node that holds session state (that the run's fault model assumes kept)? */
export function sessionStateLost(obs: Observation): boolean {
  const nodes = obs.scenario.faultModel === 'extended' ? EXTENDED_SESSION_NODES : SESSION_NODES;
  return faultsOf(obs).some((f) => (f.kind === 'crash' || f.kind === 'restart') && f.node !== undefined && nodes.includes(f.node));
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
  // Under the extended model a probe timeout at or below the round trip is searched, not assumed away.
  return (
    tenantIdsValid(s.config, s.workload) &&
    clientReacts(s.config, s.workload) &&
    (s.faultModel === 'extended' || probeOutlastsRoundTrip(s.config))
  );
}

/** Do the workload's tenant ids pass the slow path's check? Without it there is no service. */
export function tenantIdsValid(config: Config, w: { cvni: number | null; vni: number | null }): boolean {
  const t = config.tenants[0];
  const cvni = w.cvni ?? t?.cvni;
  const vni = w.vni ?? t?.vni;
  return config.tenants.some((x) => x.cvni === cvni) && config.tenants.some((x) => x.vni === vni);
}

export interface EniChange {
  was: EniContext;
  now: EniContext;
  /** Members the ENI stopped believing live in this step. */
  removed: string[];
  /** Flows that left a fast path in this step: flow -> [from, to]. */
  moved: [string, string, string | null][];
}

/** How the ENI's view changed in this step, or null when it did not. */
export function eniChange(obs: Observation): EniChange | null {
  const before = chartOf<EniContext>(obs, 'eni', 'before');
  const after = chartOf<EniContext>(obs, 'eni');
  if (!before || !after || obs.prev!.actors.eni === obs.world.actors.eni) return null;
  const was = before.context;
  const now = after.context;
  const moved: [string, string, string | null][] = [];
  for (const [flow, member] of Object.entries(now.flows)) {
    const old = was.flows[flow];
    if (old !== undefined && old !== null && old !== member) moved.push([flow, old, member]);
  }
  return { was, now, removed: was.live.filter((m) => !now.live.includes(m)), moved };
}
