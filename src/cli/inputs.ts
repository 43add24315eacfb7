/**
 * The one reader of users' files (scenario files, `--config`, `replay FILE`, `--trace`):
 * a regular file only (not /dev/zero, a FIFO or a directory), at most a size cap, read as
 * UTF-8 with a leading byte-order mark dropped. Errors are one-line InputErrors naming the
 * flag (or the argument) the path came from.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../config/validate.js';

/** Scenario and config files: far above any real one (a scenario is a few kB). */
export const MAX_INPUT_BYTES = 10 * 1024 * 1024;
/** JSONL traces: a 10-minute run of the default scenario (the --until cap) is about 5 MB. */
export const MAX_TRACE_BYTES = 64 * 1024 * 1024;

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/**
 * Reads a user's file. `what` names where the path came from (a flag such as
 * `--scenario-file`, or `replay FILE`); `shown` is the path as the user wrote it.
 */
export function readInputFile(what: string, path: string, shown: string, maxBytes = MAX_INPUT_BYTES): string {
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO does not wait for a writer (it is refused below).
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new InputError(what, `cannot read ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a pipe' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
      throw new InputError(what, `cannot read ${shown}: ${kind.startsWith('not') ? 'it is ' + kind : `it is ${kind}, not a regular file`}`);
    }
    if (st.size > maxBytes) throw new InputError(what, `${shown} is ${mb(st.size)}, more than the ${mb(maxBytes)} pvlcheck reads`);
    // Read at most one byte past the cap, in case the file grew since fstat.
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n === buf.length) break;
    }
    if (n > maxBytes) throw new InputError(what, `${shown} is more than the ${mb(maxBytes)} pvlcheck reads`);
    if (n > st.size) throw new InputError(what, `${shown} changed while it was being read`);
    return stripBom(buf.subarray(0, n).toString('utf8'));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(what, `cannot read ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** Text without a leading UTF-8 byte-order mark (editors on Windows write one). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
