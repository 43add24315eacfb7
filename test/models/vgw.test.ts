/**
 * Transition-level tests of the virtual gateway (models/vgw.ts): it relays the LVS's
 * reverse packets to the ENI [¶67, ¶78, C4] (route ② of Fig. 5).
 */
import { describe, expect, it } from 'vitest';
import type { DataMsg, Delivered } from '../../models/protocol.js';
import { vgwMachine } from '../../models/vgw.js';
import { MachineRunner, type Snap, type StepResult } from '../../src/engine/runner.js';
import { IP } from '../../src/engine/system.js';

const runner = new MachineRunner(vgwMachine);
const initial = () => runner.initial({ eniIp: IP.eni });

function deliver(snap: Snap, packet: DataMsg, src: string = IP.lvs): StepResult {
  const event: Delivered<DataMsg> = { ...packet, src };
  return runner.step(snap, event);
}

describe('vgw', () => {
  it('starts relaying with the ENI IP it was given', () => {
    const r = initial();
    expect(r.snap.xs.value).toBe('relaying');
    expect(r.snap.xs.context).toEqual({ eniIp: IP.eni });
    expect(r.effects).toEqual([]);
  });

  it('relays reverse data to the ENI unchanged, without src', () => {
    const base = initial();
    const packets: DataMsg[] = [
      { type: 'data', dir: 'rev', flow: 'f1', vni: 200, kind: 'stream' },
      { type: 'data', dir: 'rev', flow: 'f2', vni: 201, kind: 'stream' },
    ];
    for (const packet of packets) {
      const r = deliver(base.snap, packet);
      expect(r.effects).toEqual([{ type: 'send', params: { to: IP.eni, msg: packet } }]);
      expect(r.snap.key).toBe(base.snap.key);
    }
  });

  it('discards forward data', () => {
    const base = initial();
    const r = deliver(base.snap, { type: 'data', dir: 'fwd', flow: 'f1', vni: 100, kind: 'request' }, IP.eni);
    expect(r.effects).toEqual([{ type: 'discard', params: { reason: 'vgw-forward-packet' } }]);
    expect(r.snap.key).toBe(base.snap.key);
  });
});
