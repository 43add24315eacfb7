/**
 * Small configurations for exhaustive exploration, named, with the results the explorer
 * must reproduce (explorer-manifest.json). Time is in ticks of 1 ms, scaled down so that
 * every timer is a few ticks: the relay timeout, the probe, the stream and the control
 * plane's refresh all fold into short cycles.
 */
import { DEFAULT_CONFIG, DEFAULT_WORKLOAD } from '../config/defaults.js';
import type { Config, Scenario, Workload } from '../config/types.js';
import { fastPathIds } from '../engine/system.js';
import { eniIds } from '../config/topology.js';
import type { Fault } from '../engine/world.js';
import type { SpaceOptions } from '../checker/arbitraries.js';

export interface Profile {
  description: string;
  config: Partial<Config>;
  workload: Partial<Workload>;
  /** Fault kinds on fast paths the explorer may inject. */
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

export function faultMenu(kinds: readonly string[], fastPaths: number, clients = 1): Fault[] {
  const menu: Fault[] = [];
  for (const fp of fastPathIds(fastPaths)) {
    if (kinds.includes('crash')) menu.push({ kind: 'crash', node: fp });
    if (kinds.includes('restart')) menu.push({ kind: 'restart', node: fp });
    if (kinds.includes('link')) {
      for (const link of [`lvs->${fp}`, ...eniIds(clients).map((e) => `${e}->${fp}`)]) menu.push({ kind: 'linkDown', link }, { kind: 'linkUp', link });
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
    faultMenu: faultMenu(p.faults, scenario.config.fastPaths, scenario.config.clients?.length ?? 1),
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
    menu: faultMenu(p.faults, p.config.fastPaths ?? DEFAULT_CONFIG.fastPaths, p.config.clients?.length ?? 1),
  };
}
