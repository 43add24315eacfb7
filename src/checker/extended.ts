/**
 * The extended fault model's generator (`check --fault-model extended`): every fault kind
 * of the vocabulary (src/config/faults.ts), on any target its declaration allows, up to
 * the fault budget; and configurations outside the comfortable ranges the patent model's
 * generator keeps to: routine probing on or off and its period, ECMP hash-threshold or
 * resilient, several tenants and tenant ids outside the table (client side and server
 * side), per-link delay bounds, a relay timeout below "the client hangs first", a probe
 * timeout at or below the probe's round trip, silent clients.
 *
 * Every dimension is a `oneof` whose first choice is the comfortable value, so that
 * fast-check shrinks towards the simplest story: fewest faults, then the patent model's
 * values (the defaults), then the smallest numbers.
 */
import fc from 'fast-check';
import { DEFAULT_CONFIG } from '../config/defaults.js';
import { linkNames, linkRoleOf, roleOf, type AnyFault, type FaultDecl, type FaultVocabulary } from '../config/faults.js';
import type { Config, FaultSpec, LinkOverride, Workload } from '../config/types.js';
import type { Tenant } from '../../models/protocol.js';
import { fastPathIds, nodeIdsFor, shapeOf, type TopologyShape } from '../config/topology.js';
import { ecmpPick } from '../../models/eni.js';

/** What the extended generator draws besides the patent model's values. */
export interface ExtendedRaw {
  routineProbeMs: number;
  ecmp: 'hash-threshold' | 'resilient';
  /** Extra tenants beyond the first (0-2). */
  extraTenants: number;
  /** Tenant ids on the client's and the server's packets: the first tenant's, another tenant's, or outside the table. */
  cvni: 'own' | 'other' | 'outside';
  vni: 'own' | 'other' | 'outside';
  /** Per-link delay overrides: [link index, min, span]. */
  links: [number, number, number][];
  /** Relay timeout: the comfortable one (above hang + ack gap), or drawn below it. */
  relay: { kind: 'comfortable' } | { kind: 'low'; ms: number };
  /** Probe timeout: as drawn, or at or below the round trip. */
  probe: { kind: 'comfortable' } | { kind: 'short'; ms: number };
}

/** Tenant ids outside any table the generator makes. */
export const OUTSIDE_CVNI = 999;
export const OUTSIDE_VNI = 777;

export const extendedRaw: fc.Arbitrary<ExtendedRaw> = fc.record({
  routineProbeMs: fc.oneof({ withCrossShrink: true }, fc.constant(0), fc.integer({ min: 20, max: 2000 })),
  ecmp: fc.oneof({ withCrossShrink: true }, fc.constant<'hash-threshold'>('hash-threshold'), fc.constant<'resilient'>('resilient')),
  extraTenants: fc.integer({ min: 0, max: 2 }),
  cvni: fc.oneof(
    { withCrossShrink: true },
    { weight: 8, arbitrary: fc.constant<'own'>('own') },
    { weight: 1, arbitrary: fc.constant<'other'>('other') },
    { weight: 1, arbitrary: fc.constant<'outside'>('outside') },
  ),
  vni: fc.oneof(
    { withCrossShrink: true },
    { weight: 8, arbitrary: fc.constant<'own'>('own') },
    { weight: 1, arbitrary: fc.constant<'other'>('other') },
    { weight: 1, arbitrary: fc.constant<'outside'>('outside') },
  ),
  links: fc.array(fc.tuple(fc.nat({ max: 63 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 30 })), { maxLength: 3 }),
  relay: fc.oneof(
    { withCrossShrink: true },
    { weight: 4, arbitrary: fc.constant<{ kind: 'comfortable' }>({ kind: 'comfortable' }) },
    { weight: 1, arbitrary: fc.integer({ min: 50, max: 3000 }).map((ms) => ({ kind: 'low' as const, ms })) },
  ),
  probe: fc.oneof(
    { withCrossShrink: true },
    { weight: 4, arbitrary: fc.constant<{ kind: 'comfortable' }>({ kind: 'comfortable' }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }).map((ms) => ({ kind: 'short' as const, ms })) },
  ),
});

/** The extended model's values on top of a configuration and workload the patent model drew. */
export function applyExtended(raw: ExtendedRaw, config: Config, w: Workload, fixed: { config?: Partial<Config>; workload?: Partial<Workload> }): { config: Config; workload: Workload } {
  const tenants: Tenant[] = [...DEFAULT_CONFIG.tenants];
  for (let i = 0; i < raw.extraTenants; i++) tenants.push({ name: `tenant-${String.fromCharCode(98 + i)}`, cvni: 101 + i, vni: 201 + i });
  const other = tenants[tenants.length - 1]!;
  const pick = (which: 'own' | 'other' | 'outside', side: 'cvni' | 'vni'): number | null =>
    which === 'own' ? null : which === 'other' ? (tenants.length > 1 ? other[side] : null) : side === 'cvni' ? OUTSIDE_CVNI : OUTSIDE_VNI;
  const links: Record<string, LinkOverride> = {};
  const directed = linkNames(config.fastPaths, shapeOf(config)).directed;
  for (const [i, min, span] of raw.links) links[directed[i % directed.length]!] = { delayMs: [min, min + span] };
  let cfg: Config = {
    ...config,
    routineProbeMs: raw.routineProbeMs,
    ecmp: raw.ecmp,
    tenants,
    links,
  };
  if (raw.relay.kind === 'low' && fixed.config?.relayTimeoutMs === undefined) cfg = { ...cfg, relayTimeoutMs: raw.relay.ms };
  if (raw.probe.kind === 'short' && fixed.config?.probeTimeoutMs === undefined) cfg = { ...cfg, probeTimeoutMs: raw.probe.ms };
  cfg = { ...cfg, ...fixed.config };
  const workload: Workload = { ...w, cvni: pick(raw.cvni, 'cvni') ?? w.cvni, vni: pick(raw.vni, 'vni'), ...fixed.workload };
  return { config: cfg, workload };
}

// ---- Faults drawn from the vocabulary ----------------------------------------------------

/** A fault as drawn: indexes resolved against the run's topology and the vocabulary later. */
export interface RawVocabFault {
  at: number;
  kind: number;
  /** For targets of role `fp`: the fast path carrying a flow, or any. */
  fpOf: 'flow' | 'any';
  target: number;
  /** A link: one direction, or both where both exist. */
  both: boolean;
  /** One number per parameter, mapped into its declared draw range (0 shrinks to its low end). */
  params: number[];
}

/** The kinds the extended generator draws, in the vocabulary's order (the first is what shrinking tends to). */
export function drawnKinds(vocab: FaultVocabulary): FaultDecl[] {
  return Object.values(vocab).filter((d) => d.weight > 0 && d.models.extended !== undefined);
}

export function rawVocabFault(vocab: FaultVocabulary, atScale: number): fc.Arbitrary<RawVocabFault> {
  const kinds = drawnKinds(vocab);
  return fc.record({
    at: fc.integer({ min: 0, max: atScale }),
    kind: fc.oneof({ withCrossShrink: true }, ...kinds.map((d, i) => ({ weight: d.weight, arbitrary: fc.constant(i) }))),
    fpOf: fc.oneof({ withCrossShrink: true }, fc.constant<'flow'>('flow'), fc.constant<'any'>('any')),
    target: fc.nat({ max: 255 }),
    both: fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    params: fc.tuple(fc.nat({ max: 10_000 }), fc.nat({ max: 10_000 }), fc.nat({ max: 10_000 })),
  });
}

/**
 * A drawn fault made concrete: the kind's declaration says what it may hit under the
 * extended model (node roles, or link roles such as `lvs->fp`), and its parameters' ranges.
 */
export function resolveVocabFault(raw: RawVocabFault, vocab: FaultVocabulary, fastPaths: number, flows: number, shape: TopologyShape = {}): FaultSpec {
  const kinds = drawnKinds(vocab);
  const decl = kinds[raw.kind % kinds.length]!;
  const fps = fastPathIds(fastPaths);
  const fp = raw.fpOf === 'flow' ? (ecmpPick(`f${(raw.target % flows) + 1}`, fps) ?? fps[0]!) : fps[raw.target % fps.length]!;
  const roles = decl.models.extended?.roles ?? [];
  const out: AnyFault & { at: number } = { at: raw.at, kind: decl.kind };
  if (decl.target === 'node') {
    const nodes = nodeIdsFor(fastPaths, shape).filter((n) => roles.includes(roleOf(n)));
    // A fast path role means "the flow's fast path, or any": the others by index.
    const others = nodes.filter((n) => roleOf(n) !== 'fp');
    // Half the draws hit a fast path (the model's busiest role), half the other roles.
    if (roles.includes('fp') && (others.length === 0 || raw.target % 2 === 0)) out.node = fp;
    else out.node = others[Math.floor(raw.target / 2) % others.length]!;
  } else {
    const names = linkNames(fastPaths, shape);
    const wantBoth = raw.both && decl.links === 'directed-or-both';
    const pool = (wantBoth ? names.both : names.directed).filter((l) => roles.includes(linkRoleOf(l)));
    // Links of the chosen fast path first, so that "the flow's fast path" reaches its links.
    const own = pool.filter((l) => l.includes(fp));
    const rest = pool.filter((l) => !/fp\d+/.test(l));
    const choices = [...own, ...rest];
    out.link = choices[Math.floor(raw.target / 2) % choices.length] ?? pool[0]!;
  }
  const role = out.node !== undefined ? roleOf(out.node) : null;
  decl.params.forEach((p, i) => {
    const n = raw.params[i] ?? 0;
    if (p.onlyFor && role !== null && !p.onlyFor.includes(role)) return;
    if (p.type === 'boolean') {
      if (n % 2 === 1) out[p.name] = true;
      return;
    }
    const [lo, hi] = p.draw ?? p.range ?? [0, 1];
    const v = lo + (n % (hi - lo + 1));
    out[p.name] = p.type === 'probability' ? v / 10 : v;
  });
  return out as unknown as FaultSpec;
}
