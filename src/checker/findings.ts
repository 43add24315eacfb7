/**
 * Findings: what the checker found about the design, each with a stable id, in a
 * machine-readable table (properties/findings.json, read at run time like the manifest;
 * docs/findings.md's table mirrors it, test/e2e/findings.test.ts compares them).
 *
 * A counterexample is classified against the table: a finding matches when the property
 * broken is one it names, its configuration conditions hold, and every fault of the
 * (shrunk) counterexample is of a kind and on a target role it names (at least
 * `minFaults` of them). The first finding that matches, in table order, names it; none
 * is a "new finding", which `check` prints in full and which makes the run exit 1 until
 * the table and the manifest name it.
 *
 * During a check under the extended fault model (FindingSearch), a violated property
 * stays open: each run's violations are matched loosely (some fault fits) against the
 * findings not yet found, a run that may show one of them is shrunk while it still may,
 * and the shrunk run is classified strictly. Witness findings (a `sometimes` property
 * that shows a black hole) are found by the first run that witnesses them.
 */
import { readFileSync } from 'node:fs';
import { targetRoleOf } from '../config/faults.js';
import type { FaultSpec } from '../config/types.js';
import { InputError, array, describe, integer, join, object, optional, string } from '../config/validate.js';
import { toScenario, type RunSpec } from './arbitraries.js';
import { clientReacts, probeOutlastsRoundTrip } from './observe.js';
import { evaluate, type RunVerdicts } from './evaluate.js';
import type { AnyProperty } from './property.js';
import type { Counterexample } from './check.js';

export interface Finding {
  /** Stable id: F1, F2, ... */
  id: string;
  /** Its built-in scenario (`simulate --scenario NAME`), or null. */
  scenario: string | null;
  title: string;
  /** Fault kinds and target roles (`fp`, `lvs`, `lvs->fp`, ...) its counterexamples consist of. */
  faultKinds: string[];
  targetRoles: string[];
  /** Properties it breaks (or, for a witness finding, the witness that shows it). */
  properties: string[];
  /** Named conditions on the configuration (CONDITIONS), "!" negates. */
  conditions: string[];
  /** At least this many faults. */
  minFaults: number;
  /** The faults do not matter (a configuration alone shows it). */
  anyFaults: boolean;
  /** At least one fault of one of these kinds (empty: no such requirement). */
  requiredKinds: string[];
  /** Only counterexamples of these designs (empty: any). */
  designs: string[];
  /**
   * Why the extended campaign's generator cannot reach it (null: it can, and a campaign that
   * misses it says "not found"): such a finding is shown by its scenario alone, and the
   * campaign's summary says so instead of counting it.
   */
  scenarioOnly: string | null;
}

export interface FindingsTable {
  findings: Finding[];
}

/** Conditions a finding may name, over a run's configuration and workload. */
export const CONDITIONS: Readonly<Record<string, (spec: Pick<RunSpec, 'config' | 'workload'>) => boolean>> = {
  probeAtMostRoundTrip: (s) => !probeOutlastsRoundTrip(s.config),
  serverVniOutsideTable: (s) => s.workload.vni !== null && !s.config.tenants.some((t) => t.vni === s.workload.vni),
  clientVniOutsideTable: (s) => s.workload.cvni !== null && !s.config.tenants.some((t) => t.cvni === s.workload.cvni),
  routineProbing: (s) => s.config.routineProbeMs > 0,
  hashThreshold: (s) => s.config.ecmp === 'hash-threshold',
  clientReacts: (s) => clientReacts(s.config, s.workload),
  threeOrMoreFastPaths: (s) => s.config.fastPaths >= 3,
  lvsCluster: (s) => s.config.lvsMembers > 1,
  syncWithoutVgw: (s) => !s.config.syncFields.includes('vgw'),
  syncIdleClock: (s) => s.config.syncFields.includes('lastForward'),
};

export const FINDINGS_FILE = 'properties/findings.json';
/** Another findings table (tests; a user trying an edit), as PVLCHECK_MANIFEST is for the manifest. */
export const FINDINGS_ENV = 'PVLCHECK_FINDINGS';

function strings(v: unknown, path: string): string[] {
  return array(v, path).map((x, i) => string(x, join(path, i)));
}

/** The findings table's JSON checked field by field; an InputError (exit 2) names the file and the field. */
export function parseFindings(json: unknown, file: string): FindingsTable {
  const top = object(json, file, ['$comment', 'findings']);
  const at = (p: string) => `${file}: ${p}`;
  const ids = new Set<string>();
  const findings = array(top.findings, at('findings')).map((f, i) => {
    const p = at(`findings[${i}]`);
    const o = object(f, p, ['id', 'scenario', 'title', 'faultKinds', 'targetRoles', 'properties', 'conditions', 'minFaults', 'anyFaults', 'requiredKinds', 'designs', 'scenarioOnly']);
    const id = string(o.id, join(p, 'id'));
    if (ids.has(id)) throw new InputError(join(p, 'id'), `duplicate finding id ${JSON.stringify(id)}`);
    ids.add(id);
    const conditions = optional(o, 'conditions', p, strings, []);
    conditions.forEach((c, k) => {
      if (!Object.prototype.hasOwnProperty.call(CONDITIONS, c.replace(/^!/, ''))) {
        throw new InputError(join(join(p, 'conditions'), k), `unknown condition ${describe(c)} (known: ${Object.keys(CONDITIONS).join(', ')})`);
      }
    });
    const anyFaults = optional(o, 'anyFaults', p, (x, q) => {
      if (typeof x !== 'boolean') throw new InputError(q, `must be true or false, got ${describe(x)}`);
      return x;
    }, false);
    const faultKinds = optional(o, 'faultKinds', p, strings, []);
    return {
      id,
      scenario: o.scenario === null || o.scenario === undefined ? null : string(o.scenario, join(p, 'scenario')),
      title: string(o.title, join(p, 'title')),
      faultKinds,
      targetRoles: optional(o, 'targetRoles', p, strings, []),
      properties: strings(o.properties, join(p, 'properties')),
      conditions,
      minFaults: optional(o, 'minFaults', p, (x, q) => integer(x, q, [0, 100]), faultKinds.length > 0 ? 1 : 0),
      anyFaults,
      requiredKinds: optional(o, 'requiredKinds', p, strings, []),
      designs: optional(o, 'designs', p, strings, []),
      scenarioOnly: o.scenarioOnly === undefined ? null : string(o.scenarioOnly, join(p, 'scenarioOnly')),
    };
  });
  return { findings };
}

export function readFindings(file: string, shownAs = file): FindingsTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(shownAs, `cannot read the findings table: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError(shownAs, `the findings table is not valid JSON: ${(e as Error).message}`);
  }
  return parseFindings(json, shownAs);
}

function conditionsHold(f: Finding, spec: Pick<RunSpec, 'config' | 'workload'>): boolean {
  return f.conditions.every((c) => (c.startsWith('!') ? !CONDITIONS[c.slice(1)]!(spec) : CONDITIONS[c]!(spec)));
}

function faultFits(f: Finding, fault: FaultSpec): boolean {
  return f.faultKinds.includes(fault.kind) && f.targetRoles.includes(targetRoleOf(fault));
}

/** Does the finding name this (shrunk) counterexample: property, conditions, and every fault? */
export function matches(f: Finding, spec: Pick<RunSpec, 'config' | 'workload' | 'faults'>, property: string, design?: string): boolean {
  if (!f.properties.includes(property) || !conditionsHold(f, spec) || !designFits(f, design)) return false;
  if (f.anyFaults) return true;
  if (f.requiredKinds.length > 0 && !spec.faults.some((x) => f.requiredKinds.includes(x.kind))) return false;
  return spec.faults.length >= f.minFaults && spec.faults.every((x) => faultFits(f, x));
}

function designFits(f: Finding, design: string | undefined): boolean {
  return f.designs.length === 0 || design === undefined || f.designs.includes(design);
}

/** Could this (unshrunk) run show the finding: property, conditions, and some fault that fits? */
export function mayMatch(f: Finding, spec: Pick<RunSpec, 'config' | 'workload' | 'faults'>, property: string, design?: string): boolean {
  if (!f.properties.includes(property) || !conditionsHold(f, spec) || !designFits(f, design)) return false;
  if (f.requiredKinds.length > 0 && !spec.faults.some((x) => f.requiredKinds.includes(x.kind))) return false;
  if (f.anyFaults || f.faultKinds.length === 0) return true;
  return spec.faults.filter((x) => faultFits(f, x)).length >= Math.min(1, f.minFaults);
}

/** The finding that names a counterexample, or null: a new finding. */
export function classify(table: FindingsTable, spec: Pick<RunSpec, 'config' | 'workload' | 'faults'>, property: string, design?: string): Finding | null {
  return table.findings.find((f) => matches(f, spec, property, design)) ?? null;
}

/** One finding found during a check: when, and the counterexample that shows it. */
export interface FoundFinding {
  /** The finding's id, or null for a new one. */
  finding: string | null;
  property: string;
  design: string;
  /** The run (1-based) and the wall-clock ms into the design's check at which it was first seen. */
  foundAtRun: number;
  foundAfterMs: number;
  /** The shrunk counterexample (a witness finding: the witnessing run, not shrunk). */
  counterexample: Counterexample;
}

/** At most this many shrinks per property in a design: a bound on the time spent on look-alikes. */
export const SHRINKS_PER_PROPERTY = 12;

/**
 * The search for findings during one design's check: which violations to shrink, what a
 * shrink must keep, and what was found. Plain state, owned by checkDesign's caller.
 */
export class FindingSearch {
  readonly found: FoundFinding[] = [];
  private readonly shrinks = new Map<string, number>();
  /** Per property being shrunk: the findings (or NEW) the shrunk run may still show. */
  private readonly targets = new Map<string, Set<string>>();
  private static readonly NEW = '(new)';

  constructor(
    readonly table: FindingsTable,
    readonly design: string,
    /** Witness properties of the table's witness findings: found by the first run that witnesses them. */
    private readonly witnesses: ReadonlySet<string>,
    /** The witness properties themselves, to simplify a witnessing run. */
    private readonly witnessProperties: ReadonlyMap<string, AnyProperty> = new Map(),
  ) {}

  private foundIds(property: string): Set<string> {
    void property;
    return new Set(this.found.map((f) => f.finding ?? `${FindingSearch.NEW}${f.property}`));
  }

  private candidates(spec: RunSpec, property: string): string[] {
    const c = this.table.findings.filter((f) => mayMatch(f, spec, property, this.design)).map((f) => f.id);
    return c.length > 0 ? c : [FindingSearch.NEW];
  }

  /**
   * The violated properties of this run worth shrinking now (it may show a finding not
   * yet found); witness findings seen in it are recorded at once.
   */
  wanted(spec: RunSpec, run: RunVerdicts, runIndex: number, elapsedMs: number, scenarioOf: (spec: RunSpec, name: string) => Counterexample['scenario']): string[] {
    const out: string[] = [];
    for (const [id, v] of run.verdicts) {
      if (v.witnessed && this.witnesses.has(id)) {
        const finding = this.table.findings.find((f) => f.properties.includes(id) && conditionsHold(f, spec) && designFits(f, this.design));
        if (finding && !this.found.some((x) => x.finding === finding.id)) {
          const simplest = this.simplestWitness(spec, id, scenarioOf);
          this.found.push({
            finding: finding.id,
            property: id,
            design: this.design,
            foundAtRun: runIndex + 1,
            foundAfterMs: elapsedMs,
            counterexample: {
              property: id,
              spec: simplest,
              scenario: scenarioOf(simplest, `${this.design}-${finding.id}`),
              violation: { t: 0, message: `${id} witnessed` },
              fcSeed: 0,
              fcPath: '',
              foundAtRun: runIndex + 1,
              shrinks: 0,
              foundAfterMs: elapsedMs,
            },
          });
        }
      }
      if (!v.violation) continue;
      if ((this.shrinks.get(id) ?? 0) >= SHRINKS_PER_PROPERTY) continue;
      const done = this.foundIds(id);
      const open = this.candidates(spec, id).map((c) => (c === FindingSearch.NEW ? `${FindingSearch.NEW}${id}` : c)).filter((c) => !done.has(c));
      if (open.length === 0) continue;
      this.targets.set(id, new Set(open));
      out.push(id);
    }
    return out;
  }

  /**
   * A witnessing run made simpler, greedily: each fault dropped, then the minimal scheduler,
   * while the witness is still seen (a witness has no counterexample for fast-check to shrink).
   */
  private simplestWitness(spec: RunSpec, id: string, scenarioOf: (spec: RunSpec, name: string) => Counterexample['scenario']): RunSpec {
    const property = this.witnessProperties.get(id);
    if (!property) return spec;
    const seen = (s: RunSpec): boolean => evaluate(scenarioOf(s, 'witness'), [property]).verdicts.get(id)?.witnessed === true;
    let best = spec;
    for (let i = best.faults.length - 1; i >= 0; i--) {
      const without: RunSpec = { ...best, faults: best.faults.filter((_, j) => j !== i) };
      if (seen(without)) best = without;
    }
    if (best.choices !== 'minimal') {
      const minimal: RunSpec = { ...best, choices: 'minimal' };
      if (seen(minimal)) best = minimal;
    }
    return best;
  }

  /** While shrinking `property`: keep a candidate that may still show one of the targets. */
  keeps(spec: RunSpec, property: string): boolean {
    const targets = this.targets.get(property);
    if (!targets) return true;
    return this.candidates(spec, property).some((c) => targets.has(c === FindingSearch.NEW ? `${FindingSearch.NEW}${property}` : c));
  }

  /**
   * A shrunk counterexample: drop faults that fit no candidate finding while the property
   * stays violated (`violates`), then classify it strictly and record it if it is new.
   */
  record(cx: Counterexample, violationOf: (spec: RunSpec) => Counterexample['violation'] | null): FoundFinding {
    this.shrinks.set(cx.property, (this.shrinks.get(cx.property) ?? 0) + 1);
    let spec = cx.spec;
    let finding = classify(this.table, spec, cx.property, this.design);
    if (!finding) {
      const cands = this.table.findings.filter((f) => mayMatch(f, spec, cx.property, this.design) && !f.anyFaults);
      for (const f of cands) {
        let trial = spec;
        for (const fault of spec.faults) {
          if (faultFits(f, fault)) continue;
          const without = { ...trial, faults: trial.faults.filter((x) => x !== fault) };
          if (violationOf(without)) trial = without;
        }
        if (matches(f, trial, cx.property, this.design)) {
          spec = trial;
          finding = f;
          break;
        }
      }
    }
    const shown: Counterexample =
      spec === cx.spec ? cx : { ...cx, spec, scenario: toScenario(spec, this.design, cx.scenario.name), violation: violationOf(spec) ?? cx.violation };
    const entry: FoundFinding = {
      finding: finding?.id ?? null,
      property: cx.property,
      design: this.design,
      foundAtRun: cx.foundAtRun,
      foundAfterMs: cx.foundAfterMs,
      counterexample: shown,
    };
    const known = this.found.some((f) => (finding ? f.finding === finding.id : f.finding === null && f.property === cx.property));
    if (!known) this.found.push(entry);
    return entry;
  }
}

/** A FindingSearch for one design: its witness findings are those whose property is a `sometimes`. */
export function findingSearchFor(table: FindingsTable, design: string, properties: readonly AnyProperty[]): FindingSearch {
  const witnesses = new Set(
    table.findings.flatMap((f) => f.properties).filter((id) => properties.find((p) => p.id === id)?.kind === 'sometimes'),
  );
  return new FindingSearch(table, design, witnesses, new Map(properties.filter((p) => witnesses.has(p.id)).map((p) => [p.id, p])));
}
