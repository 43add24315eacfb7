/**
 * What a run's trace says about recovery after its first fault: when the LVS last heard
 * forward traffic, when reverse data first reached the client again (and by which path),
 * when it first came over a fast path again, and how that compares with the L1/L2
 * deadlines of spec §6 (bounds.ts).
 *
 * "Again" counts only reverse data that the server sent after the fault: packets already
 * on the wire at the fault say nothing about recovery.
 */
import type { Scenario } from '../config/types.js';
import type { TraceEvent } from '../engine/trace.js';
import { computeBounds, type Bounds } from './bounds.js';

export interface Recovery {
  /** The first fault's time, null for a run without faults. */
  faultAt: number | null;
  /** t_f: the last arrival at the LVS of a forward packet a fast path sent by the fault. */
  lastForwardAtLvs: number | null;
  /** First post-fault reverse data at the client, and the hop that brought it to the ENI. */
  reverseResumedAt: number | null;
  reverseResumedVia: string | null;
  /** First post-fault reverse data at the client that came over a fast path. */
  fastPathRestoredAt: number | null;
  fastPathRestoredVia: string | null;
  /** Did reverse data reach the client via the VGW after the fault? */
  usedVgw: boolean;
  bounds: Bounds;
  /** Absolute deadlines: t_f + budget (null without a fault or a t_f). */
  l1Deadline: number | null;
  l2Deadline: number | null;
  withinL1: boolean | null;
  withinL2: boolean | null;
}

interface Sent {
  t: number;
  from: string;
  cause: number | null;
  origin: number;
}

export function analyseRecovery(scenario: Scenario, events: readonly TraceEvent[]): Recovery {
  const bounds = computeBounds(scenario.config, scenario.workload);
  const sent = new Map<number, Sent>();
  let faultAt: number | null = null;
  for (const e of events) {
    if (e.event === 'send') {
      sent.set(e.id, { t: e.t, from: e.from, cause: e.cause, origin: e.origin });
    } else if (e.event === 'fault' && faultAt === null) {
      faultAt = e.t;
    }
  }
  /** When the application packet that message `id` carries was first sent. */
  const originAt = (id: number): number => {
    const origin = sent.get(id)?.origin;
    return origin === undefined ? -1 : (sent.get(origin)?.t ?? -1);
  };

  let lastForwardAtLvs: number | null = null;
  let reverseResumedAt: number | null = null;
  let reverseResumedVia: string | null = null;
  let fastPathRestoredAt: number | null = null;
  let fastPathRestoredVia: string | null = null;
  let usedVgw = false;
  if (faultAt !== null) {
    for (const e of events) {
      if (e.event !== 'deliver' || e.msg.type !== 'data') continue;
      if (e.to === 'lvs' && e.msg.dir === 'fwd' && (sent.get(e.id)?.t ?? Infinity) <= faultAt) {
        lastForwardAtLvs = e.t;
      }
      if (e.to !== 'client' || e.msg.dir !== 'rev' || originAt(e.id) <= faultAt) continue;
      const toEni = sent.get(e.id)?.cause;
      const via = toEni !== undefined && toEni !== null ? (sent.get(toEni)?.from ?? null) : null;
      if (via === 'vgw') usedVgw = true;
      if (reverseResumedAt === null) {
        reverseResumedAt = e.t;
        reverseResumedVia = via;
      }
      if (fastPathRestoredAt === null && via !== null && via !== 'vgw') {
        fastPathRestoredAt = e.t;
        fastPathRestoredVia = via;
      }
    }
  }
  const l1Deadline = lastForwardAtLvs === null ? null : lastForwardAtLvs + bounds.l1.ms;
  const l2Deadline = lastForwardAtLvs === null ? null : lastForwardAtLvs + bounds.l2.ms;
  // Undecided (null) when the run ended before a deadline that nothing met yet.
  const within = (at: number | null, deadline: number | null): boolean | null => {
    if (deadline === null) return null;
    if (at !== null) return at <= deadline;
    return deadline <= scenario.until ? false : null;
  };
  return {
    faultAt,
    lastForwardAtLvs,
    reverseResumedAt,
    reverseResumedVia,
    fastPathRestoredAt,
    fastPathRestoredVia,
    usedVgw,
    bounds,
    l1Deadline,
    l2Deadline,
    withinL1: within(reverseResumedAt, l1Deadline),
    withinL2: within(fastPathRestoredAt, l2Deadline),
  };
}
