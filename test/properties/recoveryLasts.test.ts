/**
 * L4 (recovery lasts) and the witnesses W4, W5 of the extended fault model: each shown
 * holding and violated (or witnessed and not) on built-in scenarios.
 */
import { describe, expect, it } from 'vitest';
import { builtinScenario } from '../../src/config/builtins.js';
import { evaluate } from '../../src/checker/evaluate.js';
import { recoveryLasts } from '../../properties/recoveryLasts.js';
import { vgwBlackHoleWitness } from '../../properties/vgwBlackHoleWitness.js';
import { slowPathBlockWitness } from '../../properties/slowPathBlockWitness.js';

const extended = (name: string, design = 'patent') => ({ ...builtinScenario(name, design)!, faultModel: 'extended' as const });

describe('L4 recovery lasts', () => {
  it('is violated by the reverse-link-down oscillation: black-holed again after the VGW brought data back', () => {
    const v = evaluate(extended('reverse-link-down'), [recoveryLasts]).verdicts.get('L4')!;
    expect(v.violation?.message).toMatch(/black-holed again \(link-down on lvs->fp2\)/);
    expect(v.violation!.t).toBeGreaterThan(5000);
  });

  it('holds, and is exercised, when a crashed fast path is replaced (Fig. 5)', () => {
    const r = evaluate(extended('fp-crash-reverse-only'), [recoveryLasts]);
    const v = r.verdicts.get('L4')!;
    expect(v.violation).toBeNull();
    expect(v.triggers).toBeGreaterThan(0);
    expect(r.exercised.get('L4')).toBeGreaterThan(0);
  });

  it('is voided when no fast path is left healthy (E1)', () => {
    const v = evaluate(extended('all-fast-paths-down'), [recoveryLasts]).verdicts.get('L4')!;
    expect(v.violation).toBeNull();
    expect(v.voided).toBeGreaterThan(0);
  });

  it('under the patent fault model, a cut fast path link voids it (as it voids L3)', () => {
    const v = evaluate(builtinScenario('reverse-link-down')!, [recoveryLasts]).verdicts.get('L4')!;
    expect(v.violation).toBeNull();
    expect(v.voided).toBeGreaterThan(0);
  });
});

describe('W4, W5: the black holes the spec promises nothing about (E8)', () => {
  it('W4 is witnessed with the VGW down during the fallback, not on a plain fast path crash', () => {
    expect(evaluate(builtinScenario('vgw-down')!, [vgwBlackHoleWitness]).verdicts.get('W4')!.witnessed).toBe(true);
    expect(evaluate(extended('fp-crash-reverse-only'), [vgwBlackHoleWitness]).verdicts.get('W4')!.witnessed).toBe(false);
  });

  it('W5 is witnessed with the slow path down at failover, not on a plain fast path crash', () => {
    expect(evaluate(builtinScenario('slow-path-down')!, [slowPathBlockWitness]).verdicts.get('W5')!.witnessed).toBe(true);
    expect(evaluate(extended('fp-crash-reverse-only'), [slowPathBlockWitness]).verdicts.get('W5')!.witnessed).toBe(false);
  });
});

describe('the fault model decides the preconditions', () => {
  it('a gray fast path voids L2 and L3 under the patent model, and breaks them under the extended one', async () => {
    const { fastPathRestored } = await import('../../properties/fastPathRestored.js');
    const { vgwQuiesces } = await import('../../properties/vgwQuiesces.js');
    const gray = builtinScenario('gray-fast-path')!;
    expect(gray.faultModel).toBe('extended');
    const ext = evaluate(gray, [fastPathRestored, vgwQuiesces]).verdicts;
    expect(ext.get('L2')!.violation).not.toBeNull();
    expect(ext.get('L3')!.violation).not.toBeNull();
    const { faultModel: _m, ...patent } = gray;
    const pat = evaluate(patent, [fastPathRestored, vgwQuiesces]).verdicts;
    expect(pat.get('L2')!.violation).toBeNull();
    expect(pat.get('L2')!.triggers).toBe(0); // impaired: no obligation while the gray fast path hides from the probe
    expect(pat.get('L3')!.violation).toBeNull();
  });
});
