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
  /**
   * How long commands show progress: 'bar', redrawn in place on a terminal; 'lines', a
   * line now and then (stderr to a file or a CI log); 'none' (tests, unless asked for).
   */
  readonly progress: 'bar' | 'lines' | 'none';
  /** Redraws the progress bar in place ('bar' only); '' clears it. */
  bar(text: string): void;
  /** Wall-clock milliseconds, for progress and timings only (never for a decision). */
  now(): number;
}

export function processIo(): Io {
  // A closed pipe (`pvlcheck simulate | head`) ends the output, not the process with a trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  let barWidth = 0;
  return {
    out: (text, newline = true) => process.stdout.write(newline ? text + '\n' : text),
    err: (text) => process.stderr.write(text + '\n'),
    resolve: (path) => resolve(process.cwd(), path),
    interactive: process.stderr.isTTY === true,
    progress: process.stderr.isTTY === true ? 'bar' : 'lines',
    bar: (text) => {
      // Pad over the previous bar only (a wider line would wrap on a narrow terminal).
      process.stderr.write(text === '' ? `\r${' '.repeat(barWidth)}\r` : `\r${text.padEnd(barWidth)}`);
      barWidth = text.length;
    },
    now: () => performance.now(), // real-time-ok: progress and timings only
  };
}

/**
 * An Io that keeps everything, for tests. No progress unless `options.progress` asks for
 * progress lines, with `options.now` as the clock.
 */
export function bufferIo(
  cwd = process.cwd(),
  options: { progress?: 'lines' | 'none'; now?: () => number } = {},
): Io & { stdout: () => string; stderr: () => string } {
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
    progress: options.progress ?? 'none',
    bar: () => {},
    now: options.now ?? (() => performance.now()), // real-time-ok: progress and timings only
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
