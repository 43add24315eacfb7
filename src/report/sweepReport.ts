/**
 * What `pvlcheck sweep` prints: a table with one row per grid point (its values, safe or
 * why not, L1/L2 recovery p50/p99/max, needless VGW fallbacks and ENI failovers), the
 * recommended setting with its reasons; the same as JSON; and an HTML page with a heat map
 * per figure (the first parameter across, the second down, one small map per value of
 * the others) on which the safe region is outlined and the recommended setting ringed.
 *
 * No wall-clock figures in the HTML, so that the same sweep gives the same bytes.
 */
import type { Shard } from '../checker/shard.js';
import { percent, unsafeText, valuesText, type Figures, type PointResult, type Recommendation, type SweepParam } from '../checker/sweep.js';
import { escapeHtml as esc } from './chartView.js';

/** What decides a sweep's runs: shards of a sweep merge only when all of it is equal. */
export interface SweepIdentity {
  version: string;
  design: string;
  seed: number;
  /** Runs per point. */
  runs: number;
  maxFaults: number;
  properties: string[];
  /** `--config F`'s values under every point. */
  config: unknown;
  shrinkBudget: number;
  faultModel: string;
  params: SweepParam[];
  /** The recommendation's bound on needless fallbacks, a share of runs. */
  maxNeedless: number;
  [option: string]: unknown;
}

export interface SweepResult {
  sweep: SweepIdentity;
  /** Which shard of the grid's points this is; null: all of them. */
  shard: Shard | null;
  command: string;
  points: PointResult[];
  /** Only for the whole grid (null in a shard: merge the shards). */
  recommendation: Recommendation | null;
}

/** One figure of a point, for tables and heat maps. */
export interface Figure {
  key: string;
  title: string;
  unit: 'ms' | '%';
  value: (p: PointResult) => number | null;
}

const ms = (pick: (f: Figures) => number, which: 'L1' | 'L2') => (p: PointResult) => {
  const f = p[which];
  return f ? pick(f) : null;
};

export const FIGURES: readonly Figure[] = [
  { key: 'L1-p50', title: 'L1 reverse delivery resumed: p50', unit: 'ms', value: ms((f) => f.p50Ms, 'L1') },
  { key: 'L1-p99', title: 'L1 reverse delivery resumed: p99', unit: 'ms', value: ms((f) => f.p99Ms, 'L1') },
  { key: 'L1-max', title: 'L1 reverse delivery resumed: max', unit: 'ms', value: ms((f) => f.maxMs, 'L1') },
  { key: 'L2-p50', title: 'L2 fast path restored: p50', unit: 'ms', value: ms((f) => f.p50Ms, 'L2') },
  { key: 'L2-p99', title: 'L2 fast path restored: p99', unit: 'ms', value: ms((f) => f.p99Ms, 'L2') },
  { key: 'L2-max', title: 'L2 fast path restored: max', unit: 'ms', value: ms((f) => f.maxMs, 'L2') },
  { key: 'needless-vgw', title: 'Needless VGW fallbacks (share of runs)', unit: '%', value: (p) => p.needlessVgw.rate * 100 },
  { key: 'needless-failover', title: 'Needless ENI failovers (share of runs)', unit: '%', value: (p) => p.needlessFailover.rate * 100 },
];

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
}

function triple(f: Figures | null): string {
  return f ? `${f.p50Ms}/${f.p99Ms}/${f.maxMs}` : '-';
}

export function sweepTextReport(r: SweepResult): string[] {
  const params = r.sweep.params.map((p) => p.name);
  const rows: string[][] = [[...params, 'safe', 'L1 p50/p99/max ms', 'L2 p50/p99/max ms', 'needless VGW', 'needless failover']];
  for (const p of r.points) {
    rows.push([
      ...params.map((n) => String(p.values[n])),
      p.safe ? 'yes' : `NO: ${unsafeText(p)}`,
      triple(p.L1),
      triple(p.L2),
      percent(p.needlessVgw.rate),
      percent(p.needlessFailover.rate),
    ]);
  }
  const out = table(rows);
  out.push('');
  const safe = r.points.filter((p) => p.safe).length;
  out.push(`${safe} of ${r.points.length} points safe (no property violated, every one properties/manifest.json expects to hold for ${r.sweep.design} held).`);
  if (r.recommendation) {
    const rec = r.recommendation;
    out.push(rec.values ? `Recommended: ${valuesText(rec.values)}` : 'Recommended: none');
    for (const reason of rec.reasons) out.push(`  - ${reason}`);
  } else if (r.shard) {
    out.push(`Shard ${r.shard.index}/${r.shard.count} of the grid's points: pvlcheck merge of the ${r.shard.count} shards' --format json gives the recommendation.`);
  }
  out.push(`seed ${r.sweep.seed}; rerun: ${r.command}`);
  return out;
}

export function sweepJson(r: SweepResult): unknown {
  return {
    sweep: r.sweep,
    shard: r.shard,
    command: r.command,
    safePoints: r.points.filter((p) => p.safe).length,
    recommendation: r.recommendation,
    points: r.points.map((p) => ({ ...p, ms: Math.round(p.ms) })),
  };
}

// ---- HTML heat maps ------------------------------------------------------------------

const CELL_W = 64;
const CELL_H = 34;
const LEFT = 84;
const TOP = 40;

/** From pale yellow (low) to dark red (high): lower is better for every figure. */
function colour(t: number): string {
  const stops = [
    [255, 247, 188],
    [254, 196, 79],
    [236, 112, 20],
    [153, 52, 4],
  ];
  const x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i]!.map((a, k) => Math.round(a + (stops[i + 1]![k]! - a) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function fmt(v: number, unit: '%' | 'ms'): string {
  return unit === '%' ? `${(Math.round(v * 10) / 10).toFixed(1)}%` : String(Math.round(v));
}

interface Facet {
  /** The values of the parameters beyond the first two. */
  fixed: Record<string, number>;
  points: PointResult[];
}

function facetsOf(r: SweepResult): Facet[] {
  const rest = r.sweep.params.slice(2);
  let combos: Record<string, number>[] = [{}];
  for (const p of rest) combos = combos.flatMap((c) => p.values.map((v) => ({ ...c, [p.name]: v })));
  return combos.map((fixed) => ({
    fixed,
    points: r.points.filter((p) => Object.entries(fixed).every(([k, v]) => p.values[k] === v)),
  }));
}

/**
 * One heat map: cells coloured by the figure (scaled over the whole grid), the value
 * written in; the edges between a safe cell and an unsafe one (or the map's border) drawn
 * as the outline of the safe region; the recommended cell ringed.
 */
function heatmap(r: SweepResult, figure: Figure, facet: Facet, range: [number, number], id: string): string {
  const [px, py] = [r.sweep.params[0]!, r.sweep.params[1]];
  const xs = px.values;
  const ys: (number | null)[] = py ? py.values : [null];
  const w = LEFT + xs.length * CELL_W + 12;
  const h = TOP + ys.length * CELL_H + 36;
  const at = (x: number, y: number | null) => facet.points.find((p) => p.values[px.name] === x && (py === undefined || p.values[py.name] === y));
  const parts: string[] = [];
  const safeAt = (i: number, j: number): boolean => {
    if (i < 0 || j < 0 || i >= xs.length || j >= ys.length) return false;
    return at(xs[i]!, ys[j]!)?.safe === true;
  };
  const title = `${figure.title}${Object.keys(facet.fixed).length ? ` · ${valuesText(facet.fixed)}` : ''}`;
  parts.push(`<text class="plot-title" x="4" y="14">${esc(title)}</text>`);
  ys.forEach((y, j) => {
    parts.push(`<text x="${LEFT - 6}" y="${TOP + j * CELL_H + CELL_H / 2 + 4}" text-anchor="end">${y === null ? '' : esc(String(y))}</text>`);
    xs.forEach((x, i) => {
      const p = at(x, y);
      const v = p ? figure.value(p) : null;
      const cx = LEFT + i * CELL_W;
      const cy = TOP + j * CELL_H;
      const t = v === null || range[1] === range[0] ? 0 : (v - range[0]) / (range[1] - range[0]);
      const fill = v === null ? '#eeeeee' : colour(t);
      const attrs = p
        ? ` data-index="${p.index}" data-x="${x}" data-y="${y ?? ''}" data-value="${v ?? ''}" data-safe="${p.safe}"`
        : ` data-missing="true" data-x="${x}" data-y="${y ?? ''}"`;
      parts.push(
        `<g class="cell${p?.safe ? ' safe' : ' unsafe'}"${attrs}><title>${esc(p ? `${valuesText(p.values)}: ${v === null ? 'no sample' : fmt(v, figure.unit)}${p.safe ? '' : `; not safe: ${unsafeText(p)}`}` : 'not run')}</title>` +
          `<rect x="${cx}" y="${cy}" width="${CELL_W}" height="${CELL_H}" fill="${fill}"/>` +
          (p && !p.safe ? `<rect class="hatch" x="${cx}" y="${cy}" width="${CELL_W}" height="${CELL_H}" fill="url(#hatch)"/>` : '') +
          `<text x="${cx + CELL_W / 2}" y="${cy + CELL_H / 2 + 4}" text-anchor="middle" class="${t > 0.6 ? 'light' : ''}">${v === null ? '–' : esc(fmt(v, figure.unit))}</text></g>`,
      );
    });
  });
  xs.forEach((x, i) => parts.push(`<text x="${LEFT + i * CELL_W + CELL_W / 2}" y="${TOP + ys.length * CELL_H + 14}" text-anchor="middle">${esc(String(x))}</text>`));
  parts.push(`<text class="axis-label" x="${LEFT + (xs.length * CELL_W) / 2}" y="${h - 6}" text-anchor="middle">${esc(px.name)}</text>`);
  if (py) parts.push(`<text class="axis-label" x="10" y="${TOP + (ys.length * CELL_H) / 2}" text-anchor="middle" transform="rotate(-90 10 ${TOP + (ys.length * CELL_H) / 2})">${esc(py.name)}</text>`);
  // The safe region's outline: every edge between a safe cell and a cell that is not.
  const segments: string[] = [];
  for (let j = 0; j < ys.length; j++) {
    for (let i = 0; i < xs.length; i++) {
      if (!safeAt(i, j)) continue;
      const x0 = LEFT + i * CELL_W;
      const y0 = TOP + j * CELL_H;
      if (!safeAt(i, j - 1)) segments.push(`M${x0} ${y0}h${CELL_W}`);
      if (!safeAt(i, j + 1)) segments.push(`M${x0} ${y0 + CELL_H}h${CELL_W}`);
      if (!safeAt(i - 1, j)) segments.push(`M${x0} ${y0}v${CELL_H}`);
      if (!safeAt(i + 1, j)) segments.push(`M${x0 + CELL_W} ${y0}v${CELL_H}`);
    }
  }
  if (segments.length > 0) parts.push(`<path class="safe-outline" d="${segments.join('')}"/>`);
  const rec = r.recommendation?.index ?? null;
  const recPoint = rec === null ? undefined : facet.points.find((p) => p.index === rec);
  if (recPoint) {
    const i = xs.indexOf(recPoint.values[px.name]!);
    const j = py ? ys.indexOf(recPoint.values[py.name]!) : 0;
    parts.push(`<rect class="recommended" data-index="${recPoint.index}" x="${LEFT + i * CELL_W + 3}" y="${TOP + j * CELL_H + 3}" width="${CELL_W - 6}" height="${CELL_H - 6}" rx="6"/>`);
  }
  return `<svg class="heatmap plot" id="${esc(id)}" data-figure="${esc(figure.key)}" data-facet="${esc(valuesText(facet.fixed))}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}">${parts.join('')}</svg>`;
}

const CSS = `
* { box-sizing: border-box; }
body { margin: 0; padding: 12px 18px; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #222; background: #fafafa; }
h1 { font-size: 18px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 18px 0 6px; }
code { font: 12px "DejaVu Sans Mono", ui-monospace, monospace; background: #f1f1f1; padding: 1px 4px; border-radius: 3px; }
table { border-collapse: collapse; background: #fff; }
td, th { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
tr.unsafe td.safe { color: #ad1457; font-weight: 600; } tr.safe td.safe { color: #1e8e3e; }
tr.recommended { background: #e8f5e9; }
.figure { background: #fff; border: 1px solid #dde3ea; border-radius: 6px; padding: 8px 12px; margin: 10px 0; }
.maps { display: flex; flex-wrap: wrap; gap: 12px; }
.plot text { font-size: 10px; fill: #333; font-family: system-ui, "DejaVu Sans", sans-serif; }
.plot text.light { fill: #fff; }
.plot .plot-title { font-size: 12px; font-weight: 600; fill: #222; }
.plot .axis-label { font-size: 11px; fill: #555; }
.cell rect { stroke: #fff; stroke-width: 1; }
.safe-outline { fill: none; stroke: #1e8e3e; stroke-width: 3; stroke-linecap: square; }
.recommended { fill: none; stroke: #1f5fbf; stroke-width: 2.5; }
.key span { display: inline-block; margin-right: 14px; font-size: 12px; color: #555; }
.key i { display: inline-block; width: 14px; height: 10px; margin-right: 4px; vertical-align: middle; }
#recommendation { background: #fff; border: 2px solid #1f5fbf; border-radius: 6px; padding: 8px 12px; }
`;

/** The whole page: the recommendation, a heat map per figure (per facet), the table. */
export function sweepHtml(r: SweepResult): string {
  const facets = facetsOf(r);
  const sections = FIGURES.map((figure) => {
    const values = r.points.map(figure.value).filter((v): v is number => v !== null);
    const range: [number, number] = values.length ? [Math.min(...values), Math.max(...values)] : [0, 0];
    const maps = facets.map((f, k) => heatmap(r, figure, f, range, `map-${figure.key}-${k}`)).join('');
    return `<section class="figure" data-figure="${esc(figure.key)}"><h2>${esc(figure.title)}${figure.unit === 'ms' ? ' (ms after the fault)' : ''}</h2>
<p class="key"><span><i style="background:${colour(0)}"></i>${esc(fmt(range[0], figure.unit))}</span><span><i style="background:${colour(1)}"></i>${esc(fmt(range[1], figure.unit))}</span><span><i style="border:3px solid #1e8e3e"></i>safe region outlined</span><span><i style="border:2px solid #1f5fbf"></i>recommended</span><span>hatched: not safe</span></p>
<div class="maps">${maps}</div></section>`;
  });
  const params = r.sweep.params.map((p) => p.name);
  const rows = r.points
    .map((p) => {
      const cls = `${p.safe ? 'safe' : 'unsafe'}${r.recommendation?.index === p.index ? ' recommended' : ''}`;
      return `<tr class="${cls}" data-index="${p.index}">${params.map((n) => `<td>${p.values[n]}</td>`).join('')}<td class="safe">${esc(p.safe ? 'yes' : `no: ${unsafeText(p)}`)}</td><td>${esc(triple(p.L1))}</td><td>${esc(triple(p.L2))}</td><td>${percent(p.needlessVgw.rate)}</td><td>${percent(p.needlessFailover.rate)}</td></tr>`;
    })
    .join('\n');
  const rec = r.recommendation;
  const recHtml = rec
    ? `<div id="recommendation" data-index="${rec.index ?? ''}"><b>Recommended: ${esc(rec.values ? valuesText(rec.values) : 'none')}</b><ul>${rec.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul></div>`
    : `<div id="recommendation" data-index=""><b>No recommendation: this is shard ${r.shard ? `${r.shard.index}/${r.shard.count}` : ''} of the grid; merge the shards.</b></div>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pvlcheck sweep">
<title>pvlcheck sweep: ${esc(r.sweep.design)}, ${esc(params.join(' × '))}</title>
<style>${CSS}</style>
</head>
<body>
<svg width="0" height="0" style="position:absolute"><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#555" stroke-width="1.2" stroke-opacity="0.45"/></pattern></defs></svg>
<h1>pvlcheck sweep: ${esc(r.sweep.design)}, ${esc(params.join(' × '))}</h1>
<p>${r.points.length} points, ${r.sweep.runs} runs each, up to ${r.sweep.maxFaults} faults per run, seed <b id="seed">${r.sweep.seed}</b> (the same runs at every point). Rerun: <code id="command">${esc(r.command)}</code></p>
<p id="summary">${r.points.filter((p) => p.safe).length} of ${r.points.length} points safe: no property violated, every one properties/manifest.json expects to hold held.</p>
${recHtml}
${sections.join('\n')}
<h2>Every point</h2>
<table id="points"><thead><tr>${params.map((n) => `<th>${esc(n)}</th>`).join('')}<th>safe</th><th>L1 p50/p99/max ms</th><th>L2 p50/p99/max ms</th><th>needless VGW</th><th>needless failover</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body>
</html>
`;
}
