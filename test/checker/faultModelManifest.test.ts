/**
 * Expected verdicts per fault model (issue 10, point 4): `designs` stays the patent fault
 * model's; `faultModels.extended` holds the extended model's, validated field by field
 * (exit 2 naming the field); the real manifest names every property of each model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_PROPERTIES, PROPERTIES, propertiesFor } from '../../properties/index.js';
import { expectationOf, forFaultModel, parseManifest } from '../../src/checker/verdicts.js';
import { PACKAGE_ROOT } from '../../src/config/packageRoot.js';
import { inputError } from '../config/inputError.js';

const real = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'properties', 'manifest.json'), 'utf8')) as unknown;

describe('the manifest per fault model', () => {
  const m = parseManifest(real, 'manifest.json');

  it('names every property of each fault model for both designs', () => {
    for (const design of ['patent', 'prior-art']) {
      expect(Object.keys(m.designs[design]!).sort()).toEqual(PROPERTIES.map((p) => p.id).sort());
      expect(Object.keys(m.faultModels!.extended![design]!).sort()).toEqual(ALL_PROPERTIES.map((p) => p.id).sort());
    }
    expect(propertiesFor('extended').map((p) => p.id)).toEqual(expect.arrayContaining(['L4', 'W4', 'W5']));
    expect(propertiesFor('patent').map((p) => p.id)).not.toContain('L4');
  });

  it('the patent model reads `designs`; the extended model its own block', () => {
    expect(expectationOf(forFaultModel(m, 'patent'), 'patent', 'L3')).toEqual({ kind: 'expected', verdict: 'holds' });
    expect(expectationOf(forFaultModel(m, 'extended'), 'patent', 'L3')).toEqual({ kind: 'expected', verdict: 'violated' });
    expect(expectationOf(forFaultModel(m, 'extended'), 'patent', 'L4')).toEqual({ kind: 'expected', verdict: 'violated' });
    // A manifest without the block: every property of the extended model is not in it.
    const old = parseManifest({ designs: { patent: { L1: 'holds' } } }, 'old.json');
    expect(old.faultModels).toBeUndefined();
    expect(expectationOf(forFaultModel(old, 'extended'), 'patent', 'L1')).toEqual({ kind: 'not in the manifest' });
  });

  it.each<[string, unknown, string]>([
    ['a fault model that is not one', { designs: {}, faultModels: { wild: {} } }, 'm.json: faultModels.wild'],
    ['patent under faultModels (it is `designs`)', { designs: {}, faultModels: { patent: {} } }, 'm.json: faultModels.patent'],
    ['a verdict that is not one', { designs: {}, faultModels: { extended: { patent: { L4: 'broken' } } } }, 'm.json: faultModels.extended.patent.L4'],
    ['a design that is not an object', { designs: {}, faultModels: { extended: { patent: 3 } } }, 'm.json: faultModels.extended.patent'],
    ['faultModels not an object', { designs: {}, faultModels: [] }, 'm.json: faultModels'],
  ])('%s is refused naming the field', (_name, json, field) => {
    expect(inputError(() => parseManifest(json, 'm.json')).field).toBe(field);
  });
});
