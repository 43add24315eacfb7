/**
 * Explorer states as plain data, to hand work from one worker thread to another: worlds
 * are plain already but for their statechart snapshots, which travel as their content
 * keys and are rebuilt (once per distinct snapshot) on the other side.
 */
import type { AnyProperty } from '../checker/property.js';
import type { Snap } from '../engine/runner.js';
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
    monitors: state.monitors.map((m, i) => {
      const logic = properties[i]!.logic;
      return { verdict: m.verdict, data: logic.pack ? logic.pack(m.data) : m.data };
    }),
    faults: state.faults,
    busyInstant: state.busyInstant,
    depth,
  };
}

/** Rebuilds packed states; one per thread, as it caches the snapshots it rebuilt. */
export class Unpacker {
  private readonly snaps = new Map<string, Snap>();
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
    const monitors = p.monitors.map((m, i) => {
      const logic = this.properties[i]!.logic;
      return { verdict: m.verdict, data: logic.unpack ? logic.unpack(m.data) : m.data };
    });
    return {
      state: { world: { ...p.world, actors }, monitors, faults: p.faults, busyInstant: p.busyInstant },
      depth: p.depth,
    };
  }
}
