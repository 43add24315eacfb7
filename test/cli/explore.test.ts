/**
 * `pvlcheck explore`: in-process (one worker) and as the built command with two worker
 * threads (the test script builds dist/ first); the figures match the explorer manifest.
 * Issue 9: the manifests are read at run time; witnesses are witnesses; a verdict the
 * manifest does not expect is exit 1 whatever the bounds; ranges are checked up front; a
 * search stopped early (memory, bounds, Ctrl-C) says so and never says "holds".
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { bufferIo } from '../../src/cli/io.js';
import { loadExplorerManifest } from '../../src/cli/exploreManifest.js';

/** properties/explorer-manifest.json, as `explore` reads it at run time. */
const EXPLORER_MANIFEST = loadExplorerManifest().manifest;

describe('pvlcheck explore', () => {
  it('prints the shortest prior-art counterexample to L1, writes it, and replay shows it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvl-explore-'));
    const io = bufferIo(dir);
    expect(await main(['explore', '--design', 'prior-art', '--workers', '1'], io)).toBe(0);
    const out = io.stdout();
    expect(out).toContain('L1 Reverse delivery resumes');
    // Partial-order reduction is on by default: the manifest's por figures.
    expect(out).toContain(`VIOLATED (shortest counterexample: ${EXPLORER_MANIFEST.small!['prior-art']!.por!.violated.L1} moves)`);
    expect(out).toContain('exhausted: every reachable state visited');
    expect(out).toContain(`distinct states  ${EXPLORER_MANIFEST.small!['prior-art']!.por!.states}`);
    expect(out).toContain('as the explorer manifest expects');
    const file = join(dir, 'counterexamples', 'prior-art-L1-shortest.json');
    expect(existsSync(file)).toBe(true);
    const replay = bufferIo(dir);
    expect(await main(['replay', file], replay)).toBe(0);
    expect(replay.stdout()).toMatch(/L1 Reverse delivery resumes\s+violated at \d+ ms/);
  });

  it('explores the patent design exhaustively with every property holding', async () => {
    const io = bufferIo(mkdtempSync(join(tmpdir(), 'pvl-explore-')));
    expect(await main(['explore', '--workers', '1', '--reporter', 'json'], io)).toBe(0);
    const r = JSON.parse(io.stdout()) as { states: number; exhausted: boolean; violations: unknown[]; asExpected: boolean };
    expect(r).toMatchObject({ states: EXPLORER_MANIFEST.small!.patent!.por!.states, exhausted: true, violations: [], asExpected: true });
  });

  it('--no-por: every order of the moves of an instant, the unreduced figures and shortest counterexamples', async () => {
    const io = bufferIo(mkdtempSync(join(tmpdir(), 'pvl-explore-')));
    expect(await main(['explore', '--design', 'prior-art', '--no-por', '--format', 'json'], io)).toBe(0);
    const r = JSON.parse(io.stdout()) as {
      states: number;
      transitions: number;
      asExpected: boolean;
      violations: { property: string; moves: number }[];
      exploration: { por: boolean };
    };
    const expected = EXPLORER_MANIFEST.small!['prior-art']!;
    expect({ states: r.states, transitions: r.transitions, asExpected: r.asExpected, por: r.exploration.por }).toEqual({
      states: expected.states,
      transitions: expected.transitions,
      asExpected: true,
      por: false,
    });
    expect(Object.fromEntries(r.violations.map((v) => [v.property, v.moves]))).toEqual(expected.violated);
  });

  it('--lean: the same figures as the default, depth first, its counterexamples said not to be the shortest', async () => {
    const io = bufferIo(mkdtempSync(join(tmpdir(), 'pvl-explore-')));
    expect(await main(['explore', '--design', 'prior-art', '--lean', '--format', 'json'], io)).toBe(0);
    const r = JSON.parse(io.stdout()) as {
      states: number;
      transitions: number;
      asExpected: boolean;
      lean: boolean;
      depthFirst: boolean;
      violations: { property: string; shortest: boolean }[];
      exploration: { depthFirst: boolean };
    };
    const por = EXPLORER_MANIFEST.small!['prior-art']!.por!;
    expect({ states: r.states, transitions: r.transitions, asExpected: r.asExpected, lean: r.lean, depthFirst: r.depthFirst }).toEqual({
      states: por.states,
      transitions: por.transitions,
      asExpected: true,
      lean: true,
      depthFirst: true,
    });
    expect(r.violations.map((v) => [v.property, v.shortest])).toEqual(Object.keys(por.violated).map((id) => [id, false]));
    expect(r.exploration.depthFirst).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'pvl-explore-'));
    const text = bufferIo(dir);
    expect(await main(['explore', '--design', 'prior-art', '--lean'], text)).toBe(0);
    const out = text.stdout();
    expect(out).toMatch(/L1 Reverse delivery resumes\s+VIOLATED \(counterexample: \d+ moves; depth-first: not the shortest; run without --lean for the shortest\)/);
    expect(out).toMatch(/• L1: .*\n  depth-first: not the shortest \(\d+ moves\); run without --lean for the shortest/);
    expect(out).toMatch(/longest path {5}\d+ moves \(depth-first: not a breadth-first depth\)/);
    expect(out).toContain('as the explorer manifest expects');
    const replay = bufferIo(dir);
    expect(await main(['replay', join(dir, 'counterexamples', 'prior-art-L1-depth-first.json')], replay)).toBe(0);
    expect(replay.stdout()).toMatch(/L1 Reverse delivery resumes\s+violated at \d+ ms/);
  });

  it('gives the same figures with two worker threads (the built command)', () => {
    const bin = join(process.cwd(), 'bin', 'pvlcheck.js');
    const out = execFileSync(process.execPath, [bin, 'explore', '--workers', '2', '--design', 'prior-art', '--reporter', 'json'], {
      cwd: mkdtempSync(join(tmpdir(), 'pvl-explore-')),
      encoding: 'utf8',
    });
    const r = JSON.parse(out) as { states: number; transitions: number; workers: number; violations: { property: string; moves: number }[] };
    // With partial-order reduction (the default): which event goes first is decided by the state, whichever worker meets it.
    const expected = EXPLORER_MANIFEST.small!['prior-art']!.por!;
    expect(r.workers).toBe(2);
    expect(r.states).toBe(expected.states);
    expect(r.transitions).toBe(expected.transitions);
    expect(Object.fromEntries(r.violations.map((v) => [v.property, v.moves]))).toEqual(expected.violated);
  });

  it('explores each property on its own in two worker threads, with the recorded totals and the same shortest counterexamples', () => {
    const bin = join(process.cwd(), 'bin', 'pvlcheck.js');
    const dir = mkdtempSync(join(tmpdir(), 'pvl-explore-'));
    const out = execFileSync(process.execPath, [bin, 'explore', '--per-property', '--no-por', '--workers', '2', '--design', 'prior-art', '--reporter', 'json'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const r = JSON.parse(out) as {
      states: number;
      transitions: number;
      asExpected: boolean;
      violations: { property: string; moves: number; file: string }[];
      byProperty: { property: string; states: number }[];
    };
    const expected = EXPLORER_MANIFEST.small!['prior-art']!;
    expect({ states: r.states, transitions: r.transitions }).toEqual(expected.perProperty);
    expect(r.asExpected).toBe(true);
    expect(Object.fromEntries(r.violations.map((v) => [v.property, v.moves]))).toEqual(expected.violated);
    // Every property, in the properties' order, whichever worker took it.
    expect(r.byProperty.map((p) => p.property)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'L1', 'L2', 'L3', 'W1', 'W2', 'W3']);
    expect(r.byProperty.reduce((n, p) => n + p.states, 0)).toBe(r.states);
    for (const v of r.violations) expect(existsSync(join(dir, v.file))).toBe(true);
  });

  it('prints each property\'s own figures with --per-property', async () => {
    const io = bufferIo(mkdtempSync(join(tmpdir(), 'pvl-explore-')));
    expect(await main(['explore', '--per-property', '--workers', '1', '--property', 'S1,L1'], io)).toBe(0);
    const out = io.stdout();
    expect(out).toContain('each property explored on its own:');
    expect(out).toMatch(/S1\s+\d+ states/);
    expect(out).toMatch(/L1\s+\d+ states/);
    expect(out).toContain('(summed over the properties)');
  });

  it.each([
    [['--profile', 'huge'], '--profile'],
    [['--design', 'nope'], '--design'],
    [['--max-depth', '0'], '--max-depth'],
    [['--faults', 'flood'], '--faults'],
    [['--workers', 'two'], '--workers'],
  ])('rejects %j with exit 2 naming the flag', async (args, flag) => {
    const io = bufferIo();
    expect(await main(['explore', ...args], io)).toBe(2);
    expect(io.stderr().trim().split('\n')).toHaveLength(1);
    expect(io.stderr()).toContain(flag);
  });
});

const bin = join(process.cwd(), 'bin', 'pvlcheck.js');
const manifestFile = join(process.cwd(), 'properties', 'explorer-manifest.json');
const verdictFile = join(process.cwd(), 'properties', 'manifest.json');

/** Runs `explore` in-process with an environment variable set for the run. */
async function exploreWith(env: Record<string, string>, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const io = bufferIo(mkdtempSync(join(tmpdir(), 'pvl-explore-')));
    const code = await main(['explore', ...args], io);
    return { code, out: io.stdout(), err: io.stderr() };
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A copy of a JSON manifest, edited, in a temporary file. */
function edited(file: string, edit: (json: any) => void): string {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  edit(json);
  const path = join(mkdtempSync(join(tmpdir(), 'pvl-manifest-')), 'edited.json');
  writeFileSync(path, JSON.stringify(json, null, 2));
  return path;
}

describe('explore reads its manifests at run time', () => {
  it('an edited explorer manifest changes the exit code (no rebuild)', async () => {
    const path = edited(manifestFile, (m) => {
      m.profiles.small.patent.por.states += 1;
    });
    const r = await exploreWith({ PVLCHECK_EXPLORER_MANIFEST: path }, []);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`UNEXPECTED: the explorer manifest expects ${EXPLORER_MANIFEST.small!.patent!.por!.states + 1} states`);
    // Without the reduction, the figures without it are compared (and here unchanged).
    expect((await exploreWith({ PVLCHECK_EXPLORER_MANIFEST: path }, ['--no-por'])).code).toBe(0);
  });

  it('the built command reads the edited file too', () => {
    const path = edited(manifestFile, (m) => {
      m.profiles.small['prior-art'].por.violated.L1 = 51;
    });
    const run = spawnSync(process.execPath, [bin, 'explore', '--design', 'prior-art', '--format', 'json'], {
      cwd: mkdtempSync(join(tmpdir(), 'pvl-explore-')),
      encoding: 'utf8',
      env: { ...process.env, PVLCHECK_EXPLORER_MANIFEST: path },
    });
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).asExpected).toBe(false);
  });

  it('an edited verdict manifest (properties/manifest.json) changes the exit code, naming the property', async () => {
    const path = edited(verdictFile, (m) => {
      m.designs.patent.W1 = 'not witnessed';
    });
    const r = await exploreWith({ PVLCHECK_MANIFEST: path }, []);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/W1 VGW fallback happens\s+witnessed\s+UNEXPECTED: .* expects not witnessed/);
  });

  it('a property the verdict manifest does not name is not passed silently', async () => {
    const path = edited(verdictFile, (m) => {
      delete m.designs.patent.S4;
    });
    const r = await exploreWith({ PVLCHECK_MANIFEST: path }, ['--property', 'S1,S4']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('no verdict for S4');
  });

  it.each([
    [manifestFile, (m: any) => (m.profiles.small.patent.states = 'many'), 'profiles.small.patent.states'],
    [manifestFile, (m: any) => delete m.profiles.small.patent.perProperty, 'profiles.small.patent.perProperty'],
    [manifestFile, (m: any) => (m.profiles.smal = m.profiles.small), 'profiles.smal'],
    [verdictFile, (m: any) => (m.designs.patent.L2 = 'hold'), 'designs.patent.L2'],
  ])('a malformed manifest is exit 2 naming the file and the field (%#)', async (file, edit, field) => {
    const path = edited(file, edit);
    const env: Record<string, string> = { [file === manifestFile ? 'PVLCHECK_EXPLORER_MANIFEST' : 'PVLCHECK_MANIFEST']: path };
    const r = await exploreWith(env, []);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(path);
    expect(r.err).toContain(field);
  });

  it('a manifest that is not JSON is exit 2 naming the file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pvl-manifest-')), 'broken.json');
    writeFileSync(path, '{ "profiles": ');
    const r = await exploreWith({ PVLCHECK_EXPLORER_MANIFEST: path }, []);
    expect(r.code).toBe(2);
    expect(r.err).toContain(path);
  });
});

describe('explore verdicts', () => {
  it('prior-art: W1 and W3 not witnessed, W2 witnessed, as properties/manifest.json expects', async () => {
    const r = await exploreWith({}, ['--design', 'prior-art']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/W1 VGW fallback happens\s+not witnessed in any reachable state\n/);
    expect(r.out).toMatch(/W2 ENI fails over\s+witnessed\n/);
    expect(r.out).toMatch(/W3 Fast path restored after the VGW\s+not witnessed in any reachable state\n/);
    expect(r.out).not.toMatch(/W\d .*holds/);
  });

  it('patent: W1, W2 and W3 witnessed', async () => {
    const r = await exploreWith({}, ['--format', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.verdicts).toMatchObject({ W1: 'witnessed', W2: 'witnessed', W3: 'witnessed', L1: 'holds', S1: 'holds' });
    expect(json.unexpected).toEqual([]);
  });

  it('a verdict the manifest does not expect is exit 1 whatever the bounds: the patent with 3 faults violates L2 and L3 (docs/findings.md)', () => {
    const run = spawnSync(process.execPath, [bin, 'explore', '--max-faults', '3', '--format', 'json'], {
      cwd: mkdtempSync(join(tmpdir(), 'pvl-explore-')),
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json.exhausted).toBe(true);
    expect(json.verdicts).toMatchObject({ L1: 'holds', L2: 'violated', L3: 'violated' });
    expect(json.unexpected.map((u: { property: string }) => u.property)).toEqual(['L2', 'L3']);
    // Each with its counterexample written (docs/findings.md tells the three runs behind them).
    expect(json.violations.map((v: { property: string; file: string }) => [v.property, typeof v.file])).toEqual([
      ['L2', 'string'],
      ['L3', 'string'],
    ]);
  });
});

describe('explore input ranges', () => {
  it.each([
    [['--max-faults', '6'], '--max-faults', 'between 0 and 5'],
    [['--table-bits', '12'], '--table-bits', 'between 18 and'],
    [['--table-bits', '31'], '--table-bits', 'between 18 and'],
    [['--table-bits', '32'], '--table-bits', 'between 18 and'],
    [['--table-bits', '40'], '--table-bits', 'between 18 and'],
    [['--workers', '64'], '--workers', 'between 1 and'],
    [['--memory', '10'], '--memory', 'between 64 and'],
    [['--memory', '100000000'], '--memory', 'between 64 and'],
  ])('%j: exit 2, one line naming the flag and the allowed range', async (args, flag, range) => {
    const io = bufferIo();
    expect(await main(['explore', ...args], io)).toBe(2);
    expect(io.stderr().trim().split('\n')).toHaveLength(1);
    expect(io.stderr()).toContain(flag);
    expect(io.stderr()).toContain(range);
  });

  it('--out-dir naming a file is exit 2 naming the flag, before any search', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvl-explore-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const io = bufferIo(dir);
    expect(await main(['explore', '--design', 'prior-art', '--out-dir', file], io)).toBe(2);
    expect(io.stderr().trim().split('\n')).toHaveLength(1);
    expect(io.stderr()).toContain('--out-dir');
    expect(io.stdout()).toBe('');
  });

  it('the help says the ranges and why', async () => {
    const io = bufferIo();
    expect(await main(['explore', '--help'], io)).toBe(0);
    expect(io.stdout()).toMatch(/--max-faults N\s+fault budget, 0\.\.5/);
    expect(io.stdout()).toContain('each fault multiplies the space');
  });
});

describe('a search stopped early', () => {
  it('by --max-states: no "holds", every property without a violation inconclusive, exit 1', async () => {
    const r = await exploreWith({}, ['--max-states', '2000']);
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('holds in every reachable state');
    expect(r.out).not.toContain('not witnessed');
    // A witness found before the stop is a witness: W1 comes within the first 2,000 states.
    expect(r.out).toMatch(/W1 VGW fallback happens\s+witnessed\n/);
    expect(r.out).toMatch(/W3 Fast path restored after the VGW\s+inconclusive/);
    expect(r.out).toMatch(/S1 Privacy\s+inconclusive \(search stopped: --max-states 2000 reached, 2000 states\)/);
    expect(r.out).toContain('STOPPED EARLY');
  });

  it('by --max-depth: violations found so far are reported with their counterexamples, the rest inconclusive', async () => {
    const r = await exploreWith({}, ['--design', 'prior-art', '--max-depth', '60', '--format', 'json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.stoppedBy).toBe('depth');
    expect(json.verdicts).toMatchObject({ L1: 'violated', L2: 'inconclusive', S1: 'inconclusive', W2: 'witnessed', W1: 'inconclusive' });
    expect(json.violations.map((v: { property: string; moves: number }) => [v.property, v.moves])).toEqual([['L1', 52]]);
  });

  it('by --memory with one worker (the built command, 4 faults): stops cleanly, says so, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvl-explore-'));
    // Killed after 100 s if the bound were ignored (4 faults then run for minutes to GBs): a failure, not a hang.
    const run = spawnSync(process.execPath, [bin, 'explore', '--max-faults', '4', '--memory', '64'], { cwd: dir, encoding: 'utf8', timeout: 100_000 });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('STOPPED EARLY: --memory 64 MB reached');
    expect(run.stdout).toMatch(/L1 Reverse delivery resumes\s+inconclusive \(search stopped: --memory 64 MB reached, \d+ states\)/);
    expect(run.stdout).not.toContain('holds in every reachable state');
    expect(run.stderr).not.toContain('internal error');
  });

  it('by --memory with two workers too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvl-explore-'));
    const run = spawnSync(process.execPath, [bin, 'explore', '--max-faults', '4', '--memory', '64', '--workers', '2', '--format', 'json'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 100_000,
    });
    expect(run.status).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json.stoppedBy).toBe('memory');
    expect(Object.values(json.verdicts)).not.toContain('holds');
  });

  it('by Ctrl-C: progress lines on stderr (not a terminal), then SIGINT prints what was found so far, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvl-explore-'));
    const child = spawn(process.execPath, [bin, 'explore', '--max-faults', '4'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    const firstProgress = new Promise<void>((resolve) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/explore: [\d,]+ states, depth \d+, [\d,]+ states\/s, heap \d+ MB/.test(stderr)) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // If SIGINT were not handled, the child would die at once (code null) or run on: kill it after 60 s.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await Promise.race([firstProgress, exited]);
    expect(stderr).toMatch(/explore: [\d,]+ states/);
    child.kill('SIGINT');
    const code = await exited;
    clearTimeout(guard);
    expect(code).toBe(1);
    expect(stderr).toContain('interrupted');
    expect(stdout).toContain('STOPPED EARLY: interrupted (Ctrl-C)');
    expect(stdout).toMatch(/S1 Privacy\s+inconclusive \(search stopped: interrupted \(Ctrl-C\), \d+ states\)/);
    expect(stdout).toMatch(/distinct states  \d+/);
  }, 120_000);
});
