/**
 * The charts as Stately's code extractor (`@xstate/machine-extractor`, the parser behind the
 * Stately editor and its VS Code extension) reads them from the source: a chart whose states
 * were built by function calls or spread in would show the visualiser fewer nodes than it has.
 * The extractor comes from test/extractor, a local package npm installs as a copy (.npmrc
 * install-links) with the XState 4 it needs as a peer nested inside it, apart from ours.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine, StateNode } from 'xstate';
import { clientMachine } from '../../models/client.js';
import { controlMachine } from '../../models/control.js';
import { eniMachine } from '../../models/eni.js';
import { fastPathMachine } from '../../models/fastPath.js';
import { lvsMachine } from '../../models/lvs.js';
import { lvsMemberMachine } from '../../models/lvsMember.js';
import { lvsPriorArtMachine } from '../../models/lvsPriorArt.js';
import { serverMachine } from '../../models/server.js';
import { slowPathMachine } from '../../models/slowPath.js';
import { vgwMachine } from '../../models/vgw.js';

const { stateNodePaths } = createRequire(import.meta.url)('pvlcheck-statechart-extractor') as {
  stateNodePaths(source: string): string[][];
};

function definitionPaths(machine: AnyStateMachine): string[] {
  const paths: string[] = [];
  const walk = (node: StateNode<any, any>, path: string): void => {
    paths.push(path);
    for (const [key, child] of Object.entries(node.states)) walk(child as StateNode<any, any>, path === '' ? key : `${path}.${key}`);
  };
  walk(machine.root, '');
  return paths;
}

const MODELS: [string, AnyStateMachine][] = [
  ['client', clientMachine],
  ['control', controlMachine],
  ['eni', eniMachine],
  ['fastPath', fastPathMachine],
  ['lvs', lvsMachine],
  ['lvsMember', lvsMemberMachine],
  ['lvsPriorArt', lvsPriorArtMachine],
  ['server', serverMachine],
  ['slowPath', slowPathMachine],
  ['vgw', vgwMachine],
];

describe("Stately's code extractor reads the models as they run", () => {
  it.each(MODELS)('models/%s.ts: one machine, with every state node of the running definition', (file, machine) => {
    const source = readFileSync(new URL(`../../models/${file}.ts`, import.meta.url), 'utf8');
    const found = stateNodePaths(source);
    expect(found).toHaveLength(1);
    expect(found[0]!.slice().sort()).toEqual(definitionPaths(machine).sort());
  });

  it('reads at least 12 state nodes in models/eni.ts: the probing logic is visible', () => {
    const [eni] = stateNodePaths(readFileSync(new URL('../../models/eni.ts', import.meta.url), 'utf8'));
    expect(eni!.length).toBeGreaterThanOrEqual(12);
    for (const region of ['paths', 'routine', 'slot1', 'slot1.probing', 'slot1.down', 'slot1.reprobing']) expect(eni).toContain(region);
  });

  it('would notice a chart whose regions are built by a function call', () => {
    const hidden = `import { setup } from 'xstate';
const region = (n: number) => ({ initial: 'up', states: { up: {}, down: {} } });
export const m = setup({}).createMachine({ id: 'm', type: 'parallel', states: { a: region(1), c: { initial: 'x', states: { x: {} } } } });`;
    const [m] = stateNodePaths(hidden);
    expect(m).toContain('c.x');
    expect(m).not.toContain('a.up');
  });
});
