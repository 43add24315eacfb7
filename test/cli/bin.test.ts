/**
 * The command as a fresh machine runs it: `npx pvlcheck` executes the project's own bin
 * directly, so the file must be executable as checked out, and it must start the built CLI.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(process.cwd(), 'bin', 'pvlcheck.js');

describe('bin/pvlcheck.js', () => {
  it('is executable, with a node shebang', () => {
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    expect(execFileSync('head', ['-1', bin], { encoding: 'utf8' }).trim()).toBe('#!/usr/bin/env node');
  });

  it('runs on its own (as npx runs it) and answers --help', () => {
    const out = execFileSync(bin, ['check', '--help'], { encoding: 'utf8' });
    expect(out).toContain('--seed');
  });
});
