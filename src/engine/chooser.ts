/**
 * Every nondeterministic choice of a run goes through one Chooser: which delay a message
 * takes within its link's bounds, how late a scanned timer fires, which of several
 * simultaneous events happens first, whether a lossy hop loses a packet.
 *
 * A seeded PRNG chooses by default (simulate). The property checker drives the same
 * choices from fast-check's generated values, and an exhaustive explorer enumerates them;
 * neither needs to know where in the engine a choice is made.
 */
import { Prng } from './prng.js';

export type Choice =
  /** A message's delay on a link, in [min, max] ms. Returns the delay. */
  | { kind: 'delay'; link: string; min: number; max: number }
  /** How late a timer with a scan granularity fires after it is due, in [1, max] ms. */
  | { kind: 'jitter'; node: string; timer: string; max: number }
  /** Which of `options` simultaneous events goes first. Returns an index. */
  | { kind: 'order'; options: number }
  /** Whether a hop with loss `probability` loses this packet. Returns 1 for lost. */
  | { kind: 'loss'; link: string; probability: number };

export interface Chooser {
  choose(choice: Choice): number;
}

/** Smallest and largest value a choice can take. */
export function choiceRange(choice: Choice): [number, number] {
  switch (choice.kind) {
    case 'delay':
      return [choice.min, choice.max];
    case 'jitter':
      return [1, Math.max(1, choice.max)];
    case 'order':
      return [0, choice.options - 1];
    case 'loss':
      return [0, choice.probability > 0 ? 1 : 0];
  }
}

/** The default chooser: uniform choices from a seeded generator; loss with its probability. */
export class SeededChooser implements Chooser {
  private readonly prng: Prng;
  constructor(readonly seed: number) {
    this.prng = new Prng(seed);
  }
  choose(choice: Choice): number {
    if (choice.kind === 'loss') {
      return choice.probability > 0 && this.prng.nextFloat() < choice.probability ? 1 : 0;
    }
    const [lo, hi] = choiceRange(choice);
    return this.prng.int(lo, hi);
  }
}

/** Always the smallest value: minimum delays, first event first, no loss. */
export const minimalChooser: Chooser = {
  choose: (choice) => choiceRange(choice)[0],
};

/**
 * Follows a list of values, each read as an offset from the bottom of its choice's range
 * (wrapped around when larger than the range), then falls back to another chooser. fast-check shrinks such lists towards zero: toward minimal delays,
 * first-come order and no loss.
 */
export class ScriptedChooser implements Chooser {
  private next = 0;
  constructor(
    private readonly script: readonly number[],
    private readonly fallback: Chooser = minimalChooser,
  ) {}
  choose(choice: Choice): number {
    if (this.next >= this.script.length) return this.fallback.choose(choice);
    const raw = this.script[this.next++] ?? 0;
    const [lo, hi] = choiceRange(choice);
    return lo + (Math.abs(Math.trunc(raw)) % (hi - lo + 1));
  }
}

/** Wraps a chooser and records what it chose, so that a run can be pinned and replayed. */
export class RecordingChooser implements Chooser {
  readonly record: number[] = [];
  constructor(private readonly inner: Chooser) {}
  choose(choice: Choice): number {
    const value = this.inner.choose(choice);
    this.record.push(value - choiceRange(choice)[0]);
    return value;
  }
}
