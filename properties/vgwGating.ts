/**
 * S4, VGW gating (spec §6): the LVS sends a session's reverse data to the VGW only if the
 * session's up direction has been idle longer than the relay timeout it learned:
 * now − lastFwd > T_relay [¶77]; so a newly learned forward packet ends the detour
 * (steps 11-13).
 */
import { always, at, on, type At } from '../src/checker/property.js';
import { forwardAtLvs, sentToVgw } from '../src/checker/observe.js';

/** Per flow: the last forward arrival at the LVS and the relay timeout learned in-band. */
type Data = Readonly<Record<string, { lastFwdAt: At; relayTimeoutMs: number | null }>>;

export const vgwGating = always<Data>(
  'S4',
  'VGW only after the relay timeout',
  'spec §6 S4; [¶77]',
  "The LVS uses the VGW for a session only when now − lastFwd(session) > the session's relay timeout.",
  {
    situation: 'reverse data sent to the VGW',
    observes: [on.deliveries('data', 'lvs'), on.sends('data', 'lvs')],
    times: ['lastFwdAt'],
    init: () => ({}),
    step: (data, obs, report) => {
      let next = data;
      const fwd = forwardAtLvs(obs);
      const now = obs.world.now;
      if (fwd) {
        const relay = fwd.relayTimeoutMs ?? data[fwd.flow]?.relayTimeoutMs ?? null;
        next = { ...data, [fwd.flow]: { lastFwdAt: at(now), relayTimeoutMs: relay } };
      }
      for (const m of sentToVgw(obs)) {
        report.exercise();
        const s = next[m.flow];
        if (!s || s.relayTimeoutMs === null) {
          report.violate(now, `the LVS sent ${m.flow}'s reverse data to the VGW with no relay timeout learned`);
        } else if (now - s.lastFwdAt <= s.relayTimeoutMs) {
          report.violate(
            now,
            `the LVS sent ${m.flow}'s reverse data to the VGW ${now - s.lastFwdAt} ms after its last forward packet (relay timeout ${s.relayTimeoutMs} ms)`,
          );
        }
      }
      return next;
    },
  },
);
