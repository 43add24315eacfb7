/**
 * docs/properties.md's claims table (C1-C8 -> model, properties, tests) stays true: every claim
 * of the patent has a row, and every model file, property id and test file a row names exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_PROPERTIES } from '../../properties/index.js';

const ROOT = new URL('../../', import.meta.url);
const doc = readFileSync(new URL('docs/properties.md', ROOT), 'utf8');
const section = doc.slice(doc.indexOf("## The patent's claims"), doc.indexOf('## In the reports'));
const rows = section
  .split('\n')
  .filter((line) => /^\| C\d \|/.test(line))
  .map((line) => line.split('|').map((cell) => cell.trim()));

describe("the claims table in docs/properties.md", () => {
  it('has one row per claim, C1 to C8', () => {
    expect(rows.map((r) => r[1])).toEqual(['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8']);
  });

  it.each(rows.map((r) => [r[1]!, r] as const))('%s names models, properties and tests that exist', (_claim, row) => {
    const [, , , modelled, properties, tests] = row;
    const models = [...modelled!.matchAll(/`((?:models|src)\/[\w/]+\.ts)`/g)].map((m) => m[1]!);
    expect(models.length).toBeGreaterThan(0);
    for (const file of models) expect(existsSync(new URL(file, ROOT)), file).toBe(true);

    const ids = [...properties!.matchAll(/\b([SLW]\d+)\b/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(0);
    const known = new Set(ALL_PROPERTIES.map((p) => p.id));
    for (const id of ids) expect(known.has(id), id).toBe(true);

    // A bare file name after a test/... path is in that path's folder.
    let folder = '';
    const files: string[] = [];
    for (const m of tests!.matchAll(/((?:test\/[\w/]+\/)?)([\w.]+\.test\.ts)/g)) {
      if (m[1]) folder = m[1];
      files.push(folder + m[2]);
    }
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(existsSync(new URL(file, ROOT)), file).toBe(true);
  });
});
