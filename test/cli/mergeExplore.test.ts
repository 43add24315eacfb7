/**
 * `explore --shard i/n` and `pvlcheck merge` of its shards (docs/campaigns.md): every shard
 * explores the fault-free space, then what follows its share of the first faults; merged, the
 * same verdicts as one unsharded exploration, the shortest counterexample the shortest over
 * the shards (the same length as the unsharded one), states reported summed and with the
 * shared prefix counted once. A shard's own exit code is 1 only for an unexpected violation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-merge-explore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo(dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

interface ExploreJson {
  states: number;
  verdicts: Record<string, string>;
  violations: { property: string; moves: number }[];
  split: { prefixStates: number; firstFaults: number; own: number } | null;
}

interface MergedJson {
  verdicts: Record<string, string>;
  violations: { property: string; moves: number; file: string }[];
  states: { sum: number; prefixOnce: number; byShard: number[] };
  exhausted: boolean;
  asExpected: boolean;
}

describe.each(['prior-art', 'patent'])('explore --design %s in 3 shards, merged', (design) => {
  it('gives the unsharded verdicts and shortest counterexample lengths', async () => {
    const whole = await run('explore', '--design', design, '--format', 'json', '--out-dir', `cx-${design}`);
    expect(whole.code).toBe(0);
    const w = JSON.parse(whole.stdout) as ExploreJson;
    const names: string[] = [];
    const owned: number[] = [];
    for (const i of [1, 2, 3]) {
      const s = await run('explore', '--design', design, '--shard', `${i}/3`, '--format', 'json', '--out-dir', `cx-${design}-${i}`);
      // A shard's "holds" of a property the prior art violates is not final: exit 0 all the same.
      expect(s.code).toBe(0);
      const j = JSON.parse(s.stdout) as ExploreJson;
      expect(j.split!.firstFaults).toBeGreaterThan(0);
      owned.push(j.split!.own);
      // Each shard explores less than the whole space.
      expect(j.states).toBeLessThan(w.states);
      names.push(`${design}-shard-${i}.json`);
      writeFileSync(join(dir, names[i - 1]!), s.stdout);
    }
    const firstFaults = (JSON.parse((await run('explore', '--design', design, '--shard', '1/3', '--format', 'json')).stdout) as ExploreJson).split!.firstFaults;
    // The first faults are dealt out: each to exactly one shard.
    expect(owned.reduce((a, b) => a + b, 0)).toBe(firstFaults);
    expect(Math.min(...owned)).toBeGreaterThan(0);
    const merged = await run('merge', ...names, '--format', 'json', '--out-dir', `cx-${design}-merged`);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    const m = JSON.parse(merged.stdout) as MergedJson;
    expect(m.verdicts).toEqual(w.verdicts);
    expect(Object.fromEntries(m.violations.map((v) => [v.property, v.moves]))).toEqual(Object.fromEntries(w.violations.map((v) => [v.property, v.moves])));
    expect(m.exhausted).toBe(true);
    expect(m.asExpected).toBe(true);
    // States: summed, and with the prefix once; at least the unsharded count (parts may overlap past the split).
    expect(m.states.sum).toBe(m.states.byShard.reduce((a, b) => a + b, 0));
    expect(m.states.prefixOnce).toBeLessThan(m.states.sum);
    expect(m.states.prefixOnce).toBeGreaterThanOrEqual(w.states);
    if (design === 'prior-art') expect(m.violations.map((v) => v.property)).toEqual(['L1', 'L2']);
  }, 300_000);
});

describe('explore --lean (depth first) in 2 shards, merged', () => {
  it('gives the unsharded verdicts, and says its counterexamples are not the shortest', async () => {
    const names: string[] = [];
    for (const i of [1, 2]) {
      const s = await run('explore', '--design', 'prior-art', '--lean', '--shard', `${i}/2`, '--format', 'json', '--out-dir', `cx-lean-${i}`);
      expect(s.code).toBe(0);
      names.push(`lean-shard-${i}.json`);
      writeFileSync(join(dir, names[i - 1]!), s.stdout);
    }
    const merged = await run('merge', ...names, '--format', 'json', '--out-dir', 'cx-lean-merged');
    expect(merged.code).toBe(0);
    const m = JSON.parse(merged.stdout) as { violations: { property: string; shortest: boolean }[] };
    expect(m.violations.map((v) => [v.property, v.shortest])).toEqual([
      ['L1', false],
      ['L2', false],
    ]);
    const text = await run('merge', ...names, '--out-dir', 'cx-lean-merged-text');
    expect(text.stdout).toMatch(/L1 .*VIOLATED \(a depth-first counterexample \(not the shortest; explore without --lean for the shortest\) over the shards: \d+ moves\)/);
    // A depth-first shard and a breadth-first one are of different explorations.
    const broad = await run('explore', '--design', 'prior-art', '--shard', '2/2', '--format', 'json', '--out-dir', 'cx-broad-2');
    writeFileSync(join(dir, 'broad-2.json'), broad.stdout);
    const mixed = await run('merge', names[0]!, 'broad-2.json');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/^pvlcheck: exploration\.depthFirst: the shards are of different explorations/);
  }, 120_000);
});

describe('explore shards that do not merge', () => {
  it('different designs, a missing shard, a check result among them: exit 2 naming it', async () => {
    const a = await run('explore', '--design', 'patent', '--shard', '1/2', '--format', 'json', '--max-faults', '0');
    const b = await run('explore', '--design', 'prior-art', '--shard', '2/2', '--format', 'json', '--max-faults', '0');
    writeFileSync(join(dir, 'a.json'), a.stdout);
    writeFileSync(join(dir, 'b.json'), b.stdout);
    const differ = await run('merge', 'a.json', 'b.json');
    expect(differ.code).toBe(2);
    expect(differ.stderr).toMatch(/^pvlcheck: exploration\.design: the shards are of different explorations/);
    const missing = await run('merge', 'a.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('shard 2/2 missing');
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ sweep: {} }));
    const mixed = await run('merge', 'a.json', 'c.json');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('c.json: is a sweep result, but a.json is a explore result');
    // With and without folds the shards count different states.
    const unfolded = await run('explore', '--design', 'patent', '--shard', '2/2', '--format', 'json', '--max-faults', '0', '--no-folds');
    writeFileSync(join(dir, 'd.json'), unfolded.stdout);
    const folds = await run('merge', 'a.json', 'd.json');
    expect(folds.code).toBe(2);
    expect(folds.stderr).toMatch(/^pvlcheck: exploration\.folds: the shards are of different explorations/);
  }, 120_000);

  it('--shard with more than one worker, or a bad i/n: exit 2 naming the flag', async () => {
    const w = await run('explore', '--shard', '1/2', '--workers', '2');
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/^pvlcheck: --workers: a shard/);
    const bad = await run('explore', '--shard', '0/2');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^pvlcheck: --shard: /);
  });
});
