/**
 * PVL-Control (node `control`): holds the VGW-IP, the LVS relay timeout and the tenant
 * table, and pushes them to the slow path [¶72]. It announces at start and again every
 * `refreshMs`, which is how a restarted slow path gets its configuration back (the
 * control plane's propagation, spec §7: about 1 s).
 */
import { enqueueActions, setup } from 'xstate';
import { primitiveActions, type Tenant } from './protocol.js';

export interface ControlInput {
  spIp: string;
  vgwIp: string;
  relayTimeoutMs: number;
  tenants: Tenant[];
  refreshMs: number;
}

export const controlMachine = setup({
  types: {} as { context: ControlInput; input: ControlInput },
  actions: {
    ...primitiveActions,
    announceConfig: enqueueActions(({ context, enqueue }) => {
      const { vgwIp, relayTimeoutMs, tenants } = context;
      enqueue({ type: 'send', params: { to: context.spIp, msg: { type: 'config', vgwIp, relayTimeoutMs, tenants } } });
    }),
  },
  delays: {
    refresh: ({ context }) => context.refreshMs,
  },
}).createMachine({
  id: 'control',
  description: 'PVL-Control: configures the slow path with VGW-IP, relay timeout and the tenant table.',
  context: ({ input }) => input,
  initial: 'announcing',
  states: {
    announcing: {
      description: 'Pushes the configuration to the slow path, then waits refreshMs to push it again.',
      entry: ['announceConfig'],
      after: { refresh: { target: 'announcing', reenter: true } },
    },
  },
});
