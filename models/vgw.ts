/**
 * The virtual gateway (node `vgw`): relays the LVS's reverse packets to the client's ENI
 * [¶67, ¶78, C4] (route ② of Fig. 5). How it knows the route to the ENI is unstated in
 * the patent (spec §1); here it is given, as `eniIp`.
 */
import { enqueueActions, setup } from 'xstate';
import { primitiveActions, type DataMsg, type Delivered } from './protocol.js';

export interface VgwInput {
  eniIp: string;
}

export const vgwMachine = setup({
  types: {} as { context: VgwInput; events: Delivered<DataMsg>; input: VgwInput },
  actions: {
    ...primitiveActions,
    relayToEni: enqueueActions(({ context, event, enqueue }) => {
      const { src: _src, ...packet } = event;
      enqueue({ type: 'send', params: { to: context.eniIp, msg: packet } });
    }),
  },
  guards: {
    isReverse: ({ event }) => event.dir === 'rev',
  },
}).createMachine({
  id: 'vgw',
  description: 'The virtual gateway: relays reverse data from the LVS to the ENI.',
  context: ({ input }) => input,
  initial: 'relaying',
  states: {
    relaying: {
      description: 'Every reverse packet from the LVS is relayed to the ENI [¶78].',
      on: {
        data: [
          { guard: 'isReverse', actions: ['relayToEni'] },
          { actions: [{ type: 'discard', params: { reason: 'vgw-forward-packet' } }] },
        ],
      },
    },
  },
});
