/**
 * Where commands write, checked before they run and written so that a reader never sees
 * half a file: `checkOutDir`/`checkOutFile` refuse, with an InputError naming the flag, a
 * path that cannot be written (a file where a directory is wanted, a directory where a
 * file is wanted, a missing or unwritable parent); `writeAtomic` writes a temporary file
 * in the same directory and renames it over the target. Shared by check, explore, export
 * and report. `shellQuote` quotes a path for the replay commands they print.
 */
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../config/validate.js';

export { shellQuote } from '../report/shellQuote.js';

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A directory that files will be written into: it exists and is a writable directory, or
 * it can be created (its nearest existing ancestor is a writable directory). `shown` is
 * the path as the user wrote it.
 */
export function checkOutDir(flag: string, path: string, shown: string = path): void {
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new InputError(flag, `${shown} is a file, not a directory`);
    if (!writable(path)) throw new InputError(flag, `cannot write into ${shown}: permission denied`);
    return;
  }
  let up = dirname(path);
  while (!existsSync(up) && dirname(up) !== up) up = dirname(up);
  if (!statSync(up).isDirectory()) throw new InputError(flag, `cannot create ${shown}: ${up} is a file, not a directory`);
  if (!writable(up)) throw new InputError(flag, `cannot create ${shown}: ${up} is not writable`);
}

/** A file that will be written: its directory exists and is writable, and it is not a directory. */
export function checkOutFile(flag: string, path: string, shown: string = path): void {
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(flag, `no directory ${dir} to write ${shown} into`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(flag, `${shown} is a directory`);
  if (!writable(dir)) throw new InputError(flag, `cannot write ${shown}: ${dir} is not writable`);
}

let temporaries = 0;

/**
 * Writes `text` to `path` through a temporary file in the same directory and a rename, so
 * that the file is either the old one or the whole new one. Returns whether a file was
 * replaced. Errors are the file system's (callers turn them into an InputError naming
 * their flag, after printing what they have).
 */
export function writeAtomic(path: string, text: string): { replaced: boolean } {
  const replaced = existsSync(path);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${temporaries++}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return { replaced };
}

/** `mkdir -p` then `writeAtomic`, with errors as an InputError naming `flag`. */
export function writeInto(flag: string, dir: string, name: string, text: string): { path: string; replaced: boolean } {
  const path = join(dir, name);
  try {
    mkdirSync(dir, { recursive: true });
    return { path, ...writeAtomic(path, text) };
  } catch (e) {
    throw new InputError(flag, `cannot write ${path}: ${code(e)}`);
  }
}

/** The message of a failed write, for "cannot write X: CODE". */
export function writeErrorCode(e: unknown): string {
  return code(e);
}
