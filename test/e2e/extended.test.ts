/**
 * `pvlcheck check --fault-model extended` in-process, on a few runs: findings named and
 * written with a replay command, the JSON report's run and time of each, coverage per
 * fault kind; a violation no finding names is a new finding (exit 1); the manifest's
 * extended block is what the verdicts are compared with.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { parseScenarioText } from '../../src/config/scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-extended-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.PVLCHECK_FINDINGS;
});

async function run(...argv: string[]) {
  const io = bufferIo(dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const findings = JSON.parse(readFileSync(new URL('../../properties/findings.json', import.meta.url), 'utf8')) as { findings: { id: string }[] };

describe('check --fault-model extended', () => {
  it('names the finding a counterexample matches, writes it, and gives the run and time in JSON', async () => {
    const r = await run('check', '--fault-model', 'extended', '--design', 'patent', '--property', 'S3', '--runs', '12', '--format', 'json', '--out-dir', 'out');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as {
      faultModel: string;
      findings: { table: { id: string; found: { foundAtRun: number; foundAfterMs: number; faults: unknown[]; file: string }[] }[]; new: unknown[] };
      coverage: Record<string, Record<string, Record<string, number>>>;
    };
    expect(json.faultModel).toBe('extended');
    const f8 = json.findings.table.find((f) => f.id === 'F8')!;
    expect(f8.found).toHaveLength(1);
    expect(f8.found[0]!.foundAtRun).toBeGreaterThan(0);
    expect(f8.found[0]!.foundAtRun).toBeLessThanOrEqual(12);
    expect(f8.found[0]!.faults.length).toBeLessThanOrEqual(3);
    expect(json.findings.new).toEqual([]);
    // The file replays to the same violation.
    const text = readFileSync(join(dir, f8.found[0]!.file), 'utf8');
    const scenario = parseScenarioText(text, 'F8.json');
    expect(scenario.faultModel).toBe('extended');
    const replay = await run('replay', f8.found[0]!.file);
    expect(replay.stdout).toMatch(/S3 Tenant isolation\s+violated/);
    // Coverage: every kind of the vocabulary is listed, with the runs that drew it.
    const kinds = json.coverage.patent!['fault kind']!;
    expect(Object.keys(kinds)).toEqual(expect.arrayContaining(['crash', 'gray', 'delaySpike', 'linkDown', '(no fault)']));
    expect(Object.values(kinds).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(12);
  }, 120_000);

  it('a violation no finding names is a new finding: printed in full, exit 1', async () => {
    const without = { findings: (findings.findings as { id: string }[]).filter((f) => f.id !== 'F8') };
    writeFileSync(join(dir, 'findings.json'), JSON.stringify(without));
    process.env.PVLCHECK_FINDINGS = join(dir, 'findings.json');
    const r = await run('check', '--fault-model', 'extended', '--design', 'patent', '--property', 'S3', '--runs', '12', '--out-dir', 'out2');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NEW FINDING \(patent, S3\)/);
    expect(r.stdout).toMatch(/server-side VNI 777 \(outside the table\)/);
    expect(r.stdout).toMatch(/replay: {3}npx pvlcheck replay out2\/patent-new-S3\.json/);
  }, 120_000);

  it('a malformed findings table is exit 2 naming the field', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ findings: [{ id: 'F1', title: 't', properties: ['L3'], conditions: ['sunny'] }] }));
    process.env.PVLCHECK_FINDINGS = join(dir, 'bad.json');
    const r = await run('check', '--fault-model', 'extended', '--runs', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/findings\[0\]\.conditions\[0\]: unknown condition/);
  });

  it('an unknown fault model is exit 2 naming the flag', async () => {
    const r = await run('check', '--fault-model', 'wild', '--runs', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--fault-model/);
  });
});

describe('the extended model\'s properties and kinds belong to it', () => {
  it('check --property L4 without --fault-model extended is exit 2 naming the flag', async () => {
    const r = await run('check', '--property', 'L4', '--runs', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--property: L4 belongs to --fault-model extended/);
  });

  it('explore --faults gray without --fault-model extended is exit 2 naming the flag', async () => {
    const r = await run('explore', '--faults', 'gray');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--faults: gray: a kind of the extended fault model/);
  });

  it('the HTML report shows the searched space, a value no run reached marked', async () => {
    const r = await run('check', '--fault-model', 'extended', '--design', 'patent', '--property', 'S3', '--runs', '6', '--out-dir', 'out3', '--html', 'r.html');
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toContain('Searched space: runs per fault kind and configuration dimension');
    expect(html).toMatch(/data-dimension="fault kind" data-value="gray" data-runs="\d+"/);
    expect(html).toMatch(/class="unsearched"/);
    expect(r.stdout).toMatch(/^ {2}fault kind: \(no fault\) \d+, crash \d+/m);
  });
});

describe('the report legend of faults comes from the vocabulary', () => {
  it('report --scenario gray-fast-path lists the gray fault with its meaning', async () => {
    const r = await run('report', '--scenario', 'gray-fast-path', '--html', 'gray.html');
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, 'gray.html'), 'utf8');
    expect(html).toContain('data-fault-kind="gray"');
    expect(html).toContain('gray failure: the fast path answers probes but drops every data packet and offload');
  });
});
