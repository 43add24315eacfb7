/**
 * The explorer's manifest (TLA+ Examples style): for each named small configuration and
 * design, the exact number of distinct states and transitions, the depth, and the
 * violated properties with the length (moves) of their shortest counterexamples. A change
 * to a model, a property or the state key shows here first; the tests compare, and
 * `pvlcheck explore` exits 1 on a difference (for a profile run with its own settings).
 */
export interface ExpectedExploration {
  states: number;
  transitions: number;
  depth: number;
  /** Property id -> moves of its shortest counterexample. */
  violated: Record<string, number>;
  /**
   * `--per-property`: the totals over each property explored with the model on its own
   * (the same violations, with the same shortest counterexamples).
   */
  perProperty: { states: number; transitions: number };
}

export const EXPLORER_MANIFEST: Record<string, Record<string, ExpectedExploration>> = {
  small: {
    patent: { states: 16227, transitions: 30196, depth: 178, violated: {}, perProperty: { states: 41913, transitions: 80254 } },
    'prior-art': { states: 11735, transitions: 20848, depth: 178, violated: { L1: 52, L2: 71 }, perProperty: { states: 27195, transitions: 50812 } },
  },
  'small-races': {
    patent: { states: 39654, transitions: 80697, depth: 180, violated: {}, perProperty: { states: 95035, transitions: 197941 } },
    'prior-art': { states: 11920, transitions: 21157, depth: 180, violated: { L1: 54, L2: 71 }, perProperty: { states: 27461, transitions: 51268 } },
  },
  'three-paths': {
    patent: { states: 24759, transitions: 45848, depth: 178, violated: {}, perProperty: { states: 55386, transitions: 106020 } },
    'prior-art': { states: 20267, transitions: 36500, depth: 178, violated: { L1: 52, L2: 71 }, perProperty: { states: 40668, transitions: 76578 } },
  },
};
