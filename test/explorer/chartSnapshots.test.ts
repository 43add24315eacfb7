/**
 * With folds, the explorer gives a monitor chart's instances one snapshot object per state
 * value, context fields the state can still read and their raw times (codec.ts, SnapTable),
 * so that snapshots alike but for fields no longer read share the chart's cached
 * transitions. The key is the same either way; a read field or a raw time keeps its own
 * snapshot; without folds nothing is interned; and a search pays about one XState
 * transition per class of such snapshots, with the verdicts and messages it gives without folds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastPathRestored, fastPathRestoredObligation } from '../../properties/fastPathRestored.js';
import { recoveryObligation } from '../../properties/recoveryMonitor.js';
import { reverseResumes, reverseResumesObligation } from '../../properties/reverseResumes.js';
import { monitorRunner, type ChartData } from '../../src/checker/chartMonitor.js';
import { eventually, type AnyProperty } from '../../src/checker/property.js';
import { MachineRunner, type Snap } from '../../src/engine/runner.js';
import { splitterFor } from '../../src/explorer/codec.js';
import { explore, initialState, spaceFor } from '../../src/explorer/explore.js';
import { successors } from '../../src/explorer/successors.js';
import type { ExplorerState } from '../../src/explorer/codec.js';
import { profileOptions } from './manifestCases.js';

/** A snapshot's class: its state value and the context fields that state reads (all where it names none, none once final). */
function classOf(p: AnyProperty, snap: Snap): string {
  const value = snap.xs.value;
  const state = typeof value === 'string' ? value : Object.keys(value as object)[0]!;
  const reads = snap.xs.status === 'done' ? [] : p.chart!.reads?.[state];
  const context = snap.xs.context as Record<string, unknown>;
  return `${p.id}|${JSON.stringify([value, reads ? Object.fromEntries(Object.entries(context).filter(([f]) => reads.includes(f))) : context])}`;
}

/** L1 and L2 with charts of their own: their caches start empty, whatever ran before in this process. */
const fresh = (): AnyProperty[] =>
  [
    [reverseResumes, reverseResumesObligation],
    [fastPathRestored, fastPathRestoredObligation],
  ].map(([p, o]) => {
    const q = p as AnyProperty;
    return eventually(q.id, q.title, q.source, q.description, recoveryObligation(o as typeof reverseResumesObligation));
  });

describe('one snapshot per part and raw times (splitterFor with intern)', () => {
  const l1 = fresh()[0]!;
  const scenario = profileOptions('small', 'patent').scenario;
  const runner = monitorRunner(l1.chart!.machine);
  const context = { flow: 'f1', budgetMs: 33, floorMs: 5, applicable: true, movingDeadline: true, takeoverMs: 3, lastFwdAt: 7, base: 7, armedAt: 22, faultAt: 22, usedVgw: false };
  const snap = (value: string, over: Record<string, unknown> = {}): Snap => runner.resolve(value, { ...context, ...over });
  const data = (s: Snap, origin = 0): ChartData => ({ instances: { f1: { snap: s, origin, timers: [] } } });
  const snapOf = (d: ChartData): Snap => d.instances.f1!.snap;

  it('gives an instance the first snapshot met that differs only in fields its state no longer reads', () => {
    const split = splitterFor(l1, scenario, true, true);
    const a = data(snap('awaiting'));
    // awaiting reads neither armedAt (each way into it writes it first) nor usedVgw.
    const b = data(snap('awaiting', { armedAt: 30, usedVgw: true }));
    const before = snapOf(b);
    expect(before).not.toBe(snapOf(a));
    const ka = split(a);
    expect(split(b)).toEqual(ka);
    expect(snapOf(b)).toBe(snapOf(a));
    // Its key stays what it was with its own snapshot (a splitter that interns nothing).
    expect(splitterFor(l1, scenario, true, false)(data(before))).toEqual(ka);
    // Final states read nothing: one snapshot for all of them.
    const v1 = data(snap('violated'));
    const v2 = data(snap('violated', { faultAt: 40, lastFwdAt: null }));
    split(v1);
    split(v2);
    expect(snapOf(v2)).toBe(snapOf(v1));
  });

  it('keeps apart snapshots that differ in a field read, or in a read time relative to the origin', () => {
    const split = splitterFor(l1, scenario, true, true);
    const a = data(snap('awaiting'));
    split(a);
    const faultLater = data(snap('awaiting', { faultAt: 23 }));
    split(faultLater);
    expect(snapOf(faultLater)).not.toBe(snapOf(a));
    const otherFlow = data(snap('awaiting', { flow: 'f2' }));
    split(otherFlow);
    expect(snapOf(otherFlow)).not.toBe(snapOf(a));
    // The same absolute times in a frame 1 ms later: the same key, but stepAt's frames differ.
    const shifted = data(snap('awaiting', { lastFwdAt: 6, base: 6, armedAt: 21, faultAt: 21 }), 1);
    expect(split(shifted)).toEqual(split(data(snap('awaiting'))));
    expect(snapOf(shifted)).not.toBe(snapOf(a));
  });

  it('interns nothing without folds, or for a keying that does not ask', () => {
    for (const split of [splitterFor(l1, null, true, true), splitterFor(l1, scenario, true, false)]) {
      const a = data(snap('awaiting'));
      const b = data(snap('awaiting', { armedAt: 30, usedVgw: true }));
      const own = snapOf(b);
      split(a);
      split(b);
      expect(snapOf(b)).toBe(own);
    }
  });
});

describe('a search with folds', () => {
  // XState transitions of the fresh charts, and the classes of what they stepped: the state
  // value, the fields it reads (ChartDeclaration.reads; every field where it names none,
  // none once final), the event.
  let charts: Map<unknown, AnyProperty>;
  let steps = 0;
  let classes = new Set<string>();
  const step = MachineRunner.prototype.step;
  beforeAll(() => {
    MachineRunner.prototype.step = function (this: MachineRunner, snap: Snap, event: { type: string }) {
      const p = charts?.get(this.machine);
      if (p) {
        steps++;
        classes.add(`${classOf(p, snap)}|${JSON.stringify(event)}`);
      }
      return step.call(this, snap, event);
    };
  });
  afterAll(() => {
    MachineRunner.prototype.step = step;
  });
  const run = (design: string, folds: boolean) => {
    const properties = fresh();
    charts = new Map(properties.map((p) => [p.chart!.machine, p]));
    steps = 0;
    classes = new Set();
    const r = explore({ ...profileOptions('small', design, 1), properties, por: true, folds });
    return { r, steps, classes: classes.size };
  };

  it.each(['patent', 'prior-art'])('%s: about one chart transition per class of snapshots, the verdicts and messages of no folds', (design) => {
    const folded = run(design, true);
    const unfolded = run(design, false);
    // Patent: 181 transitions for 161 classes (224 without interning; 838 for 215 without folds).
    expect(folded.steps).toBeLessThanOrEqual(folded.classes * 1.2);
    expect(unfolded.steps).toBeGreaterThan(unfolded.classes * 1.2);
    const seen = (x: typeof folded) => x.r.violations.map((v) => ({ property: v.property, depth: v.depth, message: v.violation.message }));
    expect(seen(folded)).toEqual(seen(unfolded));
    expect(folded.r.witnessed).toEqual(unfolded.r.witnessed);
    expect(folded.r.exhausted && unfolded.r.exhausted).toBe(true);
  });
});

describe('the states a search keys', () => {
  it.each([true, false])('folds %s: one snapshot object per class (without folds, snapshots as the chart made them)', (folds) => {
    const opts = { ...profileOptions('small', 'patent', 1), por: true, folds };
    const { space, keys } = spaceFor(opts);
    const charts = opts.properties.flatMap((p, i) => (p.chart ? [[p, i] as const] : []));
    // Breadth first, every state keyed (as the search keys it) before it is looked at.
    const seen = new Set<string>();
    let level: ExplorerState[] = [initialState(space).state];
    const objects = new Map<string, Set<Snap>>();
    while (level.length > 0) {
      const next: ExplorerState[] = [];
      for (const state of level) {
        const key = keys.fingerprint(state).join(':');
        if (seen.has(key)) continue;
        seen.add(key);
        for (const [p, i] of charts) {
          for (const inst of Object.values((state.monitors[i]!.data as ChartData).instances)) {
            // The read fields' raw times are in the class: a snapshot's times are relative to its instance's origin.
            const k = classOf(p, inst.snap);
            let set = objects.get(k);
            if (set === undefined) objects.set(k, (set = new Set()));
            set.add(inst.snap);
          }
        }
        for (const s of successors(space, state)) next.push(s.state);
      }
      level = next;
    }
    expect(seen.size).toBeGreaterThan(1000);
    const shared = [...objects.values()].filter((set) => set.size > 1).length;
    if (folds) expect(shared).toBe(0);
    else expect(shared).toBeGreaterThan(0);
  });
});
