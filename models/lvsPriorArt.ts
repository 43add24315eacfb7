/**
 * The prior-art LVS [¶45]: one statechart per session, learning the reverse path from
 * forward packets and only from them, with no relay timer and no VGW fallback.
 *
 * When the learned fast path dies while the client is silent, nothing ever makes this
 * LVS relearn: reverse data goes to the dead path until the run ends (spec §4, the
 * expected violation of L1). `design: "prior-art"` puts this machine at node `lvs`.
 */
import { assign, enqueueActions, setup } from 'xstate';
import { primitiveActions, type DataMsg, type Delivered } from './protocol.js';
import { learnedPath, toLearnedPath, toServer, type LvsInput } from './lvs.js';

export interface LvsPriorArtContext {
  flow: string;
  serverIp: string;
  pathPhysIp: string | null;
  pathVirtIp: string | null;
}

export const lvsPriorArtMachine = setup({
  types: {} as { context: LvsPriorArtContext; events: Delivered<DataMsg>; input: LvsInput },
  actions: {
    ...primitiveActions,
    /** Learn the path from every forward packet [¶45]; VGW extras, if any, are ignored. */
    learnPath: assign(({ context, event }) => learnedPath(context, event)),
    forwardToServer: enqueueActions(({ context, event, enqueue }) => {
      enqueue({ type: 'send', params: toServer(context, event) });
    }),
    /** Reverse data to the learned path's physical IP, its virtual IP inside [C7, ¶45]: stale after a restart, for ever. */
    sendToLearnedPath: enqueueActions(({ context, event, enqueue }) => {
      const send = toLearnedPath(context, event);
      if (send) enqueue({ type: 'send', params: send });
      else enqueue({ type: 'discard', params: { reason: 'no-learned-path' } });
    }),
  },
  guards: {
    isForward: ({ event }) => event.dir === 'fwd',
    isReverse: ({ event }) => event.dir === 'rev',
  },
}).createMachine({
  id: 'lvsPriorArt',
  description: 'Per-session reverse-path state of the prior-art LVS: forward learning only, no fallback [¶45].',
  context: ({ input }) => ({
    flow: input.flow,
    serverIp: input.serverIp,
    pathPhysIp: null,
    pathVirtIp: null,
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
        'Reverse data goes to the last learned fast path, dead or alive, until a forward packet relearns it [¶45].',
      on: {
        data: [
          { guard: 'isForward', actions: ['learnPath', 'forwardToServer'] },
          { guard: 'isReverse', actions: ['sendToLearnedPath'] },
        ],
      },
    },
  },
});
