/**
 * The bounded-response monitor behind L1 and L2 (spec §6), one instance per flow, as a
 * statechart that the Stately visualiser shows like the models.
 *
 * A fault while the flow is being served, with every component the property needs
 * healthy, arms an obligation: a response (a reverse packet the server sent after the
 * fault, reaching the client by the path the property asks for) must come by
 * t_f + budget, where t_f is the LVS's last forward arrival. For L1 a later forward
 * arrival restarts the deadline, as it restarts the LVS's relay timer [¶74, ¶77]; for L2
 * only one already on its way at the fault does (movingDeadline). A fault that
 * breaks a precondition voids the obligation; restoring the precondition re-arms it from
 * that moment.
 *
 * L1 (reverseResumes.ts) and L2 (fastPathRestored.ts) provide the `isResponse` guard.
 */
import { assign, setup } from 'xstate';
import type { Scenario } from '../src/config/types.js';
import { DEFAULT_VOCABULARY, declOf, type AnyFault } from '../src/config/faults.js';
import { chartMonitor, monitorActions, type ChartData } from '../src/checker/chartMonitor.js';
import { delivered, faultsOf, forwardAtLvs, memberFailovers, reverseAtClient, sessionStateLost } from '../src/checker/observe.js';
import { on, type Monitor } from '../src/checker/property.js';
import type { World } from '../src/engine/world.js';
import { computeBounds, isDisruptive, recoveryDeadline } from '../src/sim/bounds.js';

export interface RecoveryMonitorInput {
  flow: string;
  /** The property's budget after t_f, ms (bounds.ts). */
  budgetMs: number;
  /** The least time after the fault a response needs (bounds.ts): the deadline is never earlier. */
  floorMs: number;
  /** Static preconditions (tenant ids valid, client reacts...). */
  applicable: boolean;
  /**
   * Does a forward packet sent after the fault move the deadline? For L1 it does (it
   * restarts the LVS's relay timer [¶74, ¶77]); for L2 only packets already on their way
   * at the fault count (t_f ≤ fault + in-flight, spec §6), so that forward traffic cannot
   * postpone the fast path's restoration for ever.
   */
  movingDeadline: boolean;
  /** An LVS cluster's takeover time after a member failover (bounds.ts, takeoverMs). */
  takeoverMs: number;
}

/** The input's fields, fixed for the life of an instance. */
const INPUT_FIELDS = ['flow', 'budgetMs', 'floorMs', 'applicable', 'movingDeadline', 'takeoverMs'] as const satisfies readonly (keyof RecoveryMonitorInput)[];

export interface RecoveryMonitorContext extends RecoveryMonitorInput {
  lastFwdAt: number | null;
  /** The deadline is max(base + budgetMs, faultAt + floorMs). */
  base: number;
  /** When the current deadline timer was (re)started. */
  armedAt: number;
  faultAt: number;
  /**
   * Did reverse data come through the VGW while the obligation was open? Shown in the
   * visualiser; whether an obligation was disruptive is bounds.ts's isDisruptive.
   */
  usedVgw: boolean;
}

/** After an LVS member failover the new member's idle clock starts at its takeover: fault + takeoverMs. */
function takeoverBase(c: RecoveryMonitorContext, e: RecoveryMonitorEvent): number | null {
  return e.type === 'fault' && e.takeover === true ? e.t + c.takeoverMs : null;
}

export function deadlineOf(c: RecoveryMonitorContext): number {
  return recoveryDeadline(c.base, c.faultAt, c.budgetMs, c.floorMs);
}

export type RecoveryMonitorEvent =
  /** `disrupts`: the step breaks something (a crash, a link cut, loss), not only repairs it (a restart, a link back up). */
  /**
   * `takeover`: the fault moved the flow to another LVS cluster member, whose relay timer
   * starts at its takeover: the obligation counts from fault + takeoverMs, not from t_f.
   */
  | { type: 'fault'; t: number; healthy: boolean; disrupts: boolean; takeover?: boolean }
  | { type: 'sessionLost'; t: number }
  | { type: 'forwardAtLvs'; t: number; sentAt: number }
  | { type: 'reverseAtClient'; t: number; via: string; originAt: number };

export const recoveryMonitorMachine = setup({
  types: {} as { context: RecoveryMonitorContext; events: RecoveryMonitorEvent; input: RecoveryMonitorInput },
  actions: {
    ...monitorActions,
    noteForward: assign(({ event }) => ({ lastFwdAt: event.t })),
    /**
     * A member failover restarts the flow's idle clock: the member that takes it over starts
     * its relay timer at its takeover (by fault + takeoverMs), whatever the old member last
     * heard. A later fault's t_f counts from there, not from a forward packet the new member
     * never saw (a fast path crash after a member failover met its first deadline).
     */
    noteTakeover: assign(({ context, event }) => {
      const at = takeoverBase(context, event);
      return at === null ? {} : { lastFwdAt: Math.max(context.lastFwdAt ?? at, at) };
    }),
    armAtFault: assign(({ context, event }) => ({
      faultAt: event.t,
      armedAt: event.t,
      base: takeoverBase(context, event) ?? context.lastFwdAt ?? event.t,
      usedVgw: false,
    })),
    armAtRestore: assign(({ context, event }) => ({
      faultAt: event.t,
      armedAt: event.t,
      base: takeoverBase(context, event) ?? event.t,
      usedVgw: false,
    })),
    /** A later fault that keeps the preconditions: recovery is owed after it, as L3 counts it. */
    rearmAtFault: assign(({ context, event }) => ({
      faultAt: event.t,
      armedAt: event.t,
      base: Math.max(context.base, takeoverBase(context, event) ?? context.lastFwdAt ?? event.t),
    })),
    rearmOnForward: assign(({ event }) => ({ lastFwdAt: event.t, armedAt: event.t, base: event.t })),
    noteVgw: assign(({ context, event }) => ({
      usedVgw: context.usedVgw || (event.type === 'reverseAtClient' && event.via === 'vgw'),
    })),
  },
  guards: {
    applicable: ({ context }) => context.applicable,
    movesDeadline: ({ context, event }) =>
      event.type === 'forwardAtLvs' && (context.movingDeadline || event.sentAt <= context.faultAt),
    healthy: ({ event }) => event.type === 'fault' && event.healthy,
    healthyDisruption: ({ event }) => event.type === 'fault' && event.healthy && event.disrupts,
    /** Provided by each property: is this delivery the response it waits for? */
    isResponse: () => false,
  },
  delays: {
    deadline: ({ context }) => Math.max(0, deadlineOf(context) - context.armedAt),
  },
}).createMachine({
  id: 'recoveryMonitor',
  description: 'Bounded response after a fault: a response by t_f + budget (spec §6 L1, L2).',
  context: ({ input }) => ({ ...input, lastFwdAt: null, base: 0, armedAt: 0, faultAt: 0, usedVgw: false }),
  initial: 'choosing',
  on: {
    sessionLost: { target: '.sessionLost', actions: ['voidObligation'] },
  },
  states: {
    choosing: {
      description: "Checks the run's static preconditions.",
      always: [{ guard: 'applicable', target: 'idle' }, { target: 'notApplicable' }],
    },
    notApplicable: {
      description: 'A static precondition fails (invalid tenant ids, a client that never reacts): no obligation in this run.',
      entry: ['voidObligation'],
      type: 'final',
    },
    idle: {
      description: 'No reverse data has reached the client yet: there is nothing to resume.',
      on: {
        forwardAtLvs: { actions: ['noteForward'] },
        reverseAtClient: { target: 'serving' },
        fault: { actions: ['noteTakeover'] },
      },
    },
    serving: {
      description: 'Reverse data flows. A fault that leaves every needed component healthy arms the obligation.',
      on: {
        forwardAtLvs: { actions: ['noteForward'] },
        fault: [
          { guard: 'healthy', target: 'awaiting', actions: ['armAtFault', 'noteTakeover'] },
          { target: 'impaired', actions: ['noteTakeover'] },
        ],
      },
    },
    impaired: {
      description: 'A component the property needs is down, cut or lossy: no obligation until it is restored.',
      on: {
        forwardAtLvs: { actions: ['noteForward'] },
        fault: [{ guard: 'healthy', target: 'awaiting', actions: ['armAtRestore', 'noteTakeover'] }, { actions: ['noteTakeover'] }],
      },
    },
    awaiting: {
      description: 'Waiting for the response; the deadline is t_f + budget and moves with every forward arrival.',
      after: {
        deadline: {
          target: 'violated',
          actions: [
            {
              type: 'violate',
              params: ({ context }) => ({
                message: `no response for flow ${context.flow} by ${deadlineOf(context)} ms (${
                  deadlineOf(context) === context.base + context.budgetMs
                    ? `t_f ${context.base} + budget ${context.budgetMs} ms`
                    : `fault + floor ${context.floorMs} ms, later than t_f ${context.base} + budget ${context.budgetMs} ms`
                }; fault at ${context.faultAt} ms)`,
              }),
            },
            // An obligation never met was disruptive (bounds.ts, isDisruptive), and counts as triggered.
            {
              type: 'trigger',
              params: ({ context }) => ({ disruptive: isDisruptive({ faultAt: context.faultAt, floorMs: context.floorMs, respondedAt: null }) }),
            },
          ],
        },
      },
      on: {
        forwardAtLvs: [
          { guard: 'movesDeadline', target: 'awaiting', reenter: true, actions: ['rearmOnForward'] },
          { actions: ['noteForward'] },
        ],
        reverseAtClient: [
          {
            guard: 'isResponse',
            target: 'serving',
            actions: [
              {
                type: 'trigger',
                // Latency and budget both from the fault: the budget is the run's own deadline minus the fault.
                params: ({ context, event }) => ({
                  disruptive: isDisruptive({ faultAt: context.faultAt, floorMs: context.floorMs, respondedAt: event.t }),
                  latencyMs: event.t - context.faultAt,
                  budgetMs: deadlineOf(context) - context.faultAt,
                }),
              },
            ],
          },
          { actions: ['noteVgw'] },
        ],
        // Another disruption that leaves the preconditions intact: recovery is owed after the
        // last one (a fast path restored, then lost again, before the first deadline is a new
        // disruption, not a miss of the first: docs/findings.md, "three faults"). A repair
        // (restart, link up) keeps the deadline.
        fault: [
          { guard: 'healthyDisruption', target: 'awaiting', reenter: true, actions: ['rearmAtFault', 'noteTakeover'] },
          { guard: 'healthy', actions: ['noteTakeover'] },
          { target: 'impaired', actions: ['voidObligation', 'noteTakeover'] },
        ],
      },
    },
    violated: {
      description: 'The deadline passed without the response.',
      type: 'final',
    },
    sessionLost: {
      description:
        'A node holding session state (client, ENI, LVS, server) crashed or restarted: the patent assumes they keep it (E7), so nothing more is owed.',
      type: 'final',
    },
  },
});

/** Does a fault break something rather than repair it (its declaration says; an unknown kind keeps the deadline)? */
function disrupts(f: AnyFault): boolean {
  return declOf(DEFAULT_VOCABULARY, f.kind)?.disrupts(f) ?? false;
}

export interface RecoveryObligation {
  /** The budget after t_f, and the floor after the fault, from the run's configuration. */
  budgetMs: (scenario: Scenario) => number;
  floorMs: (scenario: Scenario) => number;
  /** Static preconditions of the run. */
  applicable: (scenario: Scenario) => boolean;
  /** Dynamic preconditions: are the components the property needs healthy now? */
  healthy: (world: World, scenario: Scenario) => boolean;
  /** Is a reverse delivery (after the fault) the awaited response? */
  isResponse: (via: string) => boolean;
  /** See RecoveryMonitorInput.movingDeadline. */
  movingDeadline: boolean;
}

/** The monitor logic of a recovery property: this chart, one instance per flow. */
export function recoveryObligation(o: RecoveryObligation, options: { frames?: boolean } = {}): Monitor<ChartData> {
  const machine = recoveryMonitorMachine.provide({
    guards: {
      isResponse: ({ context, event }) =>
        event.type === 'reverseAtClient' && event.originAt > context.faultAt && o.isResponse(event.via),
    },
  });
  const monitor = chartMonitor({
    machine,
    // Faults, forward data at the LVS, reverse data at the client; time passing for the deadline.
    observes: [on.faults(), on.deliveries('data', 'lvs'), on.deliveries('data', 'client'), on.time()],
    // Times meet only times: fault, forward and response times, the deadline from them.
    times: ['t', 'sentAt', 'originAt', 'lastFwdAt', 'base', 'armedAt', 'faultAt'],
    // What each state can still read (the explorer keys nothing else): every transition into
    // awaiting writes armedAt before its delay reads it, and arming writes base and faultAt;
    // usedVgw is for the visualiser only.
    reads: {
      idle: [...INPUT_FIELDS, 'lastFwdAt'],
      serving: [...INPUT_FIELDS, 'lastFwdAt'],
      impaired: [...INPUT_FIELDS, 'lastFwdAt'],
      awaiting: [...INPUT_FIELDS, 'lastFwdAt', 'base', 'faultAt'],
    },
    // t_f (lastFwdAt, base) only enters max(t_f + budget, fault + floor) with a fault now or
    // later: one further back than budget − floor gives fault + floor whatever it was.
    lookback: (scenario) => {
      const back = Math.max(0, o.budgetMs(scenario) - o.floorMs(scenario));
      return { lastFwdAt: back, base: back };
    },
    // faultAt meets the send times of the data delivered later (isResponse, movesDeadline);
    // otherwise only the deadline on a forward arrival, max(now + budget, faultAt + floor),
    // reads it, which is now + budget whenever floor <= budget.
    messageTimes: (scenario) => (o.floorMs(scenario) <= o.budgetMs(scenario) ? ['faultAt'] : []),
    input: (scenario, _sys, flow) =>
      ({
        flow,
        budgetMs: o.budgetMs(scenario),
        floorMs: o.floorMs(scenario),
        applicable: o.applicable(scenario),
        movingDeadline: o.movingDeadline,
        takeoverMs: computeBounds(scenario.config, scenario.workload).takeoverMs,
      }) satisfies RecoveryMonitorInput,
    observe: (obs) => {
      const fwd = delivered(obs);
      const faults = faultsOf(obs);
      const out: { key: string; event: RecoveryMonitorEvent }[] = [];
      const t = obs.world.now;
      if (faults.length > 0) {
        const event: RecoveryMonitorEvent = sessionStateLost(obs)
          ? { type: 'sessionLost', t }
          : { type: 'fault', t, healthy: o.healthy(obs.world, obs.scenario), disrupts: faults.some((f) => disrupts({ ...f })) };
        // A flow the LVS cluster's ECMP moved to another member: a failover (a disruption) from its takeover.
        const moved = event.type === 'fault' ? memberFailovers(obs) : [];
        for (const flow of obs.sys.flows) {
          const failover = event.type === 'fault' && moved.some((m) => m.flow === flow);
          out.push({ key: flow, event: failover ? { ...event, disrupts: true, takeover: true } : event });
        }
      }
      if (fwd && forwardAtLvs(obs)) {
        const msg = fwd.msg as { flow: string };
        out.push({ key: msg.flow, event: { type: 'forwardAtLvs', t, sentAt: fwd.sentAt } });
      }
      const rev = reverseAtClient(obs);
      if (rev) out.push({ key: rev.flow, event: { type: 'reverseAtClient', t, via: rev.via, originAt: rev.originAt } });
      return out;
    },
  }, options);
  return { ...monitor, deadline: o.budgetMs };
}
