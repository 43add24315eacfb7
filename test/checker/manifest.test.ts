/**
 * The manifest is read at run time, and every property must be in it (issue 9, point 2):
 * - src/checker never imports properties/manifest.json (so nothing of it is compiled into dist/);
 * - `check` reads the file that $PVLCHECK_MANIFEST names, so an edited manifest counts
 *   without a rebuild (shown with the built bin as well as in-process);
 * - a property the manifest does not name is unexpected: exit 1 naming it, in the text,
 *   the JSON and the JUnit output; seeded bugs still compare only the properties they name;
 * - a malformed manifest is exit 2 with one line naming the file and the field.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { MUTANTS, MUTANT_NAMES } from '../../models/mutants.js';
import type { PropertyOutcome } from '../../src/checker/check.js';
import {
  MANIFEST_ENV,
  compareVerdict,
  judge,
  manifestPath,
  parseManifest,
  readManifest,
  type Manifest,
} from '../../src/checker/verdicts.js';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { PACKAGE_ROOT } from '../../src/config/packageRoot.js';
import { InputError } from '../../src/config/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const saved = process.env[MANIFEST_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[MANIFEST_ENV];
  else process.env[MANIFEST_ENV] = saved;
});

const real = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'properties', 'manifest.json'), 'utf8')) as Manifest & { $comment: string };

/** A copy of the real manifest, changed by `edit`, written to a file of its own. */
function manifestFile(name: string, edit: (m: Manifest) => void): string {
  const m = structuredClone(real);
  edit(m);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(m, null, 2));
  return path;
}

async function run(env: string | undefined, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  if (env === undefined) delete process.env[MANIFEST_ENV];
  else process.env[MANIFEST_ENV] = env;
  const io = bufferIo(dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** An outcome as check.ts makes it, for judging by hand. */
function outcome(id: string, design: string, over: Partial<PropertyOutcome> = {}): PropertyOutcome {
  return {
    property: PROPERTIES.find((p) => p.id === id)!,
    design,
    runs: 10,
    triggeredRuns: 10,
    disruptiveRuns: 0,
    voidedRuns: 0,
    witnessedRuns: 10,
    exercisedRuns: 10,
    exercisedSteps: 100,
    samples: [],
    counterexample: null,
    shrinkMs: 0,
    ...over,
  };
}

describe('the manifest is data, read at run time', () => {
  it('no module of src/checker imports properties/manifest.json', () => {
    const root = join(PACKAGE_ROOT, 'src', 'checker');
    for (const f of readdirSync(root).filter((x) => x.endsWith('.ts'))) {
      expect(readFileSync(join(root, f), 'utf8'), f).not.toMatch(/(from|import\()\s*['"][^'"]*manifest\.json['"]/);
    }
  });

  it('is properties/manifest.json under the package root, unless $PVLCHECK_MANIFEST names another', () => {
    expect(manifestPath('/pkg', {})).toBe(join('/pkg', 'properties', 'manifest.json'));
    expect(manifestPath('/pkg', { [MANIFEST_ENV]: '/elsewhere/m.json' })).toBe('/elsewhere/m.json');
    expect(readManifest(manifestPath(PACKAGE_ROOT, {})).designs.patent!.S1).toBe('holds');
  });

  it('an edited manifest takes effect in-process', async () => {
    const path = manifestFile('s1-violated.json', (m) => {
      m.designs['prior-art']!.S1 = 'violated';
    });
    const r = await run(path, 'check', '--design', 'prior-art', '--property', 'S1', '--runs', '3');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^S1 Privacy\s+prior-art\s+UNEXPECTED holds \(expected violated\)/m);
  });

  it('an edited manifest takes effect in the built command without a rebuild', () => {
    const bin = join(PACKAGE_ROOT, 'bin', 'pvlcheck.js');
    const built = join(PACKAGE_ROOT, 'dist', 'src', 'checker', 'verdicts.js');
    expect(existsSync(built), 'run `npm run build` first').toBe(true);
    // Nothing of the manifest is in the build: its comment is not there.
    expect(readFileSync(built, 'utf8')).not.toContain(real.$comment.slice(0, 40));
    const args = [bin, 'check', '--design', 'prior-art', '--property', 'S1', '--runs', '3'];
    const as = (env: Record<string, string>) => spawnSync(process.execPath, args, { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' });
    const edited = manifestFile('bin-s1-violated.json', (m) => {
      m.designs['prior-art']!.S1 = 'violated';
    });
    const bad = as({ [MANIFEST_ENV]: edited });
    expect(bad.status, bad.stderr).toBe(1);
    expect(bad.stdout).toMatch(/^S1 Privacy\s+prior-art\s+UNEXPECTED holds \(expected violated\)/m);
    const good = as({ [MANIFEST_ENV]: manifestFile('bin-real.json', () => {}) });
    expect(good.status, good.stderr).toBe(0);
  });
});

describe('a property the manifest does not name fails the run', () => {
  const withoutS1 = () =>
    manifestFile('no-s1.json', (m) => {
      delete m.designs['prior-art']!.S1;
    });

  it('is judged unexpected, not in the manifest', () => {
    const m = parseManifest({ designs: { patent: {} } }, 'm.json');
    expect(compareVerdict(m, 'patent', 'S1', 'holds')).toEqual({ expected: null, notInManifest: true, unexpected: true });
    expect(compareVerdict(m, 'nowhere', 'S1', 'holds').notInManifest).toBe(true);
    const [j] = judge(m, [outcome('S1', 'patent')]);
    expect(j).toMatchObject({ verdict: 'holds', expected: null, notInManifest: true, unexpected: true });
    // "any" is listed: not compared, and not missing.
    const any = parseManifest({ designs: { patent: { S1: 'any' } } }, 'm.json');
    expect(judge(any, [outcome('S1', 'patent')])[0]).toMatchObject({ notInManifest: false, unexpected: false });
  });

  it.each(MUTANT_NAMES)('seeded bug %s still compares only the properties it names', (name) => {
    const m = readManifest(manifestPath(PACKAGE_ROOT, {}));
    const caughtBy = MUTANTS[name]!.caughtBy;
    const judged = judge(
      m,
      PROPERTIES.map((p) => outcome(p.id, name, caughtBy.includes(p.id) ? { counterexample: {} as never } : {})),
    );
    expect(judged.filter((j) => j.unexpected || j.notInManifest)).toEqual([]);
  });

  it('text: exit 1, the row and the summary name it', async () => {
    const r = await run(withoutS1(), 'check', '--design', 'prior-art', '--property', 'S1,S2', '--runs', '3');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^S1 Privacy\s+prior-art\s+UNEXPECTED holds \(not in the manifest\)/m);
    expect(r.stdout).toMatch(/^S2 Validate before offload\s+prior-art\s+holds/m);
    expect(r.stdout).toContain('1 verdict(s) differ from the manifest: S1/prior-art. Not in the manifest: S1/prior-art.');
    expect(r.stdout).not.toContain('as the manifest expects');
  });

  it('JSON: notInManifest and unexpected', async () => {
    const r = await run(withoutS1(), 'check', '--design', 'prior-art', '--property', 'S1', '--runs', '3', '--reporter', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { asExpected: boolean; properties: { property: string; notInManifest: boolean; unexpected: boolean; expected: unknown }[] };
    expect(report.asExpected).toBe(false);
    expect(report.properties[0]).toMatchObject({ property: 'S1', notInManifest: true, unexpected: true, expected: null });
  });

  it('JUnit: a failure that says so', async () => {
    const r = await run(withoutS1(), 'check', '--design', 'prior-art', '--property', 'S1', '--runs', '3', '--reporter', 'junit');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/failures="1"/);
    expect(r.stdout).toContain('<failure type="pvlcheck.NotInManifest" message="holds, not in the manifest">');
    expect(r.stdout).toContain('properties/manifest.json names no expected verdict for S1 in prior-art');
  });
});

describe('a malformed manifest: exit 2, one line naming the file and the field', () => {
  const cases: [string, string, RegExp][] = [
    ['bad-verdict.json', JSON.stringify({ designs: { patent: { S1: 'hold' } } }), /bad-verdict\.json: designs\.patent\.S1: must be one of "holds", .*"any", got the string "hold"$/],
    ['bad-top.json', JSON.stringify({ design: {} }), /bad-top\.json\.design: unknown field/],
    ['no-designs.json', JSON.stringify({}), /no-designs\.json: designs: missing/],
    ['bad-design.json', JSON.stringify({ designs: { patent: [] } }), /bad-design\.json: designs\.patent: must be an object, got an array$/],
    ['bad-json.json', '{"designs": ', /bad-json\.json: the manifest is not valid JSON/],
  ];

  it.each(cases)('%s', async (name, text, message) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    expect(() => readManifest(path)).toThrow(InputError);
    const r = await run(path, 'check', '--design', 'prior-art', '--property', 'S1', '--runs', '1');
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toContain(path);
    expect(r.stderr.trimEnd()).toMatch(message);
  });

  it('a missing file', async () => {
    const path = join(dir, 'nope.json');
    const r = await run(path, 'check', '--design', 'prior-art', '--property', 'S1', '--runs', '1');
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd()).toBe(`pvlcheck: ${path}: cannot read the manifest: ENOENT`);
  });
});
