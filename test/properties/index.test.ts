/**
 * The property list, the manifest and the seeded bugs agree: every property has one id,
 * a kind that fits it, and an expected verdict per design; every seeded bug names
 * properties that exist.
 */
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { MUTANTS, MUTANT_NAMES } from '../../models/mutants.js';
import { expectedVerdict, manifestPath, readManifest } from '../../src/checker/verdicts.js';
import { PACKAGE_ROOT } from '../../src/config/packageRoot.js';

/** properties/manifest.json, read as the command reads it (at run time). */
const MANIFEST = readManifest(manifestPath(PACKAGE_ROOT, {}));

const ids = PROPERTIES.map((p) => p.id);

describe('properties/index.ts and manifest.json', () => {
  it('lists S1-S8, L1-L3 and W1-W3 once each', () => {
    expect(ids).toEqual(['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'L1', 'L2', 'L3', 'W1', 'W2', 'W3']);
  });

  it('gives each property the kind its id says', () => {
    for (const p of PROPERTIES) {
      const kind = p.id.startsWith('W') ? 'sometimes' : p.id === 'L1' || p.id === 'L2' ? 'eventually' : 'always';
      expect(p.kind, p.id).toBe(kind);
      expect(p.title.length, p.id).toBeGreaterThan(0);
      expect(p.description.length, p.id).toBeGreaterThan(0);
    }
  });

  it.each(['patent', 'prior-art'])('has an expected verdict for every property in %s', (design) => {
    expect(Object.keys(MANIFEST.designs[design] ?? {}).sort()).toEqual([...ids].sort());
  });

  it('expects the prior art to violate L1 and L2 and the patent to hold everything', () => {
    expect(expectedVerdict(MANIFEST, 'prior-art', 'L1')).toBe('violated');
    expect(expectedVerdict(MANIFEST, 'prior-art', 'L2')).toBe('violated');
    for (const p of PROPERTIES) {
      expect(expectedVerdict(MANIFEST, 'patent', p.id), p.id).toBe(p.kind === 'sometimes' ? 'witnessed' : 'holds');
    }
  });

  it.each(MUTANT_NAMES)('seeded bug %s is caught by existing properties, expected violated', (name) => {
    const m = MUTANTS[name]!;
    expect(m.caughtBy.length).toBeGreaterThan(0);
    for (const id of m.caughtBy) {
      expect(ids).toContain(id);
      expect(expectedVerdict(MANIFEST, name, id)).toBe('violated');
    }
    for (const id of ids.filter((x) => !m.caughtBy.includes(x))) expect(expectedVerdict(MANIFEST, name, id)).toBeNull();
  });
});
