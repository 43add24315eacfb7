/**
 * The shape of a configuration: design names, node ids and the directed links of the
 * topology (Fig. 5; node ids as model-contract.md names them). Pure data from the config,
 * so that validation (src/config) needs nothing from the engine that runs it.
 */
import { MUTANT_NAMES } from '../../models/mutants.js';
import type { Config, Workload } from './types.js';

/** Designs: patent, prior-art, and the seeded bugs of models/mutants.ts. */
export const DESIGN_NAMES: readonly string[] = ['patent', 'prior-art', ...MUTANT_NAMES];

const fastPathLists: string[][] = [];
/** "fp1".."fpN" (one shared, frozen list per N). */
export function fastPathIds(count: number): readonly string[] {
  return (fastPathLists[count] ??= Object.freeze(Array.from({ length: count }, (_, i) => `fp${i + 1}`)) as string[]);
}

/** How many clients a configuration has (absent `clients`: one). */
export function clientCount(config: Pick<Config, 'clients'>): number {
  return config.clients?.length ?? 1;
}

/** The client node ids: `client` alone, or `client1` … `clientK` (as `lvs` / `lvs1` … `lvsM`). */
export function clientIds(count: number): string[] {
  return count === 1 ? ['client'] : Array.from({ length: count }, (_, i) => `client${i + 1}`);
}

/** The ENI node ids, one per client: `eni` alone, or `eni1` … `eniK`. */
export function eniIds(count: number): string[] {
  return count === 1 ? ['eni'] : Array.from({ length: count }, (_, i) => `eni${i + 1}`);
}

/** One client as a run sees it: its node, its ENI, its tenant and its flows. */
export interface ClientPlan {
  client: string;
  eni: string;
  /** Index into config.tenants. */
  tenant: number;
  flows: string[];
}

/** The clients of a configuration with their flows: ids f1.. run on across clients, in order. */
export function clientPlans(config: Pick<Config, 'clients'>, workload: Pick<Workload, 'flows'>): ClientPlan[] {
  const specs = config.clients ?? [{ tenant: 0 }];
  const clients = clientIds(specs.length);
  const enis = eniIds(specs.length);
  let next = 1;
  return specs.map((c, i) => {
    const n = c.flows ?? workload.flows;
    const flows = Array.from({ length: n }, (_, k) => `f${next + k}`);
    next += n;
    return { client: clients[i]!, eni: enis[i]!, tenant: c.tenant, flows };
  });
}

/** Every flow of a configuration, in client order. */
export function totalFlows(config: Pick<Config, 'clients'>, workload: Pick<Workload, 'flows'>): number {
  return config.clients ? config.clients.reduce((n, c) => n + (c.flows ?? workload.flows), 0) : workload.flows;
}

const lvsLists: string[][] = [];
/**
 * The LVS node ids: `lvs` alone (no cluster, members = 1), or the cluster's members
 * `lvs1`..`lvsM` [¶37, ¶38] (model-contract.md "Node ids"). One shared, frozen list per M.
 */
export function lvsIds(members = 1): readonly string[] {
  return (lvsLists[members] ??= Object.freeze(
    members <= 1 ? ['lvs'] : Array.from({ length: members }, (_, i) => `lvs${i + 1}`),
  ) as string[]);
}

/** How many of the instances that may be several a topology has (absent: one of each). */
export interface TopologyShape {
  /** Clients, each behind its own ENI. */
  clients?: number;
  /** LVS cluster members. */
  lvsMembers?: number;
}

/** A configuration's shape. */
export function shapeOf(config: Pick<Config, 'clients' | 'lvsMembers'>): TopologyShape {
  return { clients: clientCount(config), lvsMembers: config.lvsMembers };
}

/**
 * The directed links of the topology (Fig. 5), as "from->to": each client's ENI reaches
 * every fast path and the VGW; with a cluster every member has the single LVS's links (to
 * the server, the VGW and each fast path) and a link to each other member for session
 * sync [¶38]. One client and one LVS give the links in the order they always had.
 */
export function topologyLinks(fastPaths: number, shape: TopologyShape = {}): [string, string][] {
  const cs = clientIds(shape.clients ?? 1);
  const es = eniIds(shape.clients ?? 1);
  const lvss = lvsIds(shape.lvsMembers ?? 1);
  const links: [string, string][] = [];
  cs.forEach((c, i) => links.push([c, es[i]!], [es[i]!, c]));
  links.push(['control', 'sp']);
  for (const lvs of lvss) links.push([lvs, 'server'], ['server', lvs], [lvs, 'vgw']);
  for (const e of es) links.push(['vgw', e]);
  for (const fp of fastPathIds(fastPaths)) {
    for (const e of es) links.push([e, fp], [fp, e]);
    links.push([fp, 'sp'], ['sp', fp]);
    for (const lvs of lvss) links.push([fp, lvs], [lvs, fp]);
  }
  for (const a of lvss) for (const b of lvss) if (a !== b) links.push([a, b]);
  return links;
}

export function nodeIdsFor(fastPaths: number, shape: TopologyShape = {}): string[] {
  const clients = shape.clients ?? 1;
  return [...clientIds(clients), ...eniIds(clients), 'sp', ...fastPathIds(fastPaths), 'control', ...lvsIds(shape.lvsMembers ?? 1), 'vgw', 'server'];
}
