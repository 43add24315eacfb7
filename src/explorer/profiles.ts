/**
 * Small configurations for exhaustive exploration, named, with the results the explorer
 * must reproduce (explorer-manifest.json). Time is in ticks of 1 ms, scaled down so that
 * every timer is a few ticks: the relay timeout, the probe, the stream and the control
 * plane's refresh all fold into short cycles.
 */
import { DEFAULT_CONFIG, DEFAULT_WORKLOAD } from '../config/defaults.js';
import type { Config, Scenario, Workload } from '../config/types.js';
import { fastPathIds } from '../engine/system.js';
import { eniIds, lvsIds } from '../config/topology.js';
import { FAULT_KINDS, roleOf } from '../config/faults.js';
import type { Fault } from '../engine/world.js';
import type { SpaceOptions } from '../checker/arbitraries.js';

export interface Profile {
  description: string;
  config: Partial<Config>;
  workload: Partial<Workload>;
  /** Fault kinds the explorer may inject on fast paths (crash, restart also on LVS cluster members, faultMenu). */
  faults: ('crash' | 'restart' | 'link')[];
  maxFaults: number;
  /**
   * Groups of interchangeable nodes for symmetry reduction (symmetry.ts), on by default
   * for the profile's own space: test/explorer/symmetry.test.ts shows, state by state, that
   * the states it merges there are bisimilar. None for two fast paths: the ECMP hash pins
   * the flow's member, which leaves no other fast path to permute with.
   */
  symmetry?: string[][];
  /**
   * 'all': the explorer starts from one initial state per order of the ENI's ECMP
   * next-hop group (config.ecmpOrder; N! of them), so that the space covers every
   * flow-to-member mapping a hash could give. Then which fast path carries a flow is a
   * symmetric choice, and symmetry needs no pinning (docs/explorer.md).
   */
  ecmpOrders?: 'all';
}

/** The small configuration every profile starts from: every timer a few ticks long. */
const SMALL_CONFIG: Partial<Config> = {
  fastPaths: 2,
  relayTimeoutMs: 24,
  scanMs: 1,
  probeTimeoutMs: 3,
  probeRetries: 1,
  linkDelayMs: [1, 1],
  configRefreshMs: 8,
};
const SMALL_WORKLOAD: Partial<Workload> = { flows: 1, startAtMs: 2, ackEvery: 1, hangTimeoutMs: 6, streamIntervalMs: 4 };

export const PROFILES: Record<string, Profile> = {
  small: {
    description:
      'Two fast paths, one flow, 1-tick links; relay timeout 24, probe 3 × 1, stream every 4, ack each packet, refresh every 8; one crash or restart of a fast path.',
    config: SMALL_CONFIG,
    workload: SMALL_WORKLOAD,
    faults: ['crash', 'restart'],
    maxFaults: 1,
  },
  'small-races': {
    description:
      'As small, but the relay timer fires 1 or 2 ticks late (Δscan 2), and events at the same tick happen in every order: the races of a forward packet with the relay timeout (E5) are branches.',
    config: { ...SMALL_CONFIG, scanMs: 2 },
    workload: SMALL_WORKLOAD,
    faults: ['crash'],
    maxFaults: 1,
  },
  'three-paths': {
    description: 'As small, with three fast paths (ECMP rehash, E4) and crashes only; from every ECMP member order (6 initial states).',
    config: { ...SMALL_CONFIG, fastPaths: 3 },
    workload: SMALL_WORKLOAD,
    faults: ['crash'],
    maxFaults: 1,
    symmetry: [['fp1', 'fp2', 'fp3']],
    ecmpOrders: 'all',
  },
  tenants: {
    description:
      "As small, with two clients (client1, client2) behind their ENIs (eni1, eni2), of two tenants (100/200 and 101/201), one flow each; crashes only. S3 checks that neither tenant's packets reach the other's client or ENI, and each flow's pair.",
    config: {
      ...SMALL_CONFIG,
      tenants: [
        { name: 'tenant-a', cvni: 100, vni: 200 },
        { name: 'tenant-b', cvni: 101, vni: 201 },
      ],
      clients: [{ tenant: 0 }, { tenant: 1 }],
    },
    workload: SMALL_WORKLOAD,
    faults: ['crash'],
    maxFaults: 1,
  },
  cluster: {
    description:
      "As small, with an LVS cluster of two members (lvs1, lvs2), the stream every 10 ticks, the hang timeout 12 and the relay timeout 36: a session's record at its 2nd forward packet and every 3rd after, in batches of 2 ticks, with the path and the VGW extras; one crash of a fast path or a member. A crash of the flow's member after its record reached the other is a failover the survivor carries on; before, it is E7 (no session at the survivor: L1, L2 void under the patent's fault model, the black hole under the extended one).",
    // The stream leaves gaps longer than a packet's round trip (server to client, the ack
    // back to the LVS), so that a member can crash with nothing of the flow on its way to
    // the survivor: in small's 4-tick stream an ack always follows and rebuilds the session
    // there, and E7's black hole is never reached. The hang timeout stays above the gap (a
    // client that hangs between packets re-requests at each), and the relay timeout above
    // both (clientReacts: hang timeout + ack gap + path delays + Δscan below it).
    // A restart needs a second fault (it applies to a node that is down): crash and restart
    // under a budget of 2 make 2,150,734 states (1,158,029 with crashes only; 25 and 16 s
    // here, every property as with one fault), too many for the tests that walk every
    // manifest profile's whole graph.
    config: { ...SMALL_CONFIG, relayTimeoutMs: 36, lvsMembers: 2, syncThreshold: 2, syncPeriod: 3, syncIntervalMs: 2 },
    workload: { ...SMALL_WORKLOAD, streamIntervalMs: 10, hangTimeoutMs: 12 },
    faults: ['crash'],
    maxFaults: 1,
  },
};

export const DEFAULT_PROFILE = 'small';

export function profileScenario(name: string, design: string): Scenario {
  const p = PROFILES[name]!;
  return {
    name: `explore-${name}`,
    description: p.description,
    design,
    seed: 0,
    choices: 'minimal',
    until: 0,
    config: { ...DEFAULT_CONFIG, ...p.config },
    workload: { ...DEFAULT_WORKLOAD, ...p.workload },
    faults: [],
  };
}

/**
 * The patent model's menu: crashes, restarts and link faults of the fast paths and, with an
 * LVS cluster (lvsMembers > 1), crashes and restarts of its members, the failures the
 * patent's cluster sync is there for [¶38] (E7). A member gets the kinds whose declaration
 * (src/config/faults.ts) may hit a node of its role; the single LVS `lvs` gets none.
 */
export function faultMenu(kinds: readonly string[], fastPaths: number, clients = 1, lvsMembers = 1): Fault[] {
  const menu: Fault[] = [];
  for (const fp of fastPathIds(fastPaths)) {
    if (kinds.includes('crash')) menu.push({ kind: 'crash', node: fp });
    if (kinds.includes('restart')) menu.push({ kind: 'restart', node: fp });
    if (kinds.includes('link')) {
      for (const link of [`lvs->${fp}`, ...eniIds(clients).map((e) => `${e}->${fp}`)]) menu.push({ kind: 'linkDown', link }, { kind: 'linkUp', link });
    }
  }
  for (const member of lvsMembers > 1 ? lvsIds(lvsMembers) : []) {
    for (const kind of ['crash', 'restart'] as const) {
      if (kinds.includes(kind) && FAULT_KINDS[kind].roles!.includes(roleOf(member))) menu.push({ kind, node: member });
    }
  }
  return menu;
}

/** What `explore` explores for a profile as it is: its scenario, fault menu, budget and initial states. */
export function profileSpace(name: string, design: string): { scenario: Scenario; faultMenu: Fault[]; maxFaults: number; ecmpOrders?: 'all' } {
  const p = PROFILES[name]!;
  const scenario = profileScenario(name, design);
  return {
    scenario,
    faultMenu: faultMenu(p.faults, scenario.config.fastPaths, scenario.config.clients?.length ?? 1, scenario.config.lvsMembers),
    maxFaults: p.maxFaults,
    ...(p.ecmpOrders ? { ecmpOrders: p.ecmpOrders } : {}),
  };
}

/** The profile's symmetry groups (empty when it has none): ExploreOptions.symmetry for its own space. */
export function profileSymmetry(name: string): string[][] {
  return PROFILES[name]?.symmetry ?? [];
}

/**
 * The same space for `check`: the profile's values held fixed, its fault menu, its budget,
 * and no spoofed tenant ids (the explorer has none), so that the two can be compared.
 */
export function profileCheckSpace(name: string): SpaceOptions {
  const p = PROFILES[name]!;
  return {
    maxFaults: p.maxFaults,
    fixed: { config: p.config, workload: { ...p.workload, cvni: null } },
    menu: faultMenu(p.faults, p.config.fastPaths ?? DEFAULT_CONFIG.fastPaths, p.config.clients?.length ?? 1, p.config.lvsMembers ?? DEFAULT_CONFIG.lvsMembers),
  };
}
