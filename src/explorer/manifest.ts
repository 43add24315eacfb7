/**
 * The explorer's manifest (TLA+ Examples style), as data: for each named small
 * configuration and design, the exact number of distinct states and transitions, the
 * depth, and the violated properties with the length (moves) of their shortest
 * counterexamples. It lives in `properties/explorer-manifest.json` and is read at run
 * time by the command line (src/cli/explore.ts), which hands it here to be checked: the
 * explorer reads no files itself. A change to a model, a property or the state key shows
 * here first; the tests compare, and `pvlcheck explore` exits 1 on a difference (for a
 * profile run with its own settings, to the end).
 *
 * The expected *verdicts* (holds, violated, witnessed, not witnessed) are those of
 * `properties/manifest.json`, compared on every run whatever its bounds (expectedVerdicts).
 */
import { InputError } from '../config/validate.js';

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
  /**
   * With partial-order reduction (the command's default): the states and transitions of the
   * reduced product, and its shortest counterexamples (at most 2 moves longer than `violated`'s).
   * The figures above are those without it (`--no-por`).
   */
  por?: { states: number; transitions: number; violated: Record<string, number> };
  /**
   * With symmetry reduction (the command's default for the profile's own space): the same
   * figures without partial-order reduction, and under `por` with it (the default run).
   */
  symmetry?: { states: number; transitions: number; violated: Record<string, number>; por?: { states: number; transitions: number; violated: Record<string, number> } };
  /**
   * Without folds (`--no-folds`, ExploreOptions.folds false): the product's figures without
   * partial-order or symmetry reduction. The figures above are those with folds (the default).
   */
  unfolded?: { states: number; transitions: number; violated: Record<string, number> };
}

/** Profile -> design -> what its exploration gives. */
export type ExplorerManifest = Record<string, Record<string, ExpectedExploration>>;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(file: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new InputError(`${file}: ${field}`, `must be a whole number ≥ 0, got ${JSON.stringify(v)}`);
  }
  return v;
}

function object(file: string, field: string, v: unknown): Obj {
  if (!isObject(v)) throw new InputError(`${file}: ${field}`, `must be an object, got ${JSON.stringify(v)}`);
  return v;
}

/** States, transitions and shortest counterexamples of a reduced exploration (`por`, `symmetry`). */
function figures(file: string, at: string, v: unknown): { states: number; transitions: number; violated: Record<string, number> } {
  const x = object(file, at, v);
  const violated = object(file, `${at}.violated`, x.violated);
  return {
    states: count(file, `${at}.states`, x.states),
    transitions: count(file, `${at}.transitions`, x.transitions),
    violated: Object.fromEntries(Object.entries(violated).map(([p, n]) => [p, count(file, `${at}.violated.${p}`, n)])),
  };
}

/**
 * The explorer manifest's parsed JSON, checked field by field: a malformed one is an
 * InputError naming the file and the field (exit 2). `profiles` names the known profiles
 * and `designs` the known designs (an entry for another is a typo, and would never be
 * compared).
 */
export function parseExplorerManifest(json: unknown, file: string, profiles: readonly string[], designs: readonly string[]): ExplorerManifest {
  const top = object(file, '(top level)', json);
  const byProfile = object(file, 'profiles', top.profiles);
  const out: ExplorerManifest = Object.create(null) as ExplorerManifest;
  for (const [profile, entry] of Object.entries(byProfile)) {
    if (!profiles.includes(profile)) throw new InputError(`${file}: profiles.${profile}`, `no such profile (profiles: ${profiles.join(', ')})`);
    const byDesign = object(file, `profiles.${profile}`, entry);
    const designsOut: Record<string, ExpectedExploration> = Object.create(null) as Record<string, ExpectedExploration>;
    for (const [design, e] of Object.entries(byDesign)) {
      const at = `profiles.${profile}.${design}`;
      if (!designs.includes(design)) throw new InputError(`${file}: ${at}`, `no such design (designs: ${designs.join(', ')})`);
      const x = object(file, at, e);
      const violated = object(file, `${at}.violated`, x.violated);
      const per = object(file, `${at}.perProperty`, x.perProperty);
      designsOut[design] = {
        states: count(file, `${at}.states`, x.states),
        transitions: count(file, `${at}.transitions`, x.transitions),
        depth: count(file, `${at}.depth`, x.depth),
        violated: Object.fromEntries(Object.entries(violated).map(([p, n]) => [p, count(file, `${at}.violated.${p}`, n)])),
        perProperty: {
          states: count(file, `${at}.perProperty.states`, per.states),
          transitions: count(file, `${at}.perProperty.transitions`, per.transitions),
        },
      };
      if (x.por !== undefined) designsOut[design]!.por = figures(file, `${at}.por`, x.por);
      if (x.unfolded !== undefined) designsOut[design]!.unfolded = figures(file, `${at}.unfolded`, x.unfolded);
      if (x.symmetry !== undefined) {
        const sym = object(file, `${at}.symmetry`, x.symmetry);
        designsOut[design]!.symmetry = {
          ...figures(file, `${at}.symmetry`, sym),
          ...(sym.por !== undefined ? { por: figures(file, `${at}.symmetry.por`, sym.por) } : {}),
        };
      }
    }
    out[profile] = designsOut;
  }
  return out;
}

/** An explorer verdict: `inconclusive` when the search stopped before it could say. */
export type ExplorerVerdict = 'holds' | 'violated' | 'witnessed' | 'not witnessed' | 'inconclusive';

/**
 * What properties/manifest.json expects, per design and property ("any": not compared),
 * as src/checker/verdicts.ts reads and checks it.
 */
export type ExpectedVerdicts = Record<string, Record<string, string>>;

/**
 * Does an explorer verdict agree with the manifest's expectation? `any` agrees with
 * everything, no entry with nothing (a property the manifest does not name is never
 * silently passed); `vacuous` is the random checker's word for an invariant never
 * exercised, which the explorer cannot count: it agrees with `holds`. An inconclusive
 * verdict agrees with nothing: a stopped search proves nothing.
 */
export function verdictAgrees(verdict: ExplorerVerdict, expected: string | undefined): boolean {
  if (verdict === 'inconclusive') return false;
  if (expected === undefined) return false;
  if (expected === 'any') return true;
  if (expected === 'vacuous') return verdict === 'holds';
  return verdict === expected;
}
