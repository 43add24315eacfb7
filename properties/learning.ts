/**
 * S6, learning (spec §6): the LVS's learned path for a session changes only when a
 * forward packet carrying a fast path's path info arrives, and then to that path
 * [¶45], [¶80].
 */
import { always, on } from '../src/checker/property.js';
import { chartChanges, delivered, forwardAtLvs } from '../src/checker/observe.js';

interface LearnedPath {
  pathVirtIp?: string | null;
}

export const learning = always<null>(
  'S6',
  'Learning only from forward packets',
  'spec §6 S6; [¶45], [¶80]',
  "The LVS's learned path changes only on a forward packet that carries path info, and to that packet's path.",
  {
    situation: "the LVS's learned path changes",
    observes: [on.chartChanges('lvs')],
    init: () => null,
    step: (data, obs, report) => {
      const { prev, world } = obs;
      if (!prev) return data;
      const fwd = forwardAtLvs(obs);
      for (const { actor, flow, before, after } of chartChanges<LearnedPath>(obs, 'lvs')) {
        if (!after) continue;
        // A session started in this step learned from nothing: its first path is checked too.
        const was = before?.context.pathVirtIp ?? null;
        const now = after.context.pathVirtIp ?? null;
        if (was === now) continue;
        report.exercise();
        // An LVS cluster member's backup learns a peer's path from its sync record [¶38].
        const record = delivered(obs)?.msg;
        if (record?.type === 'sync' && record.flow === flow && record.pathVirtIp === now) continue;
        if (!fwd || fwd.flow !== flow || fwd.pathVirtIp !== now) {
          report.violate(world.now, `${actor} changed its learned path from ${was} to ${now} without a forward packet carrying that path`);
        }
      }
      return data;
    },
  },
);
