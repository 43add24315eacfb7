/**
 * Steps a monitor chart skips or keeps as they were (chartMonitor.ts, stepAt): an event no
 * active state node has a transition for never reaches XState (MachineRunner.ignores), and
 * a step that changes nothing leaves the chart's data the very same object. Both must give
 * what XState gives: an ignored event the same snapshot and no actions, and an event some
 * state node (the root, a parent, a wildcard, an eventless transition reading the event)
 * answers goes through XState.
 */
import { assign, raise, setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import { chartMonitor, monitorActions, monitorRunner, type ChartData, type MonitorEvent } from '../../src/checker/chartMonitor.js';
import { StepRecorder, type Observation } from '../../src/checker/property.js';

const machine = setup({
  types: {} as { context: { n: number; at: number }; events: { type: string; t: number } },
  actions: { ...monitorActions, count: assign(({ context }) => ({ n: context.n + 1 })), note: assign(({ event }) => ({ at: event.t })) },
}).createMachine({
  id: 'steps',
  initial: 'a',
  context: { n: 0, at: 0 },
  on: { rootEvent: { actions: ['count'] } },
  states: {
    a: { on: { go: 'b', inert: {}, mark: { actions: ['note'] }, touch: { actions: [assign({})] }, later: { actions: [raise({ type: 'go', t: 0 }, { delay: 5 })] } } },
    b: {
      initial: 'b1',
      on: { parentEvent: { actions: ['witness'] } },
      states: {
        b1: { on: { child: 'b2' } },
        // An eventless transition whose guard reads the event: an event no state node names still moves it.
        b2: { always: { guard: ({ event }) => event.type === 'kick', target: '#steps.a' } },
      },
    },
    c: { type: 'parallel', states: { x: { on: { '*': { actions: ['witness'] } } }, y: {} } },
    d: { after: { 10: 'a' } },
    e: { on: { 'ns.*': { actions: ['witness'] } } },
    end: { type: 'final' },
  },
});

const TYPES = ['go', 'inert', 'ns.x', 'ns', 'rootEvent', 'parentEvent', 'child', 'kick', 'mark', 'touch', 'other', 'xstate.after.10.steps.d'];

describe('MachineRunner.ignores', () => {
  const runner = monitorRunner(machine);
  const states: Record<string, unknown> = { a: 'a', b1: { b: 'b1' }, b2: { b: 'b2' }, c: { c: { x: {}, y: {} } }, d: 'd', e: 'e', end: 'end' };
  const snapOf = (name: string) => runner.resolve(name === 'c' ? { c: { x: {}, y: {} } } : states[name], { n: 0, at: 0 });

  it('ignores only events no active state node answers', () => {
    const ignored = (name: string) => TYPES.filter((type) => runner.ignores(snapOf(name), type));
    expect(ignored('a')).toEqual(['ns.x', 'ns', 'parentEvent', 'child', 'kick', 'other']);
    expect(ignored('b1')).toEqual(['go', 'inert', 'ns.x', 'ns', 'kick', 'mark', 'touch', 'other']);
    // Eventless transitions: nothing is ignored (the guard may read any event).
    expect(ignored('b2')).toEqual([]);
    // A wildcard in a region of a parallel state answers everything; a partial one is read broadly.
    expect(ignored('c')).toEqual([]);
    expect(ignored('e')).toEqual([]);
    // Its own timer's event is XState's: never ignored.
    expect(ignored('d')).toEqual(['go', 'inert', 'ns.x', 'ns', 'parentEvent', 'child', 'kick', 'mark', 'touch', 'other']);
    // A final state: left to XState.
    expect(ignored('end')).toEqual([]);
  });

  it('ignores an event only where XState gives the same snapshot back with no actions', () => {
    for (const name of Object.keys(states)) {
      const snap = snapOf(name);
      for (const type of TYPES) {
        if (!runner.ignores(snap, type)) continue;
        const r = runner.step(snap, { type, t: 5 } as { type: string });
        expect(r.snap, `${name} ${type}`).toBe(snap);
        expect(r.effects).toEqual([]);
      }
    }
    // The eventless transition moves on an event no state node names.
    expect(runner.step(snapOf('b2'), { type: 'kick', t: 5 } as { type: string }).snap.xs.value).toBe('a');
  });
});

describe('chartMonitor steps that change nothing', () => {
  let next: { key: string; event: MonitorEvent }[] = [];
  const obs = (now: number): Observation => ({ world: { now }, events: [], move: null, prev: null }) as unknown as Observation;
  const monitor = chartMonitor({ machine, input: () => ({}), observes: [], observe: () => next, times: ['t', 'at'] });
  const stepWith = (recorder: StepRecorder, data: ChartData, now: number, ...types: string[]): ChartData => {
    next = types.map((type) => ({ key: 'k', event: { type, t: now } }));
    return monitor.step(data, obs(now), recorder) as ChartData;
  };
  const step = (data: ChartData, now: number, ...types: string[]): ChartData => stepWith(new StepRecorder(), data, now, ...types);
  const valueOf = (d: ChartData) => d.instances.k!.snap.xs.value;
  const contextAt = (d: ChartData) => {
    const inst = d.instances.k!;
    const c = inst.snap.xs.context as { n: number; at: number };
    return { n: c.n, at: c.at + inst.origin };
  };

  it('keeps the data when the chart ignores the event or its actions change nothing, and steps it otherwise', () => {
    let d = step(monitor.init(null as never, null as never) as ChartData, 1, 'mark');
    expect(contextAt(d)).toEqual({ n: 0, at: 1 });
    // Ignored, an event only an eventless transition elsewhere reads, an assignment of nothing, an inert transition: the same object, at later times too.
    for (const [now, type] of [[2, 'other'], [3, 'kick'], [4, 'touch'], [5, 'inert'], [6, 'other']] as const) {
      expect(step(d, now, type), type).toBe(d);
    }
    // Answered by the root: stepped.
    const counted = step(d, 7, 'rootEvent');
    expect(counted).not.toBe(d);
    expect(contextAt(counted)).toEqual({ n: 1, at: 1 });
    // An absolute time kept across frames: noted at 1, still 1 after steps at later times.
    d = step(counted, 9, 'mark');
    expect(contextAt(d)).toEqual({ n: 1, at: 9 });
    d = step(d, 10, 'go', 'child');
    expect(valueOf(d)).toEqual({ b: 'b2' });
    // In b2, `kick` is named by no state node, yet the eventless transition reads it: it must reach XState.
    const kicked = step(d, 11, 'kick');
    expect(valueOf(kicked)).toBe('a');
    expect(contextAt(kicked)).toEqual({ n: 1, at: 9 });
  });

  it('steps an event whose actions report or set a timer, though the snapshot stays the same', () => {
    const atA = step(monitor.init(null as never, null as never) as ChartData, 1, 'mark');
    // A timer: the same snapshot, one effect.
    const timed = step(atA, 2, 'later');
    expect(timed).not.toBe(atA);
    expect(valueOf(timed)).toBe('a');
    expect(timed.instances.k!.timers.map((d) => d.at)).toEqual([7]);
    // A report (`witness`) from a parent state: the same snapshot, one effect, which the verdict keeps.
    const atB1 = step(atA, 3, 'go');
    const recorder = new StepRecorder();
    const witnessed = stepWith(recorder, atB1, 4, 'parentEvent');
    expect(valueOf(witnessed)).toEqual({ b: 'b1' });
    expect(recorder.end().witnessed).toBe(true);
  });
});
