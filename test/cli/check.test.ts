/**
 * `pvlcheck check` in-process (src/cli/main.ts with a buffer Io in a temporary working
 * directory): the verdict table, counterexample files that `replay` reruns to the same
 * violation, the JSON and JUnit reporters, exit 1 on a verdict the manifest does not
 * expect, and exit 2 with one line naming the flag on bad input.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { parseScenarioText } from '../../src/config/scenario.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<Result> {
  const io = bufferIo(dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

function file(name: string, content: unknown): string {
  writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return name;
}

/** "violation at T ms: MESSAGE" of a property's counterexample section in the text report. */
function reportedViolation(stdout: string, id: string): { t: number; message: string } {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`• ${id} `));
  expect(start, `no counterexample section for ${id}`).toBeGreaterThanOrEqual(0);
  for (const l of lines.slice(start)) {
    const m = /^ {2}violation at (\d+) ms: (.*)$/.exec(l);
    if (m) return { t: Number(m[1]), message: m[2]! };
  }
  throw new Error(`no violation line for ${id}`);
}

describe('check --design prior-art (text)', () => {
  let r: Result;
  beforeAll(async () => {
    r = await run('check', '--design', 'prior-art', '--runs', '40');
  }, 120_000);

  it('exits 0: the prior art fails exactly as the manifest expects', () => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The first line says where the counterexamples went, since the user did not name a directory.
    expect(r.stdout.split('\n')[0]).toBe(
      'pvlcheck check: prior-art; 40 runs each, up to 2 faults per run, seed 42; 2 counterexamples written to ./counterexamples/ (the default; --out-dir DIR to choose)',
    );
    expect(r.stdout).toContain(`All ${PROPERTIES.length} verdicts as the manifest expects (properties/manifest.json).`);
    expect(r.stdout).toMatch(/^seed 42; rerun: npx pvlcheck check --design prior-art --runs 40 --seed 42 --max-faults 2$/m);
  });

  it('prints the verdict table: one row per property', () => {
    expect(r.stdout).toMatch(/^property\s+design\s+verdict\s+runs\s+time\s+coverage$/m);
    for (const p of PROPERTIES) {
      expect(r.stdout, p.id).toMatch(new RegExp(`^${p.id} ${p.title}\\s+prior-art\\s+\\S`, 'm'));
    }
    expect(r.stdout).toMatch(/^L1 Reverse delivery resumes\s+prior-art\s+violated as expected\s+40\s/m);
    expect(r.stdout).toMatch(/^L2 Fast path restored\s+prior-art\s+violated as expected\s+40\s/m);
    expect(r.stdout).toMatch(/^W1 VGW fallback happens\s+prior-art\s+not witnessed, as expected/m);
    expect(r.stdout).toMatch(/^S1 Privacy\s+prior-art\s+holds\s/m);
  });

  it('writes each counterexample as a scenario file under the working directory', () => {
    for (const id of ['L1', 'L2']) {
      const path = join(dir, 'counterexamples', `prior-art-${id}.json`);
      expect(existsSync(path), path).toBe(true);
      const s = parseScenarioText(readFileSync(path, 'utf8'), path);
      expect(s.design).toBe('prior-art');
      expect(r.stdout).toContain(`replay:   npx pvlcheck replay counterexamples/prior-art-${id}.json`);
    }
    expect(existsSync(join(dir, 'counterexamples', 'prior-art-S1.json'))).toBe(false);
  });

  it('shows the shrunk story and the timeline up to the violation', () => {
    const section = r.stdout.slice(r.stdout.indexOf('• L1 '));
    expect(section).toMatch(/found at run \d+, shrunk in \d+ steps \(fast-check seed -?\d+, path "[\d:]+"\)/);
    expect(section).toMatch(/Faults: at \d+ ms crash fp\d\./);
    expect(section).toMatch(/‼ VIOLATION\s+L1: no response for flow f1 by \d+ ms/);
  });

  it.each(['L1', 'L2'])('replay of the %s counterexample shows the same violation', async (id) => {
    const { t, message } = reportedViolation(r.stdout, id);
    const replay = await run('replay', `counterexamples/prior-art-${id}.json`);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    const line = replay.stdout.split('\n').find((l) => new RegExp(`^\\s+${id} `).test(l) && l.includes('violated at'));
    expect(line, replay.stdout.slice(-2000)).toBeDefined();
    expect(line).toContain(`violated at ${t} ms: ${message}`);
    expect(replay.stdout).toContain(`‼ VIOLATION      ${id}: ${message}`);
  });
});

describe('check formats', () => {
  it('--format json parses and lists every property, with counterexamples and their files', async () => {
    const r = await run('check', '--design', 'prior-art', '--runs', '30', '--format', 'json', '--out-dir', 'cx-json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      seed: number;
      runs: number;
      asExpected: boolean;
      designs: { design: string; runs: number }[];
      properties: { property: string; design: string; verdict: string; expected: string | null; unexpected: boolean; counterexample: { file: string; violation: { t: number; message: string } } | null }[];
    };
    expect(report).toMatchObject({ seed: 42, runs: 30, asExpected: true });
    expect(report.designs.map((d) => d.design)).toEqual(['prior-art']);
    expect(report.properties.map((p) => p.property)).toEqual(PROPERTIES.map((p) => p.id));
    const l1 = report.properties.find((p) => p.property === 'L1')!;
    expect(l1).toMatchObject({ design: 'prior-art', verdict: 'violated', expected: 'violated', unexpected: false });
    expect(l1.counterexample!.file).toBe(join('cx-json', 'prior-art-L1.json'));
    expect(existsSync(join(dir, l1.counterexample!.file))).toBe(true);
    expect(l1.counterexample!.violation.message).toMatch(/^no response for flow f1 by \d+ ms/);
    expect(report.properties.find((p) => p.property === 'S1')!.counterexample).toBeNull();
  });

  it('--format junit is XML with a testsuite per design and a testcase per property', async () => {
    const r = await run('check', '--design', 'prior-art', '--runs', '30', '--format', 'junit', '--out-dir', 'cx-junit');
    expect(r.code).toBe(0);
    // The Ant JUnit schema allows no attribute on <testsuites> (test/checker/junit.test.ts validates against it).
    expect(r.stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>')).toBe(true);
    expect(r.stdout.trimEnd().endsWith('</testsuites>')).toBe(true);
    expect(r.stdout).toMatch(new RegExp(`<testsuite name="prior-art" package="pvlcheck" id="0" timestamp="[^"]+" hostname="[^"]+" tests="${PROPERTIES.length}" failures="0" errors="0" skipped="0" time="[\\d.]+">`));
    expect(r.stdout.match(/<testcase /g)).toHaveLength(PROPERTIES.length);
    expect(r.stdout.match(/<\/testcase>/g)).toHaveLength(PROPERTIES.length);
    expect(r.stdout).not.toContain('<failure');
    expect(r.stdout).toContain('<testcase classname="prior-art" name="L1 Reverse delivery resumes" time="');
  });
});

describe('check --mutant', () => {
  it('a seeded bug caught by its properties exits 0', async () => {
    const r = await run('check', '--mutant', 'vgw-wrong-eni', '--property', 'L1,L2,S1', '--runs', '60');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^L1 Reverse delivery resumes\s+vgw-wrong-eni\s+violated as expected/m);
    expect(r.stdout).toMatch(/^S1 Privacy\s+vgw-wrong-eni\s+holds/m);
  });

  it('tenant-pair (the slow path checks the ids one by one) is caught by S3 with a fixed seed: a pair of two tenants served', async () => {
    const r = await run('check', '--mutant', 'tenant-pair', '--property', 'S3,S2', '--runs', '100', '--seed', '7', '--out-dir', join(dir, 'tenant-pair'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^S3 Tenant isolation\s+tenant-pair\s+violated as expected/m);
    expect(r.stdout).toMatch(/^S2 Validate before offload\s+tenant-pair\s+holds/m);
    expect(r.stdout).toMatch(/S3: f\d+'s reverse packet with VNI \d+ left fp\d for eni\d?, but the flow's CVNI \d+ is not its tenant's pair/);
  });
});

describe('check: a verdict the manifest does not expect exits 1', () => {
  it('the patent never fails over when no fault is allowed (W2 not witnessed)', async () => {
    const r = await run('check', '--design', 'patent', '--property', 'W2', '--max-faults', '0', '--runs', '10');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^W2 ENI fails over\s+patent\s+UNEXPECTED not witnessed \(expected witnessed\)/m);
    expect(r.stdout).toContain('1 verdict(s) differ from the manifest: W2/patent.');
  });

  it('a bounded response never triggered is vacuous, and so unexpected (L1 without faults)', async () => {
    const r = await run('check', '--design', 'patent', '--property', 'L1', '--max-faults', '0', '--runs', '5', '--format', 'junit');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('<failure type="pvlcheck.Vacuous" message="vacuous, expected holds">');
  });
});

describe('check: bad input exits 2 with one line naming the flag', () => {
  beforeAll(() => {
    file('unknown-field.json', { config: { nope: 1 } });
    file('unknown-top.json', { colour: 'blue' });
    file('bad-json.json', '{');
  });

  it.each([
    [['--runs', '0'], /^pvlcheck: --runs: must be at least 1, got 0$/],
    [['--runs', 'abc'], /^pvlcheck: --runs: must be a whole number, got "abc"$/],
    [['--runs'], /^pvlcheck: --runs: needs a value$/],
    [['--design', 'nope'], /^pvlcheck: --design: must be one of .*patent, prior-art.*, got "nope"$/],
    [['--mutant', 'nope'], /^pvlcheck: --mutant: must be one of .*, got "nope"$/],
    [['--property', 'Z9'], /^pvlcheck: --property: must be one of S1, .*, got "Z9"$/],
    [['--format', 'xml'], /^pvlcheck: --format: must be one of text, json, junit, got "xml"$/],
    [['--max-faults', '-1'], /^pvlcheck: --max-faults: must not be negative, got -1$/],
    [['--bogus'], /^pvlcheck: --bogus: unknown option for 'check'/],
    [['--config', 'missing.json'], /^pvlcheck: --config: cannot read missing\.json: ENOENT$/],
    [['--config', 'bad-json.json'], /^pvlcheck: --config: bad-json\.json is not valid JSON/],
    // Unknown fields are named with their file and path (model contract: "a message naming the field").
    [['--config', 'unknown-field.json'], /^pvlcheck: unknown-field\.json: config\.nope: unknown field/],
    [['--config', 'unknown-top.json'], /^pvlcheck: unknown-top\.json\.colour: unknown field/],
  ] as [string[], RegExp][])('check %j', async (args, message) => {
    const r = await run('check', ...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(message);
  });

  it('check --help prints the options and exits 0', async () => {
    const r = await run('check', '--help');
    expect(r.code).toBe(0);
    for (const flag of ['--design', '--mutant', '--property', '--runs', '--seed', '--max-faults', '--config', '--format', '--out-dir', '--html', '--reporter', '--out', '--report']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('a --config that fixes values is used for every run', async () => {
    file('fixed.json', { config: { fastPaths: 3 }, workload: { flows: 2 } });
    const r = await run('check', '--design', 'prior-art', '--property', 'L1', '--runs', '20', '--config', 'fixed.json', '--format', 'json', '--out-dir', 'cx-fixed');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { command: string; properties: { counterexample: { scenario: { config: { fastPaths: number }; workload: { flows: number } } } | null }[] };
    expect(report.command).toContain('--config fixed.json');
    const cx = report.properties[0]!.counterexample!;
    expect(cx.scenario.config.fastPaths).toBe(3);
    expect(cx.scenario.workload.flows).toBe(2);
  });
});
