/**
 * Parameter defaults (spec §7) and the ranges a scenario may use.
 *
 * Time is integer milliseconds (model contract). Where the spec's default is below a
 * millisecond (link delay 50 µs, slow path 50 µs, fast path 1 µs) the model rounds per-hop
 * delay up to 1-2 ms and treats processing as instantaneous (it is folded into the link
 * delays): causality stays visible in the timeline and the bounds stay conservative.
 */
import type { Config, Workload } from './types.js';

export const DEFAULT_CONFIG: Config = {
  fastPaths: 2, // Fig. 5: FP1, FP2
  relayTimeoutMs: 3000, // INF: above normal forward gaps and TCP's initial RTO of 1 s [S17]
  scanMs: 100, // Δscan, INF
  probeTimeoutMs: 300, // BFD-like: 300 ms x 3 [S13]
  probeRetries: 3,
  routineProbeMs: 0, // on-request probing only [C1]; [¶65] routine probing is an option (E11)
  ecmp: 'hash-threshold', // RFC 2992, the common default (E4) [S16]
  linkDelayMs: [1, 2], // spec: 50 µs intra-region (range 10 µs - 2 ms), rounded up to ms
  loss: 0, // spec: 1e-4 per hop; 0 by default so that a named scenario tells one story
  links: {},
  configRefreshMs: 1000, // control-plane propagation, about 1 s (Achelous [S2])
  tenants: [{ name: 'tenant-a', cvni: 100, vni: 200 }],
  lvsMembers: 1, // one LVS, as before the cluster; the spec's default cluster is 2 members [¶38]
  syncThreshold: 3, // IPVS sync_threshold "3 50" [S10], "after three packets" [¶38]
  syncPeriod: 50, // IPVS's default sync period [S10]
  syncIntervalMs: 1000, // IPVS's historical sync send interval [S10]
  syncFields: ['path', 'vgw'], // what the VGW fallback needs after a failover (E7); lastForward is a choice
};

export const DEFAULT_WORKLOAD: Workload = {
  kind: 'reverse-heavy',
  flows: 1,
  startAtMs: 10, // after PVL-Control's first configuration reaches the slow path
  startGapMs: 7,
  ackEvery: 5, // with a 200 ms stream, a forward packet every second: below T_relay
  hangTimeoutMs: 1000,
  streamIntervalMs: 200,
  streamPackets: 0,
  cvni: null,
  vni: null,
};

export const DEFAULT_UNTIL_MS = 20_000;
/**
 * The longest run a scenario may ask for: 10 minutes of virtual time. A run keeps its whole
 * trace (about 5 MB of JSONL and 120 MB of memory for 10 minutes of the default scenario),
 * so a longer `until` would only run out of memory.
 */
export const MAX_UNTIL_MS = 600_000;
export const MAX_UNTIL_WHY = '10 minutes of virtual time: a run keeps its whole trace in memory';
/**
 * The most trace events a shown run may keep (simulate, replay, report), as estimated
 * before it runs (scenario.ts, estimatedTraceEvents): about 500 MB of memory. The default
 * scenario keeps about 1100 events in 20 s, 33 000 in 10 minutes; 64 flows sending every
 * millisecond would keep some 15 million in 20 s and crash after minutes.
 */
export const MAX_TRACE_EVENTS = 300_000;
export const DEFAULT_SEED = 42;

/** Inclusive ranges a configuration value may take (spec §7, widened where harmless). */
export const CONFIG_RANGES = {
  fastPaths: [2, 8],
  clients: [1, 8],
  relayTimeoutMs: [1, 600_000],
  scanMs: [1, 10_000],
  probeTimeoutMs: [1, 60_000],
  probeRetries: [1, 100],
  routineProbeMs: [0, 600_000],
  configRefreshMs: [1, 600_000],
  delayMs: [0, 60_000],
  lvsMembers: [1, 4], // spec §7: 2-4 members; 1 = no cluster
  syncThreshold: [1, 1000],
  syncPeriod: [0, 1000], // 0: one record at the threshold, none after (IPVS sync_period 0)
  syncIntervalMs: [0, 2000], // spec §7: 0-2000 ms
} as const;

export const WORKLOAD_RANGES = {
  flows: [1, 64],
  startAtMs: [0, 10_000_000],
  startGapMs: [0, 60_000],
  ackEvery: [0, 1000],
  hangTimeoutMs: [1, 600_000],
  streamIntervalMs: [1, 600_000],
  streamPackets: [0, 10_000_000],
} as const;
