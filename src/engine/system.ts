/**
 * The static part of a run: which statechart runs at which node, with what input, at
 * which addresses, over which links. A World (world.ts) is the changing part.
 *
 * Node ids follow model-contract.md. Client, LVS and server keep one statechart per flow
 * (their state is a session's state); the other components have one per node.
 */
import type { AnyStateMachine } from 'xstate';
import { clientMachine, type ClientInput } from '../../models/client.js';
import { controlMachine, type ControlInput } from '../../models/control.js';
import { eniMachine, type EniInput } from '../../models/eni.js';
import { fastPathMachine, type FastPathInput } from '../../models/fastPath.js';
import { lvsMachine, type LvsInput } from '../../models/lvs.js';
import { lvsPriorArtMachine } from '../../models/lvsPriorArt.js';
import { lvsMemberMachine, lvsMemberPriorArtMachine, type LvsMemberInput } from '../../models/lvsMember.js';
import { serverMachine, type ServerInput } from '../../models/server.js';
import { slowPathMachine } from '../../models/slowPath.js';
import { vgwMachine, type VgwInput } from '../../models/vgw.js';
import { MUTANTS } from '../../models/mutants.js';
import { clientPlans, fastPathIds, lvsIds, nodeIdsFor, topologyLinks, type ClientPlan } from '../config/topology.js';
import type { Config, Design, Workload } from '../config/types.js';
import { DEFAULT_VOCABULARY, type FaultVocabulary } from '../config/faults.js';
import { MachineRunner } from './runner.js';

export type NodeKind = 'client' | 'eni' | 'sp' | 'fp' | 'control' | 'lvs' | 'vgw' | 'server';

export interface NodeSpec {
  readonly id: string;
  readonly kind: NodeKind;
  /** One statechart per flow (keyed "node/flow") instead of one per node. */
  readonly perFlow: boolean;
  readonly runner: MachineRunner;
  /**
   * The statechart's input; `epoch` counts restarts with a new (virtual) address, `host`
   * restarts on a new physical host (fast paths only; absent = 0).
   */
  readonly input: (flow: string | null, epoch: number, host?: number) => unknown;
  /** The node's address for an epoch (a fast path's virtual IP). */
  readonly ip: (epoch: number) => string;
  /**
   * A fast path's physical host address for a host epoch: the outer destination of the
   * LVS's reverse data [C7, ¶45]. A restart at a new address keeps the host (a new virtual
   * IP on the same machine); a restart on a new host keeps the virtual IP.
   */
  readonly hostIp?: (host: number) => string;
  /** Timers that fire 1..ms after they are due (a periodic scan), by timer label. */
  readonly timerJitterMs: Readonly<Record<string, number>>;
  /** A client's own flows (client nodes only): what it starts, and starts again on a restart. */
  readonly flows?: readonly string[];
}

/** One flow's tenancy: whose it is, and the tenant ids its two directions carry. */
export interface FlowTenancy {
  client: string;
  eni: string;
  /** Index into config.tenants: the client's tenant. */
  tenant: number;
  /** The CVNI its client puts on forward packets, the VNI its server puts on reverse ones. */
  cvni: number;
  vni: number;
}

export interface LinkSpec {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly minMs: number;
  readonly maxMs: number;
  readonly loss: number;
}

export interface System {
  readonly design: Design;
  readonly config: Config;
  readonly workload: Workload;
  readonly nodes: Readonly<Record<string, NodeSpec>>;
  readonly nodeIds: readonly string[];
  readonly links: Readonly<Record<string, LinkSpec>>;
  readonly flows: readonly string[];
  /** The clients, each with its ENI, tenant and flows (one, `client`/`eni`, by default). */
  readonly clients: readonly ClientPlan[];
  /** Each flow's client, ENI and tenant ids. */
  readonly tenancy: Readonly<Record<string, FlowTenancy>>;
  /** Address -> node, for epoch 0. */
  readonly addresses: ReadonlyMap<string, string>;
  /** Physical host address -> the fast path on it, for host epoch 0. */
  readonly hostAddresses: ReadonlyMap<string, string>;
  /** The fault kinds the world knows, and how it applies each (src/config/faults.ts). */
  readonly faults: FaultVocabulary;
  /** The LVS node ids: `lvs`, or the cluster's members `lvs1`..`lvsM`. */
  readonly lvsNodes: readonly string[];
  /**
   * With an LVS cluster: the service address the fast paths and the server send to, which
   * the upstream ECMP (the switch, with keepalived's view of who is alive) spreads over the
   * live members (world.ts, clusterMember). Absent without a cluster.
   */
  readonly lvsService?: { readonly ip: string; readonly members: readonly string[] };
}

/** The machine each design puts at each kind of node. */
const DESIGNS: Record<'patent' | 'prior-art', Record<NodeKind, AnyStateMachine>> = {
  patent: {
    client: clientMachine,
    eni: eniMachine,
    sp: slowPathMachine,
    fp: fastPathMachine,
    control: controlMachine,
    lvs: lvsMachine,
    vgw: vgwMachine,
    server: serverMachine,
  },
  'prior-art': {
    client: clientMachine,
    eni: eniMachine,
    sp: slowPathMachine,
    fp: fastPathMachine,
    control: controlMachine,
    lvs: lvsPriorArtMachine,
    vgw: vgwMachine,
    server: serverMachine,
  },
};

export { DESIGN_NAMES, fastPathIds, lvsIds, nodeIdsFor, topologyLinks } from '../config/topology.js';

/**
 * The machine at an LVS cluster member, by design: the patent's member with session sync,
 * or the prior art's. A seeded bug of another component keeps the patent's member; one of
 * the LVS (models/mutants.ts) is a variant of the single LVS and applies without a cluster.
 */
function memberMachine(design: Design): AnyStateMachine {
  return design === 'prior-art' ? lvsMemberPriorArtMachine : lvsMemberMachine;
}

/** The machines of a design, or null for an unknown name. */
export function designMachines(design: Design): Record<NodeKind, AnyStateMachine> | null {
  if (design === 'patent' || design === 'prior-art') return DESIGNS[design];
  const mutant = MUTANTS[design];
  return mutant ? { ...DESIGNS.patent, [mutant.kind]: mutant.machine } : null;
}

// One runner (and so one transition cache) per machine, shared by every run in a process.
const runners = new Map<AnyStateMachine, MachineRunner>();
export function runnerFor(machine: AnyStateMachine): MachineRunner {
  let runner = runners.get(machine);
  if (!runner) {
    runner = new MachineRunner(machine);
    runners.set(machine, runner);
  }
  return runner;
}

export const IP = {
  client: '172.16.0.10',
  eni: '172.16.0.100',
  /** Client k of several (k = 1..K), each in its own consumer VPC; K = 1 keeps `client`. */
  clientN: (k: number) => `172.16.${k}.10`,
  eniN: (k: number) => `172.16.${k}.100`,
  sp: '10.1.0.200',
  control: '10.1.0.250',
  lvs: '10.2.0.10',
  vgw: '10.2.0.1',
  server: '10.2.0.20',
  /** An LVS cluster member's own address (its sync peers use it); `lvs` is the service address. */
  lvsMember: (k: number) => `10.2.1.${k}`,
  /** A fast path's virtual (ECS instance) IP: a restart at a new address changes it. */
  fpVirt: (n: number, epoch: number) => `10.1.${epoch}.${n}`,
  /** Its physical host's IP: only a restart on a new host changes it (host epoch). */
  fpPhys: (n: number, host: number) => `192.168.${host}.${n}`,
} as const;

export function flowIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `f${i + 1}`);
}

export function buildSystem(design: Design, config: Config, workload: Workload, faults: FaultVocabulary = DEFAULT_VOCABULARY): System {
  const machines = designMachines(design);
  if (!machines) throw new Error(`unknown design ${design}`);
  const fps = fastPathIds(config.fastPaths);
  const order = config.ecmpOrder;
  // Parsing checks it (scenario.ts); a flag that changes fastPaths afterwards must not leave a stale order.
  if (order && (order.length !== fps.length || [...order].sort((a, b) => a - b).some((n, i) => n !== i + 1))) {
    throw new Error(`config.ecmpOrder [${order.join(', ')}] is not a permutation of the fast paths 1..${fps.length}`);
  }
  const clients = clientPlans(config, workload);
  const single = clients.length === 1;
  const clientIp = (k: number) => (single ? IP.client : IP.clientN(k + 1));
  const eniIp = (k: number) => (single ? IP.eni : IP.eniN(k + 1));
  // Each flow carries its client's tenant ids (the workload's cvni/vni override them: a spoof).
  const tenancy: Record<string, FlowTenancy> = {};
  clients.forEach((c) => {
    const tenant = config.tenants[c.tenant];
    for (const flow of c.flows) {
      tenancy[flow] = {
        client: c.client,
        eni: c.eni,
        tenant: c.tenant,
        cvni: workload.cvni ?? tenant?.cvni ?? 0,
        vni: workload.vni ?? tenant?.vni ?? 0,
      };
    }
  });
  // The route from a flow to its client's ENI, for the fast paths and the VGW (several clients only).
  const eniRoutes: Record<string, string> = {};
  clients.forEach((c, k) => c.flows.forEach((f) => (eniRoutes[f] = eniIp(k))));
  const nodes: Record<string, NodeSpec> = {};
  const add = (
    id: string,
    kind: NodeKind,
    ip: (epoch: number) => string,
    input: (flow: string | null, epoch: number, host?: number) => unknown,
    perFlow = false,
    timerJitterMs: Record<string, number> = {},
    hostIp?: (host: number) => string,
    flows?: readonly string[],
  ): void => {
    nodes[id] = { id, kind, perFlow, runner: runnerFor(machines[kind]), input, ip, timerJitterMs, ...(hostIp ? { hostIp } : {}), ...(flows ? { flows } : {}) };
  };

  clients.forEach((c, k) => {
    const cvni = c.flows.length > 0 ? tenancy[c.flows[0]!]!.cvni : (workload.cvni ?? config.tenants[c.tenant]?.cvni ?? 0);
    add(c.client, 'client', () => clientIp(k), (flow) => ({
      flow: flow ?? '',
      eniIp: eniIp(k),
      cvni,
      hangTimeoutMs: workload.hangTimeoutMs,
      ackEvery: workload.ackEvery,
    } satisfies ClientInput), true, {}, undefined, c.flows);
  });
  clients.forEach((c, k) => {
    add(c.eni, 'eni', () => eniIp(k), () => ({
      clientIp: clientIp(k),
      members: fps.map((_, i) => IP.fpVirt(i + 1, 0)),
      probeTimeoutMs: config.probeTimeoutMs,
      probeRetries: config.probeRetries,
      routineProbeMs: config.routineProbeMs,
      ecmp: config.ecmp,
      ...(order ? { ecmpOrder: order.map((n) => IP.fpVirt(n, 0)) } : {}),
    } satisfies EniInput));
  });
  add('sp', 'sp', () => IP.sp, () => undefined);
  fps.forEach((fp, i) => {
    const n = i + 1;
    add(fp, 'fp', (epoch) => IP.fpVirt(n, epoch), (_flow, epoch, host = 0) => ({
      physIp: IP.fpPhys(n, host),
      virtIp: IP.fpVirt(n, epoch),
      spIp: IP.sp,
      lvsIp: IP.lvs,
      eniIp: eniIp(0),
      ...(single ? {} : { eniRoutes }),
    } satisfies FastPathInput), false, {}, (host) => IP.fpPhys(n, host));
  });
  add('control', 'control', () => IP.control, () => ({
    spIp: IP.sp,
    vgwIp: IP.vgw,
    relayTimeoutMs: config.relayTimeoutMs,
    tenants: config.tenants,
    refreshMs: config.configRefreshMs,
  } satisfies ControlInput));
  const lvss = lvsIds(config.lvsMembers);
  if (lvss.length === 1) {
    add('lvs', 'lvs', () => IP.lvs, (flow) => ({ flow: flow ?? '', serverIp: IP.server } satisfies LvsInput), true, {
      relayTimeout: config.scanMs,
    });
  } else {
    const member = memberMachine(design);
    lvss.forEach((id, i) => {
      const ip = IP.lvsMember(i + 1);
      const peerIps = lvss.map((_, j) => IP.lvsMember(j + 1)).filter((p) => p !== ip);
      nodes[id] = {
        id,
        kind: 'lvs',
        perFlow: true,
        runner: runnerFor(member),
        input: (flow) =>
          ({
            flow: flow ?? '',
            serverIp: IP.server,
            peerIps,
            syncThreshold: config.syncThreshold,
            syncPeriod: config.syncPeriod,
            syncIntervalMs: config.syncIntervalMs,
            syncFields: [...config.syncFields],
          }) satisfies LvsMemberInput,
        ip: () => ip,
        timerJitterMs: { relayTimeout: config.scanMs },
      };
    });
  }
  add('vgw', 'vgw', () => IP.vgw, () => ({ eniIp: eniIp(0), ...(single ? {} : { eniRoutes }) } satisfies VgwInput));
  add('server', 'server', () => IP.server, (flow) => ({
    flow: flow ?? '',
    lvsIp: IP.lvs,
    // The server side of the flow's tenant [¶75]: the session answers with that tenant's VNI.
    vni: (flow !== null ? tenancy[flow]?.vni : undefined) ?? workload.vni ?? config.tenants[0]?.vni ?? 0,
    streamIntervalMs: workload.streamIntervalMs,
    streamPackets: workload.streamPackets,
  } satisfies ServerInput), true);

  const links: Record<string, LinkSpec> = {};
  for (const [from, to] of topologyLinks(config.fastPaths, { clients: clients.length, lvsMembers: config.lvsMembers })) {
    const id = `${from}->${to}`;
    const override = config.links[id];
    const [minMs, maxMs] = override?.delayMs ?? config.linkDelayMs;
    links[id] = { id, from, to, minMs, maxMs, loss: override?.loss ?? config.loss };
  }

  const addresses = new Map<string, string>();
  const hostAddresses = new Map<string, string>();
  for (const node of Object.values(nodes)) {
    addresses.set(node.ip(0), node.id);
    if (node.hostIp) hostAddresses.set(node.hostIp(0), node.id);
  }

  return {
    design,
    config,
    workload,
    nodes,
    nodeIds: nodeIdsFor(config.fastPaths, { clients: clients.length, lvsMembers: config.lvsMembers }),
    links,
    flows: clients.flatMap((c) => c.flows),
    clients,
    tenancy,
    addresses,
    hostAddresses,
    faults,
    lvsNodes: lvss,
    ...(lvss.length > 1 ? { lvsService: { ip: IP.lvs, members: lvss } } : {}),
  };
}
