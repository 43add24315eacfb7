/**
 * `derived` (src/checker/observe.ts) works a pure function of an observation out once per
 * observation, also when the function asks `derived` for another one itself.
 */
import { describe, expect, it } from 'vitest';
import { derived } from '../../src/checker/observe.js';
import type { Observation } from '../../src/checker/property.js';

/** An observation of a step with no events (what `derived` keys by is the object). */
const observation = (): Observation => ({ events: [], move: null, prev: null }) as unknown as Observation;

describe('derived', () => {
  it('works each function out once per observation, nested or not', () => {
    const calls = { inner: 0, outer: 0 };
    const inner = (_: Observation) => ++calls.inner;
    const outer = (obs: Observation) => (calls.outer++, derived(obs, inner) * 10);
    const obs = observation();
    expect(derived(obs, outer)).toBe(10);
    // The inner value, worked out inside the outer one, is remembered too.
    expect(derived(obs, inner)).toBe(1);
    expect(derived(obs, outer)).toBe(10);
    expect(calls).toEqual({ inner: 1, outer: 1 });
    // Another observation, afresh.
    expect(derived(observation(), inner)).toBe(2);
  });
});
