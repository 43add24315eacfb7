/**
 * The explorer owns its worker threads (issue 12, point 2): one Worker spawn, in
 * src/explorer/workers.ts; the command line spawns none and the explorer imports neither
 * the properties nor the command line (a worker thread imports the properties from the
 * module the command names). And no module keeps a result between calls: a successor's
 * violation and a monitor step's `exercised` flag are returned or held by the caller.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StepRecorder, initMonitor, stepMonitor, type Observation } from '../../src/checker/property.js';
import { explore } from '../../src/explorer/explore.js';
import { controlFor, interrupt, optionsOf, runExplore, search, type ExploreRequest } from '../../src/explorer/workers.js';
import { profileScenario } from '../../src/explorer/profiles.js';
import { ALL_PROPERTIES } from '../../properties/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const explorerFiles = readdirSync(join(ROOT, 'src/explorer')).filter((f) => f.endsWith('.ts'));

/** Spawns of a worker thread in a source text. */
const spawns = (text: string) => [...text.matchAll(/new Worker\(/g)].length;

describe('the explorer owns its worker threads', () => {
  it('one Worker spawn, in src/explorer/searchThread.ts; none in src/cli/explore.ts; no src/cli/exploreWorker.ts', () => {
    expect(Object.fromEntries(explorerFiles.map((f) => [f, spawns(read(`src/explorer/${f}`))]).filter(([, n]) => n !== 0))).toEqual({ 'searchThread.ts': 1 });
    expect(spawns(read('src/cli/explore.ts'))).toBe(0);
    expect(readdirSync(join(ROOT, 'src/cli'))).not.toContain('exploreWorker.ts');
  });

  it('no file of src/explorer imports properties/ or src/cli, statically or dynamically', () => {
    for (const f of explorerFiles) {
      const text = read(`src/explorer/${f}`);
      const targets = [...text.matchAll(/(?:from\s+|import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      expect(targets.filter((t) => /(^|\/)properties\/|\/cli\//.test(t)), f).toEqual([]);
    }
  });

  it('no module-level `let` in successors.ts or property.ts (results are returned, not left in module state)', () => {
    for (const f of ['src/explorer/successors.ts', 'src/checker/property.ts']) expect(read(f).match(/^let /gm), f).toBeNull();
  });

  it('search, in process, gives what runExplore gives on the properties handed in; interrupt stops it', async () => {
    const request: ExploreRequest = {
      scenario: profileScenario('small', 'prior-art'),
      propertyIds: ['L1', 'S4'],
      faultKinds: ['crash'],
      maxFaults: 1,
      maxDepth: 100_000,
      delays: 'bounds',
      exact: false,
    };
    const source = { properties: ALL_PROPERTIES, module: { url: 'unused-in-process', name: 'ALL_PROPERTIES' } };
    const direct = runExplore(request, ALL_PROPERTIES);
    expect(optionsOf(request, ALL_PROPERTIES).properties.map((p) => p.id).sort()).toEqual(['L1', 'S4']);
    const lines: string[] = [];
    const reply = await search(request, controlFor(1, 4096), { source, workers: 1, tableBits: 22, clock: () => 0, onProgress: (l) => lines.push(l) });
    // Heap and time figures vary from run to run; the search's own figures do not.
    const figures = (r: typeof direct.result) => ({ states: r.states, transitions: r.transitions, depth: r.depth, exhausted: r.exhausted, cutBy: r.cutBy, witnessed: r.witnessed, violations: r.violations });
    expect(figures(reply.result)).toEqual(figures(direct.result));
    expect(reply.result.violations.map((v) => v.property)).toEqual(['L1']);
    expect(reply.result.states).toBe(explore(optionsOf(request, ALL_PROPERTIES)).states);
    const stopped = controlFor(1, 4096);
    interrupt(stopped);
    const cut = await search({ ...request, maxFaults: 2 }, stopped, { source, workers: 1, tableBits: 22, clock: () => 0 });
    expect(cut.result.cutBy).toBe('interrupted');
    expect(cut.result.states).toBeLessThan(reply.result.states);
  });

  it("a caller's StepRecorder says whether the step exercised the situation; two recorders do not share it", () => {
    const logic = {
      observes: [{ fact: 'start' }],
      init: () => 0,
      step: (d: number, obs: Observation, report: { exercise(): void }) => {
        if (obs.world.now === 1) report.exercise();
        return d;
      },
    };
    const state = initMonitor(logic as never, {} as never, {} as never);
    const a = new StepRecorder();
    const b = new StepRecorder();
    stepMonitor(logic as never, state, { prev: null, events: [], world: { now: 1, actors: {} } } as never, a);
    stepMonitor(logic as never, state, { prev: null, events: [], world: { now: 2, actors: {} } } as never, b);
    expect([a.exercised, b.exercised]).toEqual([true, false]);
    stepMonitor(logic as never, state, { prev: null, events: [], world: { now: 2, actors: {} } } as never, a);
    expect(a.exercised).toBe(false);
  });
});
