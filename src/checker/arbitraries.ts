/**
 * fast-check arbitraries for everything a run depends on: configuration, workload, fault
 * schedule and the scheduler's choices. Each shrinks towards the simplest thing that
 * still fails: fewer faults, earlier faults, two fast paths, one flow, the smallest
 * timeouts and delays, and a scheduler that takes minimal delays in first-come order.
 *
 * A generated RunSpec becomes an ordinary scenario (toScenario), so a counterexample is
 * written, read back and replayed like any scenario file.
 */
import fc from 'fast-check';
import { DEFAULT_CONFIG, DEFAULT_WORKLOAD } from '../config/defaults.js';
import { DEFAULT_VOCABULARY, faultText as vocabFaultText, type FaultModel, type FaultVocabulary } from '../config/faults.js';
import { applyExtended, extendedRaw, rawVocabFault, resolveVocabFault } from './extended.js';
import type { Config, FaultSpec, Scenario, Workload } from '../config/types.js';
import type { Fault } from '../engine/world.js';
import { fastPathIds, lvsIds, topologyLinks } from '../engine/system.js';
import { rendezvousPick } from '../engine/world.js';
import { clientIds, eniIds, shapeOf } from '../config/topology.js';
import { computeBounds } from '../sim/bounds.js';
import { ecmpPick } from '../../models/eni.js';

/** How the scheduler chooses: minimal delays in first-come order, or a seeded generator. */
export type Choices = 'minimal' | { seed: number };

export interface RunSpec {
  config: Config;
  workload: Workload;
  faults: FaultSpec[];
  choices: Choices;
  /** The fault model the run was drawn from (absent: patent); its scenario carries it. */
  faultModel?: FaultModel;
}

/** Values a user fixes (`check --config F`); every other field is generated. */
export interface Fixed {
  config?: Partial<Config>;
  workload?: Partial<Workload>;
}

export interface SpaceOptions {
  maxFaults: number;
  fixed?: Fixed;
  /**
   * Only these faults (at generated times), instead of the whole fault model: how `check`
   * is held to the same space as an exhaustive exploration (explore's fault menu).
   */
  menu?: readonly Fault[];
  /** `patent` (default: today's generator, unchanged) or `extended` (src/checker/extended.ts). */
  faultModel?: FaultModel;
  /** The fault kinds the extended generator draws from (default: the built-in vocabulary). */
  vocabulary?: FaultVocabulary;
}

/** The tenant id a spoofing client uses in some runs: in no tenant table by default. */
export const SPOOFED_CVNI = 999;

/** Fault kinds, most interesting first (fast-check shrinks a oneof towards its first). */
const FAULT_KINDS = ['crash-fp', 'restart-fp', 'link-down', 'link-up', 'loss', 'crash-node', 'restart-node'] as const;
const OTHER_NODES = ['sp', 'vgw', 'lvs', 'eni', 'server', 'control', 'client'] as const;

/** A fault with its target as indexes, resolved against the run's topology later. */
interface RawFault {
  at: number;
  kind: (typeof FAULT_KINDS)[number];
  /** For fast path faults: the path ECMP gives a flow ("the learned fast path"), or any. */
  fpOf: 'flow' | 'any';
  target: number;
  newIp: boolean;
  probability: number;
}

interface RawConfig {
  fastPaths: number;
  probeTimeoutMs: number;
  probeRetries: number;
  scanMs: number;
  relayMarginMs: number;
  delayMin: number;
  delaySpan: number;
}

interface RawWorkload {
  flows: number;
  ackEvery: number;
  hangTimeoutMs: number;
  streamIntervalMs: number;
  cvni: number | null;
}

const rawConfig: fc.Arbitrary<RawConfig> = fc.record({
  fastPaths: fc.integer({ min: 2, max: 4 }),
  probeTimeoutMs: fc.integer({ min: 50, max: 500 }),
  probeRetries: fc.integer({ min: 1, max: 4 }),
  scanMs: fc.integer({ min: 10, max: 200 }),
  relayMarginMs: fc.integer({ min: 100, max: 3000 }),
  delayMin: fc.integer({ min: 0, max: 2 }),
  delaySpan: fc.integer({ min: 0, max: 3 }),
});

const rawWorkload: fc.Arbitrary<RawWorkload> = fc.record({
  flows: fc.integer({ min: 1, max: 3 }),
  ackEvery: fc.oneof(
    { withCrossShrink: true },
    { weight: 9, arbitrary: fc.integer({ min: 1, max: 6 }) },
    { weight: 1, arbitrary: fc.constant(0) },
  ),
  hangTimeoutMs: fc.integer({ min: 200, max: 1500 }),
  streamIntervalMs: fc.integer({ min: 50, max: 300 }),
  cvni: fc.oneof(
    { withCrossShrink: true },
    { weight: 9, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(SPOOFED_CVNI) },
  ),
});

/** Fault times are generated as a fraction (in 1/10000) of the run's fault window. */
const AT_SCALE = 10_000;

/** Faults fall within the first few relay timeouts, and at most 8 s into a run. */
function faultWindow(config: Config, w: Workload): number {
  return Math.min(8000, w.startAtMs + 4 * config.relayTimeoutMs);
}

const rawFault: fc.Arbitrary<RawFault> = fc.record({
  at: fc.integer({ min: 0, max: AT_SCALE }),
  kind: fc.oneof(
    { withCrossShrink: true },
    { weight: 6, arbitrary: fc.constant(FAULT_KINDS[0]) },
    ...FAULT_KINDS.slice(1).map((k) => ({ weight: k === 'crash-node' || k === 'restart-node' ? 1 : 2, arbitrary: fc.constant(k) })),
  ),
  fpOf: fc.oneof({ withCrossShrink: true }, fc.constant<'flow'>('flow'), fc.constant<'any'>('any')),
  target: fc.nat({ max: 63 }),
  newIp: fc.boolean(),
  probability: fc.integer({ min: 1, max: 10 }).map((n) => n / 10),
});

/**
 * An LVS cluster in some runs (issue 11): 1 (no cluster) in most, 2 or 3 members in the
 * others, with the default sync (threshold 3, period 50, 1 s batches, path and VGW extras).
 * A drawn crash or restart of the `lvs` then hits a member (resolveFault).
 */
const lvsMembers: fc.Arbitrary<number> = fc.oneof(
  { withCrossShrink: true },
  { weight: 6, arbitrary: fc.constant(1) },
  { weight: 3, arbitrary: fc.constant(2) },
  { weight: 1, arbitrary: fc.constant(3) },
);

const choices: fc.Arbitrary<Choices> = fc.oneof(
  { withCrossShrink: true },
  fc.constant<Choices>('minimal'),
  fc.record({ seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) }),
);

/** The generated workload, with what the user fixed laid over it. */
function buildWorkload(raw: RawWorkload, fixed: Partial<Workload> = {}): Workload {
  return {
    ...DEFAULT_WORKLOAD,
    flows: raw.flows,
    ackEvery: raw.ackEvery,
    hangTimeoutMs: raw.hangTimeoutMs,
    streamIntervalMs: raw.streamIntervalMs,
    cvni: raw.cvni,
    ...fixed,
  };
}

function buildConfig(raw: RawConfig, w: Workload, fixed: Partial<Config>): Config {
  const delay: [number, number] = [raw.delayMin, raw.delayMin + raw.delaySpan];
  const base: Config = {
    ...DEFAULT_CONFIG,
    fastPaths: raw.fastPaths,
    probeTimeoutMs: raw.probeTimeoutMs,
    probeRetries: raw.probeRetries,
    scanMs: raw.scanMs,
    linkDelayMs: delay,
    relayTimeoutMs: 0,
    ...fixed,
  };
  if (fixed.relayTimeoutMs !== undefined) return base;
  // The relay timeout must exceed the normal forward gap (E10) and give the client time
  // to hang: above hang timeout + ack gap + path delays + Δscan, plus a margin.
  const floor = w.hangTimeoutMs + Math.max(1, w.ackEvery) * w.streamIntervalMs + 10 * base.linkDelayMs[1] + base.scanMs;
  return { ...base, relayTimeoutMs: Math.min(30_000, floor + raw.relayMarginMs) };
}

function resolveFault(raw: RawFault, fastPaths: number, flows: number, clients = 1, members = 1): FaultSpec {
  const fps = fastPathIds(fastPaths);
  const links = topologyLinks(fastPaths, { clients, lvsMembers: members }).map(([a, b]) => `${a}->${b}`);
  // "The fast path carrying flow fK": the one ECMP picks for it over all members.
  const pathOf = (k: number): string => {
    const member = ecmpPick(`f${k + 1}`, fps);
    return member ?? fps[0]!;
  };
  const fp = raw.fpOf === 'flow' ? pathOf(raw.target % flows) : fps[raw.target % fps.length]!;
  const link = links[raw.target % links.length]!;
  const other = OTHER_NODES[raw.target % OTHER_NODES.length]!;
  // Several clients: a client or ENI fault hits one of them (client1 … / eni1 …).
  const pickOf = (ids: string[]) => ids[Math.floor(raw.target / OTHER_NODES.length) % ids.length]!;
  const clientNode = clients === 1 ? other : other === 'client' ? pickOf(clientIds(clients)) : other === 'eni' ? pickOf(eniIds(clients)) : other;
  // With an LVS cluster, half the node faults hit a member (and so does "the lvs"): the
  // member the ECMP gives the flow, or any member.
  const lvss = lvsIds(members);
  const member = raw.fpOf === 'flow' ? (rendezvousPick(`f${(raw.target % flows) + 1}`, lvss) ?? lvss[0]!) : lvss[raw.target % lvss.length]!;
  const node = members > 1 && (other === 'lvs' || raw.target % 2 === 0) ? member : clientNode;
  switch (raw.kind) {
    case 'crash-fp':
      return { at: raw.at, kind: 'crash', node: fp };
    case 'restart-fp':
      return raw.newIp ? { at: raw.at, kind: 'restart', node: fp, newIp: true } : { at: raw.at, kind: 'restart', node: fp };
    case 'link-down':
      return { at: raw.at, kind: 'linkDown', link };
    case 'link-up':
      return { at: raw.at, kind: 'linkUp', link };
    case 'loss':
      return { at: raw.at, kind: 'loss', link, probability: raw.probability };
    case 'crash-node':
      return { at: raw.at, kind: 'crash', node };
    case 'restart-node':
      return { at: raw.at, kind: 'restart', node };
  }
}

/** A fault from a fixed menu, at a generated time (still to be scaled, like RawFault's). */
function menuFault(menu: readonly Fault[]): fc.Arbitrary<RawFault | FaultSpec> {
  return fc
    .record({ at: fc.integer({ min: 0, max: AT_SCALE }), pick: fc.nat({ max: menu.length - 1 }) })
    .map(({ at, pick }) => ({ at, ...menu[pick]! }) as FaultSpec);
}

// ---- Clients and tenants (issue 11) ------------------------------------------------------

/** Several clients, each behind its ENI, of one or two tenants; a client that puts the other tenant's CVNI on its flows. */
interface RawTenancy {
  clients: number;
  twoTenants: boolean;
  /** Each client's tenant (0 or 1), used when there are two. */
  tenantOf: number[];
  /** Client 1 carries the other tenant's CVNI: a pair of two tenants (the slow path must refuse its reverse direction). */
  crossCvni: boolean;
}

/** The second tenant of a two-tenant table. */
export const SECOND_TENANT = { name: 'tenant-b', cvni: 101, vni: 201 } as const;

const rawTenancy: fc.Arbitrary<RawTenancy> = fc.record({
  clients: fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.integer({ min: 2, max: 3 }) }),
  twoTenants: fc.oneof({ withCrossShrink: true }, { weight: 1, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  tenantOf: fc.array(fc.nat({ max: 1 }), { minLength: 3, maxLength: 3 }),
  crossCvni: fc.oneof({ withCrossShrink: true }, { weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/**
 * The drawn clients and tenants laid over a run: client 1 has the workload's flows, the
 * others one flow each. Left alone when the user fixed `clients` or `tenants`, or the
 * workload already spoofs a CVNI.
 */
function applyTenancy(raw: RawTenancy, cfg: Config, w: Workload, fixed: Fixed): { config: Config; workload: Workload } {
  if (fixed.config?.clients !== undefined || fixed.config?.tenants !== undefined) return { config: cfg, workload: w };
  const tenants = raw.twoTenants ? [...cfg.tenants, { ...SECOND_TENANT }] : cfg.tenants;
  const tenantOf = (i: number) => (raw.twoTenants ? raw.tenantOf[i]! : 0);
  const config: Config = raw.clients === 1 && !raw.twoTenants ? cfg : {
    ...cfg,
    tenants,
    ...(raw.clients > 1 ? { clients: Array.from({ length: raw.clients }, (_, i) => (i === 0 ? { tenant: tenantOf(0) } : { flows: 1, tenant: tenantOf(i) })) } : {}),
  };
  if (raw.clients === 1 && raw.twoTenants && tenantOf(0) !== 0) config.clients = [{ tenant: tenantOf(0) }];
  const cross = raw.twoTenants && raw.crossCvni && w.cvni === null && fixed.workload?.cvni === undefined;
  const workload = cross ? { ...w, cvni: tenants[1 - tenantOf(0)]!.cvni } : w;
  return { config, workload };
}

export function runSpecArbitrary(options: SpaceOptions): fc.Arbitrary<RunSpec> {
  if (options.faultModel === 'extended' && !(options.menu && options.menu.length > 0)) return extendedRunSpecArbitrary(options);
  const fixed = options.fixed ?? {};
  const menu = options.menu && options.menu.length > 0;
  const fault: fc.Arbitrary<RawFault | FaultSpec> = menu ? menuFault(options.menu!) : rawFault;
  return fc
    .record({
      config: rawConfig,
      workload: rawWorkload,
      faults: fc.array(fault, { maxLength: options.maxFaults }),
      choices,
      // A fixed fault menu (explore's) names one client's and one LVS's nodes: no clients
      // and no cluster drawn then.
      tenancy: menu ? fc.constant(null) : rawTenancy,
      lvsMembers: options.menu && options.menu.length > 0 ? fc.constant(1) : lvsMembers,
    })
    .map(({ config, workload, faults, choices: c, tenancy, lvsMembers: members }) => {
      const w0 = buildWorkload(workload, fixed.workload);
      const cfg0 = buildConfig(config, w0, { lvsMembers: members, ...fixed.config });
      const { config: cfg, workload: w } = tenancy ? applyTenancy(tenancy, cfg0, w0, fixed) : { config: cfg0, workload: w0 };
      const clients = cfg.clients?.length ?? 1;
      const spec: RunSpec = {
        config: cfg,
        workload: w,
        faults: faults
          .map((f) => {
            const at = Math.round((f.at * faultWindow(cfg, w)) / AT_SCALE);
            return 'target' in f ? resolveFault({ ...f, at }, cfg.fastPaths, w.flows, clients, cfg.lvsMembers) : { ...f, at };
          })
          .sort((a, b) => a.at - b.at),
        choices: c,
      };
      return withStory(spec);
    });
}

/**
 * The extended fault model: the patent model's draws, then every dimension of
 * ExtendedRaw, and faults from the whole vocabulary (src/checker/extended.ts).
 */
function extendedRunSpecArbitrary(options: SpaceOptions): fc.Arbitrary<RunSpec> {
  const fixed = options.fixed ?? {};
  const vocab = options.vocabulary ?? DEFAULT_VOCABULARY;
  return fc
    .record({
      config: rawConfig,
      workload: rawWorkload,
      extended: extendedRaw,
      faults: fc.array(rawVocabFault(vocab, AT_SCALE), { maxLength: options.maxFaults }),
      choices,
    })
    .map(({ config, workload, extended, faults, choices: c }) => {
      const w0 = buildWorkload(workload, fixed.workload);
      const base = buildConfig(config, w0, fixed.config ?? {});
      const { config: cfg, workload: w } = applyExtended(extended, base, w0, fixed);
      const spec: RunSpec = {
        config: cfg,
        workload: w,
        faults: faults
          .map((f) => resolveVocabFault({ ...f, at: Math.round((f.at * faultWindow(cfg, w)) / AT_SCALE) }, vocab, cfg.fastPaths, w.flows, shapeOf(cfg)))
          .sort((a, b) => a.at - b.at),
        choices: c,
        faultModel: 'extended',
      };
      return withStory(spec);
    });
}

/** Long enough to see recovery from the last fault, and L3's quiet time after it. */
export function runLength(spec: Pick<RunSpec, 'config' | 'workload' | 'faults'>): number {
  const b = computeBounds(spec.config, spec.workload);
  const lastFault = Math.max(spec.workload.startAtMs + 500, ...spec.faults.map((f) => f.at));
  return lastFault + b.l2.ms + spec.workload.hangTimeoutMs + 3 * spec.workload.streamIntervalMs + 500;
}

export function toScenario(spec: RunSpec, design: string, name = 'generated'): Scenario {
  return {
    name,
    description: describeRun(spec).join(' '),
    design,
    seed: spec.choices === 'minimal' ? 0 : spec.choices.seed,
    choices: spec.choices === 'minimal' ? 'minimal' : 'seeded',
    until: runLength(spec),
    config: spec.config,
    workload: spec.workload,
    faults: spec.faults,
    ...(spec.faultModel === 'extended' ? { faultModel: 'extended' as const } : {}),
  };
}

/** The run as a story, one line per part: what fast-check prints for a counterexample. */
export function describeRun(spec: RunSpec): string[] {
  const c = spec.config;
  const w = spec.workload;
  const lines = [
    `${c.fastPaths} fast paths;${c.lvsMembers > 1 ? ` an LVS cluster of ${c.lvsMembers} (sync ${c.syncThreshold}/${c.syncPeriod} packets, ${c.syncIntervalMs} ms batches, ${c.syncFields.join('+') || 'no extras'});` : ''} relay timeout ${c.relayTimeoutMs} ms, Δscan ${c.scanMs} ms; probes ${c.probeTimeoutMs} ms × ${c.probeRetries}; link delay ${c.linkDelayMs[0]}-${c.linkDelayMs[1]} ms.`,
    `${w.flows} flow${w.flows > 1 ? 's' : ''}: stream every ${w.streamIntervalMs} ms, ${w.ackEvery > 0 ? `ack every ${w.ackEvery}` : 'no acks (silent client)'}, hang after ${w.hangTimeoutMs} ms${w.cvni !== null ? `, spoofed CVNI ${w.cvni}` : ''}.`,
    ...tenancyStory(c),
    spec.faults.length === 0
      ? 'No faults.'
      : `Faults: ${spec.faults.map((f) => faultText(f)).join('; ')}.`,
    spec.choices === 'minimal' ? 'Scheduler: minimal delays, first-come order.' : `Scheduler: seeded choices (seed ${spec.choices.seed}).`,
  ];
  if (spec.faultModel === 'extended') lines.splice(2, 0, ...extendedStory(spec));
  return lines;
}

/** Several clients or tenants, in words (nothing for one client of the default tenant). */
function tenancyStory(c: Config): string[] {
  if (!c.clients && c.tenants.length === 1) return [];
  const clients = c.clients ?? [{ tenant: 0 }];
  const who = clients.map((x, i) => `client ${i + 1} of ${c.tenants[x.tenant]?.name ?? x.tenant}${x.flows !== undefined ? ` (${x.flows} flow${x.flows > 1 ? 's' : ''})` : ''}`);
  return [`${c.tenants.length} tenant${c.tenants.length > 1 ? 's' : ''} (${c.tenants.map((t) => `${t.name} ${t.cvni}/${t.vni}`).join(', ')}); ${who.join(', ')}.`];
}

/** A fault in a story: "at 61 ms crash fp2" (the words come from the fault vocabulary). */
export function faultText(f: FaultSpec, vocab: FaultVocabulary = DEFAULT_VOCABULARY): string {
  return `at ${f.at} ms ${vocabFaultText(f, vocab)}`;
}

function withStory(spec: RunSpec): RunSpec {
  Object.defineProperty(spec, fc.toStringMethod, { value: () => describeRun(spec).join(' '), enumerable: false });
  return spec;
}

/** What the extended model changed, in words (only what differs from the defaults). */
function extendedStory(spec: RunSpec): string[] {
  const c = spec.config;
  const w = spec.workload;
  const parts: string[] = [];
  parts.push(c.routineProbeMs > 0 ? `routine probing every ${c.routineProbeMs} ms` : 'probing on request only');
  parts.push(`${c.ecmp} ECMP`);
  if (c.tenants.length > 1) parts.push(`${c.tenants.length} tenants`);
  if (w.vni !== null) parts.push(`server-side VNI ${w.vni}${c.tenants.some((t) => t.vni === w.vni) ? '' : ' (outside the table)'}`);
  const links = Object.entries(c.links);
  if (links.length > 0) parts.push(`link delays ${links.map(([l, o]) => `${l} ${o.delayMs?.[0]}-${o.delayMs?.[1]} ms`).join(', ')}`);
  return [`Extended: ${parts.join('; ')}.`];
}
