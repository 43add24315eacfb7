/**
 * `pvlcheck simulate` in-process (src/cli/main.ts with a buffer Io): output formats,
 * bad input as one stderr line with exit code 2, the built-in list, and replay commands.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_NAMES, builtinScenario } from '../../src/config/builtins.js';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { toJsonl } from '../../src/engine/trace.js';
import { runScenario } from '../../src/sim/simulate.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...argv: string[]): Promise<Result> {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write a scenario file into the temporary directory; returns its path. */
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Split a command line as a POSIX shell would (quotes and backslashes; no expansions). */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in ${command}`);
      word = (word ?? '') + command.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= '';
      for (i++; i < command.length && command[i] !== '"'; i++) {
        if (command[i] === '\\' && '"\\$`'.includes(command[i + 1] ?? '')) i++;
        word += command[i];
      }
      if (i >= command.length) throw new Error(`unterminated quote in ${command}`);
    } else if (c === '\\') {
      word = (word ?? '') + (command[++i] ?? '');
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** The arguments of the replay command a run printed, for `main`. */
function replayArgs(command: string): string[] {
  const words = shellWords(command.trim());
  expect(words.slice(0, 3)).toEqual(['npx', 'pvlcheck', 'simulate']);
  return words.slice(2);
}

describe('simulate: text output', () => {
  it('prints the header, the timeline, the summary and a replay command', async () => {
    const r = await run('simulate', '--scenario', 'fp-crash-reverse-only');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('pvlcheck simulate: scenario fp-crash-reverse-only, design patent, seed 42, until 20000 ms');
    // Timeline lines: time, hop, message, meaning.
    expect(r.stdout).toMatch(/^\s+\d+\s+control → sp\s+config /m);
    expect(r.stdout).toMatch(/^\s+\d+\s+lvs → vgw\s+data rev/m);
    expect(lines.filter((l) => /^\s+\d+\s+\S+ → \S+\s/.test(l)).length).toBeGreaterThan(20);
    expect(r.stdout).toMatch(/^Summary \(\d+ steps, \d+ trace events\)$/m);
    expect(r.stdout).toContain('first fault at 5000 ms');
    expect(r.stdout).toMatch(/reverse data reached the client again at \d+ ms via vgw/);
    expect(r.stdout).toMatch(/replay: npx pvlcheck simulate --scenario fp-crash-reverse-only --design patent --seed 42$/m);
  });

  it('runs the default scenario without arguments', async () => {
    const r = await run('simulate');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^pvlcheck simulate: scenario fp-crash-reverse-only, design patent, seed 42/);
  });

  it('applies --design, --seed and --until', async () => {
    const r = await run('simulate', '--scenario', 'normal', '--design', 'prior-art', '--seed', '7', '--until', '3000');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('pvlcheck simulate: scenario normal, design prior-art, seed 7, until 3000 ms');
    expect(r.stdout).toContain('no fault in this run');
  });
});

describe('simulate: JSONL output', () => {
  it('prints one JSON object per line, ending with the summary and its recovery fields', async () => {
    const r = await run('simulate', '--scenario', 'fp-crash-reverse-only', '--format', 'jsonl');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.endsWith('\n')).toBe(true);
    const lines = r.stdout.slice(0, -1).split('\n');
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.length).toBeGreaterThan(100);
    const events = new Set(['send', 'deliver', 'drop', 'timer', 'fault', 'state', 'violation', 'summary']);
    for (const o of objects) {
      expect(typeof o, JSON.stringify(o)).toBe('object');
      expect(events.has(o.event as string), JSON.stringify(o)).toBe(true);
      expect(Number.isInteger(o.t)).toBe(true);
    }
    const times = objects.map((o) => o.t as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(objects.slice(0, -1).some((o) => o.event === 'summary')).toBe(false);

    const summary = objects.at(-1)!;
    expect(summary).toMatchObject({ event: 'summary', scenario: 'fp-crash-reverse-only', design: 'patent', seed: 42, until: 20000 });
    const recovery = summary.recovery as Record<string, unknown>;
    expect(recovery).toMatchObject({ faultAt: 5000, reverseResumedVia: 'vgw', fastPathRestoredVia: 'fp1', usedVgw: true });
    for (const key of ['lastForwardAtLvs', 'reverseResumedAt', 'fastPathRestoredAt']) expect(typeof recovery[key]).toBe('number');
    expect(recovery.bounds).toMatchObject({ L1: { met: true }, L2: { met: true } });
    expect(typeof summary.replay).toBe('string');
  });

  it('is the engine trace of the run, byte for byte, followed by the summary', async () => {
    const r = await run('simulate', '--scenario', 'fp-restart', '--format', 'jsonl', '--seed', '3');
    const trace = toJsonl(runScenario({ ...builtinScenario('fp-restart')!, seed: 3 }).events);
    expect(r.stdout.startsWith(trace)).toBe(true);
    expect(r.stdout.slice(trace.length).trim().split('\n')).toHaveLength(1);
  });

  it('carries fault lines with the kind and the node', async () => {
    const r = await run('simulate', '--scenario', 'fp-crash-reverse-only', '--format', 'jsonl');
    const faults = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((o) => o.event === 'fault');
    expect(faults).toEqual([{ t: 5000, event: 'fault', kind: 'crash', node: 'fp2' }]);
  });
});

describe('simulate: bad input is one line on stderr and exit code 2', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['unknown field in the file', () => ['--scenario-file', file('unknown-field.json', { design: 'patent', sede: 1 })], /unknown-field\.json: sede: unknown field/],
    ['wrong type in the file', () => ['--scenario-file', file('wrong-type.json', { design: 'patent', until: '20000' })], /wrong-type\.json: until: must be a number/],
    ['unknown node id in the file', () => ['--scenario-file', file('unknown-node.json', { design: 'patent', faults: [{ at: 10, kind: 'crash', node: 'fp7' }] })], /unknown-node\.json: faults\[0\]\.node: unknown node id "fp7"/],
    ['negative time in the file', () => ['--scenario-file', file('negative-at.json', { design: 'patent', faults: [{ at: -10, kind: 'crash', node: 'fp2' }] })], /negative-at\.json: faults\[0\]\.at: must not be negative/],
    ['missing design in the file', () => ['--scenario-file', file('no-design.json', { seed: 1 })], /no-design\.json: design: is required/],
    ['invalid JSON in the file', () => ['--scenario-file', file('broken.json', '{"design": ')], /broken\.json is not valid JSON/],
    ['missing file', () => ['--scenario-file', join(dir, 'does-not-exist.json')], /--scenario-file: cannot read .*does-not-exist\.json/],
    ['bad --design', () => ['--design', 'magic'], /--design: must be one of patent, prior-art/],
    ['bad --format', () => ['--format', 'xml'], /--format: must be one of text, jsonl/],
    ['unknown flag', () => ['--colour'], /--colour: unknown option/],
    ['negative --seed', () => ['--seed', '-1'], /--seed: must not be negative/],
    ['non-numeric --seed', () => ['--seed', 'abc'], /--seed: must be a whole number/],
    ['flag without its value', () => ['--scenario'], /--scenario: needs a value/],
    ['zero --until', () => ['--until', '0'], /--until: must be at least 1/],
    ['--until before a fault', () => ['--scenario', 'fp-crash-reverse-only', '--until', '100'], /--until: 100 is before faults\[0\]\.at/],
    ['both --scenario and --scenario-file', () => ['--scenario', 'normal', '--scenario-file', file('ok.json', { design: 'patent' })], /--scenario: give either/],
    ['unknown --scenario name', () => ['--scenario', 'meteor-strike'], /--scenario: unknown scenario "meteor-strike" \(built-in: normal, /],
  ];

  it.each(cases)('%s', async (_what, args, message) => {
    const r = await run('simulate', ...args());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^pvlcheck: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('    at ');
  });

  it('an unknown command is a usage error too', async () => {
    const r = await run('simulat');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "simulat"/);
  });
});

describe('simulate --help', () => {
  it('describes every option and exits 0', async () => {
    const r = await run('simulate', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: pvlcheck simulate /);
    for (const flag of ['--scenario', '--scenario-file', '--design', '--seed', '--until', '--format', '--list']) {
      expect(r.stdout).toContain(`  ${flag} `);
    }
  });
});

describe('simulate --list', () => {
  it('lists every built-in scenario, one per line with its description', async () => {
    const r = await run('simulate', '--list');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(BUILTIN_NAMES);
    for (const name of BUILTIN_NAMES) expect(r.stdout).toContain(builtinScenario(name)!.description);
  });
});

describe('simulate: the printed replay command', () => {
  it.each<[string, string[]]>([
    ['a built-in scenario', ['--scenario', 'fp-crash-reverse-only']],
    ['another seed, design and end', ['--scenario', 'reverse-link-down', '--seed', '99', '--design', 'prior-art', '--until', '9000']],
  ])('reproduces the run (%s)', async (_what, args) => {
    const first = await run('simulate', ...args);
    expect(first.code).toBe(0);
    const command = /replay: (npx pvlcheck simulate .*)$/m.exec(first.stdout)?.[1];
    expect(command).toBeDefined();
    const again = await run(...replayArgs(command!));
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(first.stdout);
  });

  it('reproduces the run of a scenario file with overrides', async () => {
    const path = file('replay-me.json', {
      design: 'patent',
      seed: 5,
      until: 12000,
      config: { linkDelayMs: [1, 4] },
      faults: [{ at: 4000, kind: 'crash', node: 'fp2' }],
    });
    const first = await run('simulate', '--scenario-file', path, '--seed', '11');
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n')[0]).toBe('pvlcheck simulate: scenario replay-me, design patent, seed 11, until 12000 ms');
    const command = /replay: (npx pvlcheck simulate .*)$/m.exec(first.stdout)![1]!;
    const again = await run(...replayArgs(command));
    expect(again.stdout).toBe(first.stdout);
  });

  it('quotes a scenario file path that a shell would split', async () => {
    const spaced = join(dir, 'my runs');
    mkdirSync(spaced);
    const path = join(spaced, "fp2 crash (copy).json");
    writeFileSync(path, JSON.stringify({ design: 'patent', until: 8000, faults: [{ at: 4000, kind: 'crash', node: 'fp2' }] }));
    const first = await run('simulate', '--scenario-file', path);
    expect(first.code).toBe(0);
    const command = /replay: (npx pvlcheck simulate .*)$/m.exec(first.stdout)![1]!;
    const args = replayArgs(command);
    expect(args.slice(0, 3)).toEqual(['simulate', '--scenario-file', path]);
    const again = await run(...args);
    expect(again.stdout).toBe(first.stdout);
  });

  it('the replay command of a JSONL summary reproduces the same trace', async () => {
    const first = await run('simulate', '--scenario', 'fp-restart-new-ip', '--seed', '8', '--format', 'jsonl');
    const summary = JSON.parse(first.stdout.trim().split('\n').at(-1)!) as { replay: string };
    const again = await run(...replayArgs(summary.replay), '--format', 'jsonl');
    expect(again.stdout).toBe(first.stdout);
  });

  it('a different seed gives a different run', async () => {
    const a = await run('simulate', '--scenario', 'fp-crash-reverse-only', '--format', 'jsonl', '--seed', '1');
    const b = await run('simulate', '--scenario', 'fp-crash-reverse-only', '--format', 'jsonl', '--seed', '2');
    expect(b.stdout).not.toBe(a.stdout);
  });
});
