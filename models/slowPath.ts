/**
 * The PVL slow path (PVL-SP, one instance, node `sp`).
 *
 * A fast path sends it every first packet that missed, as the same packet [¶71]. It
 * validates the tenant ids against PVL-Control's table before anything is offloaded
 * [¶72, ¶75, C5]: a forward first packet's CVNI must be a tenant's CVNI, and it remembers
 * that CVNI for the flow; a reverse first packet's VNI must be the VNI of the same tenant
 * entry as the flow's CVNI. The CVNI (client side) and the VNI (server side) of one flow
 * are one tenant's pair [¶72, ¶75; spec §2 "VNI": both tenant ids]: a tenant A CVNI with
 * a tenant B VNI is a spoof, never served (spec §6 S3). On success it offloads an entry
 * for that one direction back to the fast path that missed, with the VGW-IP and relay
 * timeout on the forward direction [¶72, C2]; on failure it drops the packet and never
 * offloads (spec §2, "Invalid VNI: no offload"; dropping is INF). Until the first config
 * arrives it cannot validate, so it drops too (E8: SP without its config blocks step 10).
 * A reverse first packet of a flow whose forward it never validated (after its own
 * restart) is dropped too (INF); the flow's next forward first packet restores it.
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
  /** The CVNI each flow's forward first packet carried when it was validated. */
  flows: Record<string, number>;
}

export type SlowPathEvent = Delivered<DataMsg> | Delivered<ConfigMsg>;

/** One id against the table, for its direction: CVNI forward [¶72], VNI reverse [¶75]. */
export function tenantIdValid(tenants: readonly Tenant[], packet: Pick<DataMsg, 'dir' | 'vni'>): boolean {
  // A loop, not `some`: properties ask it of every packet they see, and a closure per call costs.
  const fwd = packet.dir === 'fwd';
  for (const t of tenants) if ((fwd ? t.cvni : t.vni) === packet.vni) return true;
  return false;
}

/** Are a CVNI and a VNI one tenant entry's pair? */
export function tenantPairValid(tenants: readonly Tenant[], cvni: number, vni: number): boolean {
  for (const t of tenants) if (t.cvni === cvni && t.vni === vni) return true;
  return false;
}

/** Why a first packet is refused: an id outside the table, a reverse packet of an unvalidated flow, or a pair of two tenants. */
export function refusalReason(context: SlowPathContext, packet: Pick<DataMsg, 'dir' | 'vni' | 'flow'>): string {
  const tenants = context.config?.tenants ?? [];
  if (!tenantIdValid(tenants, packet)) return 'invalid-vni';
  if (packet.dir === 'rev' && context.flows[packet.flow] === undefined) return 'flow-not-validated';
  return 'tenant-pair-mismatch';
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
    /** Remember the CVNI a flow's forward first packet was validated with: the reverse direction must pair with it. */
    rememberFlowCvni: assign(({ context, event }) =>
      event.type === 'data' && context.flows[event.flow] !== event.vni ? { flows: { ...context.flows, [event.flow]: event.vni } } : {},
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
    /** Drop a first packet that failed validation, saying why. */
    refuseFirstPacket: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'data') return;
      enqueue({ type: 'discard', params: { reason: refusalReason(context, event) } });
    }),
  },
  guards: {
    /** [¶72] A forward first packet's CVNI is some tenant's CVNI. */
    forwardCvniValid: ({ context, event }) =>
      event.type === 'data' && event.dir === 'fwd' && context.config !== null && tenantIdValid(context.config.tenants, event),
    /**
     * [¶75] A reverse first packet's VNI is the VNI of the tenant entry whose CVNI the
     * flow's forward first packet carried: the flow's CVNI/VNI pair is one tenant's.
     */
    reverseTenantPairValid: ({ context, event }) => {
      if (event.type !== 'data' || event.dir !== 'rev' || context.config === null) return false;
      const cvni = context.flows[event.flow];
      return cvni !== undefined && tenantPairValid(context.config.tenants, cvni, event.vni);
    },
  },
}).createMachine({
  id: 'slowPath',
  description: 'The PVL slow path: validates each flow’s tenant pair on first packets and offloads flow entries.',
  context: { config: null, flows: {} },
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
        "Validates each first packet: the CVNI (forward) against the table, the VNI (reverse) as the pair of the flow's CVNI in one tenant entry; offloads on success [¶72, ¶75], drops on failure.",
      on: {
        config: { actions: ['storeConfig'] },
        data: [
          {
            guard: 'forwardCvniValid',
            actions: ['rememberFlowCvni', 'offloadToFastPath'],
            description: "Forward first packet with a tenant's CVNI: remembered for the flow, offloaded with the VGW extras [¶72].",
          },
          {
            guard: 'reverseTenantPairValid',
            actions: ['offloadToFastPath'],
            description: "Reverse first packet whose VNI is the same tenant's as the flow's CVNI: offloaded [¶75, C5].",
          },
          {
            actions: ['refuseFirstPacket'],
            description: 'Anything else (an id outside the table, a pair of two tenants, an unvalidated flow) is dropped, never offloaded.',
          },
        ],
      },
    },
  },
});
