/**
 * The fault vocabulary: every kind of fault declared once, as data.
 *
 * A declaration says what a fault kind is called, what it hits (a node of some roles, or a
 * link, in one direction or both), its parameters, its meaning in one sentence, which
 * property preconditions it voids under the patent's fault model, which fault model it
 * belongs to, and how the world applies it (`apply`, against the small FaultDraft
 * interface that the engine's world draft implements). From it come: scenario-file
 * validation (scenario.ts), the generator (src/checker/arbitraries.ts, extended model),
 * the explorer's fault menu, the story and trace text of a fault, the fault table of
 * docs/scenarios.md (`faultTable`) and the report's legend.
 *
 * The vocabulary is an argument with a default (FAULT_KINDS), never a global registry:
 * a test can declare a test-only kind and hand `{ ...FAULT_KINDS, mine }` to validation,
 * the generator, the explorer and the docs table. Built-in kinds are typed by
 * `Record<BuiltinFaultKind, FaultDecl>`, so a kind without a declaration (and so without
 * its `apply`) does not compile.
 *
 * This file imports nothing from the engine or the checker (config sits below them).
 */
import { fastPathIds, nodeIdsFor, topologyLinks, type TopologyShape } from './topology.js';

/** What a fault's `apply` may do to the world under change (the engine's Draft implements it). */
export interface FaultDraft {
  /** The node loses its statecharts, timers and the messages in flight to it. */
  crash(node: string): void;
  /** The node comes back fresh (crashing it first if it was up); `newIp`: at a new address. */
  restart(node: string, newIp: boolean): void;
  /**
   * Change a directed link's state: `up`, a loss probability (null: the configured one),
   * extra one-way delay (0: none). `loseInFlight`: what is on the link now is lost.
   */
  setLink(link: string, patch: LinkPatch, loseInFlight?: boolean): void;
  /** A node's failure mode short of a crash ('gray': answers probes, drops data), or null to clear it. */
  setMode(node: string, mode: NodeMode | null): void;
}

/**
 * What the explorer asks of a world before it offers a fault (a crash of a node already
 * down is no move): the world's fault state, structurally (the engine's World has it).
 */
export interface FaultView {
  readonly down: Readonly<Record<string, true>>;
  readonly links: Readonly<Record<string, { readonly up: boolean; readonly loss: number | null; readonly extraMs?: number }>>;
  readonly modes?: Readonly<Record<string, string>>;
}

export interface LinkPatch {
  up?: boolean;
  loss?: number | null;
  extraMs?: number;
}

/** Failure modes a node can be in without being down. */
export type NodeMode = 'gray';

/** Node roles (model-contract.md): a fast path's role is `fp`, whatever its number. */
export type Role = 'client' | 'eni' | 'sp' | 'fp' | 'control' | 'lvs' | 'vgw' | 'server';
export const ROLES: readonly Role[] = ['client', 'eni', 'sp', 'fp', 'control', 'lvs', 'vgw', 'server'];

/** The role of a node id: `fp2` -> `fp`, an LVS cluster member `lvs2` -> `lvs`. */
export function roleOf(node: string): Role {
  if (/^fp\d+$/.test(node)) return 'fp';
  // An LVS cluster member lvs1 … lvsM plays the LVS's role.
  if (/^lvs\d+$/.test(node)) return 'lvs';
  // Several clients: client1 … clientK and eni1 … eniK play the client's and the ENI's role.
  if (/^client\d+$/.test(node)) return 'client';
  if (/^eni\d+$/.test(node)) return 'eni';
  return node as Role;
}

/** An LVS cluster member (`lvs1`..`lvsM`), not the single LVS `lvs`. */
export function isLvsMember(node: string | undefined): boolean {
  return node !== undefined && /^lvs\d+$/.test(node);
}

/**
 * The role of a link: `lvs->fp2` -> `lvs->fp`, `fp2<->lvs` -> `fp<->lvs`. What a finding
 * names as its target (findings.json), so that it matches whichever fast path a run hit.
 */
export function linkRoleOf(link: string): string {
  return link.replace(/fp\d+/g, 'fp').replace(/lvs\d+/g, 'lvs').replace(/\b(client|eni)\d+/g, '$1');
}

/** The role of a fault's target: the node's role or the link's. */
export function targetRoleOf(f: { node?: string; link?: string }): string {
  if (f.node !== undefined) return roleOf(f.node);
  if (f.link !== undefined) return linkRoleOf(f.link);
  return '';
}

/** A link in both directions is named "a<->b" (both "a->b" and "b->a" exist). */
export const BOTH_WAYS = '<->';

/** The directed links a link name stands for: "a->b" itself, "a<->b" both directions. */
export function directedLinks(link: string): string[] {
  const i = link.indexOf(BOTH_WAYS);
  if (i < 0) return [link];
  const a = link.slice(0, i);
  const b = link.slice(i + BOTH_WAYS.length);
  return [`${a}->${b}`, `${b}->${a}`];
}

/** Every link name of a topology: each directed link, and "a<->b" where both directions exist. */
export function linkNames(fastPaths: number, shape: TopologyShape = {}): { directed: string[]; both: string[] } {
  const directed = topologyLinks(fastPaths, shape).map(([a, b]) => `${a}->${b}`);
  const set = new Set(directed);
  const both: string[] = [];
  for (const [a, b] of topologyLinks(fastPaths, shape)) {
    if (set.has(`${b}->${a}`) && !both.includes(`${b}${BOTH_WAYS}${a}`)) both.push(`${a}${BOTH_WAYS}${b}`);
  }
  return { directed, both };
}

export interface ParamDecl {
  name: string;
  /** boolean; a probability 0..1; a whole number of ms in `range`. */
  type: 'boolean' | 'probability' | 'ms';
  /** Left out of a scenario: false for a boolean; required otherwise unless `optional`. */
  optional?: boolean;
  /** For `ms`: the values a scenario may give. */
  range?: readonly [number, number];
  /** For the generator (extended model): the values it draws, shrinking to the first. */
  draw?: readonly [number, number];
  /** For the explorer's menu: the values it tries (default: false for a boolean, the low end of `draw` or `range`). */
  explore?: readonly (number | boolean)[];
  /** Only for targets of these roles (e.g. newIp: fast paths only). */
  onlyFor?: readonly Role[];
  doc: string;
}

/** The fault models: `patent` is the patent's own (spec §5 "Yes"), `extended` everything declared here. */
export type FaultModel = 'patent' | 'extended';
export const FAULT_MODELS: readonly FaultModel[] = ['patent', 'extended'];

/** A fault as the world applies it: its kind, its target, its parameters. */
export interface AnyFault {
  kind: string;
  node?: string;
  link?: string;
  [param: string]: unknown;
}

export interface FaultDecl {
  kind: string;
  /** What it hits: a node (of `roles`) or a link (`links`: which directions it may name). */
  target: 'node' | 'link';
  /** Node roles it may hit (target `node`). */
  roles?: readonly Role[];
  /** Link names it accepts (target `link`): directed only, or "a<->b" too. */
  links?: 'directed' | 'directed-or-both';
  params: readonly ParamDecl[];
  /** Its meaning in one sentence (docs table, report legend). */
  meaning: string;
  /**
   * Property preconditions it voids (the patent's fault model, made explicit): while it is
   * in effect the named properties owe nothing. Documentation, and what a finding's
   * classification reads.
   */
  voids: readonly string[];
  /**
   * The fault models it belongs to, with the roles (or link roles) each may hit: under
   * `patent` only what the patent's fault model names (spec §5). `only` narrows a role in
   * words, where the model takes part of it (the patent's LVS failures are a cluster's).
   */
  models: Partial<Record<FaultModel, { roles: readonly string[]; only?: Readonly<Record<string, RoleNarrowing>> }>>;
  /** How often the extended generator draws it, relative to the others (0: never). */
  weight: number;
  /** How the world applies it. */
  apply(draft: FaultDraft, fault: AnyFault): void;
  /**
   * Does it break something (a crash, a cut, loss, a spike, a gray failure) rather than
   * repair it (a restart, a link back up, a spike or loss of 0)? A bounded-response
   * obligation is owed anew after a disruption, not after a repair.
   */
  disrupts(fault: AnyFault): boolean;
  /** Would it change this world (the explorer offers it only then)? */
  applicable(world: FaultView, fault: AnyFault): boolean;
  /** The fault in a story: "crash fp2", "link lvs->fp2 down". */
  text(fault: AnyFault): string;
}

const EVERY_NODE: readonly Role[] = ROLES;
const nodeOf = (f: AnyFault): string => f.node as string;
const linkOf = (f: AnyFault): string => f.link as string;
const eachLink = (f: AnyFault, act: (link: string) => void): void => directedLinks(linkOf(f)).forEach(act);

/** Link roles of the topology, for the generator's and the docs' lists. */
const FP_LINK_ROLES = ['eni->fp', 'fp->eni', 'fp->sp', 'sp->fp', 'fp->lvs', 'lvs->fp'];
const OTHER_LINK_ROLES = ['client->eni', 'eni->client', 'control->sp', 'lvs->server', 'server->lvs', 'lvs->vgw', 'vgw->eni'];
const BOTH_LINK_ROLES = ['client<->eni', 'eni<->fp', 'fp<->sp', 'fp<->lvs', 'lvs<->server'];
export const LINK_ROLES: readonly string[] = [...FP_LINK_ROLES, ...OTHER_LINK_ROLES, ...BOTH_LINK_ROLES];

export type BuiltinFaultKind = 'crash' | 'restart' | 'linkDown' | 'linkUp' | 'loss' | 'delaySpike' | 'gray';

/** Part of a role a fault model takes: which nodes of it, in words and as a test. */
export interface RoleNarrowing {
  says: string;
  holds(node: string): boolean;
}

/**
 * Spec §5: "LVS failover + session sync" is the patent's background [¶38]; a single LVS's
 * crash or restart loses its sessions, outside the model (E7, finding F7).
 */
const PATENT_LVS: Readonly<Record<string, RoleNarrowing>> = { lvs: { says: 'an LVS cluster member [¶38]', holds: isLvsMember } };

/** Every built-in fault kind, most interesting first. */
export const FAULT_KINDS: Readonly<Record<BuiltinFaultKind, FaultDecl>> = {
  crash: {
    kind: 'crash',
    target: 'node',
    roles: EVERY_NODE,
    params: [],
    meaning: 'the node loses its statecharts, timers and the messages in flight to it, and stays down',
    voids: [
      'L1 (client, eni, lvs, server, vgw; an LVS cluster member only when the survivor that takes a flow holds no synced session with the VGW extras, E7)',
      'L2, L3 (a second fast path; sp, control)',
      'L4 (no fast path left healthy; sp, vgw, control)',
    ],
    models: { patent: { roles: ['fp', 'lvs'], only: PATENT_LVS }, extended: { roles: EVERY_NODE } },
    weight: 6,
    disrupts: () => true,
    apply: (d, f) => d.crash(nodeOf(f)),
    applicable: (w, f) => !w.down[nodeOf(f)],
    text: (f) => `crash ${nodeOf(f)}`,
  },
  restart: {
    kind: 'restart',
    target: 'node',
    roles: EVERY_NODE,
    params: [
      {
        name: 'newIp',
        type: 'boolean',
        optional: true,
        onlyFor: ['fp'],
        doc: 'fast paths only: it comes back at a new address (a learned path to it is stale)',
      },
    ],
    meaning: 'the node comes back fresh (crashed first if it was up), at the same address or, with newIp, a new one',
    voids: ['L1-L4 (client, eni, lvs, server: their session state, E7; an LVS cluster member as its crash does)'],
    models: { patent: { roles: ['fp', 'lvs'], only: PATENT_LVS }, extended: { roles: EVERY_NODE } },
    weight: 3,
    // A cluster member that comes back takes its flows back from the survivors (the ECMP
    // hashes over the live members): for those flows it is a failover like a crash.
    disrupts: (f) => isLvsMember(f.node as string | undefined),
    apply: (d, f) => d.restart(nodeOf(f), f.newIp === true),
    applicable: (w, f) => w.down[nodeOf(f)] === true,
    text: (f) => `restart ${nodeOf(f)}${f.newIp ? ' at a new address' : ''}`,
  },
  linkDown: {
    kind: 'linkDown',
    target: 'link',
    links: 'directed-or-both',
    params: [],
    meaning: 'the link fails in one direction ("from->to") or both ("a<->b"): what is on it and what is sent on it is lost',
    voids: ['L1 (the VGW detour)', 'L2, L3 (fast path links, client->eni, control->sp)', 'L4 (no fast path left healthy both ways)'],
    models: { extended: { roles: LINK_ROLES } },
    weight: 4,
    disrupts: () => true,
    apply: (d, f) => eachLink(f, (l) => d.setLink(l, { up: false }, true)),
    applicable: (w, f) => directedLinks(linkOf(f)).some((l) => w.links[l]?.up !== false),
    text: (f) => `link ${linkOf(f)} down`,
  },
  linkUp: {
    kind: 'linkUp',
    target: 'link',
    links: 'directed-or-both',
    params: [],
    meaning: 'the link is repaired (one direction, or both with "a<->b")',
    voids: [],
    models: { extended: { roles: LINK_ROLES } },
    weight: 1,
    disrupts: () => false,
    apply: (d, f) => eachLink(f, (l) => d.setLink(l, { up: true })),
    applicable: (w, f) => directedLinks(linkOf(f)).some((l) => w.links[l]?.up === false),
    text: (f) => `link ${linkOf(f)} up`,
  },
  loss: {
    kind: 'loss',
    target: 'link',
    links: 'directed-or-both',
    params: [{ name: 'probability', type: 'probability', draw: [1, 10], explore: [0.5], doc: 'from `at` on, the link loses packets with this probability (0 ends it)' }],
    meaning: 'the link becomes lossy: each packet sent on it is lost with the given probability',
    voids: ['L1, L2, L3 (a link they need)', 'L4 (no fast path left healthy both ways)'],
    models: { extended: { roles: LINK_ROLES } },
    weight: 2,
    disrupts: (f) => (f.probability as number) > 0,
    apply: (d, f) => eachLink(f, (l) => d.setLink(l, { loss: f.probability as number })),
    applicable: (w, f) => directedLinks(linkOf(f)).some((l) => (w.links[l]?.loss ?? null) !== f.probability),
    text: (f) => `link ${linkOf(f)} loses ${Math.round((f.probability as number) * 100)}%`,
  },
  delaySpike: {
    kind: 'delaySpike',
    target: 'link',
    links: 'directed-or-both',
    params: [
      {
        name: 'extraMs',
        type: 'ms',
        range: [0, 60_000],
        draw: [1, 2000],
        explore: [5],
        doc: 'from `at` on, every packet sent on the link takes this much longer (0 ends the spike)',
      },
    ],
    meaning: "the link's delay rises above its configured bounds (a delay spike) until a spike of 0 ends it",
    voids: ['L1, L2, L3 (a link they need: their deadlines count configured delays)', 'L4 (no fast path left healthy both ways)'],
    models: { extended: { roles: LINK_ROLES } },
    weight: 2,
    disrupts: (f) => (f.extraMs as number) > 0,
    apply: (d, f) => eachLink(f, (l) => d.setLink(l, { extraMs: f.extraMs as number })),
    applicable: (w, f) => directedLinks(linkOf(f)).some((l) => (w.links[l]?.extraMs ?? 0) !== f.extraMs),
    text: (f) => ((f.extraMs as number) === 0 ? `link ${linkOf(f)} back to its configured delay` : `link ${linkOf(f)} ${f.extraMs as number} ms slower`),
  },
  gray: {
    kind: 'gray',
    target: 'node',
    roles: ['fp'],
    params: [],
    meaning: 'gray failure: the fast path answers probes but drops every data packet and offload, until it crashes or restarts',
    voids: ['L2, L3 (a failure the probe cannot see)', 'L4 (when it leaves no fast path healthy)'],
    models: { extended: { roles: ['fp'] } },
    weight: 3,
    disrupts: () => true,
    apply: (d, f) => d.setMode(nodeOf(f), 'gray'),
    applicable: (w, f) => !w.down[nodeOf(f)] && w.modes?.[nodeOf(f)] === undefined,
    text: (f) => `gray failure of ${nodeOf(f)} (answers probes, drops data)`,
  },
};

/** A vocabulary: kind name -> declaration. The built-in one is FAULT_KINDS; tests extend it. */
export type FaultVocabulary = Readonly<Record<string, FaultDecl>>;

export const DEFAULT_VOCABULARY: FaultVocabulary = FAULT_KINDS;

/** The declaration of a kind, looked up as an own key only. */
export function declOf(vocab: FaultVocabulary, kind: string): FaultDecl | undefined {
  return Object.prototype.hasOwnProperty.call(vocab, kind) ? vocab[kind] : undefined;
}

/** Every field a fault of some kind may carry (for the "unknown field" message). */
export function faultFields(vocab: FaultVocabulary): string[] {
  const fields = new Set(['at', 'kind']);
  for (const d of Object.values(vocab)) {
    fields.add(d.target);
    for (const p of d.params) fields.add(p.name);
  }
  return [...fields];
}

/** The fault in a story, without its time: "crash fp2". */
export function faultText(f: AnyFault, vocab: FaultVocabulary = DEFAULT_VOCABULARY): string {
  const d = declOf(vocab, f.kind);
  return d ? d.text(f) : `${f.kind} ${f.node ?? f.link ?? ''}`.trim();
}

/** The meaning of a fault kind in one sentence (report legend). */
export function faultMeaningOf(kind: string, vocab: FaultVocabulary = DEFAULT_VOCABULARY): string | null {
  return declOf(vocab, kind)?.meaning ?? null;
}

/** The fast path ids and link names of a topology, for targets. */
export function targetsOf(fastPaths: number): { fastPaths: readonly string[]; links: { directed: string[]; both: string[] } } {
  return { fastPaths: fastPathIds(fastPaths), links: linkNames(fastPaths) };
}

// ---- The docs table -------------------------------------------------------------------

function paramText(p: ParamDecl): string {
  const type = p.type === 'ms' ? `ms, ${p.range![0]}-${p.range![1]}` : p.type === 'probability' ? '0-1' : 'true/false';
  return `\`${p.name}\` (${type}${p.optional ? ', optional' : ''}): ${p.doc}`;
}

function targetText(d: FaultDecl): string {
  if (d.target === 'link') return d.links === 'directed-or-both' ? '`link`: "from->to" (one direction) or "a<->b" (both)' : '`link`: "from->to"';
  const roles = d.roles ?? EVERY_NODE;
  return `\`node\`: ${roles.length === EVERY_NODE.length ? 'any node' : roles.map((r) => (r === 'fp' ? 'a fast path' : r)).join(', ')}`;
}

function modelText(d: FaultDecl): string {
  const parts: string[] = [];
  for (const m of FAULT_MODELS) {
    const entry = d.models[m];
    if (!entry) continue;
    const roles = entry.roles;
    const all = d.target === 'node' ? roles.length === (d.roles ?? EVERY_NODE).length : roles.length === LINK_ROLES.length;
    parts.push(`${m}${all ? '' : ` (${roles.map((r) => entry.only?.[r]?.says ?? r).join(', ')})`}`);
  }
  return parts.join('; ');
}

/** The fault table of docs/scenarios.md, generated from a vocabulary (a test compares them). */
export function faultTable(vocab: FaultVocabulary = DEFAULT_VOCABULARY): string {
  const rows = [
    '| kind | target | parameters | effect | fault models | voids (preconditions) |',
    '|---|---|---|---|---|---|',
  ];
  for (const d of Object.values(vocab)) {
    const params = d.params.length === 0 ? '' : d.params.map(paramText).join('; ');
    rows.push(`| \`${d.kind}\` | ${targetText(d)} | ${params} | ${d.meaning} | ${modelText(d)} | ${d.voids.join('; ')} |`);
  }
  return rows.join('\n');
}

/** Markers around the generated table in docs/scenarios.md. */
export const FAULT_TABLE_BEGIN = '<!-- fault-table: generated from src/config/faults.ts (faultTable); test/config/faults.test.ts compares -->';
export const FAULT_TABLE_END = '<!-- end of fault-table -->';

// ---- The explorer's menu -----------------------------------------------------------------

/**
 * Every fault of a fault model's kinds on every target the model allows in a topology,
 * with the explorer's parameter values (ParamDecl.explore): the explorer's fault menu
 * under `explore --fault-model extended`. `kinds` narrows it to some kinds.
 */
export function faultMenuOf(vocab: FaultVocabulary, fastPaths: number, model: FaultModel, kinds?: readonly string[], shape: TopologyShape = {}): AnyFault[] {
  const menu: AnyFault[] = [];
  const nodes = nodeIdsFor(fastPaths, shape);
  const { directed, both } = linkNames(fastPaths, shape);
  for (const d of Object.values(vocab)) {
    const entry = d.models[model];
    if (!entry || (kinds && !kinds.includes(d.kind))) continue;
    const targets: { node?: string; link?: string }[] =
      d.target === 'node'
        ? nodes.filter((n) => entry.roles.includes(roleOf(n)) && (entry.only?.[roleOf(n)]?.holds(n) ?? true)).map((node) => ({ node }))
        : [...directed, ...(d.links === 'directed-or-both' ? both : [])].filter((l) => entry.roles.includes(linkRoleOf(l))).map((link) => ({ link }));
    for (const t of targets) {
      const role = t.node !== undefined ? roleOf(t.node) : null;
      let variants: AnyFault[] = [{ kind: d.kind, ...t }];
      for (const p of d.params) {
        if (p.onlyFor && (role === null || !p.onlyFor.includes(role))) continue;
        const values = p.explore ?? (p.type === 'boolean' ? [false, true] : [(p.draw ?? p.range ?? [0, 0])[0]]);
        variants = variants.flatMap((v) => values.map((x) => (x === false ? v : { ...v, [p.name]: x })));
      }
      menu.push(...variants);
    }
  }
  return menu;
}
