/**
 * `check --shard i/n` as separate processes (the built bin, as a CI matrix runs it) and
 * `pvlcheck merge`: the merged JSON equals the unsharded JSON apart from timings; merge
 * writes text and JUnit like check, with check's exit code; shards of different
 * campaigns (seed, runs, configuration, fault model, version) or a missing or repeated
 * shard are refused with exit 2 naming the field.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const bin = fileURLToPath(new URL('../../bin/pvlcheck.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built command in its own process, in `cwd` (a subdirectory of the test's). */
function pvlcheck(cwd: string, ...argv: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...argv], { cwd, maxBuffer: 1 << 26, env: { ...process.env, PVLCHECK_DEBUG: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function merge(cwd: string, ...argv: string[]): Promise<Result> {
  const io = bufferIo(cwd);
  const code = await main(['merge', ...argv], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** A report without its wall-clock figures, as text: equal reports are equal byte for byte, key order included. */
function untimed(json: string): string {
  return JSON.stringify(JSON.parse(json, (k, v: unknown) => (k === 'ms' || k === 'shrinkMs' || k === 'foundAfterMs' ? undefined : v)), null, 1);
}

const RUNS = '12';
const CAMPAIGN = ['check', '--design', 'patent,prior-art', '--runs', RUNS, '--seed', '3', '--format', 'json', '--out-dir', 'cx'];

describe('check in 3 shard processes, merged, is check in one', () => {
  let whole: Result;
  let shards: Result[];
  beforeAll(async () => {
    for (const d of ['whole', 's1', 's2', 's3', 'merged']) rmSync(join(dir, d), { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    for (const d of ['whole', 's1', 's2', 's3', 'merged']) mkdirSync(join(dir, d));
    shards = await Promise.all([1, 2, 3].map((i) => pvlcheck(join(dir, `s${i}`), ...CAMPAIGN, '--shard', `${i}/3`)));
    whole = await pvlcheck(join(dir, 'whole'), ...CAMPAIGN);
    shards.forEach((s, i) => writeFileSync(join(dir, 'merged', `shard-${i + 1}.json`), s.stdout));
  }, 120_000);

  it('each shard runs its share and exits 0 (no violation the manifest does not expect)', () => {
    expect(whole.code).toBe(0);
    for (const s of shards) {
      expect(s.stderr).not.toContain('pvlcheck:');
      expect(s.code).toBe(0);
      const j = JSON.parse(s.stdout) as { shard: { index: number; count: number }; designs: { runs: number }[] };
      expect(j.designs.map((d) => d.runs)).toEqual([4, 4]);
    }
  });

  it('merge --format json equals the unsharded JSON apart from timings', async () => {
    const r = await merge(join(dir, 'merged'), 'shard-3.json', 'shard-1.json', 'shard-2.json', '--format', 'json', '--out-dir', 'cx');
    expect(r.code).toBe(0);
    expect(untimed(r.stdout)).toEqual(untimed(whole.stdout));
    // The comparison has teeth: counterexamples (with files), recovery samples, coverage.
    const j = JSON.parse(r.stdout) as { properties: { property: string; design: string; counterexample: { file: string; foundAtRun: number } | null }[]; designs: { recovery: { L1: { count: number } | null } }[] };
    const l1 = j.properties.find((p) => p.design === 'prior-art' && p.property === 'L1')!;
    expect(l1.counterexample).not.toBeNull();
    expect(l1.counterexample!.file).toBe(join('cx', 'prior-art-L1.json'));
    expect(readFileSync(join(dir, 'merged', 'cx', 'prior-art-L1.json'), 'utf8')).toBe(readFileSync(join(dir, 'whole', 'cx', 'prior-art-L1.json'), 'utf8'));
    expect(j.designs[0]!.recovery.L1!.count).toBeGreaterThan(0);
  });

  it('merge prints check text and JUnit, with check exit code and command', async () => {
    const text = await merge(join(dir, 'merged'), 'shard-1.json', 'shard-2.json', 'shard-3.json', '--out-dir', 'cx');
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^pvlcheck merge: 3 shards of patent, prior-art; 12 runs each, up to 2 faults per run, seed 3; 2 counterexamples written to cx/);
    expect(text.stdout).toContain('All 28 verdicts as the manifest expects');
    expect(text.stdout).toContain(`rerun: npx pvlcheck check --design patent,prior-art --runs 12 --seed 3 --max-faults 2`);
    expect(text.stdout).not.toContain('--shard');
    expect(text.stdout).not.toContain('HTML report');
    const html = await merge(join(dir, 'merged'), 'shard-1.json', 'shard-2.json', 'shard-3.json', '--out-dir', 'cx', '--html', 'merged.html', '--format', 'json');
    expect(html.code).toBe(0);
    expect(html.stderr).toContain('HTML report written to');
    const page = readFileSync(join(dir, 'merged', 'merged.html'), 'utf8');
    expect(page).toContain('<h1>pvlcheck check: patent, prior-art</h1>');
    expect(page).toContain('12 runs per design');
    const junit = await merge(join(dir, 'merged'), 'shard-1.json', 'shard-2.json', 'shard-3.json', '--format', 'junit', '--out-dir', 'cx');
    expect(junit.code).toBe(0);
    expect(junit.stdout).toMatch(/<testsuite name="prior-art" [^>]*tests="14" failures="0"/);
    expect(junit.stdout).toContain('<property name="runs" value="12"/>');
  });

  it('a shard alone tells it is partial', async () => {
    const r = await pvlcheck(join(dir, 's1'), 'check', '--design', 'prior-art', '--runs', '6', '--seed', '3', '--shard', '2/3', '--out-dir', 'cx');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain('shard 2/3: 2 of 6 runs each');
    expect(r.stdout).toContain("Shard 2/3: these verdicts are of this shard's runs only");
  });
});

describe('merge refuses what is not one campaign', () => {
  let base: Record<string, unknown>[];
  beforeAll(async () => {
    const sub = join(dir, 'bad');
    rmSync(sub, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub);
    const shards = await Promise.all([1, 2].map((i) => pvlcheck(sub, 'check', '--design', 'patent', '--property', 'S1', '--runs', '4', '--format', 'json', '--out-dir', 'cx', '--shard', `${i}/2`)));
    base = shards.map((s) => JSON.parse(s.stdout) as Record<string, unknown>);
  }, 120_000);

  /** Shard 2 changed by `edit`, written with shard 1; merged. */
  async function mergeWith(edit: (j: Record<string, unknown>) => void, name: string): Promise<Result> {
    const a = structuredClone(base[0]!);
    const b = structuredClone(base[1]!);
    edit(b);
    writeFileSync(join(dir, 'bad', `${name}-1.json`), JSON.stringify(a));
    writeFileSync(join(dir, 'bad', `${name}-2.json`), JSON.stringify(b));
    return merge(join(dir, 'bad'), `${name}-1.json`, `${name}-2.json`);
  }

  const campaign = (j: Record<string, unknown>) => j.campaign as Record<string, unknown>;

  it('merges the untouched pair (exit 0): the refusals below are about the edits', async () => {
    const r = await mergeWith(() => {}, 'same');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it.each([
    ['campaign.seed', (j: Record<string, unknown>) => (campaign(j).seed = 43)],
    ['campaign.runs', (j: Record<string, unknown>) => (campaign(j).runs = 5)],
    ['campaign.version', (j: Record<string, unknown>) => (campaign(j).version = '0.0.1')],
    ['campaign.maxFaults', (j: Record<string, unknown>) => (campaign(j).maxFaults = 3)],
    ['campaign.faultModel', (j: Record<string, unknown>) => (campaign(j).faultModel = 'extended')],
    ['campaign.config.config', (j: Record<string, unknown>) => (campaign(j).config = { config: { relayTimeoutMs: 900 } })],
  ])('different %s: exit 2 naming the field', async (field, edit) => {
    const r = await mergeWith(edit, field.replace(/\W/g, '-'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^pvlcheck: ${field.replace(/\./g, '\\.')}[.:]`));
  });

  it('a missing shard, a shard twice, another split: exit 2', async () => {
    const sub = join(dir, 'bad');
    writeFileSync(join(sub, 'one.json'), JSON.stringify(base[0]));
    const missing = await merge(sub, 'one.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('shard 2/2 missing');
    const twice = await merge(sub, 'one.json', 'one.json');
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('given twice');
    const split = await mergeWith((j) => (j.shard = { index: 2, count: 3 }), 'split');
    expect(split.code).toBe(2);
    expect(split.stderr).toContain('shard.count');
  });

  it('not a check result, or not JSON: exit 2 naming the file', async () => {
    const sub = join(dir, 'bad');
    writeFileSync(join(sub, 'x.json'), '{"seed": 1}');
    writeFileSync(join(sub, 'y.json'), 'not json');
    const a = await merge(sub, 'x.json');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^pvlcheck: x\.json: campaign: missing/);
    const b = await merge(sub, 'y.json');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^pvlcheck: y\.json: is not valid JSON/);
    const none = await merge(sub);
    expect(none.code).toBe(2);
  });

  it('the exit code check would give: 1 when a merged verdict is not the expected one', async () => {
    const sub = join(dir, 'bad');
    // No faults: L1 is never triggered, so vacuous, which the manifest does not expect.
    const shards = await Promise.all([1, 2].map((i) => pvlcheck(sub, 'check', '--design', 'patent', '--property', 'L1', '--runs', '4', '--max-faults', '0', '--format', 'json', '--shard', `${i}/2`)));
    // A shard exits 0: its vacuous verdict could change with the other shards' runs.
    for (const s of shards) expect(s.code).toBe(0);
    shards.forEach((s, i) => writeFileSync(join(sub, `nofault-${i + 1}.json`), s.stdout));
    const whole = await pvlcheck(sub, 'check', '--design', 'patent', '--property', 'L1', '--runs', '4', '--max-faults', '0', '--format', 'json');
    const r = await merge(sub, 'nofault-1.json', 'nofault-2.json', '--format', 'json');
    expect(whole.code).toBe(1);
    expect(r.code).toBe(1);
    expect(untimed(r.stdout)).toEqual(untimed(whole.stdout));
  });
});
