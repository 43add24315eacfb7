/**
 * Trace events, in the format of model-contract.md ("Trace"): one JSON object per line,
 * in order of virtual time. Key order is fixed by construction, so the same run gives
 * the same bytes.
 */
import type { Message } from '../../models/protocol.js';

export interface SendEvent {
  t: number;
  event: 'send';
  id: number;
  from: string;
  to: string;
  msg: Message;
  /** When it will be delivered (the delay was chosen at send time). */
  arrives: number;
  /** The id of the message whose handling sent this one; null for a timer or a start. */
  cause: number | null;
  /** The id of the first message of the application packet this one carries on. */
  origin: number;
  /**
   * The inner (virtual) destination address, when the message was sent to a physical
   * host's address with it inside (the LVS's reverse data to a fast path [C7]).
   */
  innerDst?: string;
}

export interface DeliverEvent {
  t: number;
  event: 'deliver';
  id: number;
  from: string;
  to: string;
  msg: Message;
}

export interface DropEvent {
  t: number;
  event: 'drop';
  /** The message's id; absent when a node discarded the packet it was handling. */
  id?: number;
  from: string;
  /** Destination node; null when the address resolves to no node. */
  to: string | null;
  msg?: Message;
  reason: string;
  /**
   * Where it was lost: when it was being sent (no route, a down link, loss), in transit (a
   * crash, a link going down, a down node at arrival), or by the node that handled it.
   */
  stage: 'send' | 'transit' | 'node';
}

export interface TimerEvent {
  t: number;
  event: 'timer';
  node: string;
  instance?: string;
  timer: string;
}

export interface FaultEvent {
  t: number;
  event: 'fault';
  kind: string;
  node?: string;
  link?: string;
  newIp?: boolean;
  probability?: number;
  /** delaySpike: the extra delay (src/config/faults.ts lists every kind and its fields). */
  extraMs?: number;
}

export interface StateEvent {
  t: number;
  event: 'state';
  node: string;
  /** The flow, for components with one statechart per flow (client, lvs, server). */
  instance?: string;
  state: unknown;
}

export interface ViolationEvent {
  t: number;
  event: 'violation';
  property: string;
  message: string;
}

export interface SummaryEvent {
  t: number;
  event: 'summary';
  [key: string]: unknown;
}

export type TraceEvent =
  | SendEvent
  | DeliverEvent
  | DropEvent
  | TimerEvent
  | FaultEvent
  | StateEvent
  | ViolationEvent
  | SummaryEvent;

export function toJsonl(events: readonly TraceEvent[]): string {
  let out = '';
  for (const e of events) out += JSON.stringify(e) + '\n';
  return out;
}
