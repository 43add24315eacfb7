/**
 * Driving an LVS statechart (the patent's or the prior art's, which share their events):
 * forward packets from a fast path, reverse data from the server, the initial state.
 */
import type { AnyStateMachine } from 'xstate';
import type { DataKind, DataMsg, Delivered } from '../../models/protocol.js';
import { MachineRunner, type Snap, type StepResult } from '../../src/engine/runner.js';
import { IP } from '../../src/engine/system.js';

export const FP1 = { phys: IP.fpPhys(1, 0), virt: IP.fpVirt(1, 0) };
export const FP2 = { phys: IP.fpPhys(2, 0), virt: IP.fpVirt(2, 0) };
export const STREAM: DataMsg = { type: 'data', dir: 'rev', flow: 'f1', vni: 200, kind: 'stream' };

export function lvsDriver(machine: AnyStateMachine) {
  const runner = new MachineRunner(machine);
  return {
    runner,
    initial: (): StepResult => runner.initial({ flow: 'f1', serverIp: IP.server }),
    /** A forward packet from a fast path: path info, and the VGW extras when given. */
    forward(
      snap: Snap,
      fp: { phys: string; virt: string },
      kind: DataKind = 'ack',
      extras?: { vgwIp: string; relayTimeoutMs: number },
    ): StepResult {
      const event: Delivered<DataMsg> = {
        type: 'data',
        dir: 'fwd',
        flow: 'f1',
        vni: 100,
        kind,
        pathPhysIp: fp.phys,
        pathVirtIp: fp.virt,
        ...extras,
        src: fp.virt,
      };
      return runner.step(snap, event);
    },
    fromServer(snap: Snap): StepResult {
      const event: Delivered<DataMsg> = { ...STREAM, src: IP.server };
      return runner.step(snap, event);
    },
  };
}
