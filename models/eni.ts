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
 * between survivors, E4) or resilient (only the removed member's flows move) [S16].
 */
import { enqueueActions, setup } from 'xstate';
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
  /** Fast path members, by virtual IP, in configuration order. */
  members: string[];
  probeTimeoutMs: number;
  probeRetries: number;
  /** Routine probing period [¶65]; 0 = probe only on a new request [C1]. */
  routineProbeMs: number;
  ecmp: EcmpMode;
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

/** RFC 2992 hash-threshold: the hash space is cut into equal regions, one per live member. */
export function ecmpPick(flow: string, live: readonly string[]): string | null {
  if (live.length === 0) return null;
  return live[Math.floor((flowHash(flow) * live.length) / 2 ** 32)] ?? null;
}

/** Every flow's member after the live set changed. */
function rehash(ctx: EniContext, live: string[]): Record<string, string | null> {
  const flows: Record<string, string | null> = {};
  for (const [flow, member] of Object.entries(ctx.flows)) {
    const keep = ctx.ecmp === 'resilient' && member !== null && live.includes(member);
    flows[flow] = keep ? member : ecmpPick(flow, live);
  }
  return flows;
}

// ---- What the ENI does, as pure functions of its context -----------------------------

/** The effects of one ENI step, which the statechart's actions enqueue. */
export interface EniEffects {
  ctx: EniContext;
  sends: SendParams[];
  /** Probe timers to (re)start, by member. */
  startTimers: string[];
  cancelTimers: string[];
  discards: string[];
}

function effects(ctx: EniContext): EniEffects {
  return { ctx, sends: [], startTimers: [], cancelTimers: [], discards: [] };
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
    member = ecmpPick(packet.flow, fx.ctx.live);
    fx.ctx = { ...fx.ctx, flows: { ...fx.ctx.flows, [packet.flow]: member } };
  }
  if (member === null) fx.discards.push('no-live-fast-path');
  else fx.sends.push({ to: member, msg: packet });
}

/** A forward packet from the client. `probeOnRequest: false` is the eni-never-probes mutant. */
export function onForward(ctx: EniContext, packet: DataMsg, probeOnRequest = true): EniEffects {
  const fx = effects(ctx);
  const flow = packet.flow;
  if (ctx.awaiting[flow] !== undefined) {
    fx.ctx = { ...ctx, held: [...ctx.held, packet] };
    return fx;
  }
  const member = ctx.flows[flow];
  const established = member !== undefined;
  if (probeOnRequest && established && packet.kind === 'request' && (member !== null || ctx.live.length === 0)) {
    // C1: a new request makes the ENI probe the flow's current path before using it;
    // with no member believed live, it probes them all and takes the first that answers.
    const target = member ?? '*';
    fx.ctx = { ...ctx, awaiting: { ...ctx.awaiting, [flow]: target }, held: [...ctx.held, packet] };
    if (member !== null) probe(fx, member);
    else for (const m of ctx.members) probe(fx, m);
    return fx;
  }
  forward(fx, packet);
  return fx;
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

function setLive(fx: EniEffects, live: string[]): void {
  fx.ctx = { ...fx.ctx, live, flows: rehash(fx.ctx, live) };
}

/** A probe answer: the member is fine [¶50]; flows waiting on it (or on any member) go on. */
export function onProbeAck(ctx: EniContext, member: string): EniEffects {
  const fx = effects(ctx);
  if (ctx.probes[member] === undefined) return fx; // a late answer to a finished round
  const { [member]: _done, ...probes } = ctx.probes;
  fx.ctx = { ...ctx, probes };
  fx.cancelTimers.push(member);
  if (!ctx.live.includes(member)) {
    setLive(fx, ctx.members.filter((m) => m === member || ctx.live.includes(m)));
  }
  release(fx, (target) => target === member || target === '*');
  return fx;
}

/**
 * A probe timed out: retry, or after probeRetries timeouts mark the member down [C1, ¶61].
 * `markDown: false` is the eni-never-fails-over mutant: the verdict is ignored.
 */
export function onProbeTimeout(ctx: EniContext, member: string, markDown = true): EniEffects {
  const fx = effects(ctx);
  const sent = ctx.probes[member];
  if (sent === undefined) return fx;
  if (sent < ctx.probeRetries) {
    fx.ctx = { ...ctx, probes: { ...ctx.probes, [member]: sent + 1 } };
    fx.sends.push({ to: member, msg: { type: 'probe' } });
    fx.startTimers.push(member);
    return fx;
  }
  const { [member]: _failed, ...probes } = ctx.probes;
  fx.ctx = { ...ctx, probes };
  if (markDown && ctx.live.includes(member)) setLive(fx, ctx.live.filter((m) => m !== member));
  const anyProbeLeft = Object.keys(fx.ctx.probes).length > 0;
  release(fx, (target) => target === member || (target === '*' && (fx.ctx.live.length > 0 || !anyProbeLeft)));
  return fx;
}

/** Routine probing [¶65]: probe every member not already being probed. */
export function onRoutineProbe(ctx: EniContext): EniEffects {
  const fx = effects(ctx);
  for (const m of ctx.members) probe(fx, m);
  return fx;
}

export function probeTimerId(member: string): string {
  return `probe:${member}`;
}

// ---- The statechart -----------------------------------------------------------------

export const eniMachine = setup({
  types: {} as { context: EniContext; events: EniEvent; input: EniInput },
  actions: {
    ...primitiveActions,
    /** Relay reverse data, from a fast path or the VGW, to the client [C4, C6]. */
    relayToClient: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'data') return;
      const { src: _src, ...packet } = event;
      enqueue({ type: 'send', params: { to: context.clientIp, msg: packet } });
    }),
    /** A forward packet: ECMP, hold-and-probe on a new request [C1], or forward [C3]. */
    handleForward: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'data') return;
      const { src: _src, ...packet } = event;
      applyEffects(enqueue, onForward(context, packet), context.probeTimeoutMs);
    }),
    probeAnswered: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'probeAck') return;
      applyEffects(enqueue, onProbeAck(context, event.src), context.probeTimeoutMs);
    }),
    probeTimedOut: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'probeTimeout') return;
      applyEffects(enqueue, onProbeTimeout(context, event.member), context.probeTimeoutMs);
    }),
    probeAllMembers: enqueueActions(({ context, enqueue }) => {
      applyEffects(enqueue, onRoutineProbe(context), context.probeTimeoutMs);
    }),
  },
  guards: {
    isReverse: ({ event }) => event.type === 'data' && event.dir === 'rev',
    probeOutstanding: ({ context }) => Object.keys(context.probes).length > 0,
    noProbeOutstanding: ({ context }) => Object.keys(context.probes).length === 0,
    routineProbing: ({ context }) => context.routineProbeMs > 0,
  },
  delays: {
    routineProbe: ({ context }) => context.routineProbeMs,
  },
}).createMachine({
  id: 'eni',
  description: 'The bonding ENI: ECMP over the fast paths, probes on a new request, relays reverse data.',
  context: ({ input }) => ({ ...input, live: [...input.members], flows: {}, probes: {}, awaiting: {}, held: [] }),
  type: 'parallel',
  on: {
    data: [{ guard: 'isReverse', actions: ['relayToClient'] }, { actions: ['handleForward'] }],
    probeAck: { actions: ['probeAnswered'] },
    probeTimeout: { actions: ['probeTimedOut'] },
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
          always: [{ guard: 'routineProbing', target: 'waiting' }, { target: 'off' }],
        },
        off: { description: 'Probes are sent only on a new request [C1].' },
        waiting: {
          description: 'Waits routineProbeMs, then probes every member.',
          after: { routineProbe: { target: 'waiting', reenter: true, actions: ['probeAllMembers'] } },
        },
      },
    },
  },
});

/** The part of XState's `enqueue` that the ENI uses. */
interface EniEnqueue {
  (action: { type: 'send'; params: SendParams } | { type: 'discard'; params: DiscardParams }): void;
  assign(values: EniContext): void;
  cancel(id: string): void;
  raise(event: ProbeTimeoutEvent, options: { id: string; delay: number }): void;
}

/** Turn pure effects into enqueued actions: context, sends, probe timers, discards. */
export function applyEffects(enqueue: EniEnqueue, fx: EniEffects, probeTimeoutMs: number): void {
  enqueue.assign(fx.ctx);
  for (const id of fx.cancelTimers) enqueue.cancel(probeTimerId(id));
  for (const params of fx.sends) enqueue({ type: 'send', params });
  for (const member of fx.startTimers) {
    enqueue.raise({ type: 'probeTimeout', member }, { id: probeTimerId(member), delay: probeTimeoutMs });
  }
  for (const reason of fx.discards) enqueue({ type: 'discard', params: { reason } });
}
