/**
 * `pvlcheck sweep` in-process: the default grid's table and recommended setting; a small
 * grid as JSON (every verdict, recovery figures, needless rates per point); the same seed
 * gives the same result; the grid split over shards and merged is the unsharded sweep;
 * bad --param values are refused with exit 2 naming `--param NAME`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { DEFAULT_GRID } from '../../src/checker/sweep.js';

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...argv: string[]): Promise<Result> {
  const io = bufferIo(dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const untimed = (json: string): unknown => JSON.parse(json, (k, v: unknown) => (k === 'ms' ? undefined : v));

interface SweepJson {
  sweep: { params: { name: string; values: number[] }[]; runs: number };
  points: { index: number; values: Record<string, number>; safe: boolean; verdicts: { property: string; verdict: string }[]; L1: { p50Ms: number; p99Ms: number; maxMs: number } | null; needlessVgw: { rate: number } }[];
  recommendation: { index: number | null; values: Record<string, number> | null; reasons: string[] } | null;
}

describe('sweep with its default grid', () => {
  let r: Result;
  beforeAll(async () => {
    // Few runs per point: the grid and the report are what is tested here (docs/campaigns.md has the timing of the default).
    r = await run('sweep', '--runs', '16', '--workers', '1');
  }, 300_000);

  it('prints a row per point of the grid around the spec defaults, and a recommended setting', () => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('pvlcheck sweep: patent; 30 points (relayTimeoutMs × probeTimeoutMs × probeRetries), 16 runs each, up to 2 faults per run, seed 42');
    const header = lines.findIndex((l) => l.startsWith('relayTimeoutMs  probeTimeoutMs  probeRetries  safe'));
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 1, lines.indexOf('', header));
    expect(rows).toHaveLength(30);
    expect(rows[0]).toMatch(/^500 +100 +1 +/);
    const rec = lines.find((l) => l.startsWith('Recommended: '))!;
    expect(rec).toMatch(/^Recommended: relayTimeoutMs=\d+, probeTimeoutMs=\d+, probeRetries=\d$/);
    expect(lines.some((l) => l.startsWith('  - safe: no property violated, every one expected to hold held'))).toBe(true);
    expect(r.stdout).toContain(`--param ${DEFAULT_GRID[0]}`);
  });
});

describe('sweep of a small grid', () => {
  const GRID = ['--param', 'relayTimeoutMs=600,3000', '--param', 'probeTimeoutMs=100:300:200', '--runs', '12', '--seed', '42'];
  let whole: Result;
  beforeAll(async () => {
    whole = await run('sweep', ...GRID, '--format', 'json');
  }, 300_000);

  it('reports every verdict, the recovery figures and the needless rates per point', () => {
    expect(whole.code).toBe(0);
    const j = JSON.parse(whole.stdout) as SweepJson;
    expect(j.sweep.params).toEqual([
      { name: 'relayTimeoutMs', values: [600, 3000] },
      { name: 'probeTimeoutMs', values: [100, 300] },
    ]);
    expect(j.points.map((p) => p.values)).toEqual([
      { relayTimeoutMs: 600, probeTimeoutMs: 100 },
      { relayTimeoutMs: 600, probeTimeoutMs: 300 },
      { relayTimeoutMs: 3000, probeTimeoutMs: 100 },
      { relayTimeoutMs: 3000, probeTimeoutMs: 300 },
    ]);
    for (const p of j.points) expect(p.verdicts.map((v) => v.property)).toEqual(PROPERTIES.map((x) => x.id));
    // A relay timeout below the forward gaps falls back on healthy paths more often, and recovers sooner.
    const at = (relay: number) => j.points.find((p) => p.values.relayTimeoutMs === relay && p.values.probeTimeoutMs === 300)!;
    expect(at(600).needlessVgw.rate).toBeGreaterThan(at(3000).needlessVgw.rate);
    expect(at(600).L1!.p50Ms).toBeLessThan(at(3000).L1!.p50Ms);
    expect(j.recommendation!.reasons.length).toBeGreaterThan(2);
  });

  it('the same seed gives the same sweep', async () => {
    const again = await run('sweep', ...GRID, '--format', 'json');
    expect(untimed(again.stdout)).toEqual(untimed(whole.stdout));
  });

  it('split over 3 shards (point p in shard p mod 3 + 1) and merged: the unsharded sweep', async () => {
    const shards = [];
    for (const i of [1, 2, 3]) {
      const s = await run('sweep', ...GRID, '--format', 'json', '--shard', `${i}/3`);
      expect(s.code).toBe(0);
      const j = JSON.parse(s.stdout) as SweepJson;
      expect(j.recommendation).toBeNull();
      expect(j.points.map((p) => p.index)).toEqual([0, 1, 2, 3].filter((p) => p % 3 === i - 1));
      writeFileSync(join(dir, `sweep-${i}.json`), s.stdout);
      shards.push(s);
    }
    const merged = await run('merge', 'sweep-2.json', 'sweep-3.json', 'sweep-1.json', '--format', 'json');
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    expect(untimed(merged.stdout)).toEqual(untimed(whole.stdout));
    const missing = await run('merge', 'sweep-1.json', 'sweep-2.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing');
  });
});

describe('bad input: exit 2 naming the --param', () => {
  it.each([
    [['--param', 'relayTimeout=500'], '--param relayTimeout: not a sweepable parameter (did you mean relayTimeoutMs?)'],
    [['--param', 'relayTimeoutMs=0,500'], '--param relayTimeoutMs: 0: must be at least 1'],
    [['--param', 'relayTimeoutMs=5000:500:500'], '--param relayTimeoutMs: the range 5000:500 runs backwards'],
    [['--param', 'relayTimeoutMs=500:5000:0'], '--param relayTimeoutMs: the step must be at least 1'],
    [['--param', 'relayTimeoutMs=500:5000'], '--param relayTimeoutMs: a range is a:b:step'],
    [['--param', 'probeRetries=1,x'], '--param probeRetries: "x" is not a whole number'],
    [['--param', 'probeRetries=1,1'], '--param probeRetries: 1 is given twice'],
    [['--param', 'fastPaths=2,9'], '--param fastPaths: 9: must be at most 8'],
    [['--param', 'relayTimeoutMs'], '--param: must be NAME=a:b:step or NAME=v1,v2,...'],
    [['--param', 'scanMs=10', '--param', 'scanMs=20'], '--param scanMs: given twice'],
    [['--param', 'relayTimeoutMs=1:100000:1'], '--param relayTimeoutMs: 1:100000:1 gives more than 100 values'],
    [['--shard', '3/2'], '--shard: shard 3 of 2'],
    [['--format', 'junit'], '--format: must be one of text, json'],
  ])('%j', async (argv, message) => {
    const r = await run('sweep', ...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`pvlcheck: ${message}`);
  });

  it('a value the sweep sets that --config also fixes', async () => {
    writeFileSync(join(dir, 'fixed.json'), JSON.stringify({ config: { relayTimeoutMs: 2000 } }));
    const r = await run('sweep', '--param', 'relayTimeoutMs=500,1000', '--config', 'fixed.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pvlcheck: --param relayTimeoutMs: is also fixed by --config');
  });
});
