/**
 * The PVL slow path (PVL-SP, one instance, node `sp`).
 *
 * A fast path sends it every first packet that missed, as the same packet [¶71]. It
 * validates the tenant id against PVL-Control's table before anything is offloaded:
 * CVNI on forward first packets, VNI on reverse first packets [¶72, ¶75, C5]. On success
 * it offloads an entry for that one direction back to the fast path that missed, with
 * the VGW-IP and relay timeout on the forward direction [¶72, C2]; on failure it drops
 * the packet and never offloads (spec §2, "Invalid VNI: no offload"; dropping is INF).
 * Until the first config arrives it cannot validate, so it drops too (E8: SP without
 * its config blocks step 10).
 */
import { assign, enqueueActions, setup } from 'xstate';
import { primitiveActions, type ConfigMsg, type DataMsg, type Delivered, type Tenant } from './protocol.js';

export interface SlowPathConfig {
  vgwIp: string;
  relayTimeoutMs: number;
  tenants: Tenant[];
}

export interface SlowPathContext {
  config: SlowPathConfig | null;
}

export type SlowPathEvent = Delivered<DataMsg> | Delivered<ConfigMsg>;

/** The tenant check of [¶72] (forward: CVNI) and [¶75] (reverse: VNI). */
export function tenantIdValid(tenants: readonly Tenant[], packet: Pick<DataMsg, 'dir' | 'vni'>): boolean {
  return tenants.some((t) => (packet.dir === 'fwd' ? t.cvni : t.vni) === packet.vni);
}

export const slowPathMachine = setup({
  types: {} as { context: SlowPathContext; events: SlowPathEvent },
  actions: {
    ...primitiveActions,
    storeConfig: assign(({ event }) =>
      event.type === 'config'
        ? { config: { vgwIp: event.vgwIp, relayTimeoutMs: event.relayTimeoutMs, tenants: event.tenants } }
        : {},
    ),
    /** Offload the validated direction to the fast path that missed, handing back its packet. */
    offloadToFastPath: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'data' || context.config === null) return;
      const { src, ...packet } = event;
      const extras =
        packet.dir === 'fwd'
          ? { extras: { vgwIp: context.config.vgwIp, relayTimeoutMs: context.config.relayTimeoutMs } }
          : {};
      enqueue({
        type: 'send',
        params: {
          to: src,
          msg: { type: 'offload', dir: packet.dir, flow: packet.flow, vni: packet.vni, ...extras, packet },
        },
      });
    }),
  },
  guards: {
    tenantValid: ({ context, event }) =>
      event.type === 'data' && context.config !== null && tenantIdValid(context.config.tenants, event),
  },
}).createMachine({
  id: 'slowPath',
  description: 'The PVL slow path: validates tenant ids on first packets and offloads flow entries.',
  context: { config: null },
  initial: 'awaitingConfig',
  states: {
    awaitingConfig: {
      description: 'No configuration from PVL-Control yet: nothing can be validated, first packets are dropped.',
      on: {
        config: { target: 'serving', actions: ['storeConfig'] },
        data: { actions: [{ type: 'discard', params: { reason: 'slow-path-unconfigured' } }] },
      },
    },
    serving: {
      description:
        'Validates CVNI (forward) or VNI (reverse) of each first packet; offloads on success [¶72, ¶75], drops on failure.',
      on: {
        config: { actions: ['storeConfig'] },
        data: [
          { guard: 'tenantValid', actions: ['offloadToFastPath'] },
          { actions: [{ type: 'discard', params: { reason: 'invalid-vni' } }] },
        ],
      },
    },
  },
});
