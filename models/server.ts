/**
 * The backend real server (RS), one statechart per flow: it answers a request with a
 * stream of reverse data sent back to the LVS over the VPC2 network [¶36]. It knows the
 * LVS and nothing of the client or the PVL (spec §1).
 */
import { assign, enqueueActions, setup } from 'xstate';
import { primitiveActions, type DataMsg, type Delivered } from './protocol.js';

export interface ServerInput {
  flow: string;
  lvsIp: string;
  /** The server side's tenant id, carried on reverse packets [¶75]. */
  vni: number;
  streamIntervalMs: number;
  /** How many packets the stream has; 0 = it streams until the run ends. */
  streamPackets: number;
}

export interface ServerContext extends ServerInput {
  /** Packets still to send when the stream is finite; null when it is endless. */
  remaining: number | null;
}

export const serverMachine = setup({
  types: {} as { context: ServerContext; events: Delivered<DataMsg>; input: ServerInput },
  actions: {
    ...primitiveActions,
    sendStreamData: enqueueActions(({ context, enqueue }) => {
      const msg: DataMsg = { type: 'data', dir: 'rev', flow: context.flow, vni: context.vni, kind: 'stream' };
      enqueue({ type: 'send', params: { to: context.lvsIp, msg } });
      if (context.remaining !== null) enqueue.assign({ remaining: context.remaining - 1 });
    }),
    /** A new request after a finite stream ended starts another one. */
    restartStream: assign({ remaining: ({ context }) => context.streamPackets }),
  },
  guards: {
    isRequest: ({ event }) => event.dir === 'fwd' && event.kind === 'request',
    streamDone: ({ context }) => context.remaining !== null && context.remaining <= 0,
  },
  delays: {
    streamInterval: ({ context }) => context.streamIntervalMs,
  },
}).createMachine({
  id: 'server',
  description: 'Answers a request with a stream of reverse data to the LVS.',
  context: ({ input }) => ({ ...input, remaining: input.streamPackets > 0 ? input.streamPackets : null }),
  initial: 'idle',
  states: {
    idle: {
      description: 'No request yet.',
      on: { data: { guard: 'isRequest', target: 'streaming' } },
    },
    streaming: {
      description: 'Sends one reverse packet every streamIntervalMs; acks and new requests do not disturb it.',
      always: { guard: 'streamDone', target: 'done' },
      after: { streamInterval: { target: 'streaming', reenter: true, actions: ['sendStreamData'] } },
    },
    done: {
      description: 'A finite stream has been sent in full.',
      on: { data: { guard: 'isRequest', target: 'streaming', actions: ['restartStream'] } },
    },
  },
});
