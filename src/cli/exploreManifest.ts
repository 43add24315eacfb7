/**
 * The two manifests `pvlcheck explore` compares with, read at run time (editing them
 * takes effect without a rebuild): the explorer's own, `properties/explorer-manifest.json`
 * (exact figures per profile and design), and the expected verdicts of
 * `properties/manifest.json`, read as `check` reads it (src/checker/verdicts.ts). Found
 * through PACKAGE_ROOT; a test (or a user trying an edit) can point at other files with
 * PVLCHECK_EXPLORER_MANIFEST and PVLCHECK_MANIFEST. A file that is missing, not JSON or
 * malformed is an InputError naming the file and the field (exit 2). The explorer
 * (src/explorer) gets the parsed data as an argument.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../config/validate.js';
import { DESIGN_NAMES } from '../engine/system.js';
import { forFaultModel, manifestPath, readManifest } from '../checker/verdicts.js';
import type { FaultModel } from '../config/faults.js';
import { parseExplorerManifest, type ExpectedVerdicts, type ExplorerManifest } from '../explorer/manifest.js';
import { PROFILES } from '../explorer/profiles.js';
import { PACKAGE_ROOT } from '../config/packageRoot.js';

export function explorerManifestPath(): string {
  return process.env.PVLCHECK_EXPLORER_MANIFEST || join(PACKAGE_ROOT, 'properties', 'explorer-manifest.json');
}

export function verdictManifestPath(): string {
  return manifestPath(PACKAGE_ROOT);
}

/** A path as the user would name it: relative to the package when inside it. */
function shown(path: string): string {
  const r = relative(PACKAGE_ROOT, path);
  return r.startsWith('..') || r === '' ? path : r;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(shown(path), `cannot read the manifest (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError(shown(path), `not valid JSON: ${(e as Error).message}`);
  }
}

export function loadExplorerManifest(path = explorerManifestPath()): { manifest: ExplorerManifest; file: string } {
  const file = shown(path);
  return { manifest: parseExplorerManifest(readJson(path), file, Object.keys(PROFILES), DESIGN_NAMES), file };
}

export function loadExpectedVerdicts(path = verdictManifestPath(), faultModel?: FaultModel): { verdicts: ExpectedVerdicts; file: string } {
  return { verdicts: forFaultModel(readManifest(path), faultModel).designs, file: shown(path) };
}
