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
  /** Properties this scenario violates under the patent design (a finding it demonstrates). */
  violates?: string[];
}

/** No prototype: a name such as "constructor" or "__proto__" is not a scenario. */
const BUILTINS: Record<string, Builtin> = Object.assign(Object.create(null) as object, {
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
      "Spec §5, E3 (new IP): fp2 crashes at 5 s and restarts at 5.1 s at a new virtual address on the same host. The LVS sends reverse data to the learned physical IP with the old virtual IP inside [C7]: the host is there, nobody on it owns that address, so it is black-holed (no-route:<phys>:inner-mismatch:<virt>) as after a crash. After the relay timeout it goes through the VGW; the client's new request makes the ENI probe fp2's old address (no route), fail over to fp1, and the LVS relearns fp1.",
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
    violates: ['S3'],
  },
  'forward-link-down': {
    description:
      "Finding: the ENI's link to fp2 fails at 5 s while fp2 stays up. Acks are lost, so the LVS falls back to the VGW; but reverse data never stopped, the client never hangs and sends no new request, so the ENI never probes fp2: the LVS stays on the VGW for good (L3). Routine probing [¶65] would find the dead link.",
    body: { faults: [{ at: 5000, kind: 'linkDown', link: 'eni->fp2' }] },
  },
  'second-dead-fast-path': {
    description:
      "Finding: of three fast paths, fp3 (carrying f1) and fp2 crash at 5 s. The ENI's probe finds fp3 dead and ECMP moves the flow to fp2, which is dead too. The request is lost, but VGW data keeps the client from hanging again, so no request ever probes fp2: the LVS stays on the VGW (L2, L3).",
    body: {
      config: { fastPaths: 3 },
      faults: [
        { at: 5000, kind: 'crash', node: 'fp3' },
        { at: 5000, kind: 'crash', node: 'fp2' },
      ],
    },
  },
  'probe-shorter-than-round-trip': {
    description:
      "Finding (found by the explorer): a probe timeout no longer than the probe's round trip. fp1 crashes early; when the client's new request makes the ENI probe fp2, the timeout fires before fp2's answer arrives, the ENI marks the healthy fp2 down and moves the flow onto the dead fp1, where it stays.",
    body: {
      config: { relayTimeoutMs: 24, scanMs: 1, probeTimeoutMs: 2, probeRetries: 1, linkDelayMs: [1, 1], configRefreshMs: 8 },
      workload: { startAtMs: 2, ackEvery: 1, hangTimeoutMs: 6, streamIntervalMs: 4 },
      until: 200,
      faults: [{ at: 1, kind: 'crash', node: 'fp1' }],
    },
  },
  'lvs-restart': {
    description:
      'E7: the LVS restarts at 5 s and loses its sessions (no session sync is modelled): reverse data from the server finds no session and goes nowhere, in both designs, and the silent client never sends again.',
    body: { faults: [{ at: 5000, kind: 'restart', node: 'lvs' }] },
  },
  'lvs-member-crash': {
    description:
      "LVS cluster (E7, [¶38]): two LVS members; lvs1, which serves f1 and has synced its session to lvs2 with the learned path and the VGW extras, crashes at 5 s, just after fp2, the flow's fast path. The ECMP moves f1 to lvs2, whose backup session takes over with the server's next packet: reverse data to the synced path (fp2, dead), then after the relay timeout through the VGW; the client's new request fails over to fp1 and lvs2 relearns it (L1, L2 hold).",
    body: {
      config: { lvsMembers: 2 },
      faults: [
        { at: 5000, kind: 'crash', node: 'fp2' },
        { at: 5000, kind: 'crash', node: 'lvs1' },
      ],
    },
  },
  'lvs-member-crash-unsynced': {
    description:
      'Finding E7 (extended fault model): two LVS members; lvs1 serves f1 and crashes at 1.5 s, when the session has seen two forward packets, below the sync threshold of 3 [S10]: lvs2 never got a record. The ECMP moves f1 to lvs2, where the server\'s reverse data finds no session (no-session): the prior art\'s black hole, and the silent client never sends again.',
    body: {
      config: { lvsMembers: 2 },
      faultModel: 'extended',
      faults: [{ at: 1500, kind: 'crash', node: 'lvs1' }],
    },
    violates: ['L1', 'L2'],
  },
  'lvs-member-crash-no-vgw-extras': {
    description:
      'Finding E7 (extended fault model): two LVS members whose sync records carry the learned path but not the VGW-IP and relay timeout (syncFields ["path"]). fp2, the flow\'s fast path, and lvs1 crash at 5 s; lvs2 takes f1 over with the synced path and sends reverse data to the dead fp2. The VGW extras came in-band only on the path\'s first packet [¶51], to lvs1: lvs2 has no fallback, and the silent client never sends again.',
    body: {
      config: { lvsMembers: 2, syncFields: ['path'] },
      faultModel: 'extended',
      faults: [
        { at: 5000, kind: 'crash', node: 'fp2' },
        { at: 5000, kind: 'crash', node: 'lvs1' },
      ],
    },
    violates: ['L1', 'L2'],
  },
  'lvs-member-stale-idle-clock': {
    description:
      "Finding (LVS cluster, syncFields with \"lastForward\"): lvs1 synced f1 to lvs2 at its third forward packet, with the idle clock; the next record is due 50 packets later [S10], so lvs2's relay timer, run from that record, expires at 6 s while the client still acks through lvs1 every second. lvs1 crashes at 8 s; lvs2 takes the flow over straight into the VGW, 1 s after the flow's last forward packet: a needless fallback that S4 forbids [¶77].",
    body: {
      config: { lvsMembers: 2, syncFields: ['path', 'vgw', 'lastForward'] },
      faults: [{ at: 8000, kind: 'crash', node: 'lvs1' }],
    },
    violates: ['S4'],
  },
  'routine-probing-moves-flows': {
    description:
      'Finding (S8): with routine probing and hash-threshold ECMP, a fast path that comes back is re-added, and ECMP moves flows between healthy members: each moved flow misses on its new fast path and the LVS relearns. Resilient ECMP avoids it.',
    body: {
      config: { fastPaths: 3, routineProbeMs: 500 },
      workload: { flows: 4 },
      faults: [
        { at: 3000, kind: 'crash', node: 'fp1' },
        { at: 6000, kind: 'restart', node: 'fp1' },
      ],
    },
    violates: ['S8'],
  },
  'gray-fast-path': {
    description:
      "Finding (extended fault model): fp2, which carries the flow, fails gray at 5 s: it answers probes and drops every data packet. The LVS falls back to the VGW; the client's new request makes the ENI probe fp2, which answers, so the request goes to fp2 and is dropped: the LVS stays on the VGW for good (L2, L3), though fp1 is healthy.",
    body: { faultModel: 'extended', faults: [{ at: 5000, kind: 'gray', node: 'fp2' }] },
    violates: ['L2', 'L3'],
  },
  'vgw-down': {
    description:
      'Finding (extended fault model, E8): the VGW crashes at 4 s and fp2 at 5 s. The LVS falls back to the VGW, which is down: reverse data is black-holed, the client never hears anything to react to (W4 witnesses it).',
    body: {
      faultModel: 'extended',
      faults: [
        { at: 4000, kind: 'crash', node: 'vgw' },
        { at: 5000, kind: 'crash', node: 'fp2' },
      ],
    },
  },
  'slow-path-down': {
    description:
      "Finding (extended fault model, E8): fp2 crashes at 5 s and the slow path 1 ms later. After the VGW fallback the client's request fails over to fp1, whose first packet misses to the slow path, which is down: no offload, the LVS never learns fp1 (W5 witnesses it).",
    body: {
      faultModel: 'extended',
      faults: [
        { at: 5000, kind: 'crash', node: 'fp2' },
        { at: 5001, kind: 'crash', node: 'sp' },
      ],
    },
  },
  'invalid-vni': {
    description:
      "S2/S3: the client's packets carry a CVNI that is not in PVL-Control's tenant table. The slow path rejects the first packet; nothing is offloaded or forwarded.",
    body: { workload: { cvni: 999 }, faults: [] },
  },
  'two-tenants': {
    description:
      "Several clients (issue 11): client1 (tenant-a, one flow) behind eni1 and client2 (tenant-b, two flows) behind eni2 share the fast paths; fp2 crashes at 5 s. Each flow's reverse data, through a fast path or the VGW, reaches only its own client's ENI, with its own tenant's VNI (S3).",
    body: {
      config: {
        tenants: [
          { name: 'tenant-a', cvni: 100, vni: 200 },
          { name: 'tenant-b', cvni: 101, vni: 201 },
        ],
        clients: [{ tenant: 0, flows: 1 }, { tenant: 1, flows: 2 }],
      },
      faults: [{ at: 5000, kind: 'crash', node: 'fp2' }],
    },
  },
  'cross-tenant-cvni': {
    description:
      "S3 across tenants: a tenant-a client puts tenant-b's CVNI on its packets; both ids are in the table, but they are not one tenant's pair. The slow path validates the forward CVNI and refuses every reverse first packet (tenant-pair-mismatch). Under --design tenant-pair (the ids checked one by one) the reverse data is served and S3 is violated.",
    body: {
      config: {
        tenants: [
          { name: 'tenant-a', cvni: 100, vni: 200 },
          { name: 'tenant-b', cvni: 101, vni: 201 },
        ],
      },
      workload: { cvni: 101 },
      until: 8000,
      faults: [],
    },
  },
});

export const BUILTIN_NAMES = Object.keys(BUILTINS);

/** The built-in scenario of this name, looked up as an own key only. */
function builtin(name: string): Builtin | undefined {
  return Object.prototype.hasOwnProperty.call(BUILTINS, name) ? BUILTINS[name] : undefined;
}

/** The properties a built-in scenario violates under the patent design (its finding), if any. */
export function builtinViolations(name: string): readonly string[] {
  return builtin(name)?.violates ?? [];
}
export const DEFAULT_SCENARIO = 'fp-crash-reverse-only';

export function builtinScenario(name: string, design: Scenario['design'] = 'patent'): Scenario | null {
  const b = builtin(name);
  if (!b) return null;
  return parseScenario({ name, description: b.description, design, ...b.body }, name);
}
