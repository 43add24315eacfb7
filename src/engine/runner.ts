/**
 * Steps one statechart through XState's pure transition API, and memoises the steps.
 *
 * - No live actors: `machine.transition(snapshot, event, scope)` with one reused inert
 *   scope whose executor collects the actions instead of running them (xstate-fastcheck
 *   facts: ~350k steps/s, against ~60k/s for `transition()`, which builds an actor per call).
 * - Snapshots are hash-consed: a snapshot is wrapped in a `Snap` that carries its content
 *   key ([value, context] as JSON), and equal contents share one Snap. Component state
 *   spaces are small, so a per-Snap cache of event -> result answers most steps without
 *   calling XState at all.
 * - Actions come back reduced to the effects the world interprets: `send`, `discard`,
 *   `schedule` (a delayed raise or an `after` timer) and `cancel`.
 */
import { createActor, fromTransition, type AnyStateMachine, type AnyMachineSnapshot, type AnyActorScope } from 'xstate';
import type { DiscardParams, SendParams } from '../../models/protocol.js';

/** An interned statechart snapshot. */
export interface Snap {
  readonly xs: AnyMachineSnapshot;
  /** JSON of [value, context]: equal keys, equal snapshots. */
  readonly key: string;
  /** JSON of the state value alone, to notice state changes cheaply. */
  readonly valueKey: string;
}

export type Effect =
  | { readonly type: 'send'; readonly params: SendParams }
  | { readonly type: 'discard'; readonly params: DiscardParams }
  | { readonly type: 'schedule'; readonly id: string; readonly delay: number; readonly event: { type: string } }
  | { readonly type: 'cancel'; readonly id: string }
  /** A named action the runner was asked to keep (monitor charts' `violate`, `trigger`...). */
  | { readonly type: 'custom'; readonly name: string; readonly params: unknown };

export interface StepResult {
  readonly snap: Snap;
  readonly effects: readonly Effect[];
}

export interface RunnerStats {
  steps: number;
  cacheHits: number;
  interned: number;
}

/** Above this many cached results the caches start afresh (bounded memory in long runs). */
const CACHE_LIMIT = 200_000;
let cacheLimit = CACHE_LIMIT;

/**
 * The bound of every runner's caches and the monitor charts' (chartMonitor.ts), process-wide
 * as the runners are (system.ts): a memory-first search (`explore --lean`) lowers it, since
 * caches at the default bound hold more than its visited set. Returns the bound it replaces.
 * The caches are pure: the bound changes speed and memory, never a result.
 */
export function setCacheLimit(limit: number = CACHE_LIMIT): number {
  const was = cacheLimit;
  cacheLimit = limit;
  return was;
}

export function cacheLimitNow(): number {
  return cacheLimit;
}

interface RawAction {
  type: string;
  params?: unknown;
}

export class MachineRunner {
  private readonly scope: AnyActorScope;
  private readonly collected: RawAction[] = [];
  private interned = new Map<string, Snap>();
  private results = new WeakMap<Snap, Map<string, StepResult>>();
  private initials = new Map<string, StepResult>();
  /** Per state value (JSON) and event type: does `ignores` hold? */
  private ignored = new Map<string, Map<string, boolean>>();
  /** A snapshot resolved for each state value asked (JSON): what `resolve` makes again with another context. */
  private resolved = new Map<string, AnyMachineSnapshot>();
  private cached = 0;
  readonly stats: RunnerStats = { steps: 0, cacheHits: 0, interned: 0 };

  /**
   * `keep`: names of further custom actions to report as `custom` effects. `memo`: cache
   * results per snapshot and event (off for charts whose events carry times, which never
   * come again).
   */
  constructor(
    readonly machine: AnyStateMachine,
    private readonly keep: readonly string[] = [],
    private readonly memo = true,
  ) {
    // `self` is never asked to do anything in pure mode; a trivial actor avoids building
    // the real machine's initial state without its input.
    const self = createActor(fromTransition((s: null) => s, null));
    const collected = this.collected;
    // An inert scope like XState's own `transition()` builds, made once per machine.
    this.scope = {
      self,
      id: '',
      sessionId: '',
      system: self.system,
      logger: () => {},
      defer: () => {},
      stopChild: () => {},
      emit: () => {},
      actionExecutor: (action: RawAction) => {
        collected.push(action);
      },
    } as unknown as AnyActorScope;
  }

  /** The initial snapshot for `input`, and the effects of its entry actions. */
  initial(input: unknown): StepResult {
    const inputKey = JSON.stringify(input ?? null);
    const hit = this.initials.get(inputKey);
    if (hit) return hit;
    this.collected.length = 0;
    const xs = this.machine.getInitialSnapshot(this.scope, input) as AnyMachineSnapshot;
    const result: StepResult = { snap: this.intern(xs), effects: this.takeEffects() };
    this.initials.set(inputKey, result);
    return result;
  }

  /** One event. The result is shared between callers: never mutate it. */
  step(snap: Snap, event: { type: string }): StepResult {
    this.stats.steps++;
    if (!this.memo) return this.compute(snap, event);
    const eventKey = keyOf(event);
    let bySnap = this.results.get(snap);
    const hit = bySnap?.get(eventKey);
    if (hit) {
      this.stats.cacheHits++;
      return hit;
    }
    const result = this.compute(snap, event);
    if (this.cached >= cacheLimit) this.reset();
    if (!bySnap) {
      bySnap = new Map();
      this.results.set(snap, bySnap);
    }
    bySnap.set(eventKey, result);
    this.cached++;
    return result;
  }

  /**
   * Would XState answer an event of this type from this snapshot with the very same
   * snapshot and no actions? So when the snapshot is active with no children, no active
   * state node (the root included) has a transition whose descriptor is the type or holds a
   * wildcard (`*`, `prefix.*`), and none has eventless (`always`) transitions, whose guards
   * could read the event. XState's own events (`xstate.init`, `xstate.stop`, errors,
   * `after` timers: `xstate.*`) are never ignored: the macrostep treats some of them apart.
   * A function of the state value and the type, worked out once for each.
   */
  ignores(snap: Snap, type: string): boolean {
    let byType = this.ignored.get(snap.valueKey);
    let known = byType?.get(type);
    if (known === undefined) {
      if (!byType) this.ignored.set(snap.valueKey, (byType = new Map()));
      known = ignoredBy(snap.xs, type);
      byType.set(type, known);
    }
    return known;
  }

  private compute(snap: Snap, event: { type: string }): StepResult {
    this.collected.length = 0;
    const next = this.machine.transition(snap.xs, event, this.scope) as AnyMachineSnapshot;
    return { snap: next === snap.xs ? snap : this.intern(next), effects: this.takeEffects() };
  }

  /** Rebuild a snapshot from its state value and context (e.g. to show a trace on a chart). */
  resolve(value: unknown, context: unknown): Snap {
    // Everything XState's resolveState gives but the context is a function of the value
    // (its state nodes, the state value, tags, status: no history, children or output):
    // worked out once per value, and the snapshot made again around each context.
    const asked = JSON.stringify(value);
    const known = this.resolved.get(asked);
    if (known !== undefined) return this.intern({ ...known, context: context || {} });
    const xs = this.machine.resolveState({ value: value as never, context: context as never }) as AnyMachineSnapshot;
    this.resolved.set(asked, xs);
    return this.intern(xs);
  }

  private intern(xs: AnyMachineSnapshot): Snap {
    const valueKey = JSON.stringify(xs.value);
    const key = `${valueKey}|${JSON.stringify(xs.context)}`;
    const known = this.interned.get(key);
    if (known) return known;
    // Bounded for runners that cache no steps too (a monitor chart's snapshots hold times).
    if (this.interned.size >= cacheLimit) this.reset();
    const snap: Snap = { xs, key, valueKey };
    this.interned.set(key, snap);
    this.stats.interned++;
    return snap;
  }

  private reset(): void {
    this.interned = new Map();
    this.results = new WeakMap();
    this.initials = new Map();
    this.resolved = new Map();
    this.ignored = new Map();
    this.cached = 0;
  }

  private takeEffects(): Effect[] {
    const effects: Effect[] = [];
    for (const action of this.collected) {
      const params = action.params as Record<string, unknown> | undefined;
      switch (action.type) {
        case 'send':
          effects.push({ type: 'send', params: params as unknown as SendParams });
          break;
        case 'discard':
          effects.push({ type: 'discard', params: params as unknown as DiscardParams });
          break;
        case 'xstate.raise':
          // An undelayed raise is handled inside the same XState step; only timers matter.
          if (params && typeof params.delay === 'number') {
            effects.push({
              type: 'schedule',
              id: String(params.id ?? (params.event as { type: string }).type),
              delay: params.delay,
              event: params.event as { type: string },
            });
          }
          break;
        case 'xstate.cancel':
          effects.push({ type: 'cancel', id: String(params?.sendId) });
          break;
        default:
          // assign, emit, log...: nothing for the world to do, unless asked to keep it.
          if (this.keep.includes(action.type)) effects.push({ type: 'custom', name: action.type, params: action.params });
          break;
      }
    }
    this.collected.length = 0;
    return effects;
  }
}

/** See MachineRunner.ignores. */
function ignoredBy(xs: AnyMachineSnapshot, type: string): boolean {
  if (type.startsWith('xstate.') || xs.status !== 'active' || Object.keys(xs.children).length > 0) return false;
  const nodes = (xs as { _nodes?: unknown })._nodes;
  if (!Array.isArray(nodes)) return false;
  for (const node of nodes as { transitions?: Map<string, unknown>; always?: readonly unknown[] }[]) {
    if (!(node.transitions instanceof Map)) return false;
    if (node.always !== undefined && node.always.length > 0) return false;
    for (const descriptor of node.transitions.keys()) if (mayMatch(type, descriptor)) return false;
  }
  return true;
}

/**
 * Might XState select a transition of this descriptor for an event of this type? The type
 * itself, or any wildcard (`*`, `prefix.*`): read broadly, as a wildcard only ever keeps
 * the step going through XState.
 */
function mayMatch(type: string, descriptor: string): boolean {
  return descriptor === type || descriptor.includes('*');
}

// Events are often the very same objects again (a cached step's message, delivered from
// a shared event cache): remember their JSON instead of building it per step.
const eventKeys = new WeakMap<object, string>();
function keyOf(event: object): string {
  let key = eventKeys.get(event);
  if (key === undefined) {
    key = JSON.stringify(event);
    eventKeys.set(event, key);
  }
  return key;
}

/** The readable name of a timer: the delay name of an `after`, else the raise id. */
export function timerLabel(id: string): string {
  if (id.startsWith('xstate.after.')) {
    const rest = id.slice('xstate.after.'.length);
    const dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.slice(0, dot);
  }
  return id;
}
