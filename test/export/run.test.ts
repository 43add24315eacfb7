/**
 * The exported machines run as they are: each file `pvlcheck export` writes is imported
 * (as a module, from a temporary directory) and started with `createActor(machine).start()`,
 * then sent every event its chart names, with timers fired in between. Bounded by steps,
 * not by the wall clock: a virtual clock fires at most MAX_TIMERS timers per advance and
 * at most MAX_MICROSTEPS microsteps may follow one event, so a machine that re-enters
 * forever (a 0 ms self-loop) or loops on eventless transitions fails instead of hanging.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createActor, createMachine, type AnyStateMachine } from 'xstate';
import { afterAll, describe, expect, it } from 'vitest';
import { charts, exportedImplementations, machineSource } from '../../src/export/statecharts.js';

const MAX_TIMERS = 200;
const MAX_MICROSTEPS = 200;

/** A virtual clock for xstate: timers fire only when advanced, and only so many. */
class BoundedClock {
  now = 0;
  private next = 1;
  private timers = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: (...args: unknown[]) => void, ms: number): number {
    const id = this.next++;
    this.timers.set(id, { at: this.now + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(id: number): void {
    this.timers.delete(id);
  }
  /** Fires every timer due within `ms`, earliest first; throws past MAX_TIMERS. */
  advance(ms: number): number {
    const until = this.now + ms;
    let fired = 0;
    for (;;) {
      let best: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.timers) if (entry[1].at <= until && (best === null || entry[1].at < best[1].at)) best = entry;
      if (best === null) break;
      if (++fired > MAX_TIMERS) throw new Error(`more than ${MAX_TIMERS} timers fired within ${ms} ms (a timer loop)`);
      this.timers.delete(best[0]);
      this.now = best[1].at;
      best[1].fn();
    }
    this.now = until;
    return fired;
  }
}

/** Every event type a chart's config names in `on`, at any depth. */
function eventsOf(config: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const walk = (node: Record<string, unknown>): void => {
    for (const e of Object.keys((node.on ?? {}) as object)) out.add(e);
    for (const child of Object.values((node.states ?? {}) as Record<string, Record<string, unknown>>)) walk(child);
  };
  walk(config);
  return [...out].sort();
}

/** A few concrete events of a type: data both ways (a request and plain data), others bare. */
function samples(type: string): Record<string, unknown>[] {
  if (type === 'data') {
    return [
      { type, dir: 'fwd', flow: 'f1', vni: 100, kind: 'request', src: '10.0.0.1' },
      { type, dir: 'rev', flow: 'f1', vni: 100, kind: 'data', src: '10.0.0.2' },
      { type, dir: 'fwd', flow: 'f1', vni: 100, kind: 'ack', src: '10.0.0.1' },
    ];
  }
  return [{ type, src: '10.0.0.3', member: '10.0.1.1', flow: 'f1', healthy: true, sentAt: 0, at: 0 }];
}

/** Starts the machine, sends it every sample event, fires timers; returns what it went through. */
function drive(machine: AnyStateMachine, events: string[], maxDelay: number): { steps: number; timers: number; values: string[] } {
  const clock = new BoundedClock();
  let micro = 0;
  let steps = 0;
  const actor = createActor(machine, {
    clock,
    inspect: (ev) => {
      if (ev.type === '@xstate.microstep' && ++micro > MAX_MICROSTEPS) throw new Error(`more than ${MAX_MICROSTEPS} microsteps for one event (an eventless loop)`);
    },
  });
  const errors: unknown[] = [];
  const values: string[] = [];
  actor.subscribe({ next: (s) => values.push(JSON.stringify(s.value)), error: (e) => errors.push(e) });
  actor.start();
  let timers = 0;
  outer: for (const type of events) {
    for (const event of samples(type)) {
      if (errors.length > 0 || actor.getSnapshot().status !== 'active') break outer;
      micro = 0;
      actor.send(event as { type: string });
      steps++;
      timers += clock.advance(Math.min(maxDelay, 10_000) + 1);
    }
  }
  micro = 0;
  timers += clock.advance(Math.min(maxDelay, 10_000) + 1);
  const snap = actor.getSnapshot();
  actor.stop();
  if (errors.length > 0) throw errors[0];
  if (snap.status === 'error') throw (snap as unknown as { error: unknown }).error;
  return { steps, timers, values };
}

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-export-run-'));
// So that the written files resolve `xstate` as a user's project would.
symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load(id: string, source: string): Promise<AnyStateMachine> {
  const file = join(dir, `${id}.machine.mjs`);
  writeFileSync(file, source);
  const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, AnyStateMachine>;
  return mod[`${id}Machine`]!;
}

describe('exported machines run with createActor', () => {
  it.each(charts().map((c) => [c.id, c] as const))('%s starts, takes every event and fires its timers', async (id, chart) => {
    const machine = await load(id, machineSource(chart));
    const events = eventsOf(chart.config);
    expect(events.length + Object.keys(exportedImplementations(chart).delays).length).toBeGreaterThan(0);
    const maxDelay = Math.max(1, ...Object.values(exportedImplementations(chart).delays));
    const run = drive(machine, events, maxDelay);
    // Every sample event was sent (none stopped it), and it went through states.
    expect(run.steps).toBe(events.reduce((n, e) => n + samples(e).length, 0));
    expect(run.values.length).toBeGreaterThan(0);
    // The running machine is the model's chart: same state names at the start.
    expect(run.values[0]).toBe(JSON.stringify(createActor(machine).getSnapshot().value));
  });

  it('delays are the default configuration\'s, not 0 (control refreshes every 1000 ms, the LVS waits 3000 ms)', () => {
    const byId = Object.fromEntries(charts().map((c) => [c.id, exportedImplementations(c)]));
    expect(byId.control!.delays.refresh).toBe(1000);
    expect(byId.lvs!.delays.relayTimeout).toBe(3000);
    expect(byId.client!.delays.hangTimeout).toBeGreaterThan(0);
  });

  it('the bounds catch what used to break: a 0 ms self-loop, an eventless loop, a missing guard', () => {
    const zero = createMachine({ id: 'z', initial: 'a', states: { a: { after: { 0: { target: 'a', reenter: true } } } } });
    expect(() => drive(zero, [], 1)).toThrow(/timer loop/);
    const spin = createMachine({ id: 's', initial: 'a', states: { a: { always: 'b' }, b: { always: 'a' } } });
    expect(() => drive(spin, [], 1)).toThrow(/eventless loop/);
    const unguarded = createMachine({ id: 'g', initial: 'a', states: { a: { on: { go: { guard: 'missing', target: 'a' } } } } });
    expect(() => drive(unguarded, ['go'], 1)).toThrow();
  });

  it('the former export (the bare config, no implementations) fails these bounds: control loops, eni throws', () => {
    const byId = Object.fromEntries(charts().map((c) => [c.id, c]));
    // Its `refresh` delay unresolved, control re-entered `announcing` within one step, for ever.
    expect(() => drive(createMachine(byId.control!.config as never), [], 1)).toThrow(/eventless loop|microsteps/);
    expect(() => drive(createMachine(byId.eni!.config as never), eventsOf(byId.eni!.config), 1)).toThrow();
  });
});
