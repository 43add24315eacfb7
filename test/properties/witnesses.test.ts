/**
 * W1-W3 witnesses: each happens in the patent story (fp-crash-reverse-only), none in a
 * run without faults, and the prior art never falls back to the VGW.
 */
import { describe, expect, it } from 'vitest';
import { failoverWitness } from '../../properties/failoverWitness.js';
import { restorationWitness } from '../../properties/restorationWitness.js';
import { vgwFallbackWitness } from '../../properties/vgwFallbackWitness.js';
import { builtin, verdictOn } from './helpers.js';

const witnesses = [vgwFallbackWitness, failoverWitness, restorationWitness];

describe('witnesses', () => {
  it.each(witnesses.map((w) => [w.id, w] as const))('%s is witnessed in fp-crash-reverse-only (patent)', (_id, w) => {
    const v = verdictOn(builtin('fp-crash-reverse-only'), w);
    expect(v.witnessed).toBe(true);
    expect(v.violation).toBeNull();
  });

  it.each(witnesses.map((w) => [w.id, w] as const))('%s is not witnessed in normal (patent)', (_id, w) => {
    expect(verdictOn(builtin('normal'), w).witnessed).toBe(false);
  });

  it.each(witnesses.map((w) => [w.id, w] as const))('%s is not witnessed in normal (prior-art)', (_id, w) => {
    expect(verdictOn(builtin('normal', 'prior-art'), w).witnessed).toBe(false);
  });

  it('the prior art never falls back to the VGW (W1) nor restores a fast path after it (W3)', () => {
    const s = builtin('fp-crash-reverse-only', 'prior-art');
    expect(verdictOn(s, vgwFallbackWitness).witnessed).toBe(false);
    expect(verdictOn(s, restorationWitness).witnessed).toBe(false);
  });

  it('a restart at the same address needs neither the VGW nor a failover (E3)', () => {
    const s = builtin('fp-restart');
    for (const w of witnesses) expect(verdictOn(s, w).witnessed, w.id).toBe(false);
  });

  it('with every fast path down (E1), the VGW is used but no fast path returns', () => {
    const s = builtin('all-fast-paths-down');
    expect(verdictOn(s, vgwFallbackWitness).witnessed).toBe(true);
    expect(verdictOn(s, restorationWitness).witnessed).toBe(false);
  });
});
