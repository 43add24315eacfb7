/**
 * The command line's manners (issue 9, points 5 and 6): --version and per-command help,
 * "did you mean", flags given twice, deprecated spellings, empty selections, names that
 * are properties of every object, the `until` cap, files that are not files, a byte-order
 * mark, traces cut short, output paths checked before running, default outputs said and
 * written whole, and progress lines when stderr is not a terminal. In-process through
 * `main` with a buffer Io, except where a real stderr matters.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { Progress } from '../../src/cli/check.js';
import { readFixed } from '../../src/cli/fixed.js';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { checkOutDir, checkOutFile, shellQuote, writeAtomic } from '../../src/cli/outputs.js';
import { VERSION } from '../../src/config/packageRoot.js';
import { InputError } from '../../src/config/validate.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-manners-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runIn(cwd: string, ...argv: string[]): Promise<Result> {
  const io = bufferIo(cwd);
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}
const run = (...argv: string[]) => runIn(dir, ...argv);

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** A fresh working directory under the temporary one. */
function cwd(name: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Exit 2 with exactly one stderr line, matching `message`, and nothing on stdout. */
function expectUsageError(r: Result, message: RegExp | string): void {
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  if (typeof message === 'string') expect(lines[0]).toBe(message);
  else expect(lines[0]).toMatch(message);
  expect(r.code).toBe(2);
}

describe('--version and help', () => {
  it.each([['--version'], ['-V'], ['version']])('%s prints the version and exits 0', async (flag) => {
    const r = await run(flag);
    expect(r).toEqual({ code: 0, stdout: `pvlcheck ${VERSION}\n`, stderr: '' });
    expect(VERSION).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it.each(['check', 'simulate', 'replay', 'explore', 'export', 'report'])('help %s, CMD --help and CMD -h give that command its own help', async (command) => {
    const viaHelp = await run('help', command);
    const viaFlag = await run(command, '--help');
    const viaH = await run(command, '-h');
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toMatch(new RegExp(`^usage: pvlcheck ${command} `));
    expect(viaHelp.stdout).toContain('--help, -h');
    expect(viaFlag).toEqual(viaHelp);
    expect(viaH).toEqual(viaHelp);
  });

  it('help and -h alone give the overview, exit 0', async () => {
    for (const argv of [['help'], ['-h'], ['--help']]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: pvlcheck <command> \[options\]/);
      expect(r.stdout).toContain("'pvlcheck help <command>'");
      expect(r.stdout).toContain("'pvlcheck --version'");
    }
  });

  it('help of an unknown command suggests the nearest', async () => {
    expectUsageError(await run('help', 'raport'), /^pvlcheck: unknown command "raport" \(did you mean report\? commands: check, /);
  });
});

describe('unknown names suggest the nearest valid one', () => {
  it.each<[string, string[], RegExp | string]>([
    ['a flag', ['check', '--sed', '1'], "pvlcheck: --sed: unknown option for 'check' (did you mean --seed?)"],
    ['a flag of simulate', ['simulate', '--scenario-fil', 'x.json'], "pvlcheck: --scenario-fil: unknown option for 'simulate' (did you mean --scenario-file?)"],
    ['a deprecated flag, as its new spelling', ['check', '--reportr', 'json'], "pvlcheck: --reportr: unknown option for 'check' (did you mean --format?)"],
    ['a command', ['simulat'], /^pvlcheck: unknown command "simulat" \(did you mean simulate\? commands: check, simulate, replay, explore, export, (\w+, )*report, conform\)$/],
    ['a built-in scenario', ['simulate', '--scenario', 'fp-crash-revers-only'], /^pvlcheck: --scenario: unknown scenario "fp-crash-revers-only" \(did you mean fp-crash-reverse-only\? built-in: normal, /],
    ['a scenario through report', ['report', '--scenario', 'fp-restrat'], /^pvlcheck: --scenario: unknown scenario "fp-restrat" \(did you mean fp-restart\? /],
    ['a design', ['simulate', '--design', 'patnet'], /^pvlcheck: --design: must be one of patent, prior-art.*, got "patnet" \(did you mean patent\?\)$/],
    ['a design of check', ['check', '--design', 'prior_art'], /^pvlcheck: --design: must be one of .*, got "prior_art" \(did you mean prior-art\?\)$/],
    ['a property', ['check', '--property', 'L1,W22'], /^pvlcheck: --property: must be one of .*, got "W22" \(did you mean W2\?\)$/],
    ['a format', ['simulate', '--format', 'jsonn'], 'pvlcheck: --format: must be one of text, jsonl, log, got "jsonn" (did you mean jsonl?)'],
  ])('%s', async (_what, argv, message) => {
    expectUsageError(await run(...argv), message);
  });

  it('says nothing about a name far from every valid one', async () => {
    expectUsageError(await run('simulate', '--scenario', 'meteor-strike'), /^pvlcheck: --scenario: unknown scenario "meteor-strike" \(built-in: /);
    expectUsageError(await run('check', '--bogus'), /^pvlcheck: --bogus: unknown option for 'check' \(options: --design, /);
  });
});

describe('a flag given twice is refused, naming it', () => {
  it.each<[string[], string]>([
    [['check', '--runs', '5', '--runs', '6'], 'pvlcheck: --runs: given twice (--runs); give it once'],
    [['check', '--seed=1', '--seed', '1'], 'pvlcheck: --seed: given twice (--seed); give it once'],
    [['simulate', '--scenario', 'normal', '--scenario', 'fp-restart'], 'pvlcheck: --scenario: given twice (--scenario); give it once'],
    [['simulate', '--full', '--full'], 'pvlcheck: --full: given twice (--full); give it once'],
    [['report', '--format', 'html', '--format', 'mermaid'], 'pvlcheck: --format: given twice (--format); give it once'],
    [['export', '--out-dir', 'a', '--out-dir', 'b'], 'pvlcheck: --out-dir: given twice (--out-dir); give it once'],
  ])('%j', async (argv, message) => {
    expectUsageError(await run(...argv), message);
  });

  it('also when once under its deprecated spelling', async () => {
    const r = await run('check', '--format', 'json', '--reporter', 'text');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('pvlcheck: --reporter: given twice (--format and --reporter); give it once');
  });

  it('list flags may repeat, to add', async () => {
    const r = await run('check', '--design', 'patent', '--runs', '1', '--property', 'S1', '--property', 'S2', '--format', 'json', '--out-dir', 'cx-repeat');
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { properties: { property: string }[] };
    expect(report.properties.map((p) => p.property)).toEqual(['S1', 'S2']);
  });
});

describe('deprecated spellings still work, with a note on stderr', () => {
  const note = (old: string, now: string) => `pvlcheck: note: --${old} is deprecated, use --${now} (the old spelling is kept for one release)`;

  it('export --out is --out-dir', async () => {
    const r = await run('export', '--out', 'charts-old');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(note('out', 'out-dir') + '\n');
    expect(existsSync(join(dir, 'charts-old', 'lvs.json'))).toBe(true);
  });

  it('report --out is --html (and takes a Mermaid file too)', async () => {
    const html = await run('report', '--scenario', 'normal', '--out', 'old.html');
    expect(html.code).toBe(0);
    expect(html.stderr).toBe(note('out', 'html') + '\n');
    expect(readFileSync(join(dir, 'old.html'), 'utf8').startsWith('<!DOCTYPE html>')).toBe(true);
    const mmd = await run('report', '--scenario', 'normal', '--format', 'mermaid', '--out', 'old.mmd');
    expect(mmd.code).toBe(0);
    expect(readFileSync(join(dir, 'old.mmd'), 'utf8').startsWith('sequenceDiagram\n')).toBe(true);
  });

  it('check --reporter, --out and --report are --format, --out-dir and --html', async () => {
    const r = await run('check', '--design', 'patent', '--runs', '1', '--property', 'S1', '--reporter', 'json', '--out', 'cx-old', '--report', 'old-check.html');
    expect(r.stderr.split('\n').slice(0, 3)).toEqual([note('reporter', 'format'), note('out', 'out-dir'), note('report', 'html')]);
    expect(JSON.parse(r.stdout)).toMatchObject({ runs: 1 });
    expect(existsSync(join(dir, 'old-check.html'))).toBe(true);
  });

  it('errors name the spelling the user typed', async () => {
    const r = await run('check', '--reporter', 'xml');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${note('reporter', 'format')}\npvlcheck: --reporter: must be one of text, json, junit, got "xml"\n`);
  });

  it('help lists them as deprecated', async () => {
    const r = await run('check', '--help');
    expect(r.stdout).toMatch(/^deprecated:$/m);
    expect(r.stdout).toMatch(/^ {2}--reporter\s+deprecated spelling of --format \(kept for one release\)$/m);
    expect(r.stdout).toMatch(/^ {2}--out\s+deprecated spelling of --out-dir/m);
    expect(r.stdout).toMatch(/^ {2}--report\s+deprecated spelling of --html/m);
  });
});

describe('empty selections are refused', () => {
  it.each<[string[], string]>([
    [['check', '--property', ','], 'pvlcheck: --property: names nothing in ","; give at least one value'],
    [['check', '--property', ' , , '], 'pvlcheck: --property: names nothing in " , , "; give at least one value'],
    [['check', '--design', ''], 'pvlcheck: --design: needs a value, got an empty one'],
    [['check', '--design='], 'pvlcheck: --design: needs a value, got an empty one'],
    [['check', '--mutant', ','], 'pvlcheck: --mutant: names nothing in ","; give at least one value'],
    [['simulate', '--scenario', ''], 'pvlcheck: --scenario: needs a value, got an empty one'],
    [['export', '--out-dir', ''], 'pvlcheck: --out-dir: needs a value, got an empty one'],
  ])('%j', async (argv, message) => {
    expectUsageError(await run(...argv), message);
  });
});

describe('names that every JavaScript object has are not names here', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('simulate and report --scenario %s', async (name) => {
    expectUsageError(await run('simulate', '--scenario', name), new RegExp(`^pvlcheck: --scenario: unknown scenario "${name}" \\(`));
    expectUsageError(await run('report', '--scenario', name, '--format', 'mermaid'), new RegExp(`^pvlcheck: --scenario: unknown scenario "${name}" \\(`));
  });

  it.each(['constructor', '__proto__', 'toString'])('a command or a flag named %s', async (name) => {
    expectUsageError(await run(name), new RegExp(`^pvlcheck: unknown command "${name}"`));
    expectUsageError(await run('simulate', `--${name}`, 'x'), new RegExp(`^pvlcheck: --${name}: unknown option for 'simulate'`));
    expectUsageError(await run('help', name), new RegExp(`^pvlcheck: unknown command "${name}"`));
  });

  it.each(['constructor', '__proto__'])('designs and properties named %s', async (name) => {
    expectUsageError(await run('simulate', '--design', name), new RegExp(`^pvlcheck: --design: must be one of patent, `));
    expectUsageError(await run('check', '--design', name), new RegExp(`^pvlcheck: --design: must be one of `));
    expectUsageError(await run('check', '--property', name), new RegExp(`^pvlcheck: --property: must be one of `));
    expectUsageError(await run('explore', '--profile', name), new RegExp(`^pvlcheck: --profile: must be one of `));
  });
});

describe('--until is capped (a longer run would only run out of memory)', () => {
  const cap = 'must be at most 600000 (10 minutes of virtual time: a run keeps its whole trace in memory)';
  it.each([['simulate'], ['report']])('%s --until 1099511627776 exits 2 at once', async (command) => {
    expectUsageError(await run(command, '--until', '1099511627776'), `pvlcheck: --until: ${cap}, got 1099511627776`);
    expectUsageError(await run(command, '--until', '600001'), `pvlcheck: --until: ${cap}, got 600001`);
  });

  it('a scenario file asking for more is refused, naming its field', async () => {
    const path = file('long.json', { design: 'patent', until: 1099511627776 });
    expectUsageError(await run('simulate', '--scenario-file', path), `pvlcheck: ${path}: until: must be at most 600000 ms (10 minutes of virtual time: a run keeps its whole trace in memory), got 1099511627776`);
  });

  it('the help says the cap', async () => {
    expect((await run('simulate', '--help')).stdout).toMatch(/--until N\s+virtual time, ms, at which the run ends \(at most 600000: 10 minutes\)/);
  });

  it('the cap itself runs', async () => {
    const r = await run('simulate', '--scenario', 'normal', '--until', '600000', '--format', 'jsonl');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ event: 'summary', until: 600000 });
  });
});

describe('a run too large to keep is refused before it starts (it crashed after minutes)', () => {
  it.each([['simulate'], ['report']])('%s of 64 flows sending every millisecond', async (command) => {
    const path = file('heavy.json', { design: 'patent', workload: { flows: 64, streamIntervalMs: 1 } });
    const started = performance.now(); // real-time-ok: the refusal must come at once
    expectUsageError(
      await run(command, '--scenario-file', path),
      /^pvlcheck: .*heavy\.json: until: this run would keep about \d+ trace events \(64 flows × a packet every 1 ms for 19990 ms\), more than the 300000 pvlcheck keeps; shorten it or send less often$/,
    );
    expect(performance.now() - started).toBeLessThan(2000); // real-time-ok
  });

  it('names --until when the flag made it too long', async () => {
    const path = file('busy.json', { design: 'patent', workload: { flows: 8, streamIntervalMs: 5 } });
    expect((await run('simulate', '--scenario-file', path, '--until', '1000', '--format', 'jsonl')).code).toBe(0);
    expectUsageError(await run('replay', path), /^pvlcheck: .*busy\.json: until: this run would keep about/);
    expectUsageError(await run('simulate', '--scenario-file', path, '--until', '600000'), /^pvlcheck: --until: this run would keep about \d+ trace events \(8 flows × a packet every 5 ms for 599990 ms\)/);
  });
});

describe('input files: regular files under a size cap, read by one reader', () => {
  let fifo: string | null = null;
  beforeAll(() => {
    const big = file('big.json', '');
    truncateSync(big, 11 * 1024 * 1024);
    const bigTrace = file('big.jsonl', '');
    truncateSync(bigTrace, 65 * 1024 * 1024);
    mkdirSync(join(dir, 'a-dir'), { recursive: true });
    const path = join(dir, 'fifo');
    if (spawnSync('mkfifo', [path]).status === 0) fifo = path;
  });

  const device = 'cannot read /dev/zero: it is a device, not a regular file';
  it.each<[string, string[], string]>([
    ['simulate --scenario-file', ['simulate', '--scenario-file', '/dev/zero'], `pvlcheck: --scenario-file: ${device}`],
    ['report --scenario-file', ['report', '--scenario-file', '/dev/zero'], `pvlcheck: --scenario-file: ${device}`],
    ['check --config', ['check', '--config', '/dev/zero'], `pvlcheck: --config: ${device}`],
    ['replay FILE', ['replay', '/dev/zero'], `pvlcheck: replay FILE: ${device}`],
    ['report --trace', ['report', '--trace', '/dev/zero'], `pvlcheck: --trace: ${device}`],
    ['a directory', ['simulate', '--scenario-file', 'a-dir'], 'pvlcheck: --scenario-file: cannot read a-dir: it is a directory, not a regular file'],
    ['a file over 10 MB', ['simulate', '--scenario-file', 'big.json'], 'pvlcheck: --scenario-file: big.json is 11 MB, more than the 10 MB pvlcheck reads'],
    ['a config over 10 MB', ['check', '--config', 'big.json'], 'pvlcheck: --config: big.json is 11 MB, more than the 10 MB pvlcheck reads'],
    ['a trace over 64 MB', ['report', '--trace', 'big.jsonl'], 'pvlcheck: --trace: big.jsonl is 65 MB, more than the 64 MB pvlcheck reads'],
  ])('%s', async (_what, argv, message) => {
    expectUsageError(await run(...argv), message);
  });

  it('a FIFO is refused without waiting for a writer', async () => {
    if (fifo === null) return; // no mkfifo here: nothing to show
    expectUsageError(await run('simulate', '--scenario-file', 'fifo'), 'pvlcheck: --scenario-file: cannot read fifo: it is a pipe, not a regular file');
  });
});

describe('a UTF-8 byte-order mark is accepted', () => {
  const bom = '\uFEFF';
  it('in a scenario file (simulate and replay)', async () => {
    const path = file('bom.json', bom + JSON.stringify({ design: 'prior-art', until: 3000 }));
    const sim = await run('simulate', '--scenario-file', path);
    expect(sim.stderr).toBe('');
    expect(sim.code).toBe(0);
    expect(sim.stdout.split('\n')[0]).toBe('pvlcheck simulate: scenario bom, design prior-art, seed 42, until 3000 ms');
    const replay = await run('replay', path);
    expect(replay.code).toBe(0);
  });

  it('in a --config file', () => {
    file('bom-config.json', bom + JSON.stringify({ config: { fastPaths: 3 } }));
    expect(readFixed('bom-config.json', bufferIo(dir)).config).toEqual({ fastPaths: 3 });
  });

  it('in a trace', async () => {
    const sim = await run('simulate', '--scenario', 'normal', '--until', '2000', '--format', 'jsonl');
    const path = file('bom.jsonl', bom + sim.stdout);
    const r = await run('report', '--trace', path, '--format', 'mermaid');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('sequenceDiagram\n')).toBe(true);
  });
});

describe('replay names its file argument, not a flag the user never typed', () => {
  it('a missing file', async () => {
    const r = await run('replay', 'nope.json');
    expectUsageError(r, 'pvlcheck: replay FILE: cannot read nope.json: ENOENT');
    expect(r.stderr).not.toContain('--scenario-file');
  });

  it('a broken file is named by its path', async () => {
    const path = file('broken-replay.json', '{"design":');
    const r = await run('replay', path);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('--scenario-file');
    expect(r.stderr).toContain(`${path} is not valid JSON`);
  });

  it('quotes a path with spaces in its replay command', async () => {
    mkdirSync(join(dir, 'my runs'), { recursive: true });
    const path = join(dir, 'my runs', "it's here.json");
    writeFileSync(path, JSON.stringify({ design: 'patent', until: 2000 }));
    const r = await run('replay', path);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`replay: npx pvlcheck replay ${shellQuote(path)}\n`);
    expect(shellQuote(path)).toBe(`'${dir}/my runs/it'\\''s here.json'`);
  });
});

describe('report --trace refuses a trace without its summary line', () => {
  let lines: string[];
  beforeAll(async () => {
    const sim = await run('simulate', '--scenario', 'fp-crash-reverse-only', '--design', 'prior-art', '--format', 'jsonl');
    lines = sim.stdout.trimEnd().split('\n');
  });

  it('a trace cut before its summary exits 2 naming --trace (it reported "patent, violated: none")', async () => {
    const path = file('cut.jsonl', lines.slice(0, -1).join('\n') + '\n');
    for (const format of ['html', 'mermaid']) {
      const r = await run('report', '--trace', path, '--format', format, '--html', join(dir, `cut.${format}`));
      expectUsageError(r, `pvlcheck: --trace: ${path} has no summary line: the trace is incomplete (cut short?); a trace written by 'pvlcheck simulate --format jsonl' ends with one`);
      expect(existsSync(join(dir, `cut.${format}`))).toBe(false);
    }
  });

  it('a summary without a design is refused, not taken for the patent', async () => {
    const summary = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    delete summary.design;
    const path = file('no-design.jsonl', [...lines.slice(0, -1), JSON.stringify(summary)].join('\n') + '\n');
    expectUsageError(await run('report', '--trace', path), `pvlcheck: --trace: ${path}: the summary line has no "design"`);
  });

  it('the whole trace still reports the prior art and its violations', async () => {
    const path = file('whole.jsonl', lines.join('\n') + '\n');
    const r = await run('report', '--trace', path, '--html', 'whole.html');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^report of fp-crash-reverse-only \(prior-art, seed 42\) written to /);
    expect(r.stdout).toMatch(/violated: .*L1.*L2/);
  });
});

describe('output paths are checked before running', () => {
  beforeAll(() => {
    file('a-file.txt', 'not a directory');
  });

  it.each<[string, string[], string]>([
    ['check --out-dir naming a file', ['check', '--runs', '1000000', '--out-dir', 'a-file.txt'], 'pvlcheck: --out-dir: a-file.txt is a file, not a directory'],
    ['check --out-dir below a file', ['check', '--runs', '1000000', '--out-dir', 'a-file.txt/cx'], `pvlcheck: --out-dir: cannot create a-file.txt/cx: ${join(dir, 'a-file.txt')} is a file, not a directory`],
    ['check --html naming a directory', ['check', '--runs', '1000000', '--html', 'a-dir'], 'pvlcheck: --html: a-dir is a directory'],
    ['check --html in a missing directory', ['check', '--runs', '1000000', '--html', 'nowhere/c.html'], `pvlcheck: --html: no directory ${join(dir, 'nowhere')} to write nowhere/c.html into`],
    ['check --html below a file', ['check', '--runs', '1000000', '--html', 'a-file.txt/c.html'], `pvlcheck: --html: no directory ${join(dir, 'a-file.txt')} to write a-file.txt/c.html into`],
    ['export --out-dir naming a file', ['export', '--out-dir', 'a-file.txt'], 'pvlcheck: --out-dir: a-file.txt is a file, not a directory'],
    ['report --html naming a directory', ['report', '--html', 'a-dir'], 'pvlcheck: --html: a-dir is a directory'],
  ])('%s: exit 2 naming the flag, nothing run', async (_what, argv, message) => {
    mkdirSync(join(dir, 'a-dir'), { recursive: true });
    expectUsageError(await run(...argv), message);
  });

  it('the helpers refuse the same paths', () => {
    expect(() => checkOutDir('--x', join(dir, 'a-file.txt'), 'a-file.txt')).toThrow(InputError);
    expect(() => checkOutFile('--x', join(dir, 'a-dir'), 'a-dir')).toThrow(/a-dir is a directory/);
    expect(() => checkOutDir('--x', join(dir, 'new', 'deep', 'dir'))).not.toThrow();
    expect(existsSync(join(dir, 'new'))).toBe(false);
  });

  it('a write that still fails at the end prints the verdicts, then exits 2 naming the flag', async () => {
    // The default ./counterexamples/ is not checked up front (a run may write nothing);
    // here it is a file, so the write fails once the counterexample is found.
    const work = cwd('blocked');
    writeFileSync(join(work, 'counterexamples'), 'in the way');
    const r = await runIn(work, 'check', '--design', 'prior-art', '--property', 'L1', '--runs', '40');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^L1 Reverse delivery resumes\s+prior-art\s+violated as expected/m);
    expect(r.stdout).toContain('seed 42; rerun: npx pvlcheck check');
    expect(r.stdout).not.toContain('replay:   npx pvlcheck replay counterexamples/');
    const last = r.stderr.trimEnd().split('\n').at(-1)!;
    expect(last).toBe(
      `pvlcheck: --out-dir: cannot write ${join(work, 'counterexamples', 'prior-art-L1.json')}: EEXIST (the default directory; choose one with --out-dir DIR)`,
    );
    expect(readFileSync(join(work, 'counterexamples'), 'utf8')).toBe('in the way');
  }, 60_000);
});

describe('default outputs: said on the first line, written whole, replacement said', () => {
  it('export without --out-dir says where on its first line, and says what it replaced', async () => {
    const work = cwd('export-default');
    const first = await runIn(work, 'export');
    expect(first.code).toBe(0);
    const lines = first.stdout.split('\n');
    expect(lines[0]).toMatch(/^pvlcheck export: writing \d+ statecharts to statecharts\/ \(the default; --out-dir DIR to choose\)$/);
    expect(lines.at(-2)).toBe(`written to ${join(work, 'statecharts')}`);
    const again = await runIn(work, 'export');
    expect(again.stdout.split('\n').at(-2)).toMatch(new RegExp(`^written to ${join(work, 'statecharts')} \\(\\d+ existing files replaced\\)$`));
    expect(readdirSync(join(work, 'statecharts')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('export --out-dir names the directory on its first line', async () => {
    const work = cwd('export-named');
    const r = await runIn(work, 'export', '--out-dir', 'charts');
    expect(r.stdout.split('\n')[0]).toMatch(/^pvlcheck export: writing \d+ statecharts to charts$/);
  });

  it('report without --html says the default file on its first line, and says when it replaced one', async () => {
    const work = cwd('report-default');
    const first = await runIn(work, 'report', '--scenario', 'normal', '--until', '2000');
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n')[0]).toBe(`report of normal (patent, seed 42) written to ${join(work, 'report.html')} (the default --html)`);
    const again = await runIn(work, 'report', '--scenario', 'normal', '--until', '2000');
    expect(again.stdout.split('\n')[0]).toBe(`report of normal (patent, seed 42) written to ${join(work, 'report.html')} (the default --html; replacing the file that was there)`);
    expect(readdirSync(work)).toEqual(['report.html']);
  });

  it("check's counterexamples: the first line says where; a second run says it replaced them", async () => {
    const work = cwd('check-default');
    const first = await runIn(work, 'check', '--design', 'prior-art', '--property', 'L1', '--runs', '40');
    expect(first.stdout.split('\n')[0]).toBe(
      'pvlcheck check: prior-art; 40 runs each, up to 2 faults per run, seed 42; 1 counterexample written to ./counterexamples/ (the default; --out-dir DIR to choose)',
    );
    const again = await runIn(work, 'check', '--design', 'prior-art', '--property', 'L1', '--runs', '40');
    expect(again.stdout.split('\n')[0]).toMatch(/; 1 counterexample written to \.\/counterexamples\/ \(the default; --out-dir DIR to choose\), replacing 1 existing file$/);
    expect(readdirSync(join(work, 'counterexamples'))).toEqual(['prior-art-L1.json']);
    // With JSON on stdout, the note goes to stderr.
    const json = await runIn(work, 'check', '--design', 'prior-art', '--property', 'L1', '--runs', '40', '--format', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({ runs: 40 });
    expect(json.stderr).toBe('pvlcheck check: 1 counterexample written to ./counterexamples/ (the default; --out-dir DIR to choose), replacing 1 existing file\n');
    // A named directory needs no note.
    const named = await runIn(work, 'check', '--design', 'prior-art', '--property', 'L1', '--runs', '40', '--out-dir', 'mine');
    expect(named.stdout.split('\n')[0]).toBe('pvlcheck check: prior-art; 40 runs each, up to 2 faults per run, seed 42; 1 counterexample written to mine');
  }, 60_000);

  it('writeAtomic replaces a file whole and leaves no temporary file', () => {
    const work = cwd('atomic');
    const path = join(work, 'x.json');
    expect(writeAtomic(path, 'one')).toEqual({ replaced: false });
    expect(writeAtomic(path, 'two')).toEqual({ replaced: true });
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(work)).toEqual(['x.json']);
    expect(() => writeAtomic(join(work, 'no', 'x.json'), 'three')).toThrow(/ENOENT/);
    expect(readdirSync(work)).toEqual(['x.json']);
  });
});

describe('check progress when stderr is not a terminal', () => {
  it('a line after a second, then one every five seconds, with the time left; a last line when done', () => {
    let now = 0;
    const io = bufferIo(dir, { progress: 'lines', now: () => now });
    const p = new Progress(io, 600, 0);
    now = 500;
    p.update('patent', 50);
    expect(io.stderr()).toBe('');
    now = 1000;
    p.update('patent', 100);
    expect(io.stderr()).toBe('pvlcheck check: 100/600 runs (16%), 1 s so far, about 5 s left\n');
    now = 3000;
    p.update('prior-art', 200, 2);
    expect(io.stderr().split('\n')).toHaveLength(2);
    now = 6000;
    p.update('prior-art', 300, 3);
    expect(io.stderr().split('\n')[1]).toBe('pvlcheck check: 400/600 runs (66%), 3 violations so far, 6 s so far, about 3 s left');
    now = 70_000;
    p.update('patent', 300);
    p.end();
    expect(io.stderr().trimEnd().split('\n').slice(-2)).toEqual([
      'pvlcheck check: 600/600 runs (100%), 3 violations so far, 1 min 10 s so far, about 0 s left',
      'pvlcheck check: 600/600 runs done, 3 violations in 1 min 10 s',
    ]);
  });

  it('on a terminal, the bar gains the time left (from 2 s on) and is cleared at the end', () => {
    let now = 0;
    const bars: string[] = [];
    const io = { ...bufferIo(dir), progress: 'bar' as const, bar: (t: string) => bars.push(t), now: () => now };
    const p = new Progress(io, 100, 0);
    now = 1500;
    p.update('patent', 10);
    expect(bars).toEqual([]);
    now = 3000;
    p.update('patent', 25);
    expect(bars).toEqual(['  checking [########......................] 25/100 runs, about 8 s left']);
    p.end();
    expect(bars.at(-1)).toBe('');
    expect(io.stderr()).toBe('');
  });

  it('shows nothing in tests unless asked, and nothing for a run under a second', () => {
    let now = 0;
    const quiet = bufferIo(dir, { now: () => now });
    const p = new Progress(quiet, 10, 0);
    now = 9000;
    p.update('patent', 5);
    p.end();
    expect(quiet.stderr()).toBe('');
    const fast = bufferIo(dir, { progress: 'lines', now: () => now });
    now = 0;
    const q = new Progress(fast, 10, 0);
    now = 900;
    q.update('patent', 10);
    q.end();
    expect(fast.stderr()).toBe('');
  });

  it('`check --runs 300 2>err.txt | cat` leaves progress lines in err.txt (the built command)', () => {
    const bin = join(process.cwd(), 'bin', 'pvlcheck.js');
    const work = cwd('progress');
    const r = spawnSync(process.execPath, [bin, 'check', '--runs', '300'], { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.status, r.stderr).not.toBe(2);
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('pvlcheck check: '));
    expect(progress.length, r.stderr).toBeGreaterThanOrEqual(2);
    const time = '(\\d+ min \\d\\d s|\\d+ s)';
    expect(progress[0]).toMatch(new RegExp(`^pvlcheck check: \\d+/600 runs \\(\\d+%\\)(, \\d+ violations? so far)?, ${time} so far, about ${time} left$`));
    expect(progress.at(-1)).toMatch(new RegExp(`^pvlcheck check: 600/600 runs done(, \\d+ violations?)? in ${time}$`));
    expect(r.stdout.split('\n')[0]).toMatch(/^pvlcheck check: patent, prior-art; 300 runs each/);
  }, 120_000);
});

describe('check --property and --design select something', () => {
  it('no property of the list is lost: a selection reports exactly what it names', async () => {
    const r = await run('check', '--design', 'patent', '--runs', '1', '--property', 'S1,S2', '--format', 'json', '--out-dir', 'cx-sel');
    const report = JSON.parse(r.stdout) as { properties: { property: string }[] };
    expect(report.properties.map((p) => p.property)).toEqual(['S1', 'S2']);
    expect(PROPERTIES.map((p) => p.id)).toEqual(expect.arrayContaining(['S1', 'S2']));
  });
});
