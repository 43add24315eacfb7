/**
 * Where a command reads and writes: the real process by default, a buffer in tests, so
 * that the command line is tested in-process, exit codes and all.
 */
import { resolve } from 'node:path';

export interface Io {
  /** Print text (a newline is added unless `newline` is false). */
  out(text: string, newline?: boolean): void;
  err(text: string): void;
  /** Resolve a user's path against the working directory. */
  resolve(path: string): string;
  /** True when stderr is a terminal (progress bars go there). */
  readonly interactive: boolean;
}

export function processIo(): Io {
  // A closed pipe (`pvlcheck simulate | head`) ends the output, not the process with a trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  return {
    out: (text, newline = true) => process.stdout.write(newline ? text + '\n' : text),
    err: (text) => process.stderr.write(text + '\n'),
    resolve: (path) => resolve(process.cwd(), path),
    interactive: process.stderr.isTTY === true,
  };
}

/** An Io that keeps everything, for tests. */
export function bufferIo(cwd = process.cwd()): Io & { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    out: (text, newline = true) => {
      stdout += newline ? text + '\n' : text;
    },
    err: (text) => {
      stderr += text + '\n';
    },
    resolve: (path) => resolve(cwd, path),
    interactive: false,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
