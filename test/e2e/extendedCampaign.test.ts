/**
 * The extended fault model's whole campaign, as a user runs it (issue 10): the built
 * command `pvlcheck check --fault-model extended` with its defaults (seed 42, 1000 runs per
 * design) exits 0 and finds every finding of properties/findings.json (docs/findings.md),
 * each shrunk to at most 3 faults, with its story, file and replay command, and the run
 * and time at which it was first found.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-extended-campaign-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Found {
  design: string;
  property: string;
  foundAtRun: number;
  foundAfterMs: number;
  faults: unknown[];
  story: string[];
  file: string;
}

let code: number | null = null;
let report: { findings: { table: { id: string; found: Found[] }[] } } | null = null;
let text = '';

beforeAll(async () => {
  const run = (format: string) =>
    new Promise<{ code: number; stdout: string }>((done) => {
      execFile(process.execPath, [join(ROOT, 'bin/pvlcheck.js'), 'check', '--fault-model', 'extended', '--format', format], { cwd: dir, maxBuffer: 1 << 28 }, (error, stdout) =>
        done({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout }),
      );
    });
  const json = await run('json');
  code = json.code;
  report = JSON.parse(json.stdout);
  text = (await run('text')).stdout;
}, 600_000);

it('exits 0: every verdict and every finding as the manifest and the findings table say', () => {
  expect(code).toBe(0);
});

it('finds every finding of the table, each shrunk to at most 3 faults, with run, time, story and file', () => {
  const table = JSON.parse(readFileSync(join(ROOT, 'properties/findings.json'), 'utf8')) as { findings: { id: string; scenarioOnly?: string }[] };
  const byId = new Map(report!.findings.table.map((f) => [f.id, f]));
  for (const { id, scenarioOnly } of table.findings) {
    // Findings the campaign cannot draw are shown by their scenarios (test/e2e/findings.test.ts).
    if (scenarioOnly) {
      expect(byId.get(id), `${id} listed`).toBeDefined();
      continue;
    }
    const found = byId.get(id)?.found ?? [];
    expect(found.length, `${id} found`).toBeGreaterThan(0);
    for (const f of found) {
      expect(f.faults.length, `${id} faults`).toBeLessThanOrEqual(3);
      expect(f.foundAtRun).toBeGreaterThan(0);
      expect(f.foundAfterMs).toBeGreaterThanOrEqual(0);
      expect(f.story.length).toBeGreaterThan(0);
      expect(f.file).toMatch(/\.json$/);
    }
  }
});

it('says so in the text: every finding named as found, with a replay command', () => {
  const table = JSON.parse(readFileSync(join(ROOT, 'properties/findings.json'), 'utf8')) as { findings: { id: string; scenarioOnly?: string }[] };
  const drawn = table.findings.filter((f) => !f.scenarioOnly).length;
  const apart = table.findings.filter((f) => f.scenarioOnly).map((f) => f.id);
  expect(text).toMatch(new RegExp(`${drawn} of ${drawn} findings found`));
  if (apart.length > 0) {
    expect(text).toContain(`${apart.join(', ')} shown by their scenarios only (not drawn by this campaign)`);
    for (const id of apart) expect(text).toMatch(new RegExp(`${id} .*: not drawn by this campaign .*simulate --scenario `));
  }
  for (const { id } of table.findings) expect(text).toContain(id);
  expect(text).toMatch(/replay: +npx pvlcheck replay /);
});
