/**
 * What a run depends on: the configuration of the PrivateLink, the workload, the fault
 * schedule. Defaults and their sources are in defaults.ts (spec §7).
 */
import type { EcmpMode } from '../../models/eni.js';
import type { Tenant } from '../../models/protocol.js';

/** Bounds of a link's one-way delay, in ms: [min, max]. */
export type DelayBounds = [number, number];

export interface LinkOverride {
  delayMs?: DelayBounds;
  /** Probability that a packet on this link is lost, 0..1. */
  loss?: number;
}

export interface Config {
  /** Number of fast path instances fp1..fpN (spec §7: 2-8, Fig. 5 has 2). */
  fastPaths: number;
  /** LVS-relay-timeout, T_relay [¶72, ¶77]. */
  relayTimeoutMs: number;
  /** Granularity of the LVS's idle scan, Δscan: the relay timer fires 1..scanMs after it is due. */
  scanMs: number;
  /** ENI probe timeout; probeRetries timeouts in a row mark a fast path down [C1, ¶61]. */
  probeTimeoutMs: number;
  probeRetries: number;
  /** Routine probing period [¶65]; 0 = probe only on a new request [C1]. */
  routineProbeMs: number;
  ecmp: EcmpMode;
  /**
   * The order the ENI's next-hop group lists the fast paths in (a permutation of 1..fastPaths,
   * e.g. [3, 1, 2]): which member a flow's hash picks. Absent: 1..fastPaths (docs/scenarios.md).
   */
  ecmpOrder?: number[];
  /** Default one-way delay bounds of every link. */
  linkDelayMs: DelayBounds;
  /** Default per-hop loss probability. */
  loss: number;
  /** Per-link overrides, keyed "from->to". */
  links: Record<string, LinkOverride>;
  /** How often PVL-Control re-announces its configuration to the slow path. */
  configRefreshMs: number;
  /** PVL-Control's tenant table (CVNI, VNI pairs). */
  tenants: Tenant[];
  /**
   * The clients, each behind its own ENI (absent: one client, nodes `client` and `eni`,
   * with the workload's flows and the first tenant). With K > 1 the nodes are `client1` …
   * `clientK` and `eni1` … `eniK` (docs/scenarios.md).
   */
  clients?: ClientSpec[];
  /**
   * LVS cluster members [¶37, ¶38]: 1 = one LVS at node `lvs` (no cluster, no sync); M > 1 =
   * nodes `lvs1`..`lvsM` behind an upstream ECMP, keeping sessions in step by IPVS-style sync.
   */
  lvsMembers: number;
  /** IPVS sync [S10]: a session's record goes to the peers at its syncThreshold-th forward packet ... */
  syncThreshold: number;
  /** ... and again whenever its count is syncThreshold modulo syncPeriod (IPVS `sync_threshold` "3 50"). */
  syncPeriod: number;
  /** Records leave in batches: a record waits this long before it is sent (IPVS's sync send interval). */
  syncIntervalMs: number;
  /** What a sync record carries besides the session itself (the spec leaves it open, §2 `SYNC`). */
  syncFields: SyncField[];
}

/** One client (consumer ECS) behind its own ENI. */
export interface ClientSpec {
  /** Its flows (ids stay global: f1.. in client order); absent: the workload's `flows`. */
  flows?: number;
  /** Its tenant: an index into `tenants`; its flows carry that tenant's CVNI and the server answers with its VNI. */
  tenant: number;
}

/**
 * A sync record's optional parts: `path` the learned fast path (physical and virtual IP),
 * `vgw` the VGW-IP and relay timeout, `lastForward` the session's forward idle clock.
 */
export type SyncField = 'path' | 'vgw' | 'lastForward';
export const SYNC_FIELDS: readonly SyncField[] = ['path', 'vgw', 'lastForward'];

export type WorkloadKind = 'reverse-heavy';

export interface Workload {
  kind: WorkloadKind;
  /** Number of client flows f1..fN. */
  flows: number;
  /** When the first flow sends its request; flow k starts startGapMs later than flow k-1. */
  startAtMs: number;
  startGapMs: number;
  /** The client acknowledges every ackEvery-th reverse packet; 0 = a silent sink (E6). */
  ackEvery: number;
  /** No reverse data for this long and the client hangs (step 7). */
  hangTimeoutMs: number;
  /** The server sends one reverse packet every streamIntervalMs. */
  streamIntervalMs: number;
  /** Packets per stream; 0 = until the run ends. */
  streamPackets: number;
  /** Tenant ids the client and the server put on their packets (default: the first tenant's). */
  cvni: number | null;
  vni: number | null;
}

/**
 * The built-in fault kinds (src/config/faults.ts declares each: target, parameters, meaning,
 * how the world applies it). The first five are the scenario format's original kinds.
 */
export type Fault =
  | { kind: 'crash'; node: string }
  /** `newIp`: the node comes back with a new address (a learned path to it is stale, spec §5). */
  | { kind: 'restart'; node: string; newIp?: boolean }
  /** `link`: "from->to", or "a<->b" for both directions. */
  | { kind: 'linkDown' | 'linkUp'; link: string }
  /** From `at` on, the link loses packets with this probability (0 ends it). */
  | { kind: 'loss'; link: string; probability: number }
  /** From `at` on, packets on the link take `extraMs` longer (0 ends it). */
  | { kind: 'delaySpike'; link: string; extraMs: number }
  /** A fast path that answers probes and drops data, until it crashes or restarts. */
  | { kind: 'gray'; node: string };

export type FaultKind = Fault['kind'];

/** The kinds of the scenario format before the fault vocabulary (what the explorer's menu offers today). */
export type PatentEraFault = Extract<Fault, { kind: 'crash' | 'restart' | 'linkDown' | 'linkUp' | 'loss' }>;

export type FaultSpec = Fault & { at: number };

/** 'patent', 'prior-art', or the name of a seeded bug (models/mutants.ts). */
export type Design = string;

export interface Scenario {
  name: string;
  description: string;
  design: Design;
  seed: number;
  /**
   * How the scheduler makes its choices: from a generator seeded with `seed` (default);
   * 'minimal' (every delay at its minimum, simultaneous events first-come, no random
   * loss); or a script, one number per choice in the order the run makes them (each an
   * offset from the low end of the choice's range), then minimal: what the exhaustive
   * explorer writes for its counterexamples.
   */
  choices: 'seeded' | 'minimal' | number[];
  /** Virtual time, ms, at which the run ends. */
  until: number;
  config: Config;
  workload: Workload;
  faults: FaultSpec[];
  /**
   * The fault model the run is judged under (absent: `patent`). Under `extended` the
   * recovery properties keep only the spec's own preconditions (§6: a fast path healthy
   * both ways; SP, VGW, control up; the client reacts), not the patent's fault model.
   */
  faultModel?: 'patent' | 'extended';
}
