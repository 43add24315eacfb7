/**
 * A PVL fast path instance (PVL-FP_i), one statechart per node `fp1` … `fpN`.
 *
 * It forwards from per-direction flow state; a miss goes to the slow path as the same
 * packet [¶71, ¶75, ¶81]. A hit forwards forward packets to the LVS with the path info
 * (physical and virtual IP) and, on the path's first packet, the VGW-IP and relay
 * timeout [¶45, ¶73, C7]; reverse packets go to the ENI [C6]. It answers the ENI's
 * probes [¶61]. A crash loses the table (the world drops the whole context); a restart
 * comes back empty, so the next packet in each direction misses again (E3).
 */
import { enqueueActions, setup } from 'xstate';
import {
  primitiveActions,
  type DataMsg,
  type Delivered,
  type ForwardExtras,
  type OffloadMsg,
  type ProbeMsg,
} from './protocol.js';

export interface FastPathInput {
  physIp: string;
  virtIp: string;
  spIp: string;
  lvsIp: string;
  eniIp: string;
  /**
   * Several clients: the ENI of each flow's client. A flow id stands for the 5-tuple, whose
   * client address lies behind one ENI (INF, as the VGW's route; spec §1). Absent with one
   * client: every reverse packet goes to `eniIp`.
   */
  eniRoutes?: Record<string, string>;
}

/** One direction's entry for a flow, installed only by an offload from the slow path (S2). */
export interface FlowEntry {
  vni: number;
  /** Forward entries only: the extras, until the path's first packet has carried them. */
  extras: ForwardExtras | null;
}

export interface FastPathContext extends FastPathInput {
  fwd: Record<string, FlowEntry>;
  rev: Record<string, FlowEntry>;
}

export type FastPathEvent = Delivered<DataMsg> | Delivered<OffloadMsg> | Delivered<ProbeMsg>;

/** Where a hit goes, and with what: the LVS gets path info and, once, the extras. */
function forwardOnHit(context: FastPathContext, packet: DataMsg): { to: string; msg: DataMsg } {
  if (packet.dir === 'rev') return { to: context.eniRoutes?.[packet.flow] ?? context.eniIp, msg: stripPathInfo(packet) };
  const extras = context.fwd[packet.flow]?.extras;
  const msg: DataMsg = {
    ...stripPathInfo(packet),
    pathPhysIp: context.physIp,
    pathVirtIp: context.virtIp,
    ...(extras ? { vgwIp: extras.vgwIp, relayTimeoutMs: extras.relayTimeoutMs } : {}),
  };
  return { to: context.lvsIp, msg };
}

function stripPathInfo(p: DataMsg): DataMsg {
  return { type: 'data', dir: p.dir, flow: p.flow, vni: p.vni, kind: p.kind };
}

/** After a forward hit, the extras have been sent: later packets carry only the path [¶51]. */
function withoutExtras(context: FastPathContext, flow: string): Record<string, FlowEntry> {
  const entry = context.fwd[flow];
  if (!entry || entry.extras === null) return context.fwd;
  return { ...context.fwd, [flow]: { ...entry, extras: null } };
}

export const fastPathMachine = setup({
  types: {} as { context: FastPathContext; events: FastPathEvent; input: FastPathInput },
  actions: {
    ...primitiveActions,
    /** Hit: forward from the flow entry (and consume the one-time extras). */
    forwardHit: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'data') return;
      enqueue({ type: 'send', params: forwardOnHit(context, event) });
      if (event.dir === 'fwd') enqueue.assign({ fwd: withoutExtras(context, event.flow) });
    }),
    /** Miss: the same packet goes to the slow path [¶71]. */
    missToSlowPath: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'data') return;
      enqueue({ type: 'send', params: { to: context.spIp, msg: stripPathInfo(event) } });
    }),
    /** Install the offloaded entry for one direction, then forward the packet that missed [¶72, ¶75]. */
    installAndForward: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'offload') return;
      const entry: FlowEntry = { vni: event.vni, extras: event.extras ?? null };
      const installed: FastPathContext =
        event.dir === 'fwd'
          ? { ...context, fwd: { ...context.fwd, [event.flow]: entry } }
          : { ...context, rev: { ...context.rev, [event.flow]: entry } };
      enqueue({ type: 'send', params: forwardOnHit(installed, event.packet) });
      enqueue.assign(
        event.dir === 'fwd' ? { fwd: withoutExtras(installed, event.flow) } : { rev: installed.rev },
      );
    }),
    answerProbe: enqueueActions(({ event, enqueue }) => {
      enqueue({ type: 'send', params: { to: event.src, msg: { type: 'probeAck' } } });
    }),
  },
  guards: {
    /** A flow entry exists for the packet's direction (the NSH direction [¶56, ¶81]). */
    hasEntry: ({ context, event }) =>
      event.type === 'data' && (event.dir === 'fwd' ? context.fwd : context.rev)[event.flow] !== undefined,
  },
}).createMachine({
  id: 'fastPath',
  description: 'A PVL fast path: per-direction flow table, misses to the slow path, answers probes.',
  context: ({ input }) => ({ ...input, fwd: {}, rev: {} }),
  initial: 'forwarding',
  states: {
    forwarding: {
      description:
        'Up. Hits are forwarded from the flow table (forward to the LVS with path info, reverse to the ENI); misses go to the slow path.',
      on: {
        data: [{ guard: 'hasEntry', actions: ['forwardHit'] }, { actions: ['missToSlowPath'] }],
        offload: { actions: ['installAndForward'] },
        probe: { actions: ['answerProbe'] },
      },
    },
  },
});

