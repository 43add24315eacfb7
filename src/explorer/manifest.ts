/**
 * The explorer's manifest (TLA+ Examples style): for each named small configuration and
 * design, the exact number of distinct states, the depth, and which properties are
 * violated. A change to a model or to the state key shows here first; the tests compare,
 * and `pvlcheck explore` exits 1 on a difference.
 */
export interface ExpectedExploration {
  states: number;
  depth: number;
  violated: string[];
}

export const EXPLORER_MANIFEST: Record<string, Record<string, ExpectedExploration>> = {
  small: {
    patent: { states: 0, depth: 0, violated: [] },
    'prior-art': { states: 0, depth: 0, violated: ['L1'] },
  },
};
