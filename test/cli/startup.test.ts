/**
 * Start-up stays lean (docs/explorer.md, "Start-up"): a command loads its own modules, not
 * every command's, and `explore`'s worker thread loads what a search needs, not the CLI.
 * The built command runs in a child process with a module hook in every thread that
 * writes down each module it loads; the test reads which, not how long.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = join(process.cwd(), 'bin', 'pvlcheck.js');
const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Registered in each thread (worker threads inherit --import): "<threadId> <url>" per module loaded.
const HOOKS = `import { appendFileSync } from 'node:fs';
let thread = -1;
export function initialize(data) { thread = data.thread; }
export async function load(url, context, next) {
  appendFileSync(process.env.PVLCHECK_LOAD_LOG, thread + ' ' + url + '\\n');
  return next(url, context);
}`;
const REGISTER = `import { register } from 'node:module';
import { threadId } from 'node:worker_threads';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)}, { data: { thread: threadId } });`;

interface Loads {
  status: number | null;
  /** Module URLs loaded, by thread id (0: the main thread). */
  byThread: Map<number, string[]>;
}

let runs = 0;
function loadsOf(args: string[]): Loads {
  const log = join(dir, `loads-${runs++}.txt`);
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, bin, ...args], {
    env: { ...process.env, PVLCHECK_LOAD_LOG: log },
    encoding: 'utf8',
  });
  const byThread = new Map<number, string[]>();
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const m = /^(\d+) (.+)$/.exec(line);
    if (!m) continue;
    const t = Number(m[1]);
    byThread.set(t, [...(byThread.get(t) ?? []), m[2]!]);
  }
  return { status: r.status, byThread };
}

/** What explore never needs: the libraries of other commands, other commands' modules. */
const HEAVY = ['fast-check', 'ajv', 'ws', '@statelyai/inspect', 'superjson'];
const OTHER_COMMANDS = ['check', 'checkWorker', 'simulate', 'replay', 'export', 'merge', 'mergeExplore', 'sweep', 'report', 'conform', 'inspect'];

function packagesIn(urls: readonly string[]): string[] {
  return HEAVY.filter((p) => urls.some((u) => u.includes(`/node_modules/${p}/`)));
}
function otherCommandsIn(urls: readonly string[]): string[] {
  return OTHER_COMMANDS.filter((c) => urls.some((u) => u.endsWith(`/dist/src/cli/${c}.js`)));
}

describe('start-up: the modules a command loads', () => {
  it('sees a library that is loaded: check loads fast-check', () => {
    const { status, byThread } = loadsOf(['check', '--help']);
    expect(status).toBe(0);
    expect(packagesIn(byThread.get(0) ?? [])).toContain('fast-check');
  });

  it('explore --help loads no other command and none of their libraries', () => {
    const { status, byThread } = loadsOf(['explore', '--help']);
    expect(status).toBe(0);
    const main = byThread.get(0) ?? [];
    expect(main.some((u) => u.endsWith('/dist/src/cli/explore.js'))).toBe(true);
    expect(packagesIn(main)).toEqual([]);
    expect(otherCommandsIn(main)).toEqual([]);
  });

  it("a small explore loads neither in the main thread, and its worker thread none of the CLI's modules", () => {
    const { status, byThread } = loadsOf(['explore', '--max-faults', '0', '--property', 'S1']);
    expect(status).toBe(0);
    const workers = [...byThread.keys()].filter((t) => t !== 0);
    expect(workers).toHaveLength(1);
    const worker = byThread.get(workers[0]!)!;
    expect(worker.some((u) => u.endsWith('/dist/src/explorer/workerThread.js'))).toBe(true);
    expect(worker.some((u) => u.endsWith('/dist/properties/index.js'))).toBe(true);
    for (const urls of byThread.values()) {
      expect(packagesIn(urls)).toEqual([]);
      expect(otherCommandsIn(urls)).toEqual([]);
    }
    expect(worker.filter((u) => u.includes('/dist/src/cli/') || u.includes('/dist/src/report/'))).toEqual([]);
  });
});

describe('the search thread, started before the command loads', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [bin, 'explore', ...args], { env: { ...process.env, PVLCHECK_DEBUG: '1' }, encoding: 'utf8' });
  const EARLY = 'explore: the search runs in the thread started early';

  it('runs a one-thread search under the default memory bound, with the verdicts of a thread started for it', () => {
    const early = run(['--max-faults', '1', '--format', 'json']);
    const late = run(['--max-faults', '1', '--format', 'json', '--memory', '2048']);
    expect([early.status, late.status]).toEqual([0, 0]);
    expect(early.stderr).toContain(EARLY);
    // Another bound is another heap limit, fixed when a thread starts: a thread of its own.
    expect(late.stderr).not.toContain(EARLY);
    const figures = (out: string) => {
      const r = JSON.parse(out) as { states: number; transitions: number; verdicts: unknown };
      return { states: r.states, transitions: r.transitions, verdicts: r.verdicts };
    };
    expect(figures(early.stdout)).toEqual(figures(late.stdout));
  });

  it('has a nursery a small search never collects, unless the search is lean or its bound small', () => {
    const newSpaceMb = (stderr: string) => Number(/a new space of (\d+) MB/.exec(stderr)?.[1]);
    const large = run(['--max-faults', '0', '--property', 'S1']);
    const lean = run(['--max-faults', '0', '--property', 'S1', '--lean']);
    const bounded = run(['--max-faults', '0', '--property', 'S1', '--memory', '1024']);
    expect([large.status, lean.status, bounded.status]).toEqual([0, 0, 0]);
    expect(large.stderr).toContain(EARLY);
    expect(newSpaceMb(large.stderr)).toBe(256);
    // Memory first, or a bound the garbage would take an eighth of: a thread of its own, with a small nursery.
    expect(lean.stderr).not.toContain(EARLY);
    expect(newSpaceMb(lean.stderr)).toBeLessThanOrEqual(16);
    expect(bounded.stderr).not.toContain(EARLY);
    expect(newSpaceMb(bounded.stderr)).toBeLessThanOrEqual(16);
  });

  it('is ended when the flags are bad: exit 2, and the process does not wait for it', () => {
    const r = run(['--max-faults', 'two']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--max-faults');
    expect(r.stderr).not.toContain(EARLY);
  });
});
