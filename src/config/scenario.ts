/**
 * Scenario files (model-contract.md, "Scenario file"): parsing, validation, defaults.
 * Every field but `design` may be left out and takes its default (defaults.ts). Unknown
 * fields, wrong types, unknown node ids or links and impossible values are rejected with
 * an InputError naming the field.
 */
import type { Tenant } from '../../models/protocol.js';
import { DESIGN_NAMES, nodeIdsFor, shapeOf, topologyLinks, totalFlows } from './topology.js';
import { BOTH_WAYS, DEFAULT_VOCABULARY, FAULT_MODELS, ROLES, declOf, faultFields, linkNames, roleOf, type FaultVocabulary, type Role } from './faults.js';
import {
  CONFIG_RANGES,
  DEFAULT_CONFIG,
  DEFAULT_SEED,
  DEFAULT_UNTIL_MS,
  DEFAULT_WORKLOAD,
  MAX_UNTIL_MS,
  MAX_UNTIL_WHY,
  WORKLOAD_RANGES,
} from './defaults.js';
import { SYNC_FIELDS, type SyncField } from './types.js';
import type { ClientSpec, Config, DelayBounds, FaultSpec, LinkOverride, Scenario, Workload } from './types.js';
import {
  InputError,
  array,
  boolean,
  integer,
  join,
  object,
  oneOf,
  optional,
  probability,
  string,
} from './validate.js';

const SCENARIO_FIELDS = ['name', 'description', 'design', 'seed', 'choices', 'until', 'config', 'workload', 'faults', 'faultModel'];
// `clients` and `ecmpOrder` are optional and absent by default (one client; configuration order), so DEFAULT_CONFIG does not list them.
const CONFIG_FIELDS = [...Object.keys(DEFAULT_CONFIG), 'clients', 'ecmpOrder'];
const WORKLOAD_FIELDS = Object.keys(DEFAULT_WORKLOAD);
const VNI_RANGE = [0, 2 ** 24 - 1] as const; // 24-bit VXLAN network id [S15]
const TIME_RANGE = [0, 2 ** 40] as const;

function delayBounds(v: unknown, path: string): DelayBounds {
  const a = array(v, path);
  if (a.length !== 2) throw new InputError(path, `must be [min, max] in ms, got ${a.length} values`);
  const min = integer(a[0], join(path, 0), CONFIG_RANGES.delayMs);
  const max = integer(a[1], join(path, 1), CONFIG_RANGES.delayMs);
  if (min > max) throw new InputError(path, `min ${min} is greater than max ${max}`);
  return [min, max];
}

function tenants(v: unknown, path: string): Tenant[] {
  const list = array(v, path);
  if (list.length === 0) throw new InputError(path, 'must list at least one tenant');
  return list.map((t, i) => {
    const p = join(path, i);
    const o = object(t, p, ['name', 'cvni', 'vni']);
    return {
      name: optional(o, 'name', p, string, `tenant-${i + 1}`),
      cvni: integer(o.cvni, join(p, 'cvni'), VNI_RANGE),
      vni: integer(o.vni, join(p, 'vni'), VNI_RANGE),
    };
  });
}

/** `config.clients`: 1..8 clients, each with its tenant (an index into `tenants`) and optionally its flow count. */
function clientsField(v: unknown, path: string, tenantCount: number): ClientSpec[] {
  const list = array(v, path);
  const [min, max] = CONFIG_RANGES.clients;
  if (list.length < min || list.length > max) throw new InputError(path, `must list ${min} to ${max} clients, got ${list.length}`);
  return list.map((c, i) => {
    const p = join(path, i);
    const o = object(c, p, ['flows', 'tenant']);
    if (o.tenant === undefined) throw new InputError(join(p, 'tenant'), `is required (an index into config.tenants, 0 to ${tenantCount - 1})`);
    const tenant = integer(o.tenant, join(p, 'tenant'), [0, tenantCount - 1]);
    return o.flows === undefined ? { tenant } : { flows: integer(o.flows, join(p, 'flows'), WORKLOAD_RANGES.flows), tenant };
  });
}

/** `config.ecmpOrder`: a permutation of the fast paths' numbers 1..fastPaths. */
function ecmpOrderField(v: unknown, path: string, fastPaths: number): number[] {
  const list = array(v, path);
  const order = list.map((x, i) => integer(x, join(path, i), [1, fastPaths]));
  if (order.length !== fastPaths || new Set(order).size !== fastPaths) {
    throw new InputError(path, `must list each fast path 1..${fastPaths} once (a permutation, e.g. [${Array.from({ length: fastPaths }, (_, i) => fastPaths - i).join(', ')}]), got [${order.join(', ')}]`);
  }
  return order;
}

export function parseConfig(v: unknown, path = 'config'): Config {
  const o = object(v ?? {}, path, CONFIG_FIELDS);
  const r = CONFIG_RANGES;
  const int = (key: keyof typeof r & keyof Config, fallback: number) =>
    optional(o, key, path, (x, p) => integer(x, p, r[key]), fallback);
  const d = DEFAULT_CONFIG;
  const fastPaths = int('fastPaths', d.fastPaths);
  const tenantList = optional(o, 'tenants', path, tenants, d.tenants);
  const clients = o.clients === undefined ? undefined : clientsField(o.clients, join(path, 'clients'), tenantList.length);
  const lvsMembers = int('lvsMembers', d.lvsMembers);
  const known = new Set(topologyLinks(fastPaths, { clients: clients?.length ?? 1, lvsMembers }).map(([a, b]) => `${a}->${b}`));
  const links: Record<string, LinkOverride> = {};
  if (o.links !== undefined) {
    const lp = join(path, 'links');
    const lo = object(o.links, lp, [...known]);
    for (const [id, spec] of Object.entries(lo)) {
      const p = join(lp, id);
      const so = object(spec, p, ['delayMs', 'loss']);
      links[id] = {
        ...(so.delayMs !== undefined ? { delayMs: delayBounds(so.delayMs, join(p, 'delayMs')) } : {}),
        ...(so.loss !== undefined ? { loss: probability(so.loss, join(p, 'loss')) } : {}),
      };
    }
  }
  const syncThreshold = int('syncThreshold', d.syncThreshold);
  const syncPeriod = int('syncPeriod', d.syncPeriod);
  // IPVS refuses a threshold at or above the period (it would never fire again) [S10].
  if (syncPeriod > 0 && syncThreshold >= syncPeriod) {
    throw new InputError(join(path, 'syncThreshold'), `must be below syncPeriod (${syncPeriod}), got ${syncThreshold} (IPVS sync_threshold; syncPeriod 0 for one record only)`);
  }
  return {
    fastPaths,
    relayTimeoutMs: int('relayTimeoutMs', d.relayTimeoutMs),
    scanMs: int('scanMs', d.scanMs),
    probeTimeoutMs: int('probeTimeoutMs', d.probeTimeoutMs),
    probeRetries: int('probeRetries', d.probeRetries),
    routineProbeMs: int('routineProbeMs', d.routineProbeMs),
    ecmp: optional(o, 'ecmp', path, (x, p) => oneOf(x, p, ['hash-threshold', 'resilient'] as const), d.ecmp),
    linkDelayMs: optional(o, 'linkDelayMs', path, delayBounds, d.linkDelayMs),
    loss: optional(o, 'loss', path, probability, d.loss),
    links,
    configRefreshMs: int('configRefreshMs', d.configRefreshMs),
    tenants: tenantList,
    lvsMembers,
    syncThreshold,
    syncPeriod,
    syncIntervalMs: int('syncIntervalMs', d.syncIntervalMs),
    syncFields: optional(o, 'syncFields', path, syncFields, d.syncFields),
    ...(clients !== undefined ? { clients } : {}),
    ...(o.ecmpOrder !== undefined ? { ecmpOrder: ecmpOrderField(o.ecmpOrder, join(path, 'ecmpOrder'), fastPaths) } : {}),
  };
}

/** `syncFields`: a list of distinct parts of a sync record (types.ts, SyncField). */
function syncFields(v: unknown, path: string): SyncField[] {
  const list = array(v, path).map((x, i) => oneOf(x, join(path, i), SYNC_FIELDS));
  const twice = list.find((x, i) => list.indexOf(x) !== i);
  if (twice !== undefined) throw new InputError(path, `names ${JSON.stringify(twice)} twice`);
  return list;
}

export function parseWorkload(v: unknown, path = 'workload'): Workload {
  const o = object(v ?? {}, path, WORKLOAD_FIELDS);
  const r = WORKLOAD_RANGES;
  const d = DEFAULT_WORKLOAD;
  const int = (key: keyof typeof r, fallback: number) =>
    optional(o, key, path, (x, p) => integer(x, p, r[key]), fallback);
  const vni = (key: 'cvni' | 'vni') =>
    optional(o, key, path, (x, p) => (x === null ? null : integer(x, p, VNI_RANGE)), d[key]);
  return {
    kind: optional(o, 'kind', path, (x, p) => oneOf(x, p, ['reverse-heavy'] as const), d.kind),
    flows: int('flows', d.flows),
    startAtMs: int('startAtMs', d.startAtMs),
    startGapMs: int('startGapMs', d.startGapMs),
    ackEvery: int('ackEvery', d.ackEvery),
    hangTimeoutMs: int('hangTimeoutMs', d.hangTimeoutMs),
    streamIntervalMs: int('streamIntervalMs', d.streamIntervalMs),
    streamPackets: int('streamPackets', d.streamPackets),
    cvni: vni('cvni'),
    vni: vni('vni'),
  };
}

/**
 * One fault, read through the vocabulary (faults.ts): its kind's declaration says which
 * fields it has, what it may target and how each parameter is read.
 */
function parseFault(v: unknown, path: string, until: number, nodes: string[], links: LinkNames, vocab: FaultVocabulary): FaultSpec {
  const head = object(v, path, faultFields(vocab));
  const kinds = Object.keys(vocab);
  const kind = oneOf(head.kind, join(path, 'kind'), kinds);
  const decl = declOf(vocab, kind)!;
  const at = integer(head.at, join(path, 'at'), [0, until]);
  object(v, path, ['at', 'kind', decl.target, ...decl.params.map((p) => p.name)]);
  const out: Record<string, unknown> = { at, kind };
  let role: Role | null = null;
  if (decl.target === 'node') {
    const id = string(head.node, join(path, 'node'));
    if (!nodes.includes(id)) {
      throw new InputError(join(path, 'node'), `unknown node id ${JSON.stringify(id)} (known: ${nodes.join(', ')})`);
    }
    role = roleOf(id);
    const roles = decl.roles ?? ROLES;
    if (!roles.includes(role)) {
      throw new InputError(join(path, 'node'), `a ${kind} fault hits ${roles.map((r) => (r === 'fp' ? 'a fast path' : r)).join(' or ')}, not ${id}`);
    }
    out.node = id;
  } else {
    const id = string(head.link, join(path, 'link'));
    const both = id.includes(BOTH_WAYS);
    if (both ? decl.links !== 'directed-or-both' || !links.both.has(id) : !links.directed.has(id)) {
      const hint = both
        ? decl.links === 'directed-or-both'
          ? 'no such link in both directions (name it "a<->b" where "a->b" and "b->a" both exist)'
          : `a ${kind} fault names one direction, "from->to"`
        : /->/.test(id)
          ? 'no such link in the topology'
          : 'a link is named "from->to", e.g. "fp2->lvs" (or "a<->b" for both directions)';
      throw new InputError(join(path, 'link'), `unknown link ${JSON.stringify(id)} (${hint})`);
    }
    out.link = id;
  }
  for (const p of decl.params) {
    const fp = join(path, p.name);
    const raw = head[p.name];
    if (raw === undefined) {
      if (p.type === 'boolean') continue; // false, and left out as before
      if (p.optional) continue;
      if (p.type === 'probability') probability(raw, fp); // "must be a number": names the field
      integer(raw, fp, p.range ?? [0, TIME_RANGE[1]]);
    }
    const value = p.type === 'boolean' ? boolean(raw, fp) : p.type === 'probability' ? probability(raw, fp) : integer(raw, fp, p.range ?? [0, TIME_RANGE[1]]);
    if (p.onlyFor && role !== null && !p.onlyFor.includes(role) && value !== false) {
      throw new InputError(fp, `only for ${p.onlyFor.map((r) => (r === 'fp' ? 'a fast path' : r)).join(' or ')}: ${p.doc}; not ${String(out.node)}`);
    }
    if (p.type === 'boolean' && value === false) continue;
    out[p.name] = value;
  }
  return out as FaultSpec;
}

interface LinkNames {
  directed: Set<string>;
  both: Set<string>;
}

function choicesField(v: unknown, path: string): Scenario['choices'] {
  if (Array.isArray(v)) return v.map((x, i) => integer(x, join(path, i), [0, 2 ** 31]));
  if (v !== 'seeded' && v !== 'minimal') {
    throw new InputError(path, `must be "seeded", "minimal" or a list of choice offsets, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** `until`: at most MAX_UNTIL_MS, and the message says why. */
function untilField(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isInteger(v) && v > MAX_UNTIL_MS) {
    throw new InputError(path, `must be at most ${MAX_UNTIL_MS} ms (${MAX_UNTIL_WHY}), got ${v}`);
  }
  return integer(v, path, [1, TIME_RANGE[1]]);
}

/** A scenario from parsed JSON. `name` is used when the file has none. */
export function parseScenario(v: unknown, name = 'scenario', vocab: FaultVocabulary = DEFAULT_VOCABULARY): Scenario {
  const o = object(v, '', SCENARIO_FIELDS);
  if (o.design === undefined) throw new InputError('design', `is required (one of ${DESIGN_NAMES.join(', ')})`);
  const design = oneOf(o.design, 'design', DESIGN_NAMES);
  const until = optional(o, 'until', '', (x, p) => untilField(x, p), DEFAULT_UNTIL_MS);
  const config = parseConfig(o.config);
  const workload = parseWorkload(o.workload);
  const flowCount = totalFlows(config, workload);
  if (flowCount > WORKLOAD_RANGES.flows[1]) {
    throw new InputError('config.clients', `the clients' flows add up to ${flowCount}, at most ${WORKLOAD_RANGES.flows[1]}`);
  }
  const nodes = nodeIdsFor(config.fastPaths, shapeOf(config));
  const names = linkNames(config.fastPaths, shapeOf(config));
  const links: LinkNames = { directed: new Set(names.directed), both: new Set(names.both) };
  const faults = optional(o, 'faults', '', array, []).map((f, i) => parseFault(f, join('faults', i), until, nodes, links, vocab));
  const faultModel = optional(o, 'faultModel', '', (x, p) => oneOf(x, p, FAULT_MODELS), undefined);
  return {
    name: optional(o, 'name', '', string, name),
    description: optional(o, 'description', '', string, ''),
    design,
    seed: optional(o, 'seed', '', (x, p) => integer(x, p, [0, Number.MAX_SAFE_INTEGER]), DEFAULT_SEED),
    choices: optional(o, 'choices', '', choicesField, 'seeded'),
    until,
    config,
    workload,
    faults,
    ...(faultModel !== undefined && faultModel !== 'patent' ? { faultModel } : {}),
  };
}

/** A scenario from a file's text. */
export function parseScenarioText(text: string, source: string, vocab: FaultVocabulary = DEFAULT_VOCABULARY): Scenario {
  let json: unknown;
  try {
    // A byte-order mark (some Windows editors write one) is not part of the JSON.
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new InputError('', `${source} is not valid JSON: ${(e as Error).message}`);
  }
  return parseScenario(json, source.replace(/^.*\//, '').replace(/\.json$/, ''), vocab);
}

/**
 * About how many trace events a run of `s` keeps, from its workload's packet rate and its
 * timers' periods: an over-estimate for the default scenario (about 1500 for 1100), so that
 * a run too large to keep can be refused before it starts. Each data packet makes about
 * twelve events (a send and a delivery per hop, state changes); each periodic timer a few.
 */
export function estimatedTraceEvents(s: Scenario): { events: number; why: string } {
  const w = s.workload;
  const c = s.config;
  const span = Math.max(0, s.until - w.startAtMs);
  const perFlow = Math.floor(span / w.streamIntervalMs) + 1;
  const flows = totalFlows(c, w);
  const packets = flows * (w.streamPackets > 0 ? Math.min(w.streamPackets, perFlow) : perFlow);
  const probes = c.routineProbeMs > 0 ? c.fastPaths * Math.floor(s.until / c.routineProbeMs) * 4 : 0;
  const timers = flows * Math.floor(s.until / c.scanMs) + Math.floor(s.until / c.configRefreshMs) * 3;
  return {
    events: packets * 12 + probes + timers,
    why: `${flows} flow${flows > 1 ? 's' : ''} × a packet every ${w.streamIntervalMs} ms for ${span} ms`,
  };
}

/** The scenario as a file: what `replay` and `--scenario-file` read back. */
export function scenarioToJson(s: Scenario): string {
  return JSON.stringify(s, null, 2) + '\n';
}
