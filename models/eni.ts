/**
 * The bonding ENI (node `eni`): the PVL entry point bound to the client [¶59, C8].
 *
 * - ECMP over the fast paths it believes live ("natural disaster tolerance" [¶67]): a
 *   flow's first packet goes to the member its hash picks; that member misses to the
 *   slow path (spec §3.1 step 2); later packets follow the same member [C3].
 * - On a new request of an established flow it probes the flow's current fast path and
 *   holds the flow's packets until the verdict [C1, ¶61]. An answer releases them to the
 *   same member (the path is fine, [¶50]); `probeRetries` timeouts of `probeTimeoutMs`
 *   mark the member down, ECMP moves the flow to another member and the held packets go
 *   there (step 10).
 * - Optionally it also probes every member routinely [¶65] (E11), which re-adds members
 *   that answer again.
 * - It relays reverse data from the fast paths and from the VGW to the client [C4].
 *
 * ECMP is hash-threshold by default (RFC 2992: removing a member can also move flows
 * between survivors, E4) or resilient (only the removed member's flows move) [S16]. The
 * hash space is cut over the live members in the next-hop group's order (`ecmpOrder`,
 * config.ecmpOrder: implementation-defined on a real router), configuration order if none.
 *
 * ## The chart
 *
 * A parallel chart, so that the Stately visualiser and the HTML report show the probing
 * logic, not just "forwarding / probing":
 *
 * - root `data` transitions, one per case with a named guard: relay reverse data
 *   (`isReverse`), hold a packet of a flow awaiting a verdict (`flowAwaitingVerdict`),
 *   hold a new request and probe (`newRequestOnEstablishedFlow`, C1), or forward (ECMP);
 * - `paths`: whether any probe is out (a flow's packets may be held);
 * - `routine`: routine probing [¶65], a named delay `routineProbe`;
 * - `slot1` ... `slot8`: one region per member slot (`members[i]`), each member's health:
 *   `up`, `probing` (probe n of probeRetries out), `down`, `reprobing` (a down member
 *   probed), or `absent`. A probe answer or timeout is handled by its member's region,
 *   with named, parameterised (`{ slot }`) guards and actions; the probe timer is a
 *   delayed raise with the named delay `probeTimeout`.
 *
 * Why a region per slot, eight of them: XState's pure `machine.transition` (how
 * src/engine/runner.ts steps every chart) runs no spawned children, and src/engine builds
 * one ENI machine for every configuration, whose fast paths range over 2..8
 * (CONFIG_RANGES.fastPaths), so a machine built per member count cannot be plugged in.
 * A region per possible slot, `absent` when the slot is unused, keeps one literal config
 * that Stately's code extractor reads as it is. Flows are unbounded (a region per flow is
 * impossible without spawning): a flow's hold-and-probe is the root's `data` transitions
 * and the release actions of the member regions.
 *
 * The context (live members, flows, outstanding probes, held packets) is still the truth;
 * every region's state is a function of it (each state's eventless transitions restore
 * it), so the explorer's state space is the one it was before the regions. Seeded bugs
 * replace one named guard or action (models/mutants.ts).
 */
import { assign, enqueueActions, setup } from 'xstate';
import {
  primitiveActions,
  type DataMsg,
  type Delivered,
  type DiscardParams,
  type ProbeAckMsg,
  type SendParams,
} from './protocol.js';

export type EcmpMode = 'hash-threshold' | 'resilient';

export interface EniInput {
  clientIp: string;
  /** Fast path members, by virtual IP, in configuration order (at most MAX_MEMBERS). */
  members: string[];
  probeTimeoutMs: number;
  probeRetries: number;
  /** Routine probing period [¶65]; 0 = probe only on a new request [C1]. */
  routineProbeMs: number;
  ecmp: EcmpMode;
  /**
   * The order the next-hop group lists its members in, by virtual IP (config.ecmpOrder):
   * hash-threshold cuts the hash space in this order. Implementation-defined on a real
   * router, so the explorer can start from every one. Absent: configuration order.
   */
  ecmpOrder?: string[];
}

export interface EniContext extends EniInput {
  /** The members the ENI believes live. */
  live: string[];
  /** Each known flow's current member, null when no member was live for it. */
  flows: Record<string, string | null>;
  /** Outstanding probes: member -> probes sent so far in this round (1..probeRetries). */
  probes: Record<string, number>;
  /** Flows waiting for a probe verdict before their packets move: flow -> probed member or '*' (any). */
  awaiting: Record<string, string>;
  /** Forward packets held for awaiting flows, in arrival order. */
  held: DataMsg[];
}

export interface ProbeTimeoutEvent {
  type: 'probeTimeout';
  member: string;
}

export type EniEvent = Delivered<DataMsg> | Delivered<ProbeAckMsg> | ProbeTimeoutEvent;

/** Member slots the chart has a region for: CONFIG_RANGES.fastPaths' maximum. */
export const MAX_MEMBERS = 8;

/** A member region's parameters: the slot, an index into `members`. */
export interface SlotParams {
  slot: number;
}

// ---- ECMP ---------------------------------------------------------------------------

/** FNV-1a with murmur3's finaliser, 32 bit: a stable, well-spread flow hash. */
export function flowHash(flow: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < flow.length; i++) {
    h ^= flow.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * RFC 2992 hash-threshold: the hash space is cut into equal regions, one per live member,
 * in the next-hop group's order (`order`, when given: the live members taken in it).
 */
export function ecmpPick(flow: string, live: readonly string[], order?: readonly string[]): string | null {
  const group = order ? order.filter((m) => live.includes(m)) : live;
  if (group.length === 0) return null;
  return group[Math.floor((flowHash(flow) * group.length) / 2 ** 32)] ?? null;
}

/** Every flow's member after the live set changed. */
function rehash(ctx: EniContext, live: string[]): Record<string, string | null> {
  const flows: Record<string, string | null> = {};
  for (const [flow, member] of Object.entries(ctx.flows)) {
    const keep = ctx.ecmp === 'resilient' && member !== null && live.includes(member);
    flows[flow] = keep ? member : ecmpPick(flow, live, ctx.ecmpOrder);
  }
  return flows;
}

// ---- Pure steps, which the named actions enqueue --------------------------------------

/** The effects of one action: the new context, then sends, probe timers and discards. */
interface EniEffects {
  ctx: EniContext;
  sends: SendParams[];
  /** Probe timers to (re)start, by member. */
  startTimers: string[];
  discards: string[];
}

/** Start probing a member unless a probe of it is already out. */
function probe(fx: EniEffects, member: string): void {
  if (fx.ctx.probes[member] !== undefined) return;
  fx.ctx = { ...fx.ctx, probes: { ...fx.ctx.probes, [member]: 1 } };
  fx.sends.push({ to: member, msg: { type: 'probe' } });
  fx.startTimers.push(member);
}

/** Forward a packet of a flow that does not wait for a verdict (first packet picks the member). */
function forward(fx: EniEffects, packet: DataMsg): void {
  let member = fx.ctx.flows[packet.flow];
  if (member === undefined || member === null) {
    member = ecmpPick(packet.flow, fx.ctx.live, fx.ctx.ecmpOrder);
    fx.ctx = { ...fx.ctx, flows: { ...fx.ctx.flows, [packet.flow]: member } };
  }
  if (member === null) fx.discards.push('no-live-fast-path');
  else fx.sends.push({ to: member, msg: packet });
}

/** Release the held packets of flows whose verdict is in: they go to the flow's (new) member. */
function release(fx: EniEffects, decided: (target: string) => boolean): void {
  const awaiting = { ...fx.ctx.awaiting };
  const released = new Set<string>();
  for (const [flow, target] of Object.entries(awaiting)) {
    if (decided(target)) {
      delete awaiting[flow];
      released.add(flow);
    }
  }
  if (released.size === 0) return;
  const held = fx.ctx.held.filter((p) => !released.has(p.flow));
  const out = fx.ctx.held.filter((p) => released.has(p.flow));
  fx.ctx = { ...fx.ctx, awaiting, held };
  for (const packet of out) forward(fx, packet);
}

function withLive(ctx: EniContext, live: string[]): EniContext {
  return { ...ctx, live, flows: rehash(ctx, live) };
}

/** The part of XState's `enqueue` that the ENI uses. */
interface EniEnqueue {
  (action: { type: 'send'; params: SendParams } | { type: 'discard'; params: DiscardParams }): void;
  assign(values: EniContext): void;
  raise(event: ProbeTimeoutEvent, options: { id: string; delay: 'probeTimeout' }): void;
}

/** Run a pure step on the context and enqueue its effects: context, sends, probe timers, discards. */
function apply(enqueue: EniEnqueue, ctx: EniContext, step: (fx: EniEffects) => void): void {
  const fx: EniEffects = { ctx, sends: [], startTimers: [], discards: [] };
  step(fx);
  if (fx.ctx !== ctx) enqueue.assign(fx.ctx);
  for (const params of fx.sends) enqueue({ type: 'send', params });
  for (const member of fx.startTimers) {
    enqueue.raise({ type: 'probeTimeout', member }, { id: probeTimerId(member), delay: 'probeTimeout' });
  }
  for (const reason of fx.discards) enqueue({ type: 'discard', params: { reason } });
}

export function probeTimerId(member: string): string {
  return `probe:${member}`;
}

const forwardPacketOf = (event: EniEvent): DataMsg | null => {
  if (event.type !== 'data') return null;
  const { src: _src, ...packet } = event;
  return packet;
};

const memberOf = (context: EniContext, params: SlotParams): string | undefined => context.members[params.slot];

/** The event is the probe timer of this slot's member. */
function isSlotTimeout(context: EniContext, event: EniEvent, params: SlotParams): boolean {
  const member = memberOf(context, params);
  return member !== undefined && event.type === 'probeTimeout' && event.member === member;
}

/** The primitive actions an ENI action enqueues (the world interprets them). */
type EniPrimitive = { type: 'send'; params: SendParams } | { type: 'discard'; params: DiscardParams };
/** What `setup` sees of an ENI action: a named action with params `P`. */
type EniAction<P> = (_: unknown, params: P) => void;
type EniCollect<P> = Parameters<
  typeof enqueueActions<EniContext, EniEvent, P & ({} | undefined), EniEvent, never, EniPrimitive, never, 'probeTimeout', never>
>[0];

/**
 * An ENI action that enqueues effects. Typed here, outside `setup`, and handed to `setup`
 * as a plain named action: XState's inference of an enqueueing action's own action type
 * does not settle when the machine has parameterised actions.
 */
export function eniEnqueue<P = undefined>(collect: EniCollect<P>): EniAction<P> {
  return enqueueActions(collect) as unknown as EniAction<P>;
}

/** An ENI action that assigns context. */
export function eniAssign<P = undefined>(
  assigner: (args: { context: EniContext; event: EniEvent }, params: P) => Partial<EniContext>,
): EniAction<P> {
  return assign(assigner as never) as unknown as EniAction<P>;
}

// ---- The statechart -----------------------------------------------------------------

export const eniMachine = setup({
  types: {} as { context: EniContext; events: EniEvent; input: EniInput },
  actions: {
    ...primitiveActions,
    /** Relay reverse data, from a fast path or the VGW, to the client [C4, C6]. */
    relayToClient: eniEnqueue(({ context, event, enqueue }) => {
      const packet = forwardPacketOf(event);
      if (packet) enqueue({ type: 'send', params: { to: context.clientIp, msg: packet } });
    }),
    /** A packet of a flow awaiting a probe verdict: held, in arrival order [C1]. */
    holdPacket: eniEnqueue(({ context, event, enqueue }) => {
      const packet = forwardPacketOf(event);
      if (packet) apply(enqueue, context, (fx) => (fx.ctx = { ...fx.ctx, held: [...fx.ctx.held, packet] }));
    }),
    /**
     * A new request on an established flow [C1, ¶61]: hold it and probe the flow's member;
     * with no member believed live, probe them all and take the first that answers.
     */
    holdAndProbe: eniEnqueue(({ context, event, enqueue }) => {
      const packet = forwardPacketOf(event);
      if (!packet) return;
      apply(enqueue, context, (fx) => {
        const member = fx.ctx.flows[packet.flow] ?? null;
        fx.ctx = { ...fx.ctx, awaiting: { ...fx.ctx.awaiting, [packet.flow]: member ?? '*' }, held: [...fx.ctx.held, packet] };
        if (member !== null) probe(fx, member);
        else for (const m of fx.ctx.members) probe(fx, m);
      });
    }),
    /** Forward over the flow's member; a flow's first packet picks it by ECMP [C3]. */
    forwardPacket: eniEnqueue(({ context, event, enqueue }) => {
      const packet = forwardPacketOf(event);
      if (packet) apply(enqueue, context, (fx) => forward(fx, packet));
    }),
    /** The member answered: its probe timer is cancelled. */
    cancelProbeTimer: eniEnqueue<SlotParams>(({ context, enqueue }, params: SlotParams) => {
      const member = memberOf(context, params);
      if (member !== undefined) enqueue.cancel(probeTimerId(member));
    }),
    /** The member's probe round is over (answered, or probeRetries timeouts). */
    endProbeRound: eniAssign<SlotParams>(({ context }, params: SlotParams) => {
      const { [memberOf(context, params) ?? '']: _done, ...probes } = context.probes;
      return { probes };
    }),
    /** A down member answered: live again, in configuration order; flows are rehashed [¶65]. */
    markMemberUp: eniAssign<SlotParams>(({ context }, params: SlotParams) => {
      const member = memberOf(context, params);
      if (member === undefined || context.live.includes(member)) return {};
      return withLive(context, context.members.filter((m) => m === member || context.live.includes(m)));
    }),
    /** probeRetries probes unanswered: the member is down and ECMP moves its flows (step 10). */
    markMemberDown: eniAssign<SlotParams>(({ context }, params: SlotParams) => {
      const member = memberOf(context, params);
      if (member === undefined || !context.live.includes(member)) return {};
      return withLive(context, context.live.filter((m) => m !== member));
    }),
    /** The path is fine [¶50]: flows waiting on this member (or on any) go on, to their member. */
    releaseToAnsweredMember: eniEnqueue<SlotParams>(({ context, enqueue }, params: SlotParams) => {
      const member = memberOf(context, params);
      apply(enqueue, context, (fx) => release(fx, (target) => target === member || target === '*'));
    }),
    /**
     * The member failed its probes: flows waiting on it go to their (new) member; flows
     * waiting on any member go once one is live or no probe is left.
     */
    releaseAfterFailedProbe: eniEnqueue<SlotParams>(({ context, enqueue }, params: SlotParams) => {
      const member = memberOf(context, params);
      const anyProbeLeft = Object.keys(context.probes).length > 0;
      const anyLive = context.live.length > 0;
      apply(enqueue, context, (fx) => release(fx, (target) => target === member || (target === '*' && (anyLive || !anyProbeLeft))));
    }),
    /** A probe timed out with retries left: probe again, one more of probeRetries [C1, ¶61]. */
    retryProbe: eniEnqueue<SlotParams>(({ context, enqueue }, params: SlotParams) => {
      const member = memberOf(context, params);
      const sent = member === undefined ? undefined : context.probes[member];
      if (member === undefined || sent === undefined) return;
      apply(enqueue, context, (fx) => {
        fx.ctx = { ...fx.ctx, probes: { ...fx.ctx.probes, [member]: sent + 1 } };
        fx.sends.push({ to: member, msg: { type: 'probe' } });
        fx.startTimers.push(member);
      });
    }),
    /** Routine probing [¶65]: probe every member not already being probed. */
    probeAllMembers: eniEnqueue(({ context, enqueue }) => {
      apply(enqueue, context, (fx) => {
        for (const m of fx.ctx.members) probe(fx, m);
      });
    }),
  },
  guards: {
    /** Reverse data (from a fast path or the VGW), for the client. */
    isReverse: ({ event }) => event.type === 'data' && event.dir === 'rev',
    /** The packet's flow waits for a probe verdict: its packets are held. */
    flowAwaitingVerdict: ({ context, event }) => event.type === 'data' && context.awaiting[event.flow] !== undefined,
    /**
     * C1: a new request of an established flow whose member is known (or, with no member
     * believed live, whose member was lost): probe before using the path.
     */
    newRequestOnEstablishedFlow: ({ context, event }) => {
      if (event.type !== 'data' || event.kind !== 'request') return false;
      const member = context.flows[event.flow];
      return member !== undefined && (member !== null || context.live.length === 0);
    },
    /** Some probe is out. */
    probeOutstanding: ({ context }) => Object.keys(context.probes).length > 0,
    /** No probe is out. */
    noProbeOutstanding: ({ context }) => Object.keys(context.probes).length === 0,
    /** Routine probing is configured (routineProbeMs > 0). */
    routineProbing: ({ context }) => context.routineProbeMs > 0,
    /** No member is configured in this slot. */
    slotEmpty: ({ context }, params: SlotParams) => memberOf(context, params) === undefined,
    /** A probe of this slot's member is out. */
    slotProbeOut: ({ context }, params: SlotParams) => {
      const member = memberOf(context, params);
      return member !== undefined && context.probes[member] !== undefined;
    },
    /** This slot's member is believed live. */
    slotLive: ({ context }, params: SlotParams) => {
      const member = memberOf(context, params);
      return member !== undefined && context.live.includes(member);
    },
    /** This slot's member is believed dead. */
    slotDown: ({ context }, params: SlotParams) => {
      const member = memberOf(context, params);
      return member !== undefined && !context.live.includes(member);
    },
    /** The probe answer comes from this slot's member. */
    ackFromSlot: ({ context, event }, params: SlotParams) => {
      const member = memberOf(context, params);
      return member !== undefined && event.type === 'probeAck' && event.src === member;
    },
    /** This slot's member's probe timed out, with retries left (fewer than probeRetries sent). */
    slotTimeoutRetriesLeft: ({ context, event }, params: SlotParams) =>
      isSlotTimeout(context, event, params) && (context.probes[context.members[params.slot]!] ?? Infinity) < context.probeRetries,
    /** This slot's member's probe timed out. */
    slotTimeout: ({ context, event }, params: SlotParams) => isSlotTimeout(context, event, params),
  },
  delays: {
    /** Routine probing period [¶65]. */
    routineProbe: ({ context }) => context.routineProbeMs,
    /** How long a probe waits for its answer [C1]. */
    probeTimeout: ({ context }) => context.probeTimeoutMs,
  },
}).createMachine({
  id: 'eni',
  description: 'The bonding ENI: ECMP over the fast paths, probes on a new request, relays reverse data.',
  context: ({ input }) => ({ ...input, live: [...input.members], flows: {}, probes: {}, awaiting: {}, held: [] }),
  type: 'parallel',
  on: {
    data: [
      { guard: 'isReverse', actions: ['relayToClient'] },
      { guard: 'flowAwaitingVerdict', actions: ['holdPacket'] },
      { guard: 'newRequestOnEstablishedFlow', actions: ['holdAndProbe'] },
      { actions: ['forwardPacket'] },
    ],
  },
  states: {
    paths: {
      description: 'Whether a fast path is being probed right now.',
      initial: 'forwarding',
      states: {
        forwarding: {
          description: 'No probe outstanding: each flow uses its ECMP member.',
          always: { guard: 'probeOutstanding', target: 'probing' },
        },
        probing: {
          description:
            'A probe is out; flows that sent a new request wait for the verdict [C1, ¶61]. An answer keeps the path, probeRetries timeouts mark it down.',
          always: { guard: 'noProbeOutstanding', target: 'forwarding' },
        },
      },
    },
    routine: {
      description: 'Routine probing of every member [¶65], when routineProbeMs > 0.',
      initial: 'choosing',
      states: {
        choosing: {
          description: 'Decides once, at start, whether routine probing is on.',
          always: [{ guard: 'routineProbing', target: 'waiting' }, { target: 'off' }],
        },
        off: { description: 'Probes are sent only on a new request [C1].' },
        waiting: {
          description: 'Waits routineProbeMs, then probes every member.',
          after: { routineProbe: { target: 'waiting', reenter: true, actions: ['probeAllMembers'] } },
        },
      },
    },
    slot1: {
      description: 'The health of the member in slot 1 (members[0]).',
      initial: 'up',
      states: {
        absent: { description: 'No fast path in this slot: fewer members are configured.' },
        up: {
          description: 'Believed live, no probe out: ECMP may pick it.',
          always: [
            { guard: { type: 'slotEmpty', params: { slot: 0 } }, target: 'absent' },
            { guard: { type: 'slotProbeOut', params: { slot: 0 } }, target: 'probing' },
            { guard: { type: 'slotDown', params: { slot: 0 } }, target: 'down' },
          ],
        },
        probing: {
          description: 'Live, probe n of probeRetries out (n in context.probes); a flow that sent a new request waits for the verdict [C1, ¶61].',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 0 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 0 } }, { type: 'endProbeRound', params: { slot: 0 } }, { type: 'releaseToAnsweredMember', params: { slot: 0 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 0 } }, actions: [{ type: 'retryProbe', params: { slot: 0 } }] },
              {
                guard: { type: 'slotTimeout', params: { slot: 0 } },
                target: 'down',
                actions: [{ type: 'endProbeRound', params: { slot: 0 } }, { type: 'markMemberDown', params: { slot: 0 } }, { type: 'releaseAfterFailedProbe', params: { slot: 0 } }],
              },
            ],
          },
        },
        down: {
          description: 'Failed its probes: out of ECMP, its flows moved to other members (step 10).',
          always: [
            { guard: { type: 'slotProbeOut', params: { slot: 0 } }, target: 'reprobing' },
            { guard: { type: 'slotLive', params: { slot: 0 } }, target: 'up' },
          ],
        },
        reprobing: {
          description: 'Down, probe n of probeRetries out (a routine round [¶65], or every member probed with none live); an answer re-adds it.',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 0 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 0 } }, { type: 'endProbeRound', params: { slot: 0 } }, { type: 'markMemberUp', params: { slot: 0 } }, { type: 'releaseToAnsweredMember', params: { slot: 0 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 0 } }, actions: [{ type: 'retryProbe', params: { slot: 0 } }] },
              { guard: { type: 'slotTimeout', params: { slot: 0 } }, target: 'down', actions: [{ type: 'endProbeRound', params: { slot: 0 } }, { type: 'releaseAfterFailedProbe', params: { slot: 0 } }] },
            ],
          },
        },
      },
    },
    slot2: {
      description: 'The health of the member in slot 2 (members[1]).',
      initial: 'up',
      states: {
        absent: { description: 'No fast path in this slot: fewer members are configured.' },
        up: {
          description: 'Believed live, no probe out: ECMP may pick it.',
          always: [
            { guard: { type: 'slotEmpty', params: { slot: 1 } }, target: 'absent' },
            { guard: { type: 'slotProbeOut', params: { slot: 1 } }, target: 'probing' },
            { guard: { type: 'slotDown', params: { slot: 1 } }, target: 'down' },
          ],
        },
        probing: {
          description: 'Live, probe n of probeRetries out (n in context.probes); a flow that sent a new request waits for the verdict [C1, ¶61].',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 1 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 1 } }, { type: 'endProbeRound', params: { slot: 1 } }, { type: 'releaseToAnsweredMember', params: { slot: 1 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 1 } }, actions: [{ type: 'retryProbe', params: { slot: 1 } }] },
              {
                guard: { type: 'slotTimeout', params: { slot: 1 } },
                target: 'down',
                actions: [{ type: 'endProbeRound', params: { slot: 1 } }, { type: 'markMemberDown', params: { slot: 1 } }, { type: 'releaseAfterFailedProbe', params: { slot: 1 } }],
              },
            ],
          },
        },
        down: {
          description: 'Failed its probes: out of ECMP, its flows moved to other members (step 10).',
          always: [
            { guard: { type: 'slotProbeOut', params: { slot: 1 } }, target: 'reprobing' },
            { guard: { type: 'slotLive', params: { slot: 1 } }, target: 'up' },
          ],
        },
        reprobing: {
          description: 'Down, probe n of probeRetries out (a routine round [¶65], or every member probed with none live); an answer re-adds it.',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 1 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 1 } }, { type: 'endProbeRound', params: { slot: 1 } }, { type: 'markMemberUp', params: { slot: 1 } }, { type: 'releaseToAnsweredMember', params: { slot: 1 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 1 } }, actions: [{ type: 'retryProbe', params: { slot: 1 } }] },
              { guard: { type: 'slotTimeout', params: { slot: 1 } }, target: 'down', actions: [{ type: 'endProbeRound', params: { slot: 1 } }, { type: 'releaseAfterFailedProbe', params: { slot: 1 } }] },
            ],
          },
        },
      },
    },
    slot3: {
      description: 'The health of the member in slot 3 (members[2]).',
      initial: 'up',
      states: {
        absent: { description: 'No fast path in this slot: fewer members are configured.' },
        up: {
          description: 'Believed live, no probe out: ECMP may pick it.',
          always: [
            { guard: { type: 'slotEmpty', params: { slot: 2 } }, target: 'absent' },
            { guard: { type: 'slotProbeOut', params: { slot: 2 } }, target: 'probing' },
            { guard: { type: 'slotDown', params: { slot: 2 } }, target: 'down' },
          ],
        },
        probing: {
          description: 'Live, probe n of probeRetries out (n in context.probes); a flow that sent a new request waits for the verdict [C1, ¶61].',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 2 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 2 } }, { type: 'endProbeRound', params: { slot: 2 } }, { type: 'releaseToAnsweredMember', params: { slot: 2 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 2 } }, actions: [{ type: 'retryProbe', params: { slot: 2 } }] },
              {
                guard: { type: 'slotTimeout', params: { slot: 2 } },
                target: 'down',
                actions: [{ type: 'endProbeRound', params: { slot: 2 } }, { type: 'markMemberDown', params: { slot: 2 } }, { type: 'releaseAfterFailedProbe', params: { slot: 2 } }],
              },
            ],
          },
        },
        down: {
          description: 'Failed its probes: out of ECMP, its flows moved to other members (step 10).',
          always: [
            { guard: { type: 'slotProbeOut', params: { slot: 2 } }, target: 'reprobing' },
            { guard: { type: 'slotLive', params: { slot: 2 } }, target: 'up' },
          ],
        },
        reprobing: {
          description: 'Down, probe n of probeRetries out (a routine round [¶65], or every member probed with none live); an answer re-adds it.',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 2 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 2 } }, { type: 'endProbeRound', params: { slot: 2 } }, { type: 'markMemberUp', params: { slot: 2 } }, { type: 'releaseToAnsweredMember', params: { slot: 2 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 2 } }, actions: [{ type: 'retryProbe', params: { slot: 2 } }] },
              { guard: { type: 'slotTimeout', params: { slot: 2 } }, target: 'down', actions: [{ type: 'endProbeRound', params: { slot: 2 } }, { type: 'releaseAfterFailedProbe', params: { slot: 2 } }] },
            ],
          },
        },
      },
    },
    slot4: {
      description: 'The health of the member in slot 4 (members[3]).',
      initial: 'up',
      states: {
        absent: { description: 'No fast path in this slot: fewer members are configured.' },
        up: {
          description: 'Believed live, no probe out: ECMP may pick it.',
          always: [
            { guard: { type: 'slotEmpty', params: { slot: 3 } }, target: 'absent' },
            { guard: { type: 'slotProbeOut', params: { slot: 3 } }, target: 'probing' },
            { guard: { type: 'slotDown', params: { slot: 3 } }, target: 'down' },
          ],
        },
        probing: {
          description: 'Live, probe n of probeRetries out (n in context.probes); a flow that sent a new request waits for the verdict [C1, ¶61].',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 3 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 3 } }, { type: 'endProbeRound', params: { slot: 3 } }, { type: 'releaseToAnsweredMember', params: { slot: 3 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 3 } }, actions: [{ type: 'retryProbe', params: { slot: 3 } }] },
              {
                guard: { type: 'slotTimeout', params: { slot: 3 } },
                target: 'down',
                actions: [{ type: 'endProbeRound', params: { slot: 3 } }, { type: 'markMemberDown', params: { slot: 3 } }, { type: 'releaseAfterFailedProbe', params: { slot: 3 } }],
              },
            ],
          },
        },
        down: {
          description: 'Failed its probes: out of ECMP, its flows moved to other members (step 10).',
          always: [
            { guard: { type: 'slotProbeOut', params: { slot: 3 } }, target: 'reprobing' },
            { guard: { type: 'slotLive', params: { slot: 3 } }, target: 'up' },
          ],
        },
        reprobing: {
          description: 'Down, probe n of probeRetries out (a routine round [¶65], or every member probed with none live); an answer re-adds it.',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 3 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 3 } }, { type: 'endProbeRound', params: { slot: 3 } }, { type: 'markMemberUp', params: { slot: 3 } }, { type: 'releaseToAnsweredMember', params: { slot: 3 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 3 } }, actions: [{ type: 'retryProbe', params: { slot: 3 } }] },
              { guard: { type: 'slotTimeout', params: { slot: 3 } }, target: 'down', actions: [{ type: 'endProbeRound', params: { slot: 3 } }, { type: 'releaseAfterFailedProbe', params: { slot: 3 } }] },
            ],
          },
        },
      },
    },
    slot5: {
      description: 'The health of the member in slot 5 (members[4]).',
      initial: 'up',
      states: {
        absent: { description: 'No fast path in this slot: fewer members are configured.' },
        up: {
          description: 'Believed live, no probe out: ECMP may pick it.',
          always: [
            { guard: { type: 'slotEmpty', params: { slot: 4 } }, target: 'absent' },
            { guard: { type: 'slotProbeOut', params: { slot: 4 } }, target: 'probing' },
            { guard: { type: 'slotDown', params: { slot: 4 } }, target: 'down' },
          ],
        },
        probing: {
          description: 'Live, probe n of probeRetries out (n in context.probes); a flow that sent a new request waits for the verdict [C1, ¶61].',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 4 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 4 } }, { type: 'endProbeRound', params: { slot: 4 } }, { type: 'releaseToAnsweredMember', params: { slot: 4 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 4 } }, actions: [{ type: 'retryProbe', params: { slot: 4 } }] },
              {
                guard: { type: 'slotTimeout', params: { slot: 4 } },
                target: 'down',
                actions: [{ type: 'endProbeRound', params: { slot: 4 } }, { type: 'markMemberDown', params: { slot: 4 } }, { type: 'releaseAfterFailedProbe', params: { slot: 4 } }],
              },
            ],
          },
        },
        down: {
          description: 'Failed its probes: out of ECMP, its flows moved to other members (step 10).',
          always: [
            { guard: { type: 'slotProbeOut', params: { slot: 4 } }, target: 'reprobing' },
            { guard: { type: 'slotLive', params: { slot: 4 } }, target: 'up' },
          ],
        },
        reprobing: {
          description: 'Down, probe n of probeRetries out (a routine round [¶65], or every member probed with none live); an answer re-adds it.',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 4 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 4 } }, { type: 'endProbeRound', params: { slot: 4 } }, { type: 'markMemberUp', params: { slot: 4 } }, { type: 'releaseToAnsweredMember', params: { slot: 4 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 4 } }, actions: [{ type: 'retryProbe', params: { slot: 4 } }] },
              { guard: { type: 'slotTimeout', params: { slot: 4 } }, target: 'down', actions: [{ type: 'endProbeRound', params: { slot: 4 } }, { type: 'releaseAfterFailedProbe', params: { slot: 4 } }] },
            ],
          },
        },
      },
    },
    slot6: {
      description: 'The health of the member in slot 6 (members[5]).',
      initial: 'up',
      states: {
        absent: { description: 'No fast path in this slot: fewer members are configured.' },
        up: {
          description: 'Believed live, no probe out: ECMP may pick it.',
          always: [
            { guard: { type: 'slotEmpty', params: { slot: 5 } }, target: 'absent' },
            { guard: { type: 'slotProbeOut', params: { slot: 5 } }, target: 'probing' },
            { guard: { type: 'slotDown', params: { slot: 5 } }, target: 'down' },
          ],
        },
        probing: {
          description: 'Live, probe n of probeRetries out (n in context.probes); a flow that sent a new request waits for the verdict [C1, ¶61].',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 5 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 5 } }, { type: 'endProbeRound', params: { slot: 5 } }, { type: 'releaseToAnsweredMember', params: { slot: 5 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 5 } }, actions: [{ type: 'retryProbe', params: { slot: 5 } }] },
              {
                guard: { type: 'slotTimeout', params: { slot: 5 } },
                target: 'down',
                actions: [{ type: 'endProbeRound', params: { slot: 5 } }, { type: 'markMemberDown', params: { slot: 5 } }, { type: 'releaseAfterFailedProbe', params: { slot: 5 } }],
              },
            ],
          },
        },
        down: {
          description: 'Failed its probes: out of ECMP, its flows moved to other members (step 10).',
          always: [
            { guard: { type: 'slotProbeOut', params: { slot: 5 } }, target: 'reprobing' },
            { guard: { type: 'slotLive', params: { slot: 5 } }, target: 'up' },
          ],
        },
        reprobing: {
          description: 'Down, probe n of probeRetries out (a routine round [¶65], or every member probed with none live); an answer re-adds it.',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 5 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 5 } }, { type: 'endProbeRound', params: { slot: 5 } }, { type: 'markMemberUp', params: { slot: 5 } }, { type: 'releaseToAnsweredMember', params: { slot: 5 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 5 } }, actions: [{ type: 'retryProbe', params: { slot: 5 } }] },
              { guard: { type: 'slotTimeout', params: { slot: 5 } }, target: 'down', actions: [{ type: 'endProbeRound', params: { slot: 5 } }, { type: 'releaseAfterFailedProbe', params: { slot: 5 } }] },
            ],
          },
        },
      },
    },
    slot7: {
      description: 'The health of the member in slot 7 (members[6]).',
      initial: 'up',
      states: {
        absent: { description: 'No fast path in this slot: fewer members are configured.' },
        up: {
          description: 'Believed live, no probe out: ECMP may pick it.',
          always: [
            { guard: { type: 'slotEmpty', params: { slot: 6 } }, target: 'absent' },
            { guard: { type: 'slotProbeOut', params: { slot: 6 } }, target: 'probing' },
            { guard: { type: 'slotDown', params: { slot: 6 } }, target: 'down' },
          ],
        },
        probing: {
          description: 'Live, probe n of probeRetries out (n in context.probes); a flow that sent a new request waits for the verdict [C1, ¶61].',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 6 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 6 } }, { type: 'endProbeRound', params: { slot: 6 } }, { type: 'releaseToAnsweredMember', params: { slot: 6 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 6 } }, actions: [{ type: 'retryProbe', params: { slot: 6 } }] },
              {
                guard: { type: 'slotTimeout', params: { slot: 6 } },
                target: 'down',
                actions: [{ type: 'endProbeRound', params: { slot: 6 } }, { type: 'markMemberDown', params: { slot: 6 } }, { type: 'releaseAfterFailedProbe', params: { slot: 6 } }],
              },
            ],
          },
        },
        down: {
          description: 'Failed its probes: out of ECMP, its flows moved to other members (step 10).',
          always: [
            { guard: { type: 'slotProbeOut', params: { slot: 6 } }, target: 'reprobing' },
            { guard: { type: 'slotLive', params: { slot: 6 } }, target: 'up' },
          ],
        },
        reprobing: {
          description: 'Down, probe n of probeRetries out (a routine round [¶65], or every member probed with none live); an answer re-adds it.',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 6 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 6 } }, { type: 'endProbeRound', params: { slot: 6 } }, { type: 'markMemberUp', params: { slot: 6 } }, { type: 'releaseToAnsweredMember', params: { slot: 6 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 6 } }, actions: [{ type: 'retryProbe', params: { slot: 6 } }] },
              { guard: { type: 'slotTimeout', params: { slot: 6 } }, target: 'down', actions: [{ type: 'endProbeRound', params: { slot: 6 } }, { type: 'releaseAfterFailedProbe', params: { slot: 6 } }] },
            ],
          },
        },
      },
    },
    slot8: {
      description: 'The health of the member in slot 8 (members[7]).',
      initial: 'up',
      states: {
        absent: { description: 'No fast path in this slot: fewer members are configured.' },
        up: {
          description: 'Believed live, no probe out: ECMP may pick it.',
          always: [
            { guard: { type: 'slotEmpty', params: { slot: 7 } }, target: 'absent' },
            { guard: { type: 'slotProbeOut', params: { slot: 7 } }, target: 'probing' },
            { guard: { type: 'slotDown', params: { slot: 7 } }, target: 'down' },
          ],
        },
        probing: {
          description: 'Live, probe n of probeRetries out (n in context.probes); a flow that sent a new request waits for the verdict [C1, ¶61].',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 7 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 7 } }, { type: 'endProbeRound', params: { slot: 7 } }, { type: 'releaseToAnsweredMember', params: { slot: 7 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 7 } }, actions: [{ type: 'retryProbe', params: { slot: 7 } }] },
              {
                guard: { type: 'slotTimeout', params: { slot: 7 } },
                target: 'down',
                actions: [{ type: 'endProbeRound', params: { slot: 7 } }, { type: 'markMemberDown', params: { slot: 7 } }, { type: 'releaseAfterFailedProbe', params: { slot: 7 } }],
              },
            ],
          },
        },
        down: {
          description: 'Failed its probes: out of ECMP, its flows moved to other members (step 10).',
          always: [
            { guard: { type: 'slotProbeOut', params: { slot: 7 } }, target: 'reprobing' },
            { guard: { type: 'slotLive', params: { slot: 7 } }, target: 'up' },
          ],
        },
        reprobing: {
          description: 'Down, probe n of probeRetries out (a routine round [¶65], or every member probed with none live); an answer re-adds it.',
          on: {
            probeAck: {
              guard: { type: 'ackFromSlot', params: { slot: 7 } },
              target: 'up',
              actions: [{ type: 'cancelProbeTimer', params: { slot: 7 } }, { type: 'endProbeRound', params: { slot: 7 } }, { type: 'markMemberUp', params: { slot: 7 } }, { type: 'releaseToAnsweredMember', params: { slot: 7 } }],
            },
            probeTimeout: [
              { guard: { type: 'slotTimeoutRetriesLeft', params: { slot: 7 } }, actions: [{ type: 'retryProbe', params: { slot: 7 } }] },
              { guard: { type: 'slotTimeout', params: { slot: 7 } }, target: 'down', actions: [{ type: 'endProbeRound', params: { slot: 7 } }, { type: 'releaseAfterFailedProbe', params: { slot: 7 } }] },
            ],
          },
        },
      },
    },
  },
});
