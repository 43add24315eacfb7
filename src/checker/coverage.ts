/**
 * Coverage of the searched space: per fault kind (and target role) and per configuration
 * dimension, how many runs exercised it, so that a report shows which regions were
 * searched and which were not (a kind of the vocabulary no run drew shows as 0).
 *
 * Counts are sums over runs, so that shards' counts add up.
 */
import { DEFAULT_VOCABULARY, targetRoleOf, type FaultVocabulary } from '../config/faults.js';
import type { RunSpec } from './arbitraries.js';
import { clientReacts, probeOutlastsRoundTrip, tenantIdsValid } from './observe.js';

/** Dimension -> value -> runs. */
export type CoverageCounts = Record<string, Record<string, number>>;

/** The dimensions and their values a report always lists (0 when no run had them). */
export function coverageDimensions(vocab: FaultVocabulary = DEFAULT_VOCABULARY): Record<string, string[]> {
  return {
    'fault kind': ['(no fault)', ...Object.keys(vocab)],
    'faults per run': ['0', '1', '2', '3'],
    'fast paths': ['2', '3', '4'],
    flows: ['1', '2', '3'],
    clients: ['1', '2', '3'],
    'LVS members': ['1', '2', '3'],
    'routine probing': ['off', 'on'],
    ECMP: ['hash-threshold', 'resilient'],
    tenants: ['1', '2 or more'],
    'tenant ids': ['valid', 'client-side outside the table', 'server-side outside the table', 'a pair of two tenants'],
    'link delays': ['the default', 'per-link bounds'],
    'client reacts (hangs before the relay timeout)': ['yes', 'no (acks)', 'no (silent)'],
    'probe timeout': ['above the round trip', 'at or below the round trip'],
    scheduler: ['minimal', 'seeded'],
  };
}

/** What one run exercised: dimension -> values (a run may hit several fault kinds). */
export function runCoverage(spec: RunSpec): Record<string, string[]> {
  const c = spec.config;
  const w = spec.workload;
  const kinds = [...new Set(spec.faults.map((f) => f.kind))];
  const targets = [...new Set(spec.faults.map((f) => `${f.kind} ${targetRoleOf(f)}`))];
  const cvniOk = w.cvni === null || c.tenants.some((t) => t.cvni === w.cvni);
  const vniOk = w.vni === null || c.tenants.some((t) => t.vni === w.vni);
  const ids: string[] = [];
  if (!cvniOk) ids.push('client-side outside the table');
  if (!vniOk) ids.push('server-side outside the table');
  if (ids.length === 0) ids.push(tenantIdsValid(c, w) ? 'valid' : 'a pair of two tenants');
  return {
    'fault kind': kinds.length === 0 ? ['(no fault)'] : kinds,
    'fault target (kind, role)': targets,
    'faults per run': [String(spec.faults.length)],
    'fast paths': [String(c.fastPaths)],
    flows: [String(w.flows)],
    clients: [String(c.clients?.length ?? 1)],
    'LVS members': [String(c.lvsMembers)],
    'routine probing': [c.routineProbeMs > 0 ? 'on' : 'off'],
    ECMP: [c.ecmp],
    tenants: [c.tenants.length > 1 ? '2 or more' : '1'],
    'tenant ids': ids,
    'link delays': [Object.keys(c.links).length > 0 ? 'per-link bounds' : 'the default'],
    'client reacts (hangs before the relay timeout)': [clientReacts(c, w) ? 'yes' : w.ackEvery === 0 ? 'no (silent)' : 'no (acks)'],
    'probe timeout': [probeOutlastsRoundTrip(c) ? 'above the round trip' : 'at or below the round trip'],
    scheduler: [spec.choices === 'minimal' ? 'minimal' : 'seeded'],
  };
}

/**
 * The counts in one canonical order: dimensions and their declared values first, in the
 * order coverageDimensions gives, then values met on the way (a fault kind on a target role)
 * sorted. So a campaign's coverage is the same JSON however its runs were split into shards.
 */
export function canonicalCoverage(counts: CoverageCounts, vocab: FaultVocabulary = DEFAULT_VOCABULARY): CoverageCounts {
  const declared = coverageDimensions(vocab);
  const dims = [...Object.keys(declared).filter((d) => d in counts), ...Object.keys(counts).filter((d) => !(d in declared)).sort()];
  const out: CoverageCounts = {};
  for (const dim of dims) {
    const values = counts[dim]!;
    const known = (declared[dim] ?? []).filter((v) => v in values);
    const met = Object.keys(values).filter((v) => !known.includes(v)).sort();
    out[dim] = Object.fromEntries([...known, ...met].map((v) => [v, values[v]!]));
  }
  return out;
}

/** Counts runs per dimension value, over a design's check. */
export class CoverageCounter {
  private readonly raw: CoverageCounts = {};
  /** The counts so far, in canonical order. */
  get counts(): CoverageCounts {
    return canonicalCoverage(this.raw, this.vocab);
  }
  constructor(private readonly vocab: FaultVocabulary = DEFAULT_VOCABULARY) {
    for (const [dim, values] of Object.entries(coverageDimensions(vocab))) {
      this.raw[dim] = Object.fromEntries(values.map((v) => [v, 0]));
    }
  }
  add(spec: RunSpec): void {
    for (const [dim, values] of Object.entries(runCoverage(spec))) {
      const d = (this.raw[dim] ??= {});
      for (const v of values) d[v] = (d[v] ?? 0) + 1;
    }
  }
}

/** Text lines: one per dimension, "value N" pairs; values no run reached are flagged. */
export function coverageText(design: string, runs: number, counts: CoverageCounts): string[] {
  const lines = [`Searched space, ${design} (runs that exercised each; 0 = not searched):`];
  for (const [dim, values] of Object.entries(counts)) {
    const entries = Object.entries(values);
    if (entries.length === 0) continue;
    const shown = dim === 'fault target (kind, role)' ? entries.sort((a, b) => b[1] - a[1]).slice(0, 12) : entries;
    const more = entries.length - shown.length;
    lines.push(`  ${dim}: ${shown.map(([v, n]) => `${v} ${n}${n === 0 ? ' (none)' : ''}`).join(', ')}${more > 0 ? `, and ${more} more` : ''}`);
  }
  void runs;
  return lines;
}
