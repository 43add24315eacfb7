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

/** The directed links of the topology (Fig. 5), as "from->to"; each client's ENI reaches every fast path and the VGW. */
export function topologyLinks(fastPaths: number, clients = 1): [string, string][] {
  const cs = clientIds(clients);
  const es = eniIds(clients);
  const links: [string, string][] = [];
  cs.forEach((c, i) => links.push([c, es[i]!], [es[i]!, c]));
  links.push(['control', 'sp'], ['lvs', 'server'], ['server', 'lvs'], ['lvs', 'vgw']);
  for (const e of es) links.push(['vgw', e]);
  for (const fp of fastPathIds(fastPaths)) {
    for (const e of es) links.push([e, fp], [fp, e]);
    links.push([fp, 'sp'], ['sp', fp], [fp, 'lvs'], ['lvs', fp]);
  }
  return links;
}

export function nodeIdsFor(fastPaths: number, clients = 1): string[] {
  return [...clientIds(clients), ...eniIds(clients), 'sp', ...fastPathIds(fastPaths), 'control', 'lvs', 'vgw', 'server'];
}
