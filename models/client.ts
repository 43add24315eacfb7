/**
 * The frontend client (consumer ECS), one statechart per flow.
 *
 * The workload is reverse-heavy: one request, then the server streams. The client knows
 * only its ENI's IP [¶42, ¶64, C8]. With an ack cadence it acknowledges every
 * `ackEvery`-th reverse packet, which keeps forward traffic (and the LVS's learning)
 * alive while data flows. When no reverse data has arrived for `hangTimeoutMs` the
 * client hangs; reverse data that arrives while it hangs makes it send a new request
 * (step 10, [¶79], C4) — the request that lets the ENI probe and fail over.
 */
import { assign, enqueueActions, setup } from 'xstate';
import { primitiveActions, type DataKind, type DataMsg, type Delivered, type StartEvent } from './protocol.js';

export interface ClientInput {
  flow: string;
  eniIp: string;
  /** The client side's tenant id, carried on forward packets. */
  cvni: number;
  hangTimeoutMs: number;
  /** Acknowledge every n-th reverse packet; 0 = never (a silent sink, E6). */
  ackEvery: number;
}

export interface ClientContext extends ClientInput {
  /** Reverse packets received since the last ack, 0 .. ackEvery-1. */
  unacked: number;
}

export type ClientEvent = StartEvent | Delivered<DataMsg>;

function forward(context: ClientContext, kind: DataKind): { to: string; msg: DataMsg } {
  return { to: context.eniIp, msg: { type: 'data', dir: 'fwd', flow: context.flow, vni: context.cvni, kind } };
}

export const clientMachine = setup({
  types: {} as { context: ClientContext; events: ClientEvent; input: ClientInput },
  actions: {
    ...primitiveActions,
    /** A request to the ENI's IP: the first one, or a new one after hanging [¶70, ¶79]. */
    sendRequest: enqueueActions(({ context, enqueue }) => {
      enqueue({ type: 'send', params: forward(context, 'request') });
    }),
    /** Count a reverse packet; every ackEvery-th one is acknowledged (a forward packet). */
    countAndAck: enqueueActions(({ context, enqueue }) => {
      if (context.ackEvery <= 0) return;
      const unacked = context.unacked + 1;
      if (unacked >= context.ackEvery) {
        enqueue({ type: 'send', params: forward(context, 'ack') });
        enqueue.assign({ unacked: 0 });
      } else {
        enqueue.assign({ unacked });
      }
    }),
    resetAckCount: assign({ unacked: 0 }),
  },
  guards: {
    isReverseData: ({ event }) => event.type === 'data' && event.dir === 'rev',
  },
  delays: {
    hangTimeout: ({ context }) => context.hangTimeoutMs,
  },
}).createMachine({
  id: 'client',
  description: 'A reverse-heavy client flow: one request, then it receives a stream and acks it.',
  context: ({ input }) => ({ ...input, unacked: 0 }),
  initial: 'idle',
  states: {
    idle: {
      description: 'Not started yet.',
      on: { start: { target: 'awaitingData', actions: ['sendRequest'] } },
    },
    awaitingData: {
      description: 'The request is out; waiting for the first reverse data.',
      after: { hangTimeout: 'hung' },
      on: { data: { guard: 'isReverseData', target: 'receiving', actions: ['countAndAck'] } },
    },
    receiving: {
      description: 'Reverse data is flowing; each packet restarts the hang timer.',
      after: { hangTimeout: 'hung' },
      on: { data: { guard: 'isReverseData', target: 'receiving', reenter: true, actions: ['countAndAck'] } },
    },
    hung: {
      description:
        'No reverse data for hangTimeoutMs. When data arrives again (e.g. through the VGW) the client sends a new request (step 10, [¶79]).',
      on: {
        data: { guard: 'isReverseData', target: 'receiving', actions: ['resetAckCount', 'sendRequest'] },
      },
    },
  },
});
