/**
 * The backend load balancer (LVS), patent design: one statechart per session.
 *
 * The LVS learns where to send reverse traffic only from forward packets, and keeps
 * learning [¶45, ¶74, ¶80]; it keeps, per session, the learned path, the VGW-IP and relay
 * timeout that arrived in-band, and the time of the last forward packet [¶67]. When the
 * session's up direction has been idle longer than the relay timeout, reverse traffic
 * goes to the virtual gateway instead [¶77, C1]; the next forward packet brings it back
 * to the (re)learned fast path (steps 11-13, [¶80]).
 *
 * The idle test is the `relayTimeout` delay: every learned forward packet re-enters
 * `viaFastPath`, which restarts the timer, so the timer fires only after a full relay
 * timeout without forward traffic. The world adds the LVS's scan granularity (Δscan,
 * spec §7) to this timer, so it fires 1..Δscan ms after it is due: idle > T_relay (S4).
 */
import { enqueueActions, setup, assign } from 'xstate';
import { NEVER_MS, primitiveActions, type DataMsg, type Delivered, type SendParams } from './protocol.js';

export interface LvsInput {
  flow: string;
  serverIp: string;
}

export interface LvsContext {
  flow: string;
  serverIp: string;
  /** The learned reverse path: the fast path's physical and virtual IP [C7]. */
  pathPhysIp: string | null;
  pathVirtIp: string | null;
  /** Learned in-band from a path's first packet [¶73]; never configured locally (S7). */
  vgwIp: string | null;
  relayTimeoutMs: number | null;
}

export type LvsEvent = Delivered<DataMsg>;

/** Used when no relay timeout arrived in-band: the timer never fires in a run. */

export const lvsMachine = setup({
  types: {} as { context: LvsContext; events: LvsEvent; input: LvsInput },
  actions: {
    ...primitiveActions,
    /** Learn the path from a forward packet, and the VGW extras when it carries them [¶74, ¶80]. */
    learnPath: assign(({ context, event }) => ({
      ...learnedPath(context, event),
      vgwIp: event.vgwIp ?? context.vgwIp,
      relayTimeoutMs: event.relayTimeoutMs ?? context.relayTimeoutMs,
    })),
    /** Pass the request on to the real server, without the PVL path info. */
    forwardToServer: enqueueActions(({ context, event, enqueue }) => {
      enqueue({ type: 'send', params: toServer(context, event) });
    }),
    /** Reverse data to the learned fast path's physical IP, its virtual IP inside (route ① or ③ of Fig. 5) [C7]. */
    sendToLearnedPath: enqueueActions(({ context, event, enqueue }) => {
      const send = toLearnedPath(context, event);
      if (send) enqueue({ type: 'send', params: send });
      else enqueue({ type: 'discard', params: { reason: 'no-learned-path' } });
    }),
    /** Reverse data through the virtual gateway (route ② of Fig. 5) [¶77, ¶78]. */
    sendViaVgw: enqueueActions(({ context, event, enqueue }) => {
      if (context.vgwIp === null) {
        enqueue({ type: 'discard', params: { reason: 'no-vgw-ip' } });
        return;
      }
      enqueue({ type: 'send', params: { to: context.vgwIp, msg: reverseData(event) } });
    }),
  },
  guards: {
    isForward: ({ event }) => event.dir === 'fwd',
    isReverse: ({ event }) => event.dir === 'rev',
    /** S7: the VGW fallback needs the VGW-IP and timeout to have arrived in-band. */
    relayConfigured: ({ context }) => context.vgwIp !== null && context.relayTimeoutMs !== null,
  },
  delays: {
    relayTimeout: ({ context }) => context.relayTimeoutMs ?? NEVER_MS,
  },
}).createMachine({
  id: 'lvs',
  description: 'Per-session reverse-path state of the LVS, with the VGW fallback of CN114826887B.',
  context: ({ input }) => ({
    flow: input.flow,
    serverIp: input.serverIp,
    pathPhysIp: null,
    pathVirtIp: null,
    vgwIp: null,
    relayTimeoutMs: null,
  }),
  initial: 'noSession',
  states: {
    noSession: {
      description: 'No forward packet seen yet: nothing learned, nowhere to send reverse data.',
      on: {
        data: [
          { guard: 'isForward', target: 'viaFastPath', actions: ['learnPath', 'forwardToServer'] },
          { guard: 'isReverse', actions: [{ type: 'discard', params: { reason: 'no-session' } }] },
        ],
      },
    },
    viaFastPath: {
      description:
        'Reverse data goes to the learned fast path; every forward packet relearns the path and restarts the relay timer [¶74, ¶80].',
      after: {
        relayTimeout: { guard: 'relayConfigured', target: 'viaVgw' },
      },
      on: {
        data: [
          {
            guard: 'isForward',
            target: 'viaFastPath',
            reenter: true,
            actions: ['learnPath', 'forwardToServer'],
          },
          { guard: 'isReverse', actions: ['sendToLearnedPath'] },
        ],
      },
    },
    viaVgw: {
      description:
        'The up direction was idle longer than the relay timeout: reverse data goes through the VGW to the ENI [¶77, ¶78].',
      on: {
        data: [
          { guard: 'isForward', target: 'viaFastPath', actions: ['learnPath', 'forwardToServer'] },
          { guard: 'isReverse', actions: ['sendViaVgw'] },
        ],
      },
    },
  },
});

/** The reverse packet the LVS emits: NSH dir=rev, the server-side VNI, the flow [¶56]. */
export function reverseData(event: DataMsg): DataMsg {
  return { type: 'data', dir: 'rev', flow: event.flow, vni: event.vni, kind: event.kind };
}

// Shared with the prior-art LVS (models/lvsPriorArt.ts), which learns the same way [¶45].

interface LearnedPath {
  serverIp: string;
  pathPhysIp: string | null;
  pathVirtIp: string | null;
}

/** The path info a forward packet teaches: last writer wins (E4). */
export function learnedPath(context: LearnedPath, event: DataMsg): Pick<LearnedPath, 'pathPhysIp' | 'pathVirtIp'> {
  return {
    pathPhysIp: event.pathPhysIp ?? context.pathPhysIp,
    pathVirtIp: event.pathVirtIp ?? context.pathVirtIp,
  };
}

/** The request as the real server gets it: no PVL path info. */
export function toServer(context: LearnedPath, event: DataMsg): SendParams {
  return {
    to: context.serverIp,
    msg: { type: 'data', dir: 'fwd', flow: event.flow, vni: event.vni, kind: event.kind },
  };
}

/**
 * Reverse data to the learned path, or null when nothing has been learned: to the path's
 * physical IP with its virtual IP inside (outer and inner destination) [C7, ¶45, ¶63].
 * A stale half black-holes it: a fast path restarted at a new virtual address on the same
 * host (the inner address is nobody's there), or on a new host (the outer address is
 * nobody's), until a forward packet relearns the path [¶45, ¶80]. A path learned without
 * its physical IP (no fast path sends one) is addressed by its virtual IP alone.
 */
export function toLearnedPath(context: LearnedPath, event: DataMsg): SendParams | null {
  if (context.pathVirtIp === null) return null;
  if (context.pathPhysIp === null) return { to: context.pathVirtIp, msg: reverseData(event) };
  return { to: context.pathPhysIp, msg: reverseData(event), innerDst: context.pathVirtIp };
}
