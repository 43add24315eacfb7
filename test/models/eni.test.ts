/**
 * Transition-level tests of the bonding ENI (models/eni.ts): ECMP over the fast paths,
 * hold-and-probe on a new request [C1, ¶61], routine probing [¶65], reverse relay [C4].
 */
import { describe, expect, it } from 'vitest';
import { ecmpPick, eniMachine, flowHash, MAX_MEMBERS, type EcmpMode, type EniContext, type EniInput } from '../../models/eni.js';
import type { DataKind, DataMsg, Delivered, ProbeAckMsg, SendParams } from '../../models/protocol.js';
import { MachineRunner, type Effect, type Snap, type StepResult } from '../../src/engine/runner.js';
import { IP } from '../../src/engine/system.js';

const runner = new MachineRunner(eniMachine);
const FP1 = IP.fpVirt(1, 0);
const FP2 = IP.fpVirt(2, 0);
const FP3 = IP.fpVirt(3, 0);
const ROUTINE = 'xstate.after.routineProbe.eni.routine.waiting';

function start(overrides: Partial<EniInput> = {}): StepResult {
  return runner.initial({
    clientIp: IP.client,
    members: [FP1, FP2],
    probeTimeoutMs: 300,
    probeRetries: 3,
    routineProbeMs: 0,
    ecmp: 'hash-threshold',
    ...overrides,
  } satisfies EniInput);
}

const packet = (flow: string, kind: DataKind): DataMsg => ({ type: 'data', dir: 'fwd', flow, vni: 100, kind });

/** A forward packet from the client. */
function fromClient(snap: Snap, flow: string, kind: DataKind): StepResult {
  const event: Delivered<DataMsg> = { ...packet(flow, kind), src: IP.client };
  return runner.step(snap, event);
}

function probeAck(snap: Snap, member: string): StepResult {
  const event: Delivered<ProbeAckMsg> = { type: 'probeAck', src: member };
  return runner.step(snap, event);
}

/** Fire the probe timer of `member`, which `effects` must have scheduled. */
function probeTimeout(snap: Snap, effects: readonly Effect[], member: string): StepResult {
  const timer = effects.find((e) => e.type === 'schedule' && e.id === `probe:${member}`);
  if (!timer || timer.type !== 'schedule') throw new Error(`no probe timer for ${member} in ${JSON.stringify(effects)}`);
  return runner.step(snap, timer.event);
}

const ctx = (r: StepResult) => r.snap.xs.context as EniContext;
/** The member regions' states (slot1..slot8): the given ones, then `absent`. */
const slots = (...states: string[]): Record<string, string> =>
  Object.fromEntries(Array.from({ length: MAX_MEMBERS }, (_, i) => [`slot${i + 1}`, states[i] ?? 'absent']));
const pathsState = (r: StepResult) => (r.snap.xs.value as { paths: string }).paths;
const sends = (effects: readonly Effect[]): SendParams[] => effects.flatMap((e) => (e.type === 'send' ? [e.params] : []));
const probeSends = (effects: readonly Effect[]) => sends(effects).filter((s) => s.msg.type === 'probe').map((s) => s.to);
const other = (member: string) => (member === FP1 ? FP2 : FP1);

/** A flow established on its ECMP member by one forward packet (an ack, so no probe). */
function established(r: StepResult, flow: string): StepResult {
  return fromClient(r.snap, flow, 'ack');
}

/** A new request on an established flow, then `retries` timeouts of its member's probe. */
function failMember(r: StepResult, flow: string, retries: number): StepResult {
  const member = ctx(r).flows[flow];
  if (!member) throw new Error(`flow ${flow} has no member`);
  r = fromClient(r.snap, flow, 'request');
  for (let i = 0; i < retries; i++) r = probeTimeout(r.snap, r.effects, member);
  return r;
}

describe('ECMP helpers', () => {
  it('flowHash is a stable 32-bit hash and ecmpPick cuts its space into equal regions (RFC 2992)', () => {
    expect(flowHash('f1')).toBe(flowHash('f1'));
    const flows = Array.from({ length: 40 }, (_, i) => `f${i + 1}`);
    for (const f of flows) {
      const h = flowHash(f);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
      const live = [FP1, FP2, FP3];
      expect(ecmpPick(f, live)).toBe(live[Math.floor((h * 3) / 2 ** 32)]);
    }
    // The hash spreads: with two members both get flows.
    expect(new Set(flows.map((f) => ecmpPick(f, [FP1, FP2])))).toEqual(new Set([FP1, FP2]));
    expect(ecmpPick('f1', [])).toBeNull();
  });
});

describe('the next-hop group order (config.ecmpOrder)', () => {
  const members = [FP1, FP2, FP3];
  const flows = Array.from({ length: 30 }, (_, i) => `f${i + 1}`);

  it('ecmpPick cuts the hash space over the live members in the given order', () => {
    const order = [FP3, FP1, FP2];
    for (const f of flows) {
      const h = flowHash(f);
      expect(ecmpPick(f, members, order)).toBe(order[Math.floor((h * 3) / 2 ** 32)]);
      // A dead member leaves the order; the others keep theirs.
      expect(ecmpPick(f, [FP1, FP2], order)).toBe([FP1, FP2][Math.floor((h * 2) / 2 ** 32)]);
      expect(ecmpPick(f, [FP2, FP3], order)).toBe([FP3, FP2][Math.floor((h * 2) / 2 ** 32)]);
    }
    // The configuration order is the order absent.
    for (const f of flows) expect(ecmpPick(f, members, members)).toBe(ecmpPick(f, members));
  });

  it("changes which member a flow's first packet goes to, and where the flow moves when its member fails", () => {
    // f1 hashes into the last region: the last member of whichever order.
    expect(ecmpPick('f1', members)).toBe(FP3);
    const configured = established(start({ members }), 'f1');
    const reordered = established(start({ members, ecmpOrder: [FP3, FP1, FP2] }), 'f1');
    expect(sends(configured.effects)[0]!.to).toBe(FP3);
    expect(sends(reordered.effects)[0]!.to).toBe(FP2);
    expect(ctx(reordered).flows.f1).toBe(FP2);
    expect(ctx(reordered).ecmpOrder).toEqual([FP3, FP1, FP2]);
    // FP2 fails its probe: the flow is rehashed over FP3, FP1 in that order (the last: FP1), not over FP1, FP3.
    const failed = failMember(reordered, 'f1', 3);
    expect(ctx(failed).live).toEqual([FP1, FP3]);
    expect(ctx(failed).flows.f1).toBe(FP1);
    expect(ctx(failMember(configured, 'f1', 3)).flows.f1).toBe(FP2);
  });

  it('spreads 30 flows over the members as the order says, flow by flow', () => {
    let r = start({ members, ecmpOrder: [FP2, FP3, FP1] });
    for (const f of flows) r = established(r, f);
    for (const f of flows) expect(ctx(r).flows[f]).toBe(ecmpPick(f, members, [FP2, FP3, FP1]));
    // Some flow sits elsewhere than under the configured order.
    expect(flows.some((f) => ctx(r).flows[f] !== ecmpPick(f, members))).toBe(true);
  });
});

describe('eni', () => {
  it('starts forwarding with every member live and nothing known', () => {
    const r = start();
    expect(r.snap.xs.value).toEqual({ paths: 'forwarding', routine: 'off', ...slots('up', 'up') });
    expect(ctx(r)).toMatchObject({ live: [FP1, FP2], flows: {}, probes: {}, awaiting: {}, held: [] });
    expect(r.effects).toEqual([]);
  });

  it("sends a flow's first packet (even a request) to its ECMP member, without probing", () => {
    for (const flow of ['f1', 'f2', 'f3', 'f4']) {
      const r = fromClient(start().snap, flow, 'request');
      const member = ecmpPick(flow, [FP1, FP2]);
      expect(r.effects).toEqual([{ type: 'send', params: { to: member, msg: packet(flow, 'request') } }]);
      expect(ctx(r).flows[flow]).toBe(member);
      expect(pathsState(r)).toBe('forwarding');
    }
  });

  it('sends later packets of a flow to the same member', () => {
    let r = start();
    r = established(r, 'f1');
    const member = ctx(r).flows.f1;
    for (let i = 0; i < 3; i++) {
      r = fromClient(r.snap, 'f1', 'ack');
      expect(sends(r.effects)).toEqual([{ to: member, msg: packet('f1', 'ack') }]);
    }
    expect(ctx(r).flows).toEqual({ f1: member });
  });

  it('holds a new request on an established flow and probes its current member', () => {
    let r = established(start(), 'f1');
    const member = ctx(r).flows.f1!;
    r = fromClient(r.snap, 'f1', 'request');
    expect(pathsState(r)).toBe('probing');
    expect(r.effects).toEqual([
      { type: 'send', params: { to: member, msg: { type: 'probe' } } },
      { type: 'schedule', id: `probe:${member}`, delay: 300, event: { type: 'probeTimeout', member } },
    ]);
    expect(ctx(r).awaiting).toEqual({ f1: member });
    expect(ctx(r).held).toEqual([packet('f1', 'request')]);
    expect(ctx(r).probes).toEqual({ [member]: 1 });
  });

  it('holds acks of an awaiting flow in order, and the probe answer releases them all to the same member', () => {
    let r = established(start(), 'f1');
    const member = ctx(r).flows.f1!;
    r = fromClient(r.snap, 'f1', 'request');
    r = fromClient(r.snap, 'f1', 'ack');
    expect(r.effects).toEqual([]);
    r = fromClient(r.snap, 'f1', 'stream');
    expect(ctx(r).held).toEqual([packet('f1', 'request'), packet('f1', 'ack'), packet('f1', 'stream')]);

    r = probeAck(r.snap, member);
    expect(r.effects).toEqual([
      { type: 'cancel', id: `probe:${member}` },
      { type: 'send', params: { to: member, msg: packet('f1', 'request') } },
      { type: 'send', params: { to: member, msg: packet('f1', 'ack') } },
      { type: 'send', params: { to: member, msg: packet('f1', 'stream') } },
    ]);
    expect(pathsState(r)).toBe('forwarding');
    expect(ctx(r)).toMatchObject({ live: [FP1, FP2], flows: { f1: member }, probes: {}, awaiting: {}, held: [] });
  });

  it('does not hold packets of other flows while one flow awaits a verdict', () => {
    let r = start();
    r = established(r, 'f1');
    r = established(r, 'f2');
    const m2 = ctx(r).flows.f2;
    r = fromClient(r.snap, 'f1', 'request');
    r = fromClient(r.snap, 'f2', 'ack');
    expect(sends(r.effects)).toEqual([{ to: m2, msg: packet('f2', 'ack') }]);
    expect(ctx(r).held).toEqual([packet('f1', 'request')]);
  });

  it('retries the probe until probeRetries timeouts, then marks the member down and moves the flow, releasing held packets there', () => {
    let r = established(start({ probeRetries: 3 }), 'f1');
    const dead = ctx(r).flows.f1!;
    const survivor = other(dead);
    r = fromClient(r.snap, 'f1', 'request');
    let timers = r.effects;
    r = fromClient(r.snap, 'f1', 'ack');

    for (const sent of [2, 3]) {
      r = probeTimeout(r.snap, timers, dead);
      timers = r.effects;
      expect(r.effects).toEqual([
        { type: 'send', params: { to: dead, msg: { type: 'probe' } } },
        { type: 'schedule', id: `probe:${dead}`, delay: 300, event: { type: 'probeTimeout', member: dead } },
      ]);
      expect(ctx(r).probes).toEqual({ [dead]: sent });
      expect(pathsState(r)).toBe('probing');
      expect(ctx(r).live).toEqual([FP1, FP2]);
    }

    r = probeTimeout(r.snap, timers, dead);
    expect(r.effects).toEqual([
      { type: 'send', params: { to: survivor, msg: packet('f1', 'request') } },
      { type: 'send', params: { to: survivor, msg: packet('f1', 'ack') } },
    ]);
    expect(ctx(r)).toMatchObject({ live: [survivor], flows: { f1: survivor }, probes: {}, awaiting: {}, held: [] });
    expect(pathsState(r)).toBe('forwarding');

    // Later packets follow the new member.
    r = fromClient(r.snap, 'f1', 'ack');
    expect(sends(r.effects)).toEqual([{ to: survivor, msg: packet('f1', 'ack') }]);
  });

  it('relays reverse data from a fast path or from the VGW to the client, without src and without touching flow state', () => {
    const base = established(start(), 'f1');
    const rev: DataMsg = { type: 'data', dir: 'rev', flow: 'f1', vni: 200, kind: 'stream' };
    for (const src of [FP1, FP2, IP.vgw]) {
      const event: Delivered<DataMsg> = { ...rev, src };
      const r = runner.step(base.snap, event);
      expect(r.effects).toEqual([{ type: 'send', params: { to: IP.client, msg: rev } }]);
      expect(r.snap.key).toBe(base.snap.key);
    }
  });

  it('relays reverse data of a flow it has never seen (e.g. via the VGW) without creating a flow entry', () => {
    const rev: DataMsg = { type: 'data', dir: 'rev', flow: 'f9', vni: 200, kind: 'stream' };
    const event: Delivered<DataMsg> = { ...rev, src: IP.vgw };
    const r = runner.step(start().snap, event);
    expect(sends(r.effects)).toEqual([{ to: IP.client, msg: rev }]);
    expect(ctx(r).flows).toEqual({});
  });

  describe('rehash when a member is removed (3 members, member 1 fails)', () => {
    const members = [FP1, FP2, FP3];
    const flows = Array.from({ length: 30 }, (_, i) => `f${i + 1}`);
    const survivors = [FP2, FP3];

    function failFirst(ecmp: EcmpMode): { before: Record<string, string | null>; after: EniContext } {
      let r = start({ members, ecmp, probeRetries: 2 });
      for (const f of flows) r = established(r, f);
      const before = { ...ctx(r).flows };
      const victimFlow = flows.find((f) => before[f] === FP1);
      if (!victimFlow) throw new Error('no flow on FP1');
      r = failMember(r, victimFlow, 2);
      expect(ctx(r).live).toEqual(survivors);
      return { before, after: ctx(r) };
    }

    it('the 30 flows start spread over all three members by ecmpPick', () => {
      let r = start({ members });
      for (const f of flows) r = established(r, f);
      for (const f of flows) expect(ctx(r).flows[f]).toBe(ecmpPick(f, members));
      expect(new Set(Object.values(ctx(r).flows))).toEqual(new Set(members));
    });

    it('hash-threshold recomputes every flow over the survivors, which moves some flows between survivors (E4)', () => {
      const { before, after } = failFirst('hash-threshold');
      for (const f of flows) expect(after.flows[f]).toBe(ecmpPick(f, survivors));
      const movedBetweenSurvivors = flows.filter((f) => before[f] !== FP1 && after.flows[f] !== before[f]);
      expect(movedBetweenSurvivors.length).toBeGreaterThan(0);
    });

    it("resilient keeps flows on surviving members and rehashes only the failed member's flows", () => {
      const { before, after } = failFirst('resilient');
      for (const f of flows) {
        const expected = before[f] === FP1 ? ecmpPick(f, survivors) : before[f];
        expect(after.flows[f]).toBe(expected);
        expect(after.flows[f]).not.toBe(FP1);
      }
    });
  });

  it('with no live member, a new request probes all members and goes to the first that answers', () => {
    let r = established(start({ probeRetries: 1 }), 'f1');
    const first = ctx(r).flows.f1!;
    const second = other(first);
    r = failMember(r, 'f1', 1); // first down, flow moves to second
    expect(ctx(r).flows.f1).toBe(second);
    r = failMember(r, 'f1', 1); // second down too: nowhere to go
    expect(ctx(r).live).toEqual([]);
    expect(ctx(r).flows.f1).toBeNull();
    expect(r.effects).toEqual([{ type: 'discard', params: { reason: 'no-live-fast-path' } }]);

    r = fromClient(r.snap, 'f1', 'request');
    expect(ctx(r).awaiting).toEqual({ f1: '*' });
    expect(probeSends(r.effects)).toEqual([FP1, FP2]);
    expect(ctx(r).probes).toEqual({ [FP1]: 1, [FP2]: 1 });
    expect(pathsState(r)).toBe('probing');

    r = probeAck(r.snap, second);
    expect(r.effects).toEqual([
      { type: 'cancel', id: `probe:${second}` },
      { type: 'send', params: { to: second, msg: packet('f1', 'request') } },
    ]);
    expect(ctx(r)).toMatchObject({ live: [second], flows: { f1: second }, awaiting: {}, held: [] });
    expect(ctx(r).probes).toEqual({ [first]: 1 });
  });

  it('with no live member and no answer, the held request is dropped once every probe has failed', () => {
    let r = established(start({ probeRetries: 1 }), 'f1');
    r = failMember(r, 'f1', 1);
    r = failMember(r, 'f1', 1);
    r = fromClient(r.snap, 'f1', 'request');
    const effects = r.effects;
    r = probeTimeout(r.snap, effects, FP1);
    expect(ctx(r).awaiting).toEqual({ f1: '*' }); // FP2's probe is still out
    expect(r.effects).toEqual([]);
    r = probeTimeout(r.snap, effects, FP2);
    expect(r.effects).toEqual([{ type: 'discard', params: { reason: 'no-live-fast-path' } }]);
    expect(ctx(r)).toMatchObject({ live: [], awaiting: {}, held: [], probes: {} });
    expect(pathsState(r)).toBe('forwarding');
  });

  it('ignores a late probeAck or probe timeout when no probe of that member is outstanding', () => {
    const fresh = start();
    const lateAck = probeAck(fresh.snap, FP1);
    expect(lateAck.effects).toEqual([]);
    expect(lateAck.snap.key).toBe(fresh.snap.key);

    // After a completed round: a duplicate answer changes nothing.
    let r = established(fresh, 'f1');
    const member = ctx(r).flows.f1!;
    r = fromClient(r.snap, 'f1', 'request');
    const probeEffects = r.effects;
    r = probeAck(r.snap, member);
    const dup = probeAck(r.snap, member);
    expect(dup.effects).toEqual([]);
    expect(dup.snap.key).toBe(r.snap.key);
    // A timeout that should have been cancelled is ignored too.
    const stale = probeTimeout(r.snap, probeEffects, member);
    expect(stale.effects).toEqual([]);
    expect(stale.snap.key).toBe(r.snap.key);
  });

  it('routine probing (routineProbeMs > 0) probes every member periodically', () => {
    const r0 = start({ members: [FP1, FP2, FP3], routineProbeMs: 1000 });
    expect(r0.snap.xs.value).toEqual({ paths: 'forwarding', routine: 'waiting', ...slots('up', 'up', 'up') });
    expect(r0.effects).toEqual([{ type: 'schedule', id: ROUTINE, delay: 1000, event: { type: ROUTINE } }]);

    const r1 = runner.step(r0.snap, { type: ROUTINE });
    expect(probeSends(r1.effects)).toEqual([FP1, FP2, FP3]);
    for (const m of [FP1, FP2, FP3]) {
      expect(r1.effects).toContainEqual({ type: 'schedule', id: `probe:${m}`, delay: 300, event: { type: 'probeTimeout', member: m } });
    }
    expect(r1.effects).toContainEqual({ type: 'cancel', id: ROUTINE });
    expect(r1.effects.at(-1)).toEqual({ type: 'schedule', id: ROUTINE, delay: 1000, event: { type: ROUTINE } });
    expect(r1.snap.xs.value).toEqual({ paths: 'probing', routine: 'waiting', ...slots('probing', 'probing', 'probing') });
  });

  it('routine probing marks a silent member down and re-adds it when it answers a later round', () => {
    let r = start({ members: [FP1, FP2, FP3], routineProbeMs: 1000, probeRetries: 2, ecmp: 'resilient' });
    for (const f of ['f1', 'f2', 'f3', 'f4', 'f5', 'f6']) r = established(r, f);
    const flowsBefore = { ...ctx(r).flows };

    r = runner.step(r.snap, { type: ROUTINE });
    const round1 = r.effects;
    r = probeAck(r.snap, FP1);
    r = probeAck(r.snap, FP3);
    r = probeTimeout(r.snap, round1, FP2);
    r = probeTimeout(r.snap, r.effects, FP2);
    expect(ctx(r).live).toEqual([FP1, FP3]);
    expect(pathsState(r)).toBe('forwarding');
    expect(Object.values(ctx(r).flows)).not.toContain(FP2);

    r = runner.step(r.snap, { type: ROUTINE });
    expect(probeSends(r.effects)).toEqual([FP1, FP2, FP3]); // the down member is probed too
    const flowsWhileDown = { ...ctx(r).flows };
    r = probeAck(r.snap, FP2);
    expect(ctx(r).live).toEqual([FP1, FP2, FP3]); // back, in configuration order
    expect(r.effects).toContainEqual({ type: 'cancel', id: `probe:${FP2}` });
    // Resilient: re-adding a member moves no flow.
    expect(ctx(r).flows).toEqual(flowsWhileDown);
    // Flows that never were on FP2 never moved at all.
    for (const [f, m] of Object.entries(flowsBefore)) if (m !== FP2) expect(ctx(r).flows[f]).toBe(m);
  });

  it('does not send a second probe to a member whose probe is already out', () => {
    let r = start();
    r = established(r, 'f1');
    const member = ctx(r).flows.f1!;
    const sameMember = ['f2', 'f3', 'f4', 'f5', 'f6', 'f7'].find((f) => ecmpPick(f, [FP1, FP2]) === member);
    if (!sameMember) throw new Error('no second flow on the same member');
    r = established(r, sameMember);
    r = fromClient(r.snap, 'f1', 'request');
    r = fromClient(r.snap, sameMember, 'request');
    expect(r.effects).toEqual([]);
    expect(ctx(r).awaiting).toEqual({ f1: member, [sameMember]: member });
    r = probeAck(r.snap, member);
    expect(sends(r.effects)).toEqual([
      { to: member, msg: packet('f1', 'request') },
      { to: member, msg: packet(sameMember, 'request') },
    ]);
  });
});
