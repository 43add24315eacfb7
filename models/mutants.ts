/**
 * Seeded bugs: model variants that a property must catch. Each is the patent design with
 * one component's statechart changed through XState's `provide` (same chart, one guard,
 * action or delay replaced), so that it documents exactly what a property protects
 * against. Run one with `pvlcheck check --mutant NAME` or `simulate --design NAME`.
 */
import { assign, enqueueActions, type AnyStateMachine } from 'xstate';
import { lvsMachine, type LvsContext } from './lvs.js';
import { slowPathMachine, tenantIdValid } from './slowPath.js';
import { eniAssign, eniMachine, type SlotParams } from './eni.js';
import { fastPathMachine, type FastPathContext } from './fastPath.js';
import { vgwMachine } from './vgw.js';
import type { DataMsg } from './protocol.js';

export type MutableKind = 'lvs' | 'sp' | 'eni' | 'fp' | 'vgw';

export interface Mutant {
  description: string;
  /** The node kind whose statechart is replaced in the patent design. */
  kind: MutableKind;
  machine: AnyStateMachine;
  /** Properties expected to catch it (each test asserts that at least one does, within the default runs). */
  caughtBy: string[];
}

/** An address that belongs to no node: where a misrouting VGW sends. */
const WRONG_ENI_IP = '172.16.0.101';

export const MUTANTS: Record<string, Mutant> = {
  'relay-timer-never-fires': {
    description: "The LVS's relay timer never fires: no VGW fallback, as in the prior art but with the extras learned.",
    kind: 'lvs',
    machine: lvsMachine.provide({ delays: { relayTimeout: () => 2 ** 40 } }),
    caughtBy: ['L1', 'L2'],
  },
  'sp-skips-validation': {
    description: 'The slow path offloads without checking the CVNI/VNI against the tenant table.',
    kind: 'sp',
    machine: slowPathMachine.provide({
      guards: {
        forwardCvniValid: ({ context, event }) => event.type === 'data' && event.dir === 'fwd' && context.config !== null,
        reverseTenantPairValid: ({ context, event }) => event.type === 'data' && context.config !== null,
      },
    }),
    caughtBy: ['S2', 'S3'],
  },
  'tenant-pair': {
    description:
      "The slow path checks the reverse VNI against the table on its own, not as the pair of the flow's CVNI: a tenant A CVNI with a tenant B VNI is served.",
    kind: 'sp',
    // The pair check replaced by the per-id check of the table (issue 11).
    machine: slowPathMachine.provide({
      guards: {
        reverseTenantPairValid: ({ context, event }) =>
          event.type === 'data' && event.dir === 'rev' && context.config !== null && tenantIdValid(context.config.tenants, event),
      },
    }),
    caughtBy: ['S3'],
  },
  'eni-never-probes': {
    description: "The ENI never probes: a new request just follows the flow's current (dead) fast path.",
    kind: 'eni',
    // C1's guard replaced: no new request is ever held for a probe.
    machine: eniMachine.provide({ guards: { newRequestOnEstablishedFlow: () => false } }),
    caughtBy: ['L2', 'L3'],
  },
  'eni-never-fails-over': {
    description: 'The ENI probes, but ignores failed probes: held packets go back to the dead fast path.',
    kind: 'eni',
    // The member regions' `markMemberDown` replaced by nothing: the verdict is ignored.
    machine: eniMachine.provide({ actions: { markMemberDown: eniAssign<SlotParams>(() => ({})) } }),
    caughtBy: ['L2', 'L3'],
  },
  'lvs-learns-first-packet-only': {
    description: "The LVS learns a session's path from its first packet only, never relearning [against ¶74, ¶80].",
    kind: 'lvs',
    machine: lvsMachine.provide({
      actions: {
        learnPath: assign(({ context, event }) => {
          if (context.pathVirtIp !== null) return {};
          return {
            pathPhysIp: event.pathPhysIp ?? null,
            pathVirtIp: event.pathVirtIp ?? null,
            vgwIp: event.vgwIp ?? null,
            relayTimeoutMs: event.relayTimeoutMs ?? null,
          } satisfies Partial<LvsContext>;
        }),
      },
    }),
    caughtBy: ['L2', 'L3'],
  },
  'fp-bypasses-slow-path': {
    description: 'A fast path forwards a miss itself, without the slow path (no validation, no extras).',
    kind: 'fp',
    machine: fastPathMachine.provide({
      actions: {
        missToSlowPath: enqueueActions(({ context, event, enqueue }) => {
          if (event.type !== 'data') return;
          const packet: DataMsg = { type: 'data', dir: event.dir, flow: event.flow, vni: event.vni, kind: event.kind };
          const ctx = context as FastPathContext;
          if (packet.dir === 'rev') enqueue({ type: 'send', params: { to: ctx.eniIp, msg: packet } });
          else enqueue({ type: 'send', params: { to: ctx.lvsIp, msg: { ...packet, pathPhysIp: ctx.physIp, pathVirtIp: ctx.virtIp } } });
        }),
      },
    }),
    caughtBy: ['S2', 'S3'],
  },
  'vgw-wrong-eni': {
    description: "The VGW relays reverse data to the wrong ENI (an address that is not the flow's ENI).",
    kind: 'vgw',
    machine: vgwMachine.provide({
      actions: {
        relayToEni: enqueueActions(({ event, enqueue }) => {
          const { src: _src, ...packet } = event;
          enqueue({ type: 'send', params: { to: WRONG_ENI_IP, msg: packet } });
        }),
      },
    }),
    caughtBy: ['L1', 'L2'],
  },
};

export const MUTANT_NAMES = Object.keys(MUTANTS);
