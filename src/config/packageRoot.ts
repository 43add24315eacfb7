/**
 * The folder of pvlcheck's own package.json, found from this module's place, so that
 * files users edit (the manifests, the log schema) are read from the source tree at run time, from
 * `src/` under vitest as from `dist/src/` when built.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'pvlcheck') return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json of pvlcheck above ${from}`);
  }
}

export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** pvlcheck's version, from its package.json. */
export const VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
