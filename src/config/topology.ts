/**
 * The shape of a configuration: design names, node ids and the directed links of the
 * topology (Fig. 5; node ids as model-contract.md names them). Pure data from the config,
 * so that validation (src/config) needs nothing from the engine that runs it.
 */
import { MUTANT_NAMES } from '../../models/mutants.js';

/** Designs: patent, prior-art, and the seeded bugs of models/mutants.ts. */
export const DESIGN_NAMES: readonly string[] = ['patent', 'prior-art', ...MUTANT_NAMES];

const fastPathLists: string[][] = [];
/** "fp1".."fpN" (one shared, frozen list per N). */
export function fastPathIds(count: number): readonly string[] {
  return (fastPathLists[count] ??= Object.freeze(Array.from({ length: count }, (_, i) => `fp${i + 1}`)) as string[]);
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

/**
 * The directed links of the topology (Fig. 5), as "from->to". With a cluster every
 * member has the single LVS's links (to the server, the VGW and each fast path) and a
 * link to each other member for session sync [¶38].
 */
export function topologyLinks(fastPaths: number, lvsMembers = 1): [string, string][] {
  const lvss = lvsIds(lvsMembers);
  const links: [string, string][] = [['client', 'eni'], ['eni', 'client'], ['control', 'sp']];
  for (const lvs of lvss) links.push([lvs, 'server'], ['server', lvs], [lvs, 'vgw']);
  links.push(['vgw', 'eni']);
  for (const fp of fastPathIds(fastPaths)) {
    links.push(['eni', fp], [fp, 'eni'], [fp, 'sp'], ['sp', fp]);
    for (const lvs of lvss) links.push([fp, lvs], [lvs, fp]);
  }
  for (const a of lvss) for (const b of lvss) if (a !== b) links.push([a, b]);
  return links;
}

export function nodeIdsFor(fastPaths: number, lvsMembers = 1): string[] {
  return ['client', 'eni', 'sp', ...fastPathIds(fastPaths), 'control', ...lvsIds(lvsMembers), 'vgw', 'server'];
}
