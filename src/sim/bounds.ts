/**
 * The bounded-response deadlines of spec §6, computed from a run's configuration.
 *
 * L1 (reverse delivery resumes) = t_f + T_relay + Δscan + d(LVS→VGW→ENI→client), where
 * t_f is the LVS's last forward arrival. Two terms the spec leaves implicit are added, so
 * that the bound is one the model can be held to:
 * - data availability: reverse data must exist to be delivered; the server's next packet
 *   reaches the LVS within one stream interval plus d(server→LVS);
 * - Δscan is the relay timer's jitter bound (the world fires it 1..Δscan ms late).
 *
 * L2 (fast path restored) = L1 + d_react + d(client→ENI) + T_detect + d(ENI→FP_j) + the
 * first packet's miss and offload (FP_j→SP→FP_j) + d(FP_j→LVS), then the next reverse
 * packet (stream interval + d(server→LVS)), its miss and offload, and d(FP_j→ENI→client).
 * T_detect = probe timeout × retries; d_react = 0 (the client reacts at once); slow-path
 * processing is folded into link delays (defaults.ts). Every d is a link's maximum delay;
 * FP_j is the slowest fast path.
 */
import type { Config, Workload } from '../config/types.js';
import { fastPathIds, lvsIds } from '../engine/system.js';
import { clientCount, clientIds, eniIds } from '../config/topology.js';

export interface Term {
  name: string;
  ms: number;
}

export interface Budget {
  /** Total, in ms, after the reference time. */
  ms: number;
  terms: Term[];
}

export interface Bounds {
  /** L1's budget after t_f (the LVS's last forward arrival). */
  l1: Budget;
  /** L2's budget after the same t_f (it includes L1's). */
  l2: Budget;
  /**
   * The least time after the fault itself that a response needs: the server's next
   * packet and its way to the client (L1: by the VGW or a fast path with a miss; L2: by
   * a fast path with a miss). When t_f lies long before the fault (a client that was
   * silent, so the LVS already uses the VGW), t_f + budget would come too early: the
   * deadline is the later of the two.
   */
  l1FloorMs: number;
  l2FloorMs: number;
  /**
   * With an LVS cluster: how long after a member failover the member that takes a flow
   * over sees its first packet (the server's next packet: stream interval + d(server→lvs)).
   * Its relay timer starts then (it does not know the crashed member's t_f, models/lvsMember.ts),
   * so a failover's obligations count their budget from the fault plus this. 0 without a cluster.
   */
  takeoverMs: number;
}

/**
 * A recovery obligation's deadline (L1, L2): t_f + budget, and never earlier than the
 * fault + the floor (a client silent since long before the fault leaves t_f far back).
 * The one computation of it: the property monitors (properties/recoveryMonitor.ts) and
 * the recovery summary (recovery.ts) both call it.
 */
export function recoveryDeadline(tf: number, faultAt: number, budgetMs: number, floorMs: number): number {
  return Math.max(tf + budgetMs, faultAt + floorMs);
}

/**
 * Was a recovery obligation disruptive: did the fault hold the flow's reverse data up?
 * Yes when the response came later after the fault than the floor (the longest an
 * undisturbed path takes to bring the server's next packet to the client: next packet,
 * the slower of the VGW detour and a fast path with a miss, the last hop), or never came
 * by the deadline (a violation). A fault that left reverse delivery undisturbed (another
 * flow's fast path crashed; the VGW was already carrying it, the client being silent) is
 * not. The one definition: the monitors' coverage counts, the recovery plots (whose
 * samples are the disruptive obligations) and the recovery summary use it.
 */
export function isDisruptive(o: { faultAt: number; floorMs: number; respondedAt: number | null }): boolean {
  return o.respondedAt === null || o.respondedAt - o.faultAt > o.floorMs;
}

export function maxDelay(config: Config, from: string, to: string): number {
  const id = `${from}->${to}`;
  return (config.links[id]?.delayMs ?? config.linkDelayMs)[1];
}

function budget(terms: Term[]): Budget {
  return { ms: terms.reduce((s, t) => s + t.ms, 0), terms };
}

/**
 * Bounds per configuration object: monitors ask at every step they see (L3 at each send
 * to the VGW), and a configuration does not change once built. A memo of a pure function,
 * keyed weakly: it changes no answer.
 */
const boundsOf = new WeakMap<Config, WeakMap<Workload, Bounds>>();

export function computeBounds(config: Config, workload: Workload): Bounds {
  let byWorkload = boundsOf.get(config);
  if (byWorkload === undefined) boundsOf.set(config, (byWorkload = new WeakMap()));
  let b = byWorkload.get(workload);
  if (b === undefined) byWorkload.set(workload, (b = boundsFor(config, workload)));
  return b;
}

function boundsFor(config: Config, workload: Workload): Bounds {
  const one = (from: string, to: string) => maxDelay(config, from, to);
  // With several clients a hop to or from "eni" or "client" is the slowest of theirs; with
  // an LVS cluster, each `lvs` hop is the slowest member's.
  const cs = clientIds(clientCount(config));
  const es = eniIds(cs.length);
  const lvss = lvsIds(config.lvsMembers);
  const sides = (n: string, i: number): string[] => (n === 'eni' ? [es[i]!] : n === 'client' ? [cs[i]!] : n === 'lvs' ? [...lvss] : [n]);
  const d = (from: string, to: string): number =>
    Math.max(...es.flatMap((_, i) => sides(from, i).flatMap((f) => sides(to, i).map((t) => one(f, t)))));
  const fps = fastPathIds(config.fastPaths);
  const worst = (f: (fp: string) => number) => Math.max(...fps.map(f));
  const dataAvailable = workload.streamIntervalMs + d('server', 'lvs');
  const l1Terms: Term[] = [
    { name: 'T_relay', ms: config.relayTimeoutMs },
    { name: 'Δscan', ms: config.scanMs },
    { name: 'next reverse packet at LVS (stream interval + server→lvs)', ms: dataAvailable },
    { name: 'd(lvs→vgw)', ms: d('lvs', 'vgw') },
    { name: 'd(vgw→eni)', ms: d('vgw', 'eni') },
    { name: 'd(eni→client)', ms: d('eni', 'client') },
  ];
  const l2Extra: Term[] = [
    { name: 'd_react', ms: 0 },
    { name: 'd(client→eni)', ms: d('client', 'eni') },
    { name: 'T_detect (probe timeout × retries)', ms: config.probeTimeoutMs * config.probeRetries },
    { name: 'd(eni→fp) + miss and offload (fp→sp→fp) + d(fp→lvs)', ms: worst((fp) => d('eni', fp) + d(fp, 'sp') + d('sp', fp) + d(fp, 'lvs')) },
    { name: 'next reverse packet at LVS (stream interval + server→lvs)', ms: dataAvailable },
    { name: 'd(lvs→fp) + miss and offload (fp→sp→fp) + d(fp→eni)', ms: worst((fp) => d('lvs', fp) + d(fp, 'sp') + d('sp', fp) + d(fp, 'eni')) },
    { name: 'd(eni→client)', ms: d('eni', 'client') },
  ];
  const l1 = budget(l1Terms);
  const toClient = d('eni', 'client');
  const viaVgw = d('lvs', 'vgw') + d('vgw', 'eni');
  const viaFastPath = worst((fp) => d('lvs', fp) + d(fp, 'sp') + d('sp', fp) + d(fp, 'eni'));
  return {
    l1,
    l2: budget([{ name: 'L1', ms: l1.ms }, ...l2Extra]),
    l1FloorMs: dataAvailable + Math.max(viaVgw, viaFastPath) + toClient,
    l2FloorMs: dataAvailable + viaFastPath + toClient,
    takeoverMs: lvss.length > 1 ? dataAvailable : 0,
  };
}
