/**
 * A run as the Stately inspector sees live actors (`@statelyai/inspect`): one actor per
 * statechart instance ("eni", "lvs/f1", ...) registered with its machine definition, every
 * event delivered to it (a message, with the sending actor as its source, or a timer), and
 * a snapshot with its state value and context after every step. Every inspection event is
 * stamped with the run's virtual time (`createdAt`, ms since the run began), not the wall
 * clock, so that the same run gives the same stream.
 *
 * The events are made by the package's own `createInspector` (its actor, event and
 * snapshot shapes) over a collecting adapter; transport.ts sends them to a WebSocket.
 */
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import type { AnyStateMachine } from 'xstate';
import type { Scenario } from '../config/types.js';
import { exportConfig } from '../export/statecharts.js';
import { runScenario } from '../sim/simulate.js';
import { actorKey, actorNode, type Move, type World } from '../engine/world.js';
import { buildSystem } from '../engine/system.js';
import type { Snap } from '../engine/runner.js';

export interface InspectedRun {
  events: StatelyInspectionEvent[];
  actors: number;
  delivered: number;
  snapshots: number;
}

/** The machine definition the inspector draws: the model's config as JSON, with this instance's context. */
function definitionOf(machine: AnyStateMachine, context: unknown): Record<string, unknown> {
  const config = exportConfig(machine, undefined);
  return { ...config, context };
}

/** A stand-in actor reference: what `createInspector` reads (session id, machine config). */
function actorRef(sessionId: string, definition: Record<string, unknown>): never {
  return { sessionId, id: sessionId, logic: { config: definition }, send: () => {}, getSnapshot: () => undefined } as never;
}

/** The whole run as inspection events, in order. */
export function inspectRun(scenario: Scenario): InspectedRun {
  const sys = buildSystem(scenario.design, scenario.config, scenario.workload);
  const out: StatelyInspectionEvent[] = [];
  let now = 0;
  let seq = 0;
  const inspector = createInspector(
    {
      send: (e: StatelyInspectionEvent) => {
        // Virtual time, and ids that do not depend on a random generator.
        out.push({ ...e, createdAt: String(now), ...(e.type === '@xstate.event' ? { id: `e${++seq}` } : {}) } as StatelyInspectionEvent);
      },
    },
    { autoStart: false, serializationDepthLimit: 64 },
  );
  /** The snapshot last shown per statechart; null once it stopped (a crash). */
  const shown = new Map<string, Snap | null>();
  let delivered = 0;
  let snapshots = 0;

  const register = (key: string, snap: Snap): void => {
    const machine = sys.nodes[actorNode(key)]!.runner.machine;
    inspector.actor(actorRef(key, definitionOf(machine, snap.xs.context)), { status: 'active', value: snap.xs.value, context: snap.xs.context });
    shown.set(key, snap);
  };
  const snapshot = (key: string, snap: Snap | undefined, event: { type: string }): void => {
    if (snap) inspector.snapshot(key, { status: 'active', value: snap.xs.value, context: snap.xs.context }, { event });
    else inspector.snapshot(key, { status: 'stopped' }, { event });
    shown.set(key, snap ?? null);
    snapshots++;
  };

  runScenario(scenario, {
    system: sys,
    trace: false,
    keep: false,
    observe: (prev: World | null, world: World, _events, move: Move | null) => {
      now = world.now;
      // What this step delivered, and to which statechart (the per-flow one for client, LVS, server).
      let target: string | null = null;
      let event: { type: string } | null = null;
      let source: string | undefined;
      if (prev && move?.kind === 'deliver') {
        const m = prev.inFlight.find((x) => x.id === move.id);
        const msg = m?.msg as ({ type: string; flow?: string } | undefined);
        if (m && msg) {
          const node = sys.nodes[m.to]!;
          const flow = node.perFlow ? (msg.flow ?? null) : null;
          target = actorKey(m.to, flow);
          event = { ...msg, src: m.src } as { type: string };
          source = actorKey(m.from, sys.nodes[m.from]!.perFlow && msg.flow ? msg.flow : null);
          // A statechart this delivery creates is shown at its initial state first.
          if (world.actors[target] && (!prev.actors[target] || shown.get(target) === null || !shown.has(target))) {
            register(target, node.runner.initial(node.input(flow, world.epochs[m.to] ?? 0)).snap);
          }
        }
      } else if (prev && move?.kind === 'fire') {
        const t = prev.timers.find((x) => x.id === move.id);
        if (t) {
          target = t.actor;
          event = t.event;
        }
      }
      // Statecharts started in this step (at the start, by a restart, a client flow).
      for (const key of Object.keys(world.actors)) {
        if (key !== target && (!shown.has(key) || shown.get(key) === null)) register(key, world.actors[key]!);
      }
      if (target && event && shown.get(target)) {
        inspector.event(target, event, source ? { source } : {});
        delivered++;
        snapshot(target, world.actors[target], event);
      }
      // Every other statechart this step changed or stopped (a fault).
      const cause = { type: move?.kind === 'fault' ? `fault.${move.fault.kind}` : 'xstate.update' };
      for (const [key, last] of shown) {
        if (key === target || last === null) continue;
        const current = world.actors[key];
        if (current !== last) snapshot(key, current, cause);
      }
    },
  });
  return { events: out, actors: out.filter((e) => e.type === '@xstate.actor').length, delivered, snapshots };
}
