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

/** The directed links of the topology (Fig. 5), as "from->to". */
export function topologyLinks(fastPaths: number): [string, string][] {
  const links: [string, string][] = [
    ['client', 'eni'],
    ['eni', 'client'],
    ['control', 'sp'],
    ['lvs', 'server'],
    ['server', 'lvs'],
    ['lvs', 'vgw'],
    ['vgw', 'eni'],
  ];
  for (const fp of fastPathIds(fastPaths)) {
    links.push(['eni', fp], [fp, 'eni'], [fp, 'sp'], ['sp', fp], [fp, 'lvs'], ['lvs', fp]);
  }
  return links;
}

export function nodeIdsFor(fastPaths: number): string[] {
  return ['client', 'eni', 'sp', ...fastPathIds(fastPaths), 'control', 'lvs', 'vgw', 'server'];
}
