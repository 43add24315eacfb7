/**
 * Transition-level tests of a PVL fast path (models/fastPath.ts): per-direction flow
 * table, misses to the slow path [¶71], path info and one-time extras to the LVS [¶73, C7].
 */
import { describe, expect, it } from 'vitest';
import { fastPathMachine, type FastPathContext, type FastPathInput } from '../../models/fastPath.js';
import type { DataKind, DataMsg, Delivered, Dir, ForwardExtras, OffloadMsg, ProbeMsg } from '../../models/protocol.js';
import { MachineRunner, type StepResult, type Snap } from '../../src/engine/runner.js';
import { IP } from '../../src/engine/system.js';

const runner = new MachineRunner(fastPathMachine);
const PHYS = IP.fpPhys(1, 0);
const VIRT = IP.fpVirt(1, 0);
const EXTRAS: ForwardExtras = { vgwIp: IP.vgw, relayTimeoutMs: 3000 };

const INPUT: FastPathInput = { physIp: PHYS, virtIp: VIRT, spIp: IP.sp, lvsIp: IP.lvs, eniIp: IP.eni };

const data = (dir: Dir, kind: DataKind, flow = 'f1'): DataMsg => ({ type: 'data', dir, flow, vni: dir === 'fwd' ? 100 : 200, kind });

function deliver(snap: Snap, packet: DataMsg, src: string): StepResult {
  const event: Delivered<DataMsg> = { ...packet, src };
  return runner.step(snap, event);
}
const fromEni = (snap: Snap, packet: DataMsg) => deliver(snap, packet, IP.eni);
const fromLvs = (snap: Snap, packet: DataMsg) => deliver(snap, packet, IP.lvs);

/** The slow path's offload of `packet`'s direction, with extras on the forward one. */
function offload(snap: Snap, packet: DataMsg): StepResult {
  const msg: OffloadMsg = {
    type: 'offload',
    dir: packet.dir,
    flow: packet.flow,
    vni: packet.vni,
    ...(packet.dir === 'fwd' ? { extras: EXTRAS } : {}),
    packet,
  };
  const event: Delivered<OffloadMsg> = { ...msg, src: IP.sp };
  return runner.step(snap, event);
}

const ctx = (r: StepResult) => r.snap.xs.context as FastPathContext;
const initial = () => runner.initial(INPUT);
/** A fast path whose forward entry for f1 has been installed (and its extras used). */
const withForwardEntry = () => offload(initial().snap, data('fwd', 'request'));

describe('fastPath', () => {
  it('starts forwarding with empty tables', () => {
    const r = initial();
    expect(r.snap.xs.value).toBe('forwarding');
    expect(ctx(r)).toEqual({ ...INPUT, fwd: {}, rev: {} });
    expect(r.effects).toEqual([]);
  });

  it('sends a forward miss to the slow path as the same packet (¶71)', () => {
    const r = fromEni(initial().snap, data('fwd', 'request'));
    expect(r.effects).toEqual([{ type: 'send', params: { to: IP.sp, msg: data('fwd', 'request') } }]);
    expect(ctx(r).fwd).toEqual({});
  });

  it('sends a reverse miss to the slow path as the same packet (¶75, ¶81)', () => {
    const r = fromLvs(initial().snap, data('rev', 'stream'));
    expect(r.effects).toEqual([{ type: 'send', params: { to: IP.sp, msg: data('rev', 'stream') } }]);
    expect(ctx(r).rev).toEqual({});
  });

  it('a forward offload installs only the forward entry and forwards the packet to the LVS with path info and extras', () => {
    const r = withForwardEntry();
    expect(r.effects).toEqual([
      {
        type: 'send',
        params: {
          to: IP.lvs,
          msg: { ...data('fwd', 'request'), pathPhysIp: PHYS, pathVirtIp: VIRT, vgwIp: IP.vgw, relayTimeoutMs: 3000 },
        },
      },
    ]);
    // The extras have been carried once: the entry keeps only the tenant id.
    expect(ctx(r).fwd).toEqual({ f1: { vni: 100, extras: null } });
    expect(ctx(r).rev).toEqual({});
  });

  it('later forward hits carry the path info but not the extras', () => {
    let r = withForwardEntry();
    for (const kind of ['ack', 'request'] as const) {
      r = fromEni(r.snap, data('fwd', kind));
      expect(r.effects).toEqual([
        { type: 'send', params: { to: IP.lvs, msg: { ...data('fwd', kind), pathPhysIp: PHYS, pathVirtIp: VIRT } } },
      ]);
    }
  });

  it('a reverse offload installs only the reverse entry and forwards the packet to the ENI without path info', () => {
    const r = offload(initial().snap, data('rev', 'stream'));
    expect(r.effects).toEqual([{ type: 'send', params: { to: IP.eni, msg: data('rev', 'stream') } }]);
    expect(ctx(r).rev).toEqual({ f1: { vni: 200, extras: null } });
    expect(ctx(r).fwd).toEqual({});

    const hit = fromLvs(r.snap, data('rev', 'stream'));
    expect(hit.effects).toEqual([{ type: 'send', params: { to: IP.eni, msg: data('rev', 'stream') } }]);
  });

  it('a forward entry does not match reverse packets, and a reverse entry does not match forward packets (S5)', () => {
    const fwdOnly = withForwardEntry();
    expect(fromLvs(fwdOnly.snap, data('rev', 'stream')).effects).toEqual([
      { type: 'send', params: { to: IP.sp, msg: data('rev', 'stream') } },
    ]);
    const revOnly = offload(initial().snap, data('rev', 'stream'));
    expect(fromEni(revOnly.snap, data('fwd', 'ack')).effects).toEqual([
      { type: 'send', params: { to: IP.sp, msg: data('fwd', 'ack') } },
    ]);
  });

  it('entries are per flow: another flow still misses', () => {
    const r = fromEni(withForwardEntry().snap, data('fwd', 'request', 'f2'));
    expect(r.effects).toEqual([{ type: 'send', params: { to: IP.sp, msg: data('fwd', 'request', 'f2') } }]);
  });

  it('strips path info a reverse packet carries before it goes to the ENI', () => {
    const revOnly = offload(initial().snap, data('rev', 'stream'));
    const r = fromLvs(revOnly.snap, { ...data('rev', 'stream'), pathPhysIp: '1.2.3.4', pathVirtIp: '5.6.7.8', vgwIp: IP.vgw });
    expect(r.effects).toEqual([{ type: 'send', params: { to: IP.eni, msg: data('rev', 'stream') } }]);
  });

  it('answers a probe with a probeAck to its sender', () => {
    const base = withForwardEntry();
    const probe: Delivered<ProbeMsg> = { type: 'probe', src: IP.eni };
    const r = runner.step(base.snap, probe);
    expect(r.effects).toEqual([{ type: 'send', params: { to: IP.eni, msg: { type: 'probeAck' } } }]);
    expect(r.snap.key).toBe(base.snap.key);
  });
});
