/**
 * `pvlcheck merge` of `explore --shard i/n --format json` results: the shards split the
 * space by the first fault (every shard explored the whole fault-free space, then what
 * follows its own first faults, src/explorer/explore.ts), so merged:
 *
 * - a property is violated if some shard saw it violated, and its shortest counterexample
 *   is the shortest over the shards (a shortest path's first fault is one shard's, whose
 *   search holds the whole path, and finds it at the same length);
 * - a witness is witnessed if some shard saw it; holds / not witnessed only when every
 *   shard searched its part to the end, else inconclusive;
 * - states and transitions as the sum over the shards, and with the shared prefix (the
 *   fault-free space) counted once (a state after two faults may be reached from first
 *   faults of more than one shard).
 *
 * The exit code is the one `explore` gives: 0 when every verdict is as the manifest
 * expects and every part was searched to the end, 1 otherwise.
 */
import { relative } from 'node:path';
import { checkShards, firstDifference } from '../checker/merge.js';
import { parseScenario, scenarioToJson } from '../config/scenario.js';
import type { Scenario } from '../config/types.js';
import { InputError, describe } from '../config/validate.js';
import { verdictAgrees, type ExplorerVerdict } from '../explorer/manifest.js';
import { parseShard, type Shard } from '../checker/shard.js';
import type { Io } from './io.js';
import { checkOutDir, writeInto } from './outputs.js';
import { ALL_PROPERTIES } from '../../properties/index.js';

interface ExploreShard {
  file: string;
  exploration: Record<string, unknown> & { properties: string[]; design: string; profile: string; faultModel: string };
  shard: Shard;
  states: number;
  transitions: number;
  depth: number;
  split: { prefixStates: number; prefixTransitions: number; firstFaults: number; own: number } | null;
  verdicts: Record<string, string>;
  expectations: Record<string, string | null>;
  exhaustedBy: Record<string, boolean>;
  violations: { property: string; message: string; moves: number; scenario: Scenario }[];
}

export function isExploreResult(json: unknown): boolean {
  return typeof json === 'object' && json !== null && !Array.isArray(json) && 'exploration' in json;
}

function obj(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(at, `must be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

function num(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new InputError(at, `must be a whole number ≥ 0, got ${describe(v)}`);
  return v;
}

function readExploreShard(json: unknown, file: string): ExploreShard {
  const top = obj(json, file);
  const at = (k: string) => `${file}: ${k}`;
  const exploration = obj(top.exploration, at('exploration')) as ExploreShard['exploration'];
  if (!Array.isArray(exploration.properties)) throw new InputError(at('exploration.properties'), 'must be an array');
  let shard: Shard = { index: 1, count: 1 };
  if (top.shard !== null && top.shard !== undefined) {
    const s = obj(top.shard, at('shard'));
    shard = parseShard(at('shard'), `${String(s.index)}/${String(s.count)}`);
  }
  const split = top.split === null || top.split === undefined ? null : (obj(top.split, at('split')) as unknown as ExploreShard['split']);
  if (split) for (const k of ['prefixStates', 'prefixTransitions', 'firstFaults', 'own'] as const) num(split[k], at(`split.${k}`));
  const verdicts = obj(top.verdicts, at('verdicts')) as Record<string, string>;
  const scenarios = obj(top.scenarios ?? {}, at('scenarios'));
  if (!Array.isArray(top.violations)) throw new InputError(at('violations'), `must be an array, got ${describe(top.violations)}`);
  const violations = top.violations.map((v, i) => {
    const o = obj(v, at(`violations[${i}]`));
    const property = String(o.property);
    return {
      property,
      message: String(o.message),
      moves: num(o.moves, at(`violations[${i}].moves`)),
      scenario: parseScenario(scenarios[property], `${file}: scenarios.${property}`),
    };
  });
  for (const id of exploration.properties) {
    if (typeof verdicts[id] !== 'string') throw new InputError(at(`verdicts.${id}`), 'missing');
  }
  return {
    file,
    exploration,
    shard,
    states: num(top.states, at('states')),
    transitions: num(top.transitions, at('transitions')),
    depth: num(top.depth, at('depth')),
    split,
    verdicts,
    expectations: obj(top.expectations, at('expectations')) as Record<string, string | null>,
    exhaustedBy: obj(top.exhaustedBy, at('exhaustedBy')) as Record<string, boolean>,
    violations,
  };
}

export function mergeExploreFiles(jsons: unknown[], names: string[], format: string, outDirName: string | undefined, io: Io): number {
  if (format === 'junit') throw new InputError('--format', 'junit is for check shards; explore shards merge to text or json');
  const shards = jsons.map((j, i) => readExploreShard(j, names[i]!));
  const first = shards[0]!;
  for (let i = 1; i < shards.length; i++) {
    const field = firstDifference(first.exploration, shards[i]!.exploration);
    if (field !== null) throw new InputError(`exploration.${field}`, `the shards are of different explorations: ${names[0]} and ${names[i]} differ`);
  }
  // Every shard once, none missing (the same checks as for check's shards).
  checkShards(
    shards.map((s) => ({ campaign: { version: '', seed: 0, runs: 0, maxFaults: 0, designs: [], properties: [], config: {}, shrinkBudget: 0 }, shard: s.shard, command: '', outcomes: [] })),
    names,
  );
  const outDir = io.resolve(outDirName ?? 'counterexamples');
  if (outDirName !== undefined) checkOutDir('--out-dir', outDir, outDirName);
  const n = shards.length;
  const ids = first.exploration.properties;
  const sumStates = shards.reduce((a, s) => a + s.states, 0);
  const sumTransitions = shards.reduce((a, s) => a + s.transitions, 0);
  const prefix = first.split ?? { prefixStates: 0, prefixTransitions: 0, firstFaults: 0, own: 0 };
  const onceStates = sumStates - (n - 1) * prefix.prefixStates;
  const onceTransitions = sumTransitions - (n - 1) * prefix.prefixTransitions;
  const exhaustedFor = (id: string) => shards.every((s) => s.exhaustedBy[id] === true);

  const verdicts: Record<string, ExplorerVerdict> = {};
  const shortest: Record<string, ExploreShard['violations'][number]> = {};
  for (const id of ids) {
    const kind = ALL_PROPERTIES.find((p) => p.id === id)?.kind;
    const found = shards
      .flatMap((s) => s.violations.filter((v) => v.property === id))
      .sort((a, b) => a.moves - b.moves);
    if (found.length > 0) shortest[id] = found[0]!;
    if (shards.some((s) => s.verdicts[id] === 'violated')) verdicts[id] = 'violated';
    else if (shards.some((s) => s.verdicts[id] === 'witnessed')) verdicts[id] = 'witnessed';
    else if (!exhaustedFor(id)) verdicts[id] = 'inconclusive';
    else verdicts[id] = kind === 'sometimes' ? 'not witnessed' : 'holds';
  }
  // As explore judges: a seeded bug is caught by one of its properties; under the extended model a
  // violation or witness the bounded space does not reach is "not reached here".
  const expectations = first.expectations;
  const caught = ids.some((id) => expectations[id] === 'caught' && verdicts[id] === 'violated');
  const notReached = (id: string) =>
    first.exploration.faultModel === 'extended' &&
    ((expectations[id] === 'violated' && verdicts[id] === 'holds') || (expectations[id] === 'witnessed' && verdicts[id] === 'not witnessed'));
  const agrees = (id: string) =>
    expectations[id] === 'caught'
      ? verdicts[id] !== 'inconclusive' && (caught || verdicts[id] === 'violated')
      : verdictAgrees(verdicts[id]!, expectations[id] ?? undefined) || notReached(id);
  const unexpected = ids.filter((id) => !agrees(id));
  const complete = ids.every(exhaustedFor);
  const asExpected = unexpected.length === 0 && complete;

  const files: Record<string, string> = {};
  let writeFailure: InputError | null = null;
  for (const [id, v] of Object.entries(shortest)) {
    if (writeFailure) break;
    try {
      const w = writeInto('--out-dir', outDir, `${v.scenario.name}.json`, scenarioToJson(v.scenario));
      files[id] = relative(io.resolve('.'), w.path) || w.path;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      writeFailure = e;
    }
  }
  const merged = {
    profile: first.exploration.profile,
    design: first.exploration.design,
    shards: n,
    split: first.split,
    states: { sum: sumStates, prefixOnce: onceStates, byShard: shards.map((s) => s.states) },
    transitions: { sum: sumTransitions, prefixOnce: onceTransitions },
    exhausted: complete,
    verdicts,
    violations: Object.values(shortest).map((v) => ({ property: v.property, message: v.message, moves: v.moves, shortest: first.exploration.depthFirst !== true, file: files[v.property] ?? null })),
    unexpected: unexpected.map((id) => ({ property: id, verdict: verdicts[id], expected: expectations[id] ?? null })),
    asExpected,
  };
  if (format === 'json') io.out(JSON.stringify(merged, null, 2));
  else {
    io.out(`pvlcheck merge: ${n} shard${n > 1 ? 's' : ''} of explore, profile ${merged.profile}, design ${merged.design}`);
    io.out(
      `  split by the first fault: the fault-free space (${prefix.prefixStates} states) in every shard, its ${prefix.firstFaults} first faults dealt out (${shards.map((s) => s.split?.own ?? 0).join(' + ')})`,
    );
    io.out('');
    for (const id of ids) {
      const p = ALL_PROPERTIES.find((x) => x.id === id);
      const v = shortest[id];
      const found = first.exploration.depthFirst === true ? 'a depth-first counterexample (not the shortest; explore without --lean for the shortest)' : 'shortest counterexample';
      const text = verdicts[id] === 'violated' ? `VIOLATED (${found} over the shards: ${v ? `${v.moves} moves` : 'not rebuilt'})` : verdicts[id]!;
      io.out(`  ${`${id} ${p?.title ?? ''}`.padEnd(40)} ${text}${agrees(id) ? '' : `   UNEXPECTED: expected ${expectations[id] ?? 'nothing (not in the manifest)'}`}`);
    }
    io.out('');
    io.out(`  distinct states  ${onceStates} with the shared prefix counted once (${sumStates} summed over the shards: ${merged.states.byShard.join(' + ')})`);
    io.out(`  transitions      ${onceTransitions} with the prefix counted once (${sumTransitions} summed)`);
    io.out(`  search           ${complete ? 'exhausted in every shard' : 'STOPPED EARLY in some shard: what it did not find is inconclusive'}`);
    for (const [id, f] of Object.entries(files)) io.out(`  ${id}: scenario ${f}; replay: npx pvlcheck replay ${f}`);
    io.out(asExpected ? '  every verdict as the manifest expects' : `  UNEXPECTED: ${unexpected.map((id) => `${id} ${verdicts[id]}`).join('; ') || 'the search stopped early'}`);
  }
  if (writeFailure) {
    io.err(`pvlcheck: ${writeFailure.message}`);
    return 2;
  }
  return asExpected ? 0 : 1;
}
