/**
 * The explorer's word can be trusted: a `sometimes` property is witnessed when some
 * reachable step shows its witness (and only then), and a search stopped early says so
 * and keeps what it found (issue 9).
 */
import { describe, expect, it } from 'vitest';
import { PROPERTIES } from '../../properties/index.js';
import { faultsOf } from '../../src/checker/observe.js';
import { on, sometimes } from '../../src/checker/property.js';
import { explore, type ExploreOptions, type Progress } from '../../src/explorer/explore.js';
import { profileSpace } from '../../src/explorer/profiles.js';

function options(design: string, extra: Partial<ExploreOptions> = {}): ExploreOptions {
  return { ...profileSpace('small', design), properties: PROPERTIES, maxDepth: 100_000, ...extra };
}

/**
 * A witness whose data never changes: to the state key every one of its monitor states is
 * the same, witnessed or not, so the explorer keeps the unwitnessed one; the witness must
 * be seen where the step is worked out.
 */
const restartWitness = sometimes<null>('WR', 'A fast path restarts', 'test', 'In some run a fast path restarts.', {
  observes: [on.faults()],
  init: () => null,
  step: (data, obs, report) => {
    if (faultsOf(obs).some((f) => f.kind === 'restart')) report.witness();
    return data;
  },
});

describe('witnesses', () => {
  it('W1 and W3 are not witnessed in any reachable state of the prior art (small); W2 is', () => {
    const r = explore(options('prior-art'));
    expect(r.exhausted).toBe(true);
    expect([...r.witnessed].sort()).toEqual(['W2']);
  });

  it('W1, W2 and W3 are witnessed in the patent design (small)', () => {
    const r = explore(options('patent'));
    expect([...r.witnessed].sort()).toEqual(['W1', 'W2', 'W3']);
  });

  it('a witness is found when some reachable step shows it, not otherwise', () => {
    const withRestarts = explore(options('patent', { properties: [restartWitness], maxFaults: 2 }));
    expect(withRestarts.witnessed).toEqual(['WR']);
    // Crashes only: no restart is reachable.
    const crashesOnly = profileSpace('small', 'patent').faultMenu.filter((f) => f.kind === 'crash');
    const without = explore(options('patent', { properties: [restartWitness], maxFaults: 2, faultMenu: crashesOnly }));
    expect(without.exhausted).toBe(true);
    expect(without.witnessed).toEqual([]);
  });

  it('each property on its own gives the same witnesses', () => {
    const r = explore(options('prior-art', { perProperty: true }));
    expect([...r.witnessed].sort()).toEqual(['W2']);
    expect(r.byProperty!.find((p) => p.property === 'W2')!.witnessed).toEqual(['W2']);
  });
});

describe('a search stopped early', () => {
  it('stops when the poll says so, is not exhausted, and keeps the violations found so far', () => {
    const seen: Progress[] = [];
    const r = explore(
      options('prior-art', {
        poll: (p) => {
          seen.push(p);
          return p.states > 6000 ? 'interrupted' : null;
        },
      }),
    );
    const whole = explore(options('prior-art'));
    expect(r.cutBy).toBe('interrupted');
    expect(r.exhausted).toBe(false);
    expect(r.states).toBeLessThan(whole.states);
    // L1's shortest counterexample (52 moves) comes before 6,000 states; it is kept.
    const l1 = r.violations.find((v) => v.property === 'L1');
    expect(l1?.depth).toBe(52);
    expect(l1?.edges).toHaveLength(52);
    // The poll saw the search grow.
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[seen.length - 1]!.states).toBeGreaterThan(seen[0]!.states);
    expect(seen[seen.length - 1]!.tableBytes).toBeGreaterThan(0);
  });

  it('explored property by property, stops at the first property the poll stops: the rest stay unexplored', () => {
    let polls = 0;
    const r = explore(options('patent', { perProperty: true, poll: () => (++polls > 3 ? 'memory' : null) }));
    expect(r.exhausted).toBe(false);
    expect(r.cutBy).toBe('memory');
    expect(r.byProperty!.length).toBeLessThan(PROPERTIES.length);
    expect(r.byProperty![r.byProperty!.length - 1]!.cutBy).toBe('memory');
  });
});
