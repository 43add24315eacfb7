/**
 * What a run's trace says about recovery after its first fault, per flow: when the LVS
 * last heard forward traffic, when reverse data first reached the client again (and by
 * which path), when it first came over a fast path again, and how that compares with the
 * L1/L2 deadlines of spec §6.
 *
 * The deadlines are computed as the L1/L2 monitors compute them (bounds.ts,
 * recoveryDeadline: t_f + budget, never earlier than the fault + the floor; for L1 a
 * forward arrival while the flow waits restarts t_f, for L2 only one sent by the fault
 * does), so that the summary and the properties' verdicts cannot disagree about a flow
 * the properties judge. The summary does not know the properties' preconditions: where
 * a precondition breaks, the property is voided while the summary may say MISSED.
 *
 * "Again" counts only reverse data that the server sent after the fault: packets already
 * on the wire at the fault say nothing about recovery.
 */
import type { Scenario } from '../config/types.js';
import { isLvsMember, roleOf } from '../config/faults.js';
import type { TraceEvent } from '../engine/trace.js';
import { computeBounds, isDisruptive, recoveryDeadline, type Bounds } from './bounds.js';

export interface FlowRecovery {
  flow: string;
  /** t_f at the fault: the last arrival at the LVS of a forward packet of this flow sent by the fault. */
  lastForwardAtLvs: number | null;
  reverseResumedAt: number | null;
  reverseResumedVia: string | null;
  fastPathRestoredAt: number | null;
  fastPathRestoredVia: string | null;
  usedVgw: boolean;
  /** Absolute deadlines, as the monitors compute them (null without a fault). */
  l1Deadline: number | null;
  l2Deadline: number | null;
  /** How each deadline was reached: "t_f 4029 + budget 3308 ms" or "fault 5000 + floor 118 ms". */
  l1DeadlineRule: string | null;
  l2DeadlineRule: string | null;
  withinL1: boolean | null;
  withinL2: boolean | null;
  /** Was the fault disruptive for this flow's reverse data (bounds.ts, isDisruptive)? Null when undecided. */
  l1Disruptive: boolean | null;
}

/**
 * The run's recovery: the first fault, and the fields of one flow's FlowRecovery for the flow
 * that tells most (the first to miss a deadline, else the last to resume); `usedVgw` is over
 * every flow.
 */
export interface Recovery extends Omit<FlowRecovery, 'flow' | 'l1Disruptive'> {
  /** The first fault's time, null for a run without faults. */
  faultAt: number | null;
  /** The flow the fields describe, null without one. */
  flow: string | null;
  bounds: Bounds;
  /** Every flow that reverse data reached before the fault (those the L1/L2 monitors arm for). */
  flows: FlowRecovery[];
}

interface Sent {
  t: number;
  from: string;
  cause: number | null;
  origin: number;
}

function flowOf(msg: unknown): string | null {
  const f = (msg as { flow?: unknown }).flow;
  return typeof f === 'string' ? f : null;
}

/** One deadline that moves as the monitor's does: rearmed by qualifying forward arrivals until the response. */
class Obligation {
  base: number;
  respondedAt: number | null = null;
  via: string | null = null;
  missedAt: number | null = null;
  constructor(
    tf: number,
    readonly faultAt: number,
    readonly budgetMs: number,
    readonly floorMs: number,
  ) {
    this.base = tf;
  }
  get deadline(): number {
    return recoveryDeadline(this.base, this.faultAt, this.budgetMs, this.floorMs);
  }
  get open(): boolean {
    return this.respondedAt === null && this.missedAt === null;
  }
  /** Time passes to `t`: a deadline before it is missed (one at `t` itself still lets an event at `t` count). */
  advance(t: number): void {
    if (this.open && this.deadline < t) this.missedAt = this.deadline;
  }
  rule(): string {
    return this.deadline === this.base + this.budgetMs
      ? `t_f ${this.base} + budget ${this.budgetMs} ms`
      : `fault ${this.faultAt} + floor ${this.floorMs} ms`;
  }
  within(until: number): boolean | null {
    if (this.respondedAt !== null) return true;
    if (this.missedAt !== null) return false;
    return this.deadline <= until ? false : null;
  }
}

/** A recovery not (yet) seen: nothing resumed, no deadline. */
const OPEN = {
  reverseResumedAt: null,
  reverseResumedVia: null,
  fastPathRestoredAt: null,
  fastPathRestoredVia: null,
  usedVgw: false,
  l1Deadline: null,
  l2Deadline: null,
  l1DeadlineRule: null,
  l2DeadlineRule: null,
  withinL1: null,
  withinL2: null,
} as const;

export function analyseRecovery(scenario: Scenario, events: readonly TraceEvent[]): Recovery {
  const bounds = computeBounds(scenario.config, scenario.workload);
  const sent = new Map<number, Sent>();
  let faultAt: number | null = null;
  let faultIndex = -1;
  // A crash or restart of an LVS cluster member: the member that takes a flow over starts
  // its relay timer at its takeover (bounds.ts, takeoverMs), so t_f is then fault + takeover.
  let memberFailover = false;
  events.forEach((e, i) => {
    if (e.event === 'send') {
      sent.set(e.id, { t: e.t, from: e.from, cause: e.cause, origin: e.origin });
    } else if (e.event === 'fault' && (faultAt === null || e.t === faultAt)) {
      // The first fault, and the others at the same instant (a member crash with a fast path's).
      if (faultAt === null) {
        faultAt = e.t;
        faultIndex = i;
      }
      if (bounds.takeoverMs > 0 && (e.kind === 'crash' || e.kind === 'restart') && isLvsMember((e as { node?: string }).node)) memberFailover = true;
    }
  });
  const none: Recovery = {
    faultAt,
    flow: null,
    lastForwardAtLvs: null,
    ...OPEN,
    bounds,
    flows: [],
  };
  if (faultAt === null) return none;
  const fault: number = faultAt;
  /** When the application packet that message `id` carries was first sent. */
  const originAt = (id: number): number => {
    const origin = sent.get(id)?.origin;
    return origin === undefined ? -1 : (sent.get(origin)?.t ?? -1);
  };

  // Before the fault: which flows reverse data reached (the monitors arm only for those), and t_f per flow.
  const served = new Set<string>();
  const tf = new Map<string, number>();
  const order: string[] = [];
  for (let i = 0; i < faultIndex; i++) {
    const e = events[i]!;
    if (e.event !== 'deliver' || e.msg.type !== 'data') continue;
    const flow = flowOf(e.msg);
    if (flow === null) continue;
    if (roleOf(e.to) === 'lvs' && e.msg.dir === 'fwd') tf.set(flow, e.t);
    if (roleOf(e.to) === 'client' && e.msg.dir === 'rev' && !served.has(flow)) {
      served.add(flow);
      order.push(flow);
    }
  }
  const flows = new Map<string, { fr: FlowRecovery; l1: Obligation; l2: Obligation; tfAtFault: number | null }>();
  for (const flow of order) {
    const base = memberFailover ? fault + bounds.takeoverMs : (tf.get(flow) ?? fault);
    flows.set(flow, {
      fr: {
        flow,
        lastForwardAtLvs: tf.get(flow) ?? null,
        ...OPEN,
        l1Disruptive: null,
      },
      l1: new Obligation(base, fault, bounds.l1.ms, bounds.l1FloorMs),
      l2: new Obligation(base, fault, bounds.l2.ms, bounds.l2FloorMs),
      tfAtFault: tf.get(flow) ?? null,
    });
  }

  for (let i = faultIndex + 1; i < events.length; i++) {
    const e = events[i]!;
    for (const { l1, l2 } of flows.values()) {
      l1.advance(e.t);
      l2.advance(e.t);
    }
    if (e.event !== 'deliver' || e.msg.type !== 'data') continue;
    const flow = flowOf(e.msg);
    const f = flow === null ? undefined : flows.get(flow);
    if (!f) continue;
    if (roleOf(e.to) === 'lvs' && e.msg.dir === 'fwd') {
      const sentAt = sent.get(e.id)?.t ?? Infinity;
      if (sentAt <= fault) f.fr.lastForwardAtLvs = e.t;
      // L1: every forward arrival restarts t_f (the relay timer restarts); L2: only one sent by the fault.
      if (f.l1.open) f.l1.base = e.t;
      if (f.l2.open && sentAt <= fault) f.l2.base = e.t;
      continue;
    }
    if (roleOf(e.to) !== 'client' || e.msg.dir !== 'rev' || originAt(e.id) <= fault) continue;
    const toEni = sent.get(e.id)?.cause;
    const via = toEni !== undefined && toEni !== null ? (sent.get(toEni)?.from ?? null) : null;
    if (via === 'vgw') f.fr.usedVgw = true;
    if (f.fr.reverseResumedAt === null) {
      f.fr.reverseResumedAt = e.t;
      f.fr.reverseResumedVia = via;
    }
    if (f.l1.open) {
      f.l1.respondedAt = e.t;
      f.l1.via = via;
    }
    if (via !== null && via !== 'vgw') {
      if (f.fr.fastPathRestoredAt === null) {
        f.fr.fastPathRestoredAt = e.t;
        f.fr.fastPathRestoredVia = via;
      }
      if (f.l2.open) f.l2.respondedAt = e.t;
    }
  }
  const until = scenario.until;
  const results: FlowRecovery[] = [];
  for (const { fr, l1, l2 } of flows.values()) {
    l1.advance(until + 1);
    l2.advance(until + 1);
    // Once missed, the monitor has judged: a later response does not change it.
    fr.l1Deadline = l1.deadline;
    fr.l2Deadline = l2.deadline;
    fr.l1DeadlineRule = l1.rule();
    fr.l2DeadlineRule = l2.rule();
    fr.withinL1 = l1.within(until);
    fr.withinL2 = l2.within(until);
    fr.l1Disruptive = fr.withinL1 === null ? null : isDisruptive({ faultAt: fault, floorMs: bounds.l1FloorMs, respondedAt: l1.respondedAt });
    results.push(fr);
  }
  // The flow to show: the first that missed a deadline, else the first undecided, else the last to resume.
  const shown =
    results.find((r) => r.withinL1 === false || r.withinL2 === false) ??
    results.find((r) => r.withinL1 === null || r.withinL2 === null) ??
    [...results].sort((a, b) => (b.reverseResumedAt ?? 0) - (a.reverseResumedAt ?? 0))[0];
  if (!shown) return { ...none, flows: results };
  return {
    faultAt,
    flow: shown.flow,
    lastForwardAtLvs: shown.lastForwardAtLvs,
    reverseResumedAt: shown.reverseResumedAt,
    reverseResumedVia: shown.reverseResumedVia,
    fastPathRestoredAt: shown.fastPathRestoredAt,
    fastPathRestoredVia: shown.fastPathRestoredVia,
    usedVgw: results.some((r) => r.usedVgw),
    bounds,
    l1Deadline: shown.l1Deadline,
    l2Deadline: shown.l2Deadline,
    l1DeadlineRule: shown.l1DeadlineRule,
    l2DeadlineRule: shown.l2DeadlineRule,
    withinL1: shown.withinL1,
    withinL2: shown.withinL2,
    flows: results,
  };
}
