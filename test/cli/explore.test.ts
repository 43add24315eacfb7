/**
 * `pvlcheck explore`: in-process (one worker) and as the built command with two worker
 * threads (the test script builds dist/ first); the figures match the explorer manifest.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { bufferIo } from '../../src/cli/io.js';
import { EXPLORER_MANIFEST } from '../../src/explorer/manifest.js';

describe('pvlcheck explore', () => {
  it('prints the shortest prior-art counterexample to L1, writes it, and replay shows it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvl-explore-'));
    const io = bufferIo(dir);
    expect(await main(['explore', '--design', 'prior-art', '--workers', '1'], io)).toBe(0);
    const out = io.stdout();
    expect(out).toContain('L1 Reverse delivery resumes');
    expect(out).toContain(`VIOLATED (shortest counterexample: ${EXPLORER_MANIFEST.small!['prior-art']!.violated.L1} moves)`);
    expect(out).toContain('exhausted: every reachable state visited');
    expect(out).toContain(`distinct states  ${EXPLORER_MANIFEST.small!['prior-art']!.states}`);
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
    expect(r).toMatchObject({ states: EXPLORER_MANIFEST.small!.patent!.states, exhausted: true, violations: [], asExpected: true });
  });

  it('gives the same figures with two worker threads (the built command)', () => {
    const bin = join(process.cwd(), 'bin', 'pvlcheck.js');
    const out = execFileSync(process.execPath, [bin, 'explore', '--workers', '2', '--design', 'prior-art', '--reporter', 'json'], {
      cwd: mkdtempSync(join(tmpdir(), 'pvl-explore-')),
      encoding: 'utf8',
    });
    const r = JSON.parse(out) as { states: number; transitions: number; workers: number; violations: { property: string; moves: number }[] };
    const expected = EXPLORER_MANIFEST.small!['prior-art']!;
    expect(r.workers).toBe(2);
    expect(r.states).toBe(expected.states);
    expect(r.transitions).toBe(expected.transitions);
    expect(Object.fromEntries(r.violations.map((v) => [v.property, v.moves]))).toEqual(expected.violated);
  });

  it('explores each property on its own in two worker threads, with the recorded totals and the same shortest counterexamples', () => {
    const bin = join(process.cwd(), 'bin', 'pvlcheck.js');
    const dir = mkdtempSync(join(tmpdir(), 'pvl-explore-'));
    const out = execFileSync(process.execPath, [bin, 'explore', '--per-property', '--workers', '2', '--design', 'prior-art', '--reporter', 'json'], {
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
