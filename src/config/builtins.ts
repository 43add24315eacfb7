/**
 * Built-in scenarios, written as scenario files would be and read through the same
 * parser, so that they are validated like a user's. With the default configuration the
 * ECMP hash puts flow f1 on fp2, as in the patent's Fig. 5 (FP2 first, then FP1).
 */
import { parseScenario } from './scenario.js';
import type { Scenario } from './types.js';

interface Builtin {
  description: string;
  body: Record<string, unknown>;
}

const BUILTINS: Record<string, Builtin> = {
  normal: {
    description: 'Spec §3.1, steps 1-6: one reverse-heavy flow with acks, no fault.',
    body: { faults: [] },
  },
  'fp-crash-reverse-only': {
    description:
      "Spec §3.2, steps 7-13 (Fig. 5): fp2, which carries the reverse-heavy flow, crashes at 5 s while the client is silent between acks; the LVS falls back to the VGW, the client's new request makes the ENI probe fp2, give up and move to fp1, and the LVS relearns fp1.",
    body: { faults: [{ at: 5000, kind: 'crash', node: 'fp2' }] },
  },
  'all-fast-paths-down': {
    description:
      'E1: both fast paths crash at 5 s. Reverse data reaches the client through the VGW; forward traffic is lost; the LVS stays in VGW mode; the fast path is never restored.',
    body: {
      faults: [
        { at: 5000, kind: 'crash', node: 'fp1' },
        { at: 5000, kind: 'crash', node: 'fp2' },
      ],
    },
  },
  'reverse-link-down': {
    description:
      "E2: the LVS's link to fp2 fails at 5 s while fp2 stays up. The ENI's probe of fp2 succeeds, so the flow stays on fp2 and the LVS relearns fp2: reverse data oscillates between the black hole and the VGW (L1 holds, L3 fails).",
    body: { faults: [{ at: 5000, kind: 'linkDown', link: 'lvs->fp2' }] },
  },
  'fp-restart': {
    description:
      'E3: fp2 crashes at 5 s and restarts 100 ms later with the same address and an empty table: the next packets miss, the slow path re-offloads, no VGW needed.',
    body: {
      faults: [
        { at: 5000, kind: 'crash', node: 'fp2' },
        { at: 5100, kind: 'restart', node: 'fp2' },
      ],
    },
  },
  'fp-restart-new-ip': {
    description:
      "Spec §5: fp2 restarts at 5.1 s at a new address; the LVS's learned address is stale, so this plays like a crash.",
    body: {
      faults: [
        { at: 5000, kind: 'crash', node: 'fp2' },
        { at: 5100, kind: 'restart', node: 'fp2', newIp: true },
      ],
    },
  },
  'spoofed-server-vni': {
    description:
      "Finding (S3): the server's packets carry a VNI that is not in the tenant table. The slow path rejects the reverse first packet, but the LVS falls back to the VGW after the relay timeout, and the VGW relays without any check: the invalid packets reach the client.",
    body: { workload: { vni: 777 }, faults: [] },
  },
  'invalid-vni': {
    description:
      "S2/S3: the client's packets carry a CVNI that is not in PVL-Control's tenant table. The slow path rejects the first packet; nothing is offloaded or forwarded.",
    body: { workload: { cvni: 999 }, faults: [] },
  },
};

export const BUILTIN_NAMES = Object.keys(BUILTINS);
export const DEFAULT_SCENARIO = 'fp-crash-reverse-only';

export function builtinScenario(name: string, design: Scenario['design'] = 'patent'): Scenario | null {
  const b = BUILTINS[name];
  if (!b) return null;
  return parseScenario({ name, description: b.description, design, ...b.body }, name);
}
