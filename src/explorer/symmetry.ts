/**
 * Symmetry reduction (docs/explorer.md, "Symmetry reduction"): interchangeable nodes
 * (today the fast paths; later LVS members, clients of one shape) are named in groups, and
 * the visited set keys a state by the key of the representative of its orbit under every
 * permutation within each group (TLC's symmetry sets, Spin's and Stateright's
 * representatives): the least fingerprint over the permutations of the state renamed.
 *
 * A renaming maps a node everywhere its name or address appears: actor keys, statechart
 * contexts and values, messages (from, to, src, contents), timers (actor, id, event), the
 * down set, epochs, hosts, links, failure modes and every monitor's keyed data. Addresses
 * are renamed with their node: a fast path's virtual IP at every epoch, its physical IP at
 * every host epoch. The ENI's member list is configuration (the order its ECMP hash cuts
 * the hash space in), so a renamed ENI is put back in that order: each slot region takes
 * the state of the member that now sits in it, the live list is re-sorted.
 *
 * Only the key is renamed: the explorer stores, expands and replays the real states, so a
 * counterexample is the path found, not one of representatives.
 *
 * Soundness is not assumed here: the ECMP hash is position-based, so from one fixed member
 * order a permutation of live members is not a symmetry of every state (pinnedByHash); from
 * every order the order is in the ENI's context, renamed too, and it is one. docs/explorer.md
 * says where it is one, and test/explorer/symmetry.test.ts checks that the merged states are
 * bisimilar on each profile where it is on. This module refuses groups that are not interchangeable in the
 * static system: different kinds, inputs other than by address, link settings or a fault
 * menu that the renaming does not map onto itself.
 */
import type { AnyProperty } from '../checker/property.js';
import type { AnyFault } from '../config/faults.js';
import type { Scenario } from '../config/types.js';
import type { System } from '../engine/system.js';
import type { World } from '../engine/world.js';
import { Hashes, Keying, Lanes, MonitorSplits, RelativeTimes, type KeyMaker } from './codec.js';

/** Groups of interchangeable node ids, e.g. [["fp1", "fp2", "fp3"]]. */
export type SymmetryGroups = readonly (readonly string[])[];

/** Epochs (restarts at a new address or host) a renaming covers; a world past them is an error, not a wrong key. */
const MAX_EPOCH = 15;

/** One permutation of the nodes, as a renaming of every token that names one of them. */
export interface Renaming {
  /** Node id -> node id. */
  readonly nodes: ReadonlyMap<string, string>;
  /** Every token (id, address) -> its image. */
  readonly tokens: ReadonlyMap<string, string>;
  readonly identity: boolean;
}

export interface Symmetry {
  readonly groups: SymmetryGroups;
  /** Every permutation (the product of each group's), the identity first. */
  readonly renamings: readonly Renaming[];
  /** A string with every node token renamed. */
  rename(r: Renaming, text: string): string;
}

/** Why these groups are not a symmetry of this system, or null when they may be. */
export function symmetryProblem(sys: System, groups: SymmetryGroups, faultMenu: readonly AnyFault[]): string | null {
  const seen = new Set<string>();
  for (const group of groups) {
    if (group.length < 2) return `a symmetry group needs two nodes or more, got [${group.join(', ')}]`;
    const first = sys.nodes[group[0]!];
    for (const id of group) {
      const node = sys.nodes[id];
      if (!node) return `the symmetry group names ${id}, which is not a node of this system`;
      if (seen.has(id)) return `${id} is in two symmetry groups`;
      seen.add(id);
      if (node.kind !== first!.kind || node.perFlow !== first!.perFlow) return `${id} and ${group[0]} are different kinds of node`;
      if (node.runner !== first!.runner) return `${id} and ${group[0]} run different statecharts`;
      if (JSON.stringify(node.timerJitterMs) !== JSON.stringify(first!.timerJitterMs)) return `${id} and ${group[0]} have different timer jitter`;
    }
  }
  const sym = makeSymmetry(sys, groups);
  for (const r of sym.renamings) {
    if (r.identity) continue;
    // Inputs may differ only by the node's own addresses.
    for (const id of r.nodes.keys()) {
      const image = r.nodes.get(id)!;
      for (let e = 0; e <= 2; e++) {
        const mine = sym.rename(r, JSON.stringify(sys.nodes[id]!.input(null, e, e)));
        if (mine !== JSON.stringify(sys.nodes[image]!.input(null, e, e))) return `${id} and ${image} are configured differently (their inputs differ by more than their addresses)`;
      }
    }
    for (const [linkId, link] of Object.entries(sys.links)) {
      const other = sys.links[sym.rename(r, linkId)];
      if (!other || other.minMs !== link.minMs || other.maxMs !== link.maxMs || other.loss !== link.loss) {
        return `link ${linkId} and its image ${sym.rename(r, linkId)} are configured differently`;
      }
    }
    const menu = new Set(faultMenu.map((f) => JSON.stringify(f)));
    for (const f of faultMenu) {
      const image = sym.rename(r, JSON.stringify(f));
      if (!menu.has(image)) return `the fault menu offers ${JSON.stringify(f)} but not its image ${image}`;
    }
  }
  return null;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  const out: T[][] = [];
  items.forEach((x, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every renaming of the groups' nodes (no check that it is a symmetry: see symmetryProblem). */
export function makeSymmetry(sys: System, groups: SymmetryGroups): Symmetry {
  const aliases = (id: string): string[] => {
    const node = sys.nodes[id]!;
    const out = [id];
    for (let e = 0; e <= MAX_EPOCH; e++) {
      out.push(node.ip(e));
      if (node.hostIp) out.push(node.hostIp(e));
    }
    return out;
  };
  // Each group's permutations, then their product.
  let products: Map<string, string>[] = [new Map()];
  for (const group of groups) {
    const next: Map<string, string>[] = [];
    for (const perm of permutations(group)) {
      for (const base of products) {
        const m = new Map(base);
        group.forEach((id, k) => m.set(id, perm[k]!));
        next.push(m);
      }
    }
    products = next;
  }
  const renamings: Renaming[] = products.map((nodes) => {
    const tokens = new Map<string, string>();
    let identity = true;
    for (const [from, to] of nodes) {
      if (from !== to) identity = false;
      const a = aliases(from);
      const b = aliases(to);
      a.forEach((t, k) => {
        if (t !== b[k]) tokens.set(t, b[k]!);
      });
    }
    return { nodes, tokens, identity };
  });
  renamings.sort((x, y) => Number(y.identity) - Number(x.identity));
  const all = new Set<string>();
  for (const group of groups) for (const id of group) for (const t of aliases(id)) all.add(t);
  // A token stands alone: not part of a longer name or address ("fp1" in "fp10", "10.1.0.1" in "10.1.0.10").
  const pattern = all.size === 0 ? null : new RegExp(`(?<![\\w.])(${[...all].sort((a, b) => b.length - a.length).map(escape).join('|')})(?![\\w.])`, 'g');
  return {
    groups,
    renamings,
    rename(r, text) {
      if (r.identity || pattern === null) return text;
      return text.replace(pattern, (t) => r.tokens.get(t) ?? t);
    },
  };
}

interface EniLike {
  members: string[];
  live: string[];
}

/**
 * A renamed snapshot key of the ENI (models/eni.ts) put back in configuration order: its
 * member list is configuration, slot region i belongs to members[i - 1], live follows
 * members' order. Any other snapshot is returned as it is.
 */
export function reorderMembers(renamed: string, original: string): string {
  if (!renamed.includes('"members"')) return renamed;
  const bar = renamed.indexOf('|{');
  if (bar < 0) return renamed;
  let value: Record<string, unknown>;
  let ctx: EniLike & Record<string, unknown>;
  let config: string[];
  try {
    value = JSON.parse(renamed.slice(0, bar));
    ctx = JSON.parse(renamed.slice(bar + 1));
    config = (JSON.parse(original.slice(original.indexOf('|{') + 1)) as EniLike).members;
  } catch {
    return renamed;
  }
  if (!Array.isArray(ctx.members) || !Array.isArray(ctx.live) || !Array.isArray(config) || typeof value !== 'object' || value === null) return renamed;
  // Where each configured member's state now sits.
  const from = config.map((m) => ctx.members.indexOf(m));
  if (from.some((j) => j < 0) || ctx.members.length !== config.length) return renamed;
  const slots: Record<string, unknown> = { ...value };
  config.forEach((_, i) => {
    const key = `slot${i + 1}`;
    if (key in value) slots[key] = value[`slot${from[i]! + 1}`];
  });
  const reordered = { ...ctx, members: config, live: config.filter((m) => ctx.live.includes(m)) };
  // Keys in their original order, so that the identity gives the snapshot's own key back.
  return `${JSON.stringify(slots)}|${JSON.stringify(reordered)}`;
}

/**
 * A KeyMaker whose key and fingerprint are the least over the symmetry's renamings: one
 * keying per renaming (codec.ts, Keying), the same parts, times and folds as the base's,
 * each part renamed before it is hashed. Its `worldKey` and `monitorIdentity` are the
 * base's: the caches of world moves and monitor states stay exact.
 */
export function symmetricKeyMaker(
  sys: System,
  base: KeyMaker,
  sym: Symmetry,
  properties: readonly AnyProperty[],
  horizonMs: number,
  options: { lean?: boolean; pinByHash?: boolean; folds?: Scenario | null } = {},
): KeyMaker {
  // Lean: strings hashed each time, not kept in a table (codec.ts).
  const hashes = new Hashes(!options.lean);
  // Tests turn the pinning off to show what it prevents (test/explorer/symmetry.test.ts).
  const pinByHash = options.pinByHash ?? true;
  const folds = options.folds ?? null;
  // Every renaming's keying splits a monitor's data the same way: once, texts kept to rename.
  const splits = new MonitorSplits(properties, folds, hashes, true);
  const times = new RelativeTimes(horizonMs);
  const keyings = sym.renamings.map(
    (r) =>
      new Keying(hashes, splits, times, folds !== null, {
        text: (t) => sym.rename(r, t),
        snapKey: (snap) => (r.identity ? snap.key : reorderMembers(sym.rename(r, snap.key), snap.key)),
      }),
  );

  // The renamings that fix every node the ECMP hash tells apart in this world (pinnedByHash).
  const allowedByWorld = new WeakMap<World, number[]>();
  const everyone = sym.renamings.map((_, k) => k);
  const allowed = (w: World): number[] => {
    let ks = allowedByWorld.get(w);
    if (!ks) {
      const pinned = pinByHash ? pinnedByHash(sys, w) : new Set<string>();
      ks = pinned === 'all' ? [0] : pinned.size === 0 ? everyone : everyone.filter((k) => [...pinned].every((id) => (sym.renamings[k]!.nodes.get(id) ?? id) === id));
      allowedByWorld.set(w, ks);
    }
    return ks;
  };

  const lanes = new Lanes();
  const out: [number, number] = [0, 0];
  return {
    hashOf: base.hashOf,
    key(st) {
      checkEpochs(st.world);
      let best = keyings[0]!.key(st);
      for (const k of allowed(st.world)) {
        const t = keyings[k]!.key(st);
        if (t < best) best = t;
      }
      return best;
    },
    fingerprint(st) {
      const [h, l] = this.fingerprintOf(st.world, st.monitors, st.faults, st.busyInstant);
      return [h, l];
    },
    fingerprintOf(world, monitors, faults, busyInstant) {
      checkEpochs(world);
      let bestA = 0;
      let bestB = 0;
      let first = true;
      for (const k of allowed(world)) {
        const p = keyings[k]!.fingerprint(lanes, world, monitors, faults, busyInstant);
        const a = p.a >>> 0;
        const b = p.b >>> 0;
        if (first || a < bestA || (a === bestA && b < bestB)) {
          bestA = a;
          bestB = b;
          first = false;
        }
      }
      out[0] = bestA;
      out[1] = bestB;
      return out;
    },
    worldKey: (w) => base.worldKey(w),
    monitorIdentity: (i, m) => base.monitorIdentity(i, m),
  };
}

/**
 * The nodes the ENI's ECMP hash tells apart in a world, which a renaming must leave in
 * place, or 'all' when it tells every node apart (no renaming is safe). For a space of one
 * fixed member order: from every order (ExploreOptions.ecmpOrders) the order is part of the
 * ENI's state and renamed with the members, and the key maker pins nothing.
 *
 * hash-threshold ECMP (models/eni.ts, ecmpPick) picks a flow's member by its position in
 * the live list, so the hash treats no two live members alike: a renaming of live members
 * is a symmetry only of states whose future makes no pick that the renaming changes. So:
 * while a flow has no member at the ENI (its first packet's pick is to come) or the ENI is
 * down (a restart forgets every flow), nothing is renamed; otherwise each flow's member
 * stays in place, and the members no flow uses may be permuted. A later pick (a rehash
 * when the ENI marks a member down or up) can still tell them apart: that it does not
 * break the merges of a space is what test/explorer/symmetry.test.ts checks, state by
 * state, on every space where the reduction is on by default (docs/explorer.md).
 */
export function pinnedByHash(sys: System, w: World): Set<string> | 'all' {
  if (sys.flows.length === 0) return new Set();
  const eni = w.actors['eni'];
  if (!eni) return 'all';
  const ctx = eni.xs.context as { flows?: Record<string, string | null> };
  if (!ctx || typeof ctx.flows !== 'object' || ctx.flows === null) return 'all';
  const pinned = new Set<string>();
  for (const flow of sys.flows) {
    const member = ctx.flows[flow];
    if (member === undefined || member === null) return 'all';
    const node = sys.addresses.get(member);
    if (node === undefined) return 'all';
    pinned.add(node);
  }
  return pinned;
}

function checkEpochs(w: World): void {
  for (const e of Object.values(w.epochs)) if (e > MAX_EPOCH) throw new Error(`symmetry covers addresses up to epoch ${MAX_EPOCH}; this world has ${e}`);
  if (w.hosts) for (const e of Object.values(w.hosts)) if (e > MAX_EPOCH) throw new Error(`symmetry covers hosts up to epoch ${MAX_EPOCH}; this world has ${e}`);
}
