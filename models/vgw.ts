/**
 * The virtual gateway (node `vgw`): relays the LVS's reverse packets to the client's ENI
 * [¶67, ¶78, C4] (route ② of Fig. 5). How it knows the route to the ENI is unstated in
 * the patent (spec §1, "Route to the ENI (mechanism unstated)"); here it is given: with
 * one client as `eniIp`; with several as `eniRoutes`, the ENI of each flow. INF: the
 * reverse packet's 5-tuple (which the flow id stands for) names the client's address, the
 * client addresses only its ENI [¶42, ¶64, C8], so the route to that address in the
 * consumer's VPC is that ENI; the LVS needs to know nothing of it (it knows no client, §1).
 */
import { enqueueActions, setup } from 'xstate';
import { primitiveActions, type DataMsg, type Delivered } from './protocol.js';

export interface VgwInput {
  eniIp: string;
  /** Several clients: flow -> the ENI of the flow's client (absent with one client). */
  eniRoutes?: Record<string, string>;
}

export const vgwMachine = setup({
  types: {} as { context: VgwInput; events: Delivered<DataMsg>; input: VgwInput },
  actions: {
    ...primitiveActions,
    relayToEni: enqueueActions(({ context, event, enqueue }) => {
      const { src: _src, ...packet } = event;
      enqueue({ type: 'send', params: { to: context.eniRoutes?.[packet.flow] ?? context.eniIp, msg: packet } });
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
      description: "Every reverse packet from the LVS is relayed to the ENI of its flow's client [¶78].",
      on: {
        data: [
          { guard: 'isReverse', actions: ['relayToEni'] },
          { actions: [{ type: 'discard', params: { reason: 'vgw-forward-packet' } }] },
        ],
      },
    },
  },
});
