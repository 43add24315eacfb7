/**
 * A visited set that worker threads share: 64-bit fingerprints in an open-addressing
 * table on a SharedArrayBuffer, inserted lock-free with Atomics. Each slot is three
 * 32-bit words [hi, lo, ready]; a worker claims an empty slot by swapping hi in, then
 * writes lo and raises ready; a worker that meets a claimed slot with the same hi waits
 * for ready before comparing lo. The table does not grow: its size is set up front.
 */
export class SharedFingerprintSet {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly mask: number;
  private readonly capacity: number;

  /** A new table of 2^bits slots, or a view of one another thread made. */
  constructor(bitsOrBuffer: number | SharedArrayBuffer) {
    this.buffer =
      typeof bitsOrBuffer === 'number' ? new SharedArrayBuffer(((1 << bitsOrBuffer) * 3 + 1) * 4) : bitsOrBuffer;
    this.words = new Int32Array(this.buffer);
    this.capacity = (this.words.length - 1) / 3;
    this.mask = this.capacity - 1;
  }

  /** Distinct fingerprints inserted so far, by every thread. */
  get size(): number {
    return Atomics.load(this.words, this.capacity * 3);
  }

  get slots(): number {
    return this.capacity;
  }

  /** How many states it takes before `add` refuses (three quarters of its slots). */
  get limit(): number {
    return Math.floor((this.capacity * 3) / 4);
  }

  /** Inserts; true if this call added it (the caller then owns the state). */
  add(hi: number, lo: number): boolean {
    const h = (hi | 1) | 0; // never 0: 0 marks an empty slot
    const l = lo | 0;
    const w = this.words;
    if (this.size * 4 >= this.capacity * 3) {
      throw new Error(`the shared state table is full (${this.size} states in ${this.capacity} slots): raise --table-bits`);
    }
    let i = (hi ^ Math.imul(lo, 0x9e3779b1)) & this.mask;
    for (;;) {
      const at = i * 3;
      const seen = Atomics.compareExchange(w, at, 0, h);
      if (seen === 0) {
        Atomics.store(w, at + 1, l);
        Atomics.store(w, at + 2, 1);
        Atomics.add(w, this.capacity * 3, 1);
        return true;
      }
      if (seen === h) {
        while (Atomics.load(w, at + 2) === 0) {
          // Another thread is writing this slot's second word: a few instructions away.
        }
        if (Atomics.load(w, at + 1) === l) return false;
      }
      i = (i + 1) & this.mask;
    }
  }

  bytesPerState(): number {
    const n = this.size;
    return n === 0 ? 0 : this.buffer.byteLength / n;
  }
}
