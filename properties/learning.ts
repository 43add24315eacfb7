/**
 * S6, learning (spec §6): the LVS's learned path for a session changes only when a
 * forward packet carrying a fast path's path info arrives, and then to that path
 * [¶45], [¶80].
 */
import { always } from '../src/checker/property.js';
import { changedActors, delivered, forwardAtLvs, isLvs } from '../src/checker/observe.js';
import { actorNode } from '../src/engine/world.js';

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
    init: () => null,
    step: (data, obs, report) => {
      const { prev, world } = obs;
      if (!prev) return data;
      const fwd = forwardAtLvs(obs);
      for (const { key, before, after: snap } of changedActors(obs)) {
        if (!snap || !isLvs(obs.sys, actorNode(key))) continue;
        // A session started in this step learned from nothing: its first path is checked too.
        const was = before ? ((before.xs.context as LearnedPath).pathVirtIp ?? null) : null;
        const now = (snap.xs.context as LearnedPath).pathVirtIp ?? null;
        if (was === now) continue;
        report.exercise();
        const flow = key.slice(actorNode(key).length + 1);
        // An LVS cluster member's backup learns a peer's path from its sync record [¶38].
        const record = delivered(obs)?.msg;
        if (record?.type === 'sync' && record.flow === flow && record.pathVirtIp === now) continue;
        if (!fwd || fwd.flow !== flow || fwd.pathVirtIp !== now) {
          report.violate(world.now, `${key} changed its learned path from ${was} to ${now} without a forward packet carrying that path`);
        }
      }
      return data;
    },
  },
);
