/**
 * The explorer's `cluster` profile is about the cluster: its space holds a crash of the LVS
 * member that has the flow, both after the session's record reached the other member (the
 * survivor carries the flow on: reverse data the server sends after the crash reaches the
 * client, and L1 holds with its obligation on the crash met) and before (E7: the survivor
 * has no session, which voids L1 under the patent's fault model).
 */
import { describe, expect, it } from 'vitest';
import { fastPathRestored } from '../../properties/fastPathRestored.js';
import { reverseResumes } from '../../properties/reverseResumes.js';
import { always, on, type Property } from '../../src/checker/property.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { memberFailovers, reverseAtClient } from '../../src/checker/observe.js';
import { buildSystem } from '../../src/engine/system.js';
import { clusterMember, type World } from '../../src/engine/world.js';
import { explore, initialState, pathToScenario, spaceFor, type ExploreOptions } from '../../src/explorer/explore.js';
import { profileScenario, profileSpace } from '../../src/explorer/profiles.js';

/** Where a probe's run stands: no reverse data at the client yet, some, or a failover since `faultAt`. */
type ProbeData = 'idle' | 'serving' | { faultAt: number };

/** Does the member hold a session of the flow (it serves it, or a standby from a peer's records)? */
function holdsSession(world: World | null, member: string, flow: string): boolean {
  const value = world?.actors[`${member}/${flow}`]?.xs.value as { session?: string } | undefined;
  return value?.session !== undefined && value.session !== 'noSession';
}

/**
 * A test-only "always" property that the explorer reports as violated, shortest path
 * first, when its situation happens: once reverse data reached the client, a crash moved
 * the flow from its member, which held its session, to the other one, `ready` to carry it
 * on or not (observe.ts memberFailovers); for `ready`, then reverse data the server sent
 * since reaches the client.
 */
function probe(ready: boolean): Property<ProbeData> {
  return always<ProbeData>('P', 'probe', 'test', 'a member failover of the flow (then reverse data at the client)', {
    situation: 'member failovers',
    observes: [on.faults(), on.deliveries('data', 'client')],
    init: () => 'idle',
    step: (data, obs, report) => {
      const back = reverseAtClient(obs);
      if (data === 'idle') return back ? 'serving' : 'idle';
      if (data === 'serving') {
        const moved = memberFailovers(obs).find((m) => m.from !== null && m.to !== null && m.ready === ready && holdsSession(obs.prev, m.from, m.flow));
        if (!moved) return 'serving';
        if (!ready) report.violate(obs.world.now, `${moved.flow} moved from ${moved.from} to ${moved.to}, unready`);
        return { faultAt: obs.world.now };
      }
      if (ready && back && back.originAt >= data.faultAt) report.violate(obs.world.now, `reverse data of ${back.flow} at the client`);
      return data;
    },
  });
}

function pathTo(opts: ExploreOptions, property: Property<ProbeData>) {
  const r = explore({ ...opts, properties: [property] });
  expect(r.exhausted).toBe(true);
  const v = r.violations.find((x) => x.property === property.id);
  expect(v, 'the space holds the situation').toBeDefined();
  const { space } = spaceFor({ ...opts, properties: [property] });
  return pathToScenario(space, initialState(space).choices, v!.edges, 'cluster-probe');
}

describe('the cluster profile', () => {
  const opts: ExploreOptions = { ...profileSpace('cluster', 'patent'), properties: [], maxDepth: 100_000 };
  const { scenario } = opts;
  const sys = buildSystem(scenario.design, scenario.config, scenario.workload);
  const member = clusterMember(sys, {}, 'f1')!;

  it('has two LVS members and crashes of both, and of both fast paths, in its menu', () => {
    expect(scenario.config.lvsMembers).toBe(2);
    expect(opts.faultMenu).toEqual(
      expect.arrayContaining([
        { kind: 'crash', node: 'lvs1' },
        { kind: 'crash', node: 'lvs2' },
        { kind: 'crash', node: 'fp1' },
        { kind: 'crash', node: 'fp2' },
      ]),
    );
    expect(['lvs1', 'lvs2']).toContain(member);
  });

  it('holds a crash of the flow\'s member after sync, then reverse data through the survivor, L1 met on the crash', () => {
    const found = pathTo(opts, probe(true));
    expect(found.faults).toEqual([expect.objectContaining({ kind: 'crash', node: member })]);
    const run = evaluate(found, [reverseResumes]);
    const l1 = run.verdicts.get('L1')!;
    expect(l1.violation).toBeNull();
    expect(l1.voided).toBe(0);
    // The crash armed the obligation, and it was met: reverse data reached the client after
    // it, through the survivor (the crashed member is down), as soon as an undisturbed path
    // takes, so not a disruptive one.
    expect(l1.triggers).toBeGreaterThanOrEqual(1);
  });

  it('holds a crash of the flow\'s member before its record left (E7): L1 voided under the patent\'s fault model, not violated', () => {
    const found = pathTo(opts, probe(false));
    expect(found.faults).toEqual([expect.objectContaining({ kind: 'crash', node: member })]);
    const run = evaluate({ ...found, until: found.until + 200 }, [reverseResumes]);
    const l1 = run.verdicts.get('L1')!;
    expect(l1.violation).toBeNull();
    expect(l1.voided).toBeGreaterThanOrEqual(1);
  });

  it('under the extended fault model the same crash is E7\'s black hole: L1 violated, the survivor without a session', () => {
    const extended = { ...opts, scenario: { ...scenario, faultModel: 'extended' as const }, properties: [reverseResumes] };
    const r = explore(extended);
    expect(r.exhausted).toBe(true);
    const v = r.violations.find((x) => x.property === 'L1');
    expect(v, 'L1 violated').toBeDefined();
    const { space } = spaceFor(extended);
    const found = pathToScenario(space, initialState(space).choices, v!.edges, 'cluster-e7');
    expect(found.faults).toEqual([expect.objectContaining({ kind: 'crash', node: member })]);
    const run = evaluate(found, [reverseResumes], { keepTrace: true });
    expect(run.verdicts.get('L1')?.violation).not.toBeNull();
    // The survivor drops the server's reverse data: it has no session for the flow.
    const survivor = member === 'lvs1' ? 'lvs2' : 'lvs1';
    const drops = run.events!.filter((e) => e.event === 'drop' && e.reason === 'no-session');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.every((e) => e.event === 'drop' && e.from === survivor && e.stage === 'node')).toBe(true);
  });

  it('a fast path crash after a member failover counts t_f from the takeover: the survivor never heard the old member\'s forward packets', () => {
    // Found with two crashes in this space: lvs1 synced f1 to lvs2 at 32 and crashes at 37
    // (the forward packet on its way to it is lost); lvs2 takes over at 39 and reverse data
    // flows again; fp2 crashes at 46. lvs2's relay timer runs from its takeover, so the VGW
    // fallback comes after t_f 29 + budget, which L1 and L2 once counted from lvs1's last
    // forward packet, and reported violated.
    // (The profile's values then: relay timeout 32, hang timeout 6.)
    const base = profileScenario('cluster', 'patent');
    const s = {
      ...base,
      config: { ...base.config, relayTimeoutMs: 32 },
      workload: { ...base.workload, hangTimeoutMs: 6 },
      until: 400,
      faults: [
        { at: 37, kind: 'crash' as const, node: 'lvs1' },
        { at: 46, kind: 'crash' as const, node: 'fp2' },
      ],
    };
    const run = evaluate(s, [reverseResumes, fastPathRestored]);
    for (const id of ['L1', 'L2']) {
      const v = run.verdicts.get(id)!;
      expect(v.violation, id).toBeNull();
      expect(v.voided, id).toBe(0);
      // Both faults armed an obligation, both met.
      expect(v.triggers, id).toBe(2);
    }
  });
});
