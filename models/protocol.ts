/**
 * The messages the statecharts exchange over the simulated network, and the two
 * primitive actions through which a statechart talks to the world.
 *
 * Names follow ../shared/spec/model-contract.md ("Message types"); fields follow
 * privatelink.md §2. Every message is plain JSON so that a world can be hashed and
 * copied cheaply.
 */

/** NSH direction of a PVL packet [¶56]: fwd = client to server, rev = server to client. */
export type Dir = 'fwd' | 'rev';

/** What an application packet is, so that the timeline can say so. */
export type DataKind = 'request' | 'ack' | 'stream';

/**
 * An application packet (`data` in the contract). Between a fast path and the LVS it
 * also carries the path info and, on a path's first packet, the VGW extras [¶73, C7].
 */
export interface DataMsg {
  type: 'data';
  dir: Dir;
  flow: string;
  /** Tenant id: CVNI on forward packets, VNI on reverse packets [¶72, ¶75]. */
  vni: number;
  kind: DataKind;
  pathPhysIp?: string;
  pathVirtIp?: string;
  vgwIp?: string;
  relayTimeoutMs?: number;
}

/** The extras the slow path adds to a flow's forward entry [¶72, C2]. */
export interface ForwardExtras {
  vgwIp: string;
  relayTimeoutMs: number;
}

/** Slow path installs a validated entry for one direction of a flow on a fast path [¶72, ¶75, C5]. */
export interface OffloadMsg {
  type: 'offload';
  dir: Dir;
  flow: string;
  vni: number;
  extras?: ForwardExtras;
  /** The packet that missed, handed back to the fast path to forward. */
  packet: DataMsg;
}

/** Liveness probe of a fast path by the ENI [C1, ¶61], and its answer. */
export interface ProbeMsg {
  type: 'probe';
}
export interface ProbeAckMsg {
  type: 'probeAck';
}

/** One tenant's pair of virtual network ids: client side (CVNI) and server side (VNI). */
export interface Tenant {
  name: string;
  cvni: number;
  vni: number;
}

/** PVL-Control's configuration, pushed to the slow path [¶72]. */
export interface ConfigMsg {
  type: 'config';
  vgwIp: string;
  relayTimeoutMs: number;
  tenants: Tenant[];
}

/**
 * An LVS cluster member's session record for its peers (`sync`, model-contract.md) [¶38,
 * S10]: the session (its flow) and, as `syncFields` choose, the learned path, the VGW-IP
 * and relay timeout, and whether the forward idle clock travels with it.
 */
export interface SyncMsg {
  type: 'sync';
  flow: string;
  pathPhysIp?: string;
  pathVirtIp?: string;
  vgwIp?: string;
  relayTimeoutMs?: number;
  /** The record carries the session's forward idle clock (syncFields `lastForward`). */
  lastForward?: true;
}

export type Message = DataMsg | OffloadMsg | ProbeMsg | ProbeAckMsg | ConfigMsg | SyncMsg;
export type MessageType = Message['type'];

/**
 * What a node receives: the message plus `src`, the sender's IP address as the
 * network shows it. Nodes only ever see addresses, never node ids (spec S1).
 */
export type Delivered<M extends Message = Message> = M & { src: string };

/** The world starts a client flow with this event (the workload's first move). */
export interface StartEvent {
  type: 'start';
}

/**
 * Parameters of the primitive `send` action. Every statechart declares an action named
 * `send` that does nothing itself: the world reads its params from the transition's
 * action list and puts the message on the network (XState's pure `sendTo` throws).
 */
export interface SendParams {
  /** The destination address; with `innerDst`, the outer (physical host) address. */
  to: string;
  msg: Message;
  /**
   * The inner destination: the virtual address the packet is for, carried inside the
   * outer one [C7, ¶45, ¶63]. The LVS sends reverse data to a fast path's learned
   * physical IP with its learned virtual IP inside; the world delivers it only if the
   * outer address is a host's and the node on it owns the inner address now.
   */
  innerDst?: string;
}

/**
 * Parameters of the primitive `discard` action: the node deliberately drops the packet
 * it is handling (e.g. invalid VNI), so that the trace shows why it went no further.
 */
export interface DiscardParams {
  reason: string;
}

/**
 * A delay that means "never": a timer a model arms only because an XState `after` always
 * arms one (an LVS's relay timer while it knows no relay timeout). It lies past any run's
 * end (a scenario's `until` is at most 10 minutes), and the world does not keep such a timer
 * (src/engine/world.ts), so that no state counts down to it.
 */
export const NEVER_MS = 2 ** 40;

/** The primitive actions, as a statechart's `setup({ actions })` declares them. */
export const primitiveActions = {
  send: (_: unknown, _params: SendParams) => {},
  discard: (_: unknown, _params: DiscardParams) => {},
};
