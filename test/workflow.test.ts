/**
 * The campaign workflows users copy into their CI: `.github/workflows/campaign.yml` and the
 * GitLab pipeline in docs/campaigns.md, parsed with a YAML library. Their triggers, their
 * shard matrices (1..n, each job `--shard i/n` with n the number of jobs), the artifacts the
 * shard jobs upload and the merge job reads, the JUnit it publishes, and every pvlcheck
 * command in them, parsed by pvlcheck's own flag parser against the command's flags (an
 * unknown flag, a bad value or a missing command fails here, not in a user's nightly run).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseArgs, type FlagSpecs } from '../src/cli/args.js';
import { CHECK_FLAGS } from '../src/cli/check.js';
import { MERGE_FLAGS } from '../src/cli/merge.js';
import { SWEEP_FLAGS } from '../src/cli/sweep.js';
import { parseShard } from '../src/checker/shard.js';
import { main } from '../src/cli/main.js';
import { bufferIo } from '../src/cli/io.js';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const FLAGS: Record<string, FlagSpecs> = { check: CHECK_FLAGS, sweep: SWEEP_FLAGS, merge: MERGE_FLAGS };

type Obj = Record<string, unknown>;

/** Values for what a CI substitutes: variables, matrix values, job totals. */
function substitute(text: string, vars: Record<string, string>): string {
  return text
    .replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, e: string) => {
      if (!(e in vars)) throw new Error(`no test value for \${{ ${e} }}`);
      return vars[e]!;
    })
    .replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (_, v: string) => {
      if (!(v in vars)) throw new Error(`no test value for $${v}`);
      return vars[v]!;
    });
}

/** A shell word list, quotes removed, up to a redirection or a pipe. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const w = m[1] ?? m[2] ?? m[3]!;
    if (m[3] !== undefined && /^(>|>>|\||\|\||&&|;|2>)$/.test(w)) break;
    out.push(w);
  }
  return out;
}

/** Every `npx pvlcheck CMD ...` in a script, as its argument list (after `pvlcheck`). */
function pvlcheckCommands(script: string, vars: Record<string, string>): string[][] {
  return script
    .split('\n')
    .filter((l) => l.includes('npx pvlcheck '))
    .map((l) => {
      const w = words(substitute(l.slice(l.indexOf('npx pvlcheck ')), vars));
      return w.slice(2);
    });
}

/** The command parses with pvlcheck's own parser: known command, known flags, good values. */
function expectValidCommand(argv: string[]): { command: string; flags: Record<string, unknown>; positional: string[] } {
  const [command, ...rest] = argv;
  expect(Object.keys(FLAGS), `unknown command in: pvlcheck ${argv.join(' ')}`).toContain(command);
  const parsed = parseArgs(command!, rest, FLAGS[command!]!);
  if (typeof parsed.flags.shard === 'string') parseShard('--shard', parsed.flags.shard);
  return { command: command!, ...parsed };
}

describe('.github/workflows/campaign.yml', () => {
  const wf = parse(readFileSync(root('.github/workflows/campaign.yml'), 'utf8')) as Obj;
  const jobs = wf.jobs as Record<string, Obj>;
  const steps = (job: string) => (jobs[job]!.steps as Obj[]) ?? [];
  const runOf = (job: string) => steps(job).map((s) => (typeof s.run === 'string' ? s.run : '')).join('\n');

  it('runs by hand and nightly', () => {
    // YAML 1.1 readers take `on` for true; the yaml library (YAML 1.2) keeps it a key.
    const on = wf.on as Obj;
    expect(on).toHaveProperty('workflow_dispatch');
    const schedule = on.schedule as { cron: string }[];
    expect(schedule).toHaveLength(1);
    expect(schedule[0]!.cron.split(' ')).toHaveLength(5);
    const inputs = (on.workflow_dispatch as Obj).inputs as Record<string, Obj>;
    expect(Object.keys(inputs).sort()).toEqual(['runs', 'seed', 'sweep-runs']);
  });

  it('has the shard jobs and a merge job that needs them and runs even when a shard failed', () => {
    expect(Object.keys(jobs).sort()).toEqual(['check', 'merge', 'sweep']);
    expect(jobs.merge!.needs).toEqual(['check', 'sweep']);
    expect(String(jobs.merge!.if)).toContain('!cancelled()');
  });

  it.each(['check', 'sweep'])('%s: a matrix of shards 1..n, each job running --shard i/n with n its job count', (name) => {
    const job = jobs[name]!;
    const strategy = job.strategy as { 'fail-fast': boolean; matrix: { shard: number[] } };
    expect(strategy['fail-fast']).toBe(false);
    const shards = strategy.matrix.shard;
    expect(shards.length).toBeGreaterThan(1);
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1));
    const script = runOf(name);
    expect(script).toContain('--shard ${{ matrix.shard }}/${{ strategy.job-total }}');
    const seen = new Set<string>();
    for (const shard of shards) {
      const vars = { 'matrix.shard': String(shard), 'strategy.job-total': String(shards.length), RUNS: '20000', SWEEP_RUNS: '500', SEED: '42' };
      const commands = pvlcheckCommands(script, vars);
      expect(commands).toHaveLength(1);
      const c = expectValidCommand(commands[0]!);
      expect(c.command).toBe(name);
      expect(c.flags.format).toBe('json');
      expect(parseShard('--shard', c.flags.shard as string)).toEqual({ index: shard, count: shards.length });
      seen.add(c.flags.shard as string);
      // Its JSON goes to a file the upload step names.
      const out = substitute(script, vars).match(/> (\S+\.json)/)![1]!;
      const upload = steps(name).find((s) => String(s.uses).startsWith('actions/upload-artifact'))!;
      expect(substitute(String((upload.with as Obj).path), vars)).toBe(out);
      expect(String(upload.if)).toContain('!cancelled()');
    }
    expect(seen.size).toBe(shards.length);
  });

  it('the merge job downloads every shard artifact and merges each kind with valid commands', () => {
    const download = steps('merge').find((s) => String(s.uses).startsWith('actions/download-artifact'))!;
    const w = download.with as Obj;
    expect(w['merge-multiple']).toBe(true);
    const pattern = new RegExp(`^${String(w.pattern).replace(/\*/g, '.*')}$`);
    for (const name of ['check', 'sweep']) {
      const upload = steps(name).find((s) => String(s.uses).startsWith('actions/upload-artifact'))!;
      expect(substitute(String((upload.with as Obj).name), { 'matrix.shard': '1' })).toMatch(pattern);
    }
    const commands = pvlcheckCommands(runOf('merge'), {}).map(expectValidCommand);
    expect(commands.map((c) => c.command)).toEqual(['merge', 'merge']);
    const [check, sweep] = commands;
    expect(check!.positional).toEqual([`${w.path as string}/check-shard-*.json`]);
    expect(check!.flags.format).toBe('junit');
    expect(sweep!.positional).toEqual([`${w.path as string}/sweep-shard-*.json`]);
    expect(sweep!.flags.html).toBe('sweep-report.html');
  });

  it('publishes the JUnit the merge wrote, and fails the run when check would have', () => {
    const publish = steps('merge').find((s) => String(s.uses).includes('junit'))!;
    expect((publish.with as Obj).report_paths).toBe('junit.xml');
    expect(runOf('merge')).toContain('> junit.xml');
    const verdict = steps('merge').at(-1)!;
    expect(String(verdict.run)).toContain('steps.check.outputs.code');
    expect(String(verdict.run)).toMatch(/test "\$\{\{ steps\.check\.outputs\.code \}\}" = 0/);
  });
});

describe('the GitLab pipeline in docs/campaigns.md', () => {
  const md = readFileSync(root('docs/campaigns.md'), 'utf8');
  const block = md.slice(md.indexOf('## GitLab CI')).match(/```yaml\n([\s\S]*?)```/)![1]!;
  const ci = parse(block) as Record<string, Obj>;

  it.each([
    ['check', 4],
    ['sweep', 2],
  ] as const)('%s: parallel jobs running --shard $CI_NODE_INDEX/$CI_NODE_TOTAL, artifacts kept', (name, n) => {
    const job = ci[name]!;
    expect(job.parallel).toBe(n);
    expect((job.artifacts as Obj).when).toBe('always');
    const script = (job.script as string[]).join('\n');
    for (let i = 1; i <= n; i++) {
      const vars = { CI_NODE_INDEX: String(i), CI_NODE_TOTAL: String(n), RUNS: '20000', SWEEP_RUNS: '500', SEED: '42' };
      const [c] = pvlcheckCommands(script, vars).map(expectValidCommand);
      expect(c!.command).toBe(name);
      expect(parseShard('--shard', c!.flags.shard as string)).toEqual({ index: i, count: n });
      const out = substitute(script, vars).match(/> "?([^"\s]+\.json)/)![1]!;
      expect(out).toMatch(new RegExp(`^${String((job.artifacts as { paths: string[] }).paths[0]).replace(/\*/g, '.*')}$`));
    }
  });

  it('merges both kinds, always, and reports JUnit', () => {
    const merge = ci.merge!;
    expect(merge.when).toBe('always');
    expect(merge.needs).toEqual(['check', 'sweep']);
    const commands = pvlcheckCommands((merge.script as string[]).join('\n'), {}).map(expectValidCommand);
    expect(commands.map((c) => c.command)).toEqual(['merge', 'merge']);
    expect(commands.find((c) => c.flags.format === 'junit')!.positional).toEqual(['check-shard-*.json']);
    expect(((merge.artifacts as Obj).reports as Obj).junit).toBe('junit.xml');
  });
});

describe('the test has teeth', () => {
  it('refuses a command with a flag pvlcheck does not have', () => {
    expect(() => expectValidCommand(['check', '--shards', '1/4'])).toThrow(/--shards: unknown option/);
    expect(() => expectValidCommand(['merge', '--format', 'xml'])).toThrow(/--format/);
    expect(() => expectValidCommand(['check', '--shard', '5/4'])).toThrow(/--shard/);
  });

  it('the commands it accepts are the ones main runs: merge --help', async () => {
    const io = bufferIo();
    expect(await main(['merge', '--help'], io)).toBe(0);
    expect(io.stdout()).toContain('usage: pvlcheck merge FILE...');
  });
});
