/**
 * Dependencies point one way between folders: engine -> checker -> explorer -> cli, with
 * config, models and properties below them (docs/architecture.md). An import that closes a
 * cycle between two folders fails here, naming the folders and a file on each edge.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const TOP = ['src', 'models', 'properties'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** `src/engine`, `models`, ...: the folder a file belongs to. */
function folderOf(file: string): string {
  const parts = relative(ROOT, file).split('/');
  return parts[0] === 'src' ? `src/${parts[1]}` : parts[0]!;
}

/** Folder -> folder it imports -> one file that does. */
function folderEdges(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const top of TOP) {
    for (const file of sourceFiles(join(ROOT, top))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
        const target = resolve(dirname(file), m[1]!);
        const from = folderOf(file);
        const to = folderOf(target);
        if (from === to || !TOP.some((t) => relative(ROOT, target).startsWith(t))) continue;
        if (!edges.has(from)) edges.set(from, new Map());
        if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, relative(ROOT, file));
      }
    }
  }
  return edges;
}

/** Every cycle between folders, as "a -> b -> a (a/file.ts, b/file.ts)". */
function folderCycles(edges = folderEdges()): string[] {
  const cycles: string[] = [];
  const stack: string[] = [];
  const onStack = new Set<string>();
  const done = new Set<string>();
  const visit = (v: string): void => {
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (onStack.has(w)) {
        const loop = [...stack.slice(stack.indexOf(w)), w];
        const files = loop.slice(0, -1).map((a, i) => edges.get(a)!.get(loop[i + 1]!)!);
        cycles.push(`${loop.join(' -> ')} (${files.join(', ')})`);
      } else if (!done.has(w)) visit(w);
    }
    stack.pop();
    onStack.delete(v);
    done.add(v);
  };
  for (const v of [...edges.keys()].sort()) if (!done.has(v)) visit(v);
  return cycles;
}

describe('folders', () => {
  it('import one another without a cycle', () => {
    expect(folderCycles()).toEqual([]);
  });

  it('a cycle is found when there is one (the check can fail)', () => {
    const edges = new Map([
      ['src/engine', new Map([['src/checker', 'src/engine/a.ts']])],
      ['src/checker', new Map([['src/engine', 'src/checker/b.ts']])],
    ]);
    expect(folderCycles(edges)).toEqual(['src/checker -> src/engine -> src/checker (src/checker/b.ts, src/engine/a.ts)']);
  });

  it('engine, config, models and properties import nothing from the checker, explorer or cli', () => {
    const edges = folderEdges();
    const below = ['src/engine', 'src/config', 'models'];
    const above = ['src/explorer', 'src/cli'];
    for (const from of below) for (const to of [...above, 'src/checker']) expect(edges.get(from)?.get(to), `${from} -> ${to}`).toBeUndefined();
    for (const to of above) expect(edges.get('properties')?.get(to), `properties -> ${to}`).toBeUndefined();
    for (const to of above) expect(edges.get('src/checker')?.get(to), `src/checker -> ${to}`).toBeUndefined();
  });

  it('no two files of the explorer import each other', () => {
    const mutual: string[] = [];
    for (const folder of ['src/explorer']) {
      const imports = new Map<string, Set<string>>();
      for (const file of sourceFiles(join(ROOT, folder))) {
        const text = readFileSync(file, 'utf8');
        const targets = new Set<string>();
        for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) targets.add(resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts'));
        imports.set(file, targets);
      }
      for (const [a, targets] of imports) for (const b of targets) if (a < b && imports.get(b)?.has(a)) mutual.push(`${relative(ROOT, a)} <-> ${relative(ROOT, b)}`);
    }
    expect(mutual).toEqual([]);
  });

  /** The lines of properties/ that match `pattern`, as file:line: text. */
  const propertyLinesMatching = (pattern: RegExp): string[] => {
    const found: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'properties'))) {
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        if (pattern.test(line)) found.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    return found;
  };

  it("properties read statecharts through the observation's accessors, never a snapshot's internals, a cache key or a memo slot", () => {
    const internals = /\.xs\b|\bsnap\.key\b|\bmemoOf\b|\bsetMemo\b|\bMEMO\b|\bMemoised\b|src\/explorer\//;
    expect(internals.test('const ctx = after.xs.context;'), 'the check can fail').toBe(true);
    expect(propertyLinesMatching(internals)).toEqual([]);
  });

  it('properties keep no cache of their own at module level (a monitor is its data and its step; caching is the checker\'s)', () => {
    const moduleCache = /^(?:export\s+)?(?:const|let|var)\s+\w+\s*(?::[^=]+)?=\s*new\s+(?:Weak)?Map\b/;
    expect(moduleCache.test('const seen = new WeakMap<System, string[]>();'), 'the check can fail').toBe(true);
    expect(moduleCache.test("const WATCHED: ReadonlySet<string> = new Set(['client']);"), 'a constant set is no cache').toBe(false);
    expect(propertyLinesMatching(moduleCache)).toEqual([]);
  });
});
