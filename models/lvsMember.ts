/**
 * A member of the LVS cluster (nodes `lvs1`..`lvsM`), patent design: one statechart per
 * session, the single LVS's behaviour (models/lvs.ts) plus IPVS-style session sync [¶37,
 * ¶38, S10].
 *
 * Two regions run side by side:
 * - `session`: as models/lvs.ts (learn from forward packets, reverse data to the learned
 *   path, the VGW after a relay timeout), with two more states for a session this member
 *   knows only from a peer's sync records: `standby` and `standbyIdle`. When the upstream
 *   ECMP moves the flow here (its member crashed or came back), the first packet of the
 *   flow takes the session over: reverse data goes to the synced path, or through the VGW
 *   after the relay timeout if the record carried the VGW extras; a record without them
 *   leaves the prior art's black hole (E7).
 * - `sync`: IPVS's sync trigger. The member counts the forward packets of the session it
 *   serves; at the `syncThreshold`-th, and whenever the count is `syncThreshold` modulo
 *   `syncPeriod` after, a record is due (IPVS: `pkts % sync_period == sync_threshold`).
 *   A due record waits `syncIntervalMs` (the batch it leaves in: the latest a batch can
 *   leave) and then goes to every peer with what the session holds then.
 *
 * `syncFields` says what a record carries besides the session: the learned path, the
 * VGW-IP and relay timeout, and `lastForward`, the forward idle clock. With the idle
 * clock, a standby session starts its relay timer when a record arrives (the record says
 * when the session last saw a forward packet, at most a batch ago) and, once it expired,
 * takes over straight into the VGW; without it, the relay timer starts at the takeover.
 * (INF: the spec leaves the record's content open, §2 `SYNC`.)
 *
 * The forward count is kept modulo the period (a count past threshold + period wraps back
 * by one period), so that the state space stays finite.
 */
import { assign, enqueueActions, setup } from 'xstate';
import { NEVER_MS, primitiveActions, type DataMsg, type Delivered, type SyncMsg } from './protocol.js';
import { learnedPath, reverseData, toLearnedPath, toServer } from './lvs.js';

/** The optional parts of a sync record (src/config/types.ts, SyncField). */
export type SyncPart = 'path' | 'vgw' | 'lastForward';

export interface LvsMemberInput {
  flow: string;
  serverIp: string;
  /** The other members' addresses: a record goes to each (IPVS multicasts it) [¶38]. */
  peerIps: string[];
  syncThreshold: number;
  syncPeriod: number;
  syncIntervalMs: number;
  syncFields: SyncPart[];
}

export interface LvsMemberContext extends LvsMemberInput {
  pathPhysIp: string | null;
  pathVirtIp: string | null;
  vgwIp: string | null;
  relayTimeoutMs: number | null;
  /** Forward packets this member forwarded for the session (modulo the sync period). */
  fwdPackets: number;
  /** The last record installed carried the forward idle clock (standby sessions only). */
  idleClockSynced: boolean;
}

export type LvsMemberEvent = Delivered<DataMsg> | Delivered<SyncMsg>;


/** The forward count after one more packet, wrapped so that it stays below threshold + period. */
export function nextCount(n: number, threshold: number, period: number): number {
  if (period === 0) return Math.min(n + 1, threshold + 1);
  const next = n + 1;
  return next >= threshold + period ? next - period : next;
}

/** Does the packet that makes the count `next` trigger a record (IPVS: pkts % period == threshold)? */
export function isSyncPoint(n: number, threshold: number, period: number): boolean {
  return nextCount(n, threshold, period) === threshold && (period > 0 || n + 1 === threshold);
}

/** The record a member sends for a session: only the parts `syncFields` choose. */
export function syncRecord(c: LvsMemberContext): SyncMsg {
  const has = (f: SyncPart) => c.syncFields.includes(f);
  return {
    type: 'sync',
    flow: c.flow,
    ...(has('path') && c.pathPhysIp !== null ? { pathPhysIp: c.pathPhysIp } : {}),
    ...(has('path') && c.pathVirtIp !== null ? { pathVirtIp: c.pathVirtIp } : {}),
    ...(has('vgw') && c.vgwIp !== null ? { vgwIp: c.vgwIp } : {}),
    ...(has('vgw') && c.relayTimeoutMs !== null ? { relayTimeoutMs: c.relayTimeoutMs } : {}),
    ...(has('lastForward') ? { lastForward: true as const } : {}),
  };
}

export const lvsMemberMachine = setup({
  types: {} as { context: LvsMemberContext; events: LvsMemberEvent; input: LvsMemberInput },
  actions: {
    ...primitiveActions,
    /** Learn the path from a forward packet, and the VGW extras when it carries them [¶74, ¶80]. */
    learnPath: assign(({ context, event }) => {
      const e = event as Delivered<DataMsg>;
      return {
        ...learnedPath(context, e),
        vgwIp: e.vgwIp ?? context.vgwIp,
        relayTimeoutMs: e.relayTimeoutMs ?? context.relayTimeoutMs,
      };
    }),
    /** Pass the request on to the real server, without the PVL path info. */
    forwardToServer: enqueueActions(({ context, event, enqueue }) => {
      enqueue({ type: 'send', params: toServer(context, event as Delivered<DataMsg>) });
    }),
    /** Reverse data to the learned (or synced) fast path [C7]. */
    sendToLearnedPath: enqueueActions(({ context, event, enqueue }) => {
      const send = toLearnedPath(context, event as Delivered<DataMsg>);
      if (send) enqueue({ type: 'send', params: send });
      else enqueue({ type: 'discard', params: { reason: 'no-learned-path' } });
    }),
    /** Reverse data through the virtual gateway [¶77, ¶78]. */
    sendViaVgw: enqueueActions(({ context, event, enqueue }) => {
      if (context.vgwIp === null) {
        enqueue({ type: 'discard', params: { reason: 'no-vgw-ip' } });
        return;
      }
      enqueue({ type: 'send', params: { to: context.vgwIp, msg: reverseData(event as Delivered<DataMsg>) } });
    }),
    /** One more forward packet of the session this member serves (IPVS's in_pkts). */
    countForward: assign(({ context }) => ({
      fwdPackets: nextCount(context.fwdPackets, context.syncThreshold, context.syncPeriod),
    })),
    /** A peer's record: the backup session takes what it carries (a part left out keeps what an earlier record gave). */
    installRecord: assign(({ context, event }) => {
      const r = event as Delivered<SyncMsg>;
      return {
        pathPhysIp: r.pathPhysIp ?? context.pathPhysIp,
        pathVirtIp: r.pathVirtIp ?? context.pathVirtIp,
        vgwIp: r.vgwIp ?? context.vgwIp,
        relayTimeoutMs: r.relayTimeoutMs ?? context.relayTimeoutMs,
        idleClockSynced: r.lastForward === true,
      };
    }),
    /** The batch leaves: the session's record, as it is now, to every peer [¶38]. */
    sendRecord: enqueueActions(({ context, enqueue }) => {
      const msg = syncRecord(context);
      for (const to of context.peerIps) enqueue({ type: 'send', params: { to, msg } });
    }),
  },
  guards: {
    isForward: ({ event }) => event.type === 'data' && event.dir === 'fwd',
    isReverse: ({ event }) => event.type === 'data' && event.dir === 'rev',
    /** S7: the VGW fallback needs the VGW-IP and timeout, in-band or from a peer's record. */
    relayConfigured: ({ context }) => context.vgwIp !== null && context.relayTimeoutMs !== null,
    /** A standby session runs the relay timer only if its record carried the idle clock. */
    idleClockRuns: ({ context }) => context.idleClockSynced && context.vgwIp !== null && context.relayTimeoutMs !== null,
    /** This forward packet is the sync threshold's, or the threshold's modulo the period [S10]. */
    syncDue: ({ context, event }) =>
      event.type === 'data' && event.dir === 'fwd' && isSyncPoint(context.fwdPackets, context.syncThreshold, context.syncPeriod),
  },
  delays: {
    relayTimeout: ({ context }) => context.relayTimeoutMs ?? NEVER_MS,
    syncInterval: ({ context }) => context.syncIntervalMs,
  },
}).createMachine({
  id: 'lvsMember',
  description:
    'Per-session state of an LVS cluster member: the VGW fallback of CN114826887B, and IPVS-style session sync with its peers [¶38].',
  context: ({ input }) => ({
    ...input,
    pathPhysIp: null,
    pathVirtIp: null,
    vgwIp: null,
    relayTimeoutMs: null,
    fwdPackets: 0,
    idleClockSynced: false,
  }),
  type: 'parallel',
  states: {
    session: {
      description: "The session's reverse path, learned from forward packets or from a peer's sync records.",
      initial: 'noSession',
      states: {
        noSession: {
          description: 'Nothing seen of this session: reverse data has nowhere to go (a session under the sync threshold after a failover, E7).',
          on: {
            data: [
              { guard: 'isForward', target: 'viaFastPath', actions: ['learnPath', 'forwardToServer'] },
              { guard: 'isReverse', actions: [{ type: 'discard', params: { reason: 'no-session' } }] },
            ],
            sync: { target: 'standby', actions: ['installRecord'] },
          },
        },
        standby: {
          description:
            "A backup of a peer's session, from its sync records; the first packet the ECMP sends here takes it over. With the idle clock synced, the relay timer runs from the last record.",
          after: {
            relayTimeout: { guard: 'idleClockRuns', target: 'standbyIdle' },
          },
          on: {
            sync: { target: 'standby', reenter: true, actions: ['installRecord'] },
            data: [
              { guard: 'isForward', target: 'viaFastPath', actions: ['learnPath', 'forwardToServer'] },
              { guard: 'isReverse', target: 'viaFastPath', actions: ['sendToLearnedPath'] },
            ],
          },
        },
        standbyIdle: {
          description:
            'A backup session whose synced idle clock ran past the relay timeout: a takeover by reverse data goes straight through the VGW.',
          on: {
            sync: { target: 'standby', actions: ['installRecord'] },
            data: [
              { guard: 'isForward', target: 'viaFastPath', actions: ['learnPath', 'forwardToServer'] },
              { guard: 'isReverse', target: 'viaVgw', actions: ['sendViaVgw'] },
            ],
          },
        },
        viaFastPath: {
          description:
            'Reverse data goes to the learned fast path; every forward packet relearns the path and restarts the relay timer [¶74, ¶80]. Peers\u2019 records are ignored: this member serves the session.',
          after: {
            relayTimeout: { guard: 'relayConfigured', target: 'viaVgw' },
          },
          on: {
            data: [
              { guard: 'isForward', target: 'viaFastPath', reenter: true, actions: ['learnPath', 'forwardToServer'] },
              { guard: 'isReverse', actions: ['sendToLearnedPath'] },
            ],
          },
        },
        viaVgw: {
          description:
            'The up direction was idle longer than the relay timeout: reverse data goes through the VGW to the ENI [¶77, ¶78].',
          on: {
            data: [
              { guard: 'isForward', target: 'viaFastPath', actions: ['learnPath', 'forwardToServer'] },
              { guard: 'isReverse', actions: ['sendViaVgw'] },
            ],
          },
        },
      },
    },
    sync: {
      description: 'IPVS sync: a record is due at the sync threshold and every sync period after, and leaves with the next batch [S10].',
      initial: 'idle',
      states: {
        idle: {
          description: 'No record waiting: forward packets are counted.',
          on: {
            data: [
              { guard: 'syncDue', target: 'pending', actions: ['countForward'] },
              { guard: 'isForward', actions: ['countForward'] },
            ],
          },
        },
        pending: {
          description: 'A record waits for its batch; it leaves with what the session holds then.',
          after: {
            syncInterval: { target: 'idle', actions: ['sendRecord'] },
          },
          on: {
            data: { guard: 'isForward', actions: ['countForward'] },
          },
        },
      },
    },
  },
});

/**
 * The prior-art member [¶45]: the same sync, but no VGW fallback (its learning ignores the
 * extras, so its records never carry them), as models/lvsPriorArt.ts is to models/lvs.ts.
 */
export const lvsMemberPriorArtMachine = lvsMemberMachine.provide({
  actions: {
    learnPath: assign(({ context, event }) => learnedPath(context, event as Delivered<DataMsg>)),
  },
  guards: {
    relayConfigured: () => false,
    idleClockRuns: () => false,
  },
});
