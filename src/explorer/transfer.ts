/**
 * Explorer states as plain data, to hand work from one worker thread to another: worlds
 * are plain already but for their statechart snapshots, which travel as their content
 * keys and are rebuilt (once per distinct snapshot) on the other side.
 */
import type { AnyProperty } from '../checker/property.js';
import { chartInstances, monitorRunner, type ChartData, type Deadline, type Instance } from '../checker/chartMonitor.js';
import type { MachineRunner, Snap } from '../engine/runner.js';
import type { System } from '../engine/system.js';
import { actorNode, type World } from '../engine/world.js';
import type { ExplorerState } from './codec.js';

export interface PackedState {
  world: Omit<World, 'actors'> & { actors: Record<string, string> };
  monitors: { verdict: ExplorerState['monitors'][number]['verdict']; data: unknown }[];
  faults: number;
  busyInstant: boolean;
  depth: number;
}

export function pack(state: ExplorerState, properties: readonly AnyProperty[], depth: number): PackedState {
  const actors: Record<string, string> = {};
  for (const [k, snap] of Object.entries(state.world.actors)) actors[k] = snap.key;
  return {
    world: { ...state.world, actors },
    monitors: state.monitors.map((m, i) => ({ verdict: m.verdict, data: properties[i]!.chart ? packChart(m.data as ChartData) : m.data })),
    faults: state.faults,
    busyInstant: state.busyInstant,
    depth,
  };
}

/** A monitor chart's data (declared by Monitor.chart): its snapshots as state values and contexts. */
type PackedChart = [key: string, value: unknown, context: unknown, timers: Deadline[], origin: number][];

function packChart(data: ChartData): PackedChart {
  return Object.entries(chartInstances(data)).map(([k, inst]) => [k, inst.snap.xs.value, inst.snap.xs.context, inst.timers, inst.origin]);
}

/** Rebuilds packed states; one per thread, as it caches the snapshots it rebuilt. */
export class Unpacker {
  private readonly snaps = new Map<string, Snap>();
  /** A runner per monitor chart (Monitor.chart), to rebuild its snapshots. */
  private readonly charts = new Map<number, MachineRunner>();
  constructor(
    private readonly sys: System,
    private readonly properties: readonly AnyProperty[],
  ) {}

  unpack(p: PackedState): { state: ExplorerState; depth: number } {
    const actors: Record<string, Snap> = {};
    for (const [k, snapKey] of Object.entries(p.world.actors)) {
      const node = this.sys.nodes[actorNode(k)]!;
      const id = `${node.kind}:${snapKey}`;
      let snap = this.snaps.get(id);
      if (!snap) {
        const bar = snapKey.indexOf('|');
        snap = node.runner.resolve(JSON.parse(snapKey.slice(0, bar)), JSON.parse(snapKey.slice(bar + 1)));
        this.snaps.set(id, snap);
      }
      actors[k] = snap;
    }
    const monitors = p.monitors.map((m, i) => ({ verdict: m.verdict, data: this.unpackData(i, m.data) }));
    return {
      state: { world: { ...p.world, actors }, monitors, faults: p.faults, busyInstant: p.busyInstant },
      depth: p.depth,
    };
  }

  private unpackData(i: number, data: unknown): unknown {
    const chart = this.properties[i]!.chart;
    if (!chart) return data;
    let runner = this.charts.get(i);
    if (!runner) this.charts.set(i, (runner = monitorRunner(chart.machine)));
    const instances: Record<string, Instance> = {};
    for (const [k, value, context, timers, origin] of data as PackedChart) instances[k] = { snap: runner.resolve(value, context), origin, timers };
    return { instances } satisfies ChartData;
  }
}
