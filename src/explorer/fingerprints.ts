/**
 * The explorer's visited set: 64-bit fingerprints of canonical state keys in an
 * open-addressing table of typed arrays (8 bytes a slot and 4 for the state's index, no
 * objects), with each state's parent and the ordinal of the successor it was (4 + 4
 * bytes), so that the shortest path to any state can be rebuilt: 12 bytes a slot at a
 * load of 1/4 to 1/2, plus 8 a state, so 32 to 56 bytes per state.
 *
 * A depth-first search keeps no links (its stack is the path): 12 bytes a slot only.
 *
 * Two different keys with the same fingerprint would wrongly count as one state (TLC's
 * trade-off too): with n states the chance is about n² / 2^65. `exact` mode keeps the
 * keys themselves instead, for small spaces.
 */

/** Two independent 32-bit hashes of a string, in one pass (FNV-1a and a multiply-rotate). */
export function fingerprint(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return [a >>> 0, b >>> 0];
}

export class FingerprintSet {
  /**
   * The table, a slot every three words: the fingerprint's two halves, then its state's
   * index + 1 (0 = empty). One array, so that a probe reads one cache line, not three.
   */
  private table: Uint32Array;
  /** Slots in the table (a power of two). */
  private capacity: number;
  private mask: number;
  private count = 0;
  /** State index -> parent state index (-1 for the root) and successor ordinal. */
  private parents: Int32Array;
  /** Uint16 in a compact set while every ordinal fits (then Int32). */
  private ordinals: Int32Array | Uint16Array;
  private readonly keys: Map<string, number> | null;
  /** The table grows past this load (1/2; 3/4 in a compact set: fewer bytes, longer probes). */
  private readonly maxLoad: number;

  /** False: no parent links (pathTo and rootOf are not asked for). */
  private readonly links: boolean;

  /**
   * `compact` (a lean search): the table fills to 3/4 before it grows, ordinals take 2
   * bytes while they fit: 16 to 32 bytes a slot's worth per state, plus 6 for the links.
   * `links` false (a depth-first search): no links at all.
   */
  constructor(exact = false, capacityPow2 = 16, compact = false, links = true) {
    const cap = 1 << capacityPow2;
    this.table = new Uint32Array(cap * 3);
    this.capacity = cap;
    this.mask = cap - 1;
    this.links = links;
    this.parents = new Int32Array(links ? cap : 0);
    this.ordinals = compact ? new Uint16Array(links ? cap : 0) : new Int32Array(links ? cap : 0);
    this.keys = exact ? new Map() : null;
    this.maxLoad = compact ? 0.75 : 0.5;
  }

  get exact(): boolean {
    return this.keys !== null;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held per state (table, parent links; and keys in exact mode, roughly). */
  bytesPerState(averageKeyLength = 0): number {
    const table = this.table.byteLength;
    const links = this.parents.length * 4 + this.ordinals.byteLength;
    const keys = this.keys ? this.count * (averageKeyLength * 2 + 48) : 0;
    return this.count === 0 ? 0 : (table + links + keys) / this.count;
  }

  /** Bytes of the typed arrays (off the JS heap). */
  tableBytes(): number {
    return this.table.byteLength + this.parents.length * 4 + this.ordinals.byteLength;
  }

  /** Adds a state by its key; returns its index, or -1 if it was already there. */
  add(key: string, parent: number, ordinal: number): number {
    if (this.keys) {
      if (this.keys.has(key)) return -1;
      this.keys.set(key, this.count);
      return this.record(parent, ordinal);
    }
    const [h, l] = fingerprint(key);
    return this.addPair(h, l, parent, ordinal);
  }

  /** Adds a state by its fingerprint (not in exact mode); its index, or -1 if known. */
  addPair(h: number, l: number, parent: number, ordinal: number): number {
    if (this.count >= this.capacity * this.maxLoad) this.grow();
    const table = this.table;
    const mask = this.mask;
    let i = (h ^ Math.imul(l, 0x9e3779b1)) & mask;
    for (;;) {
      const at = i * 3;
      if (table[at + 2] === 0) {
        table[at] = h;
        table[at + 1] = l;
        table[at + 2] = this.count + 1;
        return this.record(parent, ordinal);
      }
      if (table[at] === h && table[at + 1] === l) return -1;
      i = (i + 1) & mask;
    }
  }

  /** The ordinal a path's root was added with (which initial state it starts from). */
  rootOf(index: number): number {
    if (!this.links) throw new Error('a visited set without links has no paths');
    let i = index;
    while (this.parents[i]! >= 0) i = this.parents[i]!;
    return this.ordinals[i]!;
  }

  /** The path of successor ordinals from the root to state `index`. */
  pathTo(index: number): number[] {
    if (!this.links) throw new Error('a visited set without links has no paths');
    const path: number[] = [];
    for (let i = index; this.parents[i]! >= 0; i = this.parents[i]!) path.push(this.ordinals[i]!);
    return path.reverse();
  }

  /**
   * The fingerprints (exact mode: the keys) of the states on the path to `index`, root
   * excluded, in path order: what `pathTo`'s steps lead to. One pass over the table.
   */
  pathFingerprints(index: number): (string | [number, number])[] {
    if (!this.links) throw new Error('a visited set without links has no paths');
    const onPath: number[] = [];
    for (let i = index; this.parents[i]! >= 0; i = this.parents[i]!) onPath.push(i);
    onPath.reverse();
    const position = new Map(onPath.map((i, k) => [i, k]));
    const out = new Array<string | [number, number]>(onPath.length);
    if (this.keys) {
      for (const [key, i] of this.keys) {
        const k = position.get(i);
        if (k !== undefined) out[k] = key;
      }
    } else {
      const table = this.table;
      for (let at = 0; at < table.length; at += 3) {
        const k = table[at + 2]! > 0 ? position.get(table[at + 2]! - 1) : undefined;
        if (k !== undefined) out[k] = [table[at]!, table[at + 1]!];
      }
    }
    return out;
  }

  private record(parent: number, ordinal: number): number {
    const index = this.count++;
    if (!this.links) return index;
    if (index >= this.parents.length) {
      const parents = new Int32Array(this.parents.length * 2);
      parents.set(this.parents);
      this.parents = parents;
      const ordinals = this.ordinals instanceof Uint16Array ? new Uint16Array(this.ordinals.length * 2) : new Int32Array(this.ordinals.length * 2);
      ordinals.set(this.ordinals);
      this.ordinals = ordinals;
    }
    if (ordinal > 0xffff && this.ordinals instanceof Uint16Array) this.ordinals = Int32Array.from(this.ordinals);
    this.parents[index] = parent;
    this.ordinals[index] = ordinal;
    return index;
  }

  private grow(): void {
    const old = this.table;
    const cap = this.capacity * 2;
    const table = new Uint32Array(cap * 3);
    const mask = cap - 1;
    for (let j = 0; j < old.length; j += 3) {
      const s = old[j + 2]!;
      if (s === 0) continue;
      const h = old[j]!;
      const l = old[j + 1]!;
      let i = (h ^ Math.imul(l, 0x9e3779b1)) & mask;
      while (table[i * 3 + 2] !== 0) i = (i + 1) & mask;
      table[i * 3] = h;
      table[i * 3 + 1] = l;
      table[i * 3 + 2] = s;
    }
    this.table = table;
    this.capacity = cap;
    this.mask = mask;
  }
}
