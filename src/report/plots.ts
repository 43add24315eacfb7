/**
 * `pvlcheck check --report FILE.html`: the check's results as a self-contained HTML page
 * with SVG plots (no scripts, no external assets):
 *
 * - per design, the recovery times of the disruptive runs: the time until reverse data
 *   reached the client again (L1's samples) and until it came over a fast path again
 *   (L2's), as a histogram of latency / budget, both from the fault (each run has its own
 *   L1/L2 deadline, so the bound is the line at 1.0) and as CDFs in ms after the fault
 *   with the median budgets drawn in;
 * - per design and property, coverage bars: in how many of the runs the property was
 *   exercised (an invariant's situation occurred), triggered (and how many of those were
 *   disruptive, bounds.ts's isDisruptive), voided, or witnessed;
 * - the verdict table, with counterexample files and replay commands.
 *
 * Wall-clock timings are left out, so the same check gives the same bytes.
 */
import type { CoverageCounts } from '../checker/coverage.js';
import type { PropertyOutcome } from '../checker/check.js';
import type { Sample } from '../checker/property.js';
import { verdictWords } from '../checker/verdicts.js';
import { escapeHtml as esc } from './chartView.js';
import { replayCommand } from './shellQuote.js';
import { distribution, exercisedText, sharePercent, summaryLine, type CheckReport, type Distribution } from './checkReport.js';

const L1_COLOUR = '#e07b00';
const L2_COLOUR = '#1e8e3e';

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

/** Round "nice" tick values covering [0, max]. */
function ticks(max: number, count = 5): number[] {
  if (max <= 0) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.ceil(0.5 * s.length) - 1]!;
}

interface Frame {
  w: number;
  h: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const FRAME: Frame = { w: 440, h: 220, left: 46, right: 14, top: 24, bottom: 40 };

function axes(f: Frame, xMax: number, yMax: number, xLabel: string, yLabel: string, xFmt: (v: number) => string, yFmt: (v: number) => string): string[] {
  const pw = f.w - f.left - f.right;
  const ph = f.h - f.top - f.bottom;
  const X = (v: number) => f.left + (v / xMax) * pw;
  const Y = (v: number) => f.top + ph - (v / yMax) * ph;
  const out = [`<g class="axes">`, `<line x1="${f.left}" y1="${f.top + ph}" x2="${f.left + pw}" y2="${f.top + ph}"/>`, `<line x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${f.top + ph}"/>`];
  for (const t of ticks(xMax)) {
    out.push(`<line x1="${num(X(t))}" y1="${f.top + ph}" x2="${num(X(t))}" y2="${f.top + ph + 4}"/><text x="${num(X(t))}" y="${f.top + ph + 15}" text-anchor="middle">${esc(xFmt(t))}</text>`);
  }
  for (const t of ticks(yMax, 4)) {
    out.push(`<line class="grid" x1="${f.left}" y1="${num(Y(t))}" x2="${f.left + pw}" y2="${num(Y(t))}"/><text x="${f.left - 5}" y="${num(Y(t) + 3)}" text-anchor="end">${esc(yFmt(t))}</text>`);
  }
  out.push(`<text class="axis-label" x="${f.left + pw / 2}" y="${f.h - 6}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text class="axis-label" x="12" y="${f.top + ph / 2}" text-anchor="middle" transform="rotate(-90 12 ${f.top + ph / 2})">${esc(yLabel)}</text>`);
  out.push('</g>');
  return out;
}

/** A histogram of latency / budget, with the bound (1.0) drawn in. */
export function ratioHistogram(samples: readonly Sample[], colour: string, id: string, title: string): string {
  const f = FRAME;
  const ratios = samples.map((s) => s.latencyMs / s.budgetMs);
  const bin = 0.05;
  const xMax = Math.max(1.1, Math.ceil((Math.max(...ratios, 0) + 1e-9) / bin) * bin + bin);
  const bins = Math.round(xMax / bin);
  const counts = new Array<number>(bins).fill(0);
  for (const r of ratios) counts[Math.min(bins - 1, Math.floor(r / bin))]!++;
  const yMax = Math.max(1, ...counts);
  const pw = f.w - f.left - f.right;
  const ph = f.h - f.top - f.bottom;
  const X = (v: number) => f.left + (v / xMax) * pw;
  const Y = (v: number) => f.top + ph - (v / yMax) * ph;
  const parts = [`<svg class="plot histogram" id="${esc(id)}" data-samples="${samples.length}" width="${f.w}" height="${f.h}" viewBox="0 0 ${f.w} ${f.h}" xmlns="http://www.w3.org/2000/svg">`];
  parts.push(`<text class="plot-title" x="${f.left}" y="14">${esc(title)}</text>`);
  parts.push(...axes(f, xMax, yMax, 'latency / budget (this run’s own bound = 1.0)', 'runs', (v) => num(v), (v) => num(v)));
  counts.forEach((c, i) => {
    if (c === 0) return;
    const over = (i + 1) * bin > 1 + 1e-9;
    parts.push(
      `<rect class="bar${over ? ' over' : ''}" x="${num(X(i * bin) + 0.5)}" y="${num(Y(c))}" width="${num(X(bin) - f.left - 1)}" height="${num(Y(0) - Y(c))}" fill="${over ? '#d32f2f' : colour}"><title>${num(i * bin)}–${num((i + 1) * bin)}: ${c} run(s)</title></rect>`,
    );
  });
  parts.push(`<line class="bound" x1="${num(X(1))}" y1="${f.top - 4}" x2="${num(X(1))}" y2="${f.top + ph}"/><text class="bound-label" x="${num(X(1) + 3)}" y="${f.top - 6}">bound</text>`);
  if (samples.length === 0) parts.push(`<text class="empty" x="${f.left + pw / 2}" y="${f.top + ph / 2}" text-anchor="middle">no disruptive run recovered</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** CDFs of the latencies (ms) of L1 and L2, with each one's median budget as a dashed line. */
export function latencyCdf(l1: readonly Sample[], l2: readonly Sample[], id: string): string {
  const f = { ...FRAME, w: 520 };
  const all = [...l1, ...l2];
  const maxBudget = Math.max(0, ...all.map((s) => s.budgetMs));
  const xMax = Math.max(1, ticks(Math.max(maxBudget, ...all.map((s) => s.latencyMs)) * 1.05).at(-1)!);
  const pw = f.w - f.left - f.right;
  const ph = f.h - f.top - f.bottom;
  const X = (v: number) => f.left + (v / xMax) * pw;
  const Y = (v: number) => f.top + ph - v * ph;
  const parts = [`<svg class="plot cdf" id="${esc(id)}" width="${f.w}" height="${f.h}" viewBox="0 0 ${f.w} ${f.h}" xmlns="http://www.w3.org/2000/svg">`];
  parts.push(`<text class="plot-title" x="${f.left}" y="14">time from the fault to recovery (CDF over disruptive runs)</text>`);
  parts.push(...axes(f, xMax, 1, 'ms after the fault', 'share of runs', (v) => (v >= 1000 ? `${num(v / 1000)} s` : `${num(v)}`), (v) => `${Math.round(v * 100)}%`));
  const series: [string, readonly Sample[], string][] = [
    ['L1', l1, L1_COLOUR],
    ['L2', l2, L2_COLOUR],
  ];
  series.forEach(([name, samples, colour], k) => {
    if (samples.length === 0) return;
    const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
    let d = `M${num(X(0))},${num(Y(0))}`;
    sorted.forEach((v, i) => {
      d += ` L${num(X(v))},${num(Y(i / sorted.length))} L${num(X(v))},${num(Y((i + 1) / sorted.length))}`;
    });
    d += ` L${num(X(xMax))},${num(Y(1))}`;
    parts.push(`<path class="cdf-line" data-property="${name}" d="${d}" stroke="${colour}"/>`);
    const b = median(samples.map((s) => s.budgetMs));
    parts.push(
      `<line class="budget" data-property="${name}" x1="${num(X(b))}" y1="${f.top}" x2="${num(X(b))}" y2="${f.top + ph}" stroke="${colour}"/>` +
        `<text class="budget-label" x="${num(X(b) - 3)}" y="${f.top + 12 + k * 12}" text-anchor="end" fill="${colour}">${name} median budget ${num(b)} ms</text>`,
    );
  });
  // The legend sits bottom right, where CDFs that have climbed leave room.
  const ly = f.top + ph - 28;
  const lx = f.left + pw - 200;
  series.forEach(([name, samples, colour], k) => {
    parts.push(
      `<line x1="${lx}" y1="${ly + k * 13}" x2="${lx + 18}" y2="${ly + k * 13}" stroke="${colour}" stroke-width="2"/><text class="legend-text" x="${lx + 22}" y="${ly + k * 13 + 4}">${name === 'L1' ? 'L1 reverse delivery resumed' : 'L2 fast path restored'} (${samples.length})</text>`,
    );
  });
  if (all.length === 0) parts.push(`<text class="empty" x="${f.left + pw / 2}" y="${f.top + ph / 2}" text-anchor="middle">no disruptive run recovered</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** One property's coverage over the runs, as a stacked bar. */
function coverageRow(o: PropertyOutcome): string {
  const W = 300;
  const x = (n: number) => (o.runs === 0 ? 0 : (n / o.runs) * W);
  const segs: [string, number, string][] = [];
  let text: string;
  if (o.property.kind === 'sometimes') {
    segs.push(['witnessed', o.witnessedRuns, '#1e8e3e']);
    text = `witnessed in ${o.witnessedRuns}/${o.runs}`;
  } else if (o.property.kind === 'eventually') {
    segs.push(['disruptive', o.disruptiveRuns, '#1f5fbf'], ['triggered', o.triggeredRuns - o.disruptiveRuns, '#9ec1ef'], ['voided', o.voidedRuns, '#bbb']);
    text = `triggered ${o.triggeredRuns}/${o.runs} (${o.disruptiveRuns} disruptive), voided ${o.voidedRuns}`;
  } else {
    // An invariant: the runs in which its situation occurred; none at all is vacuous.
    segs.push(['exercised', o.exercisedRuns, '#7a9cc6'], ['voided', Math.min(o.voidedRuns, o.runs - o.exercisedRuns), '#bbb']);
    text = o.exercisedRuns === 0 ? `VACUOUS: ${exercisedText(o)}` : exercisedText(o);
    if (o.triggeredRuns > 0 || o.voidedRuns > 0) text += `; triggered ${o.triggeredRuns}, voided ${o.voidedRuns}`;
  }
  let at = 0;
  const rects = segs
    .filter(([, n]) => n > 0)
    .map(([name, n, colour]) => {
      const r = `<rect class="seg seg-${name}" x="${num(x(at))}" y="2" width="${num(x(n))}" height="14" fill="${colour}"><title>${name}: ${n}</title></rect>`;
      at += n;
      return r;
    })
    .join('');
  return (
    `<tr class="coverage${o.property.kind === 'always' && o.exercisedRuns === 0 ? ' vacuous' : ''}" data-property="${esc(o.property.id)}" data-design="${esc(o.design)}" data-runs="${o.runs}" data-triggered="${o.triggeredRuns}" data-disruptive="${o.disruptiveRuns}" data-voided="${o.voidedRuns}" data-witnessed="${o.witnessedRuns}"${o.property.kind === 'always' ? ` data-exercised-runs="${o.exercisedRuns}" data-exercised-steps="${o.exercisedSteps}"` : ''}>` +
    `<td class="pid">${esc(o.property.id)}</td><td>${esc(o.property.title)}</td>` +
    `<td><svg width="${W}" height="18" viewBox="0 0 ${W} 18" xmlns="http://www.w3.org/2000/svg"><rect class="track" x="0" y="2" width="${W}" height="14"/>${rects}</svg></td><td class="cov-text">${esc(text)}</td></tr>`
  );
}

function distText(name: string, d: Distribution | null): string {
  return d
    ? `${name}: ${d.count} samples, median ${d.medianMs} ms, p99 ${d.p99Ms} ms, max ${d.maxMs} ms (from the fault); at most ${sharePercent(d.maxShareOfBudget)} of the run's budget (from the same fault to its deadline)`
    : `${name}: no disruptive run recovered`;
}

const verdictCell = verdictWords;

function verdictRows(report: CheckReport): string {
  return report.judged
    .map((j) => {
      const o = j.outcome;
      const cx = o.counterexample;
      const file = cx ? report.files[`${o.design}/${cx.property}`] : undefined;
      const cls = j.unexpected ? 'unexpected' : j.verdict === 'violated' ? 'violated' : j.verdict === 'vacuous' ? 'vacuous' : 'ok';
      const cxCell = cx
        ? `at ${cx.violation.t} ms: ${esc(cx.violation.message)}${file ? `<br><code>${esc(replayCommand(file))}</code>` : ''}`
        : '';
      return (
        `<tr class="verdict ${cls}" data-property="${esc(o.property.id)}" data-design="${esc(o.design)}" data-verdict="${esc(j.verdict)}" data-expected="${esc(j.expected ?? '')}" data-unexpected="${j.unexpected}">` +
        `<td class="pid">${esc(o.property.id)}</td><td>${esc(o.property.title)}</td><td>${esc(o.design)}</td><td class="v">${esc(verdictCell(j))}</td><td>${esc(j.notInManifest ? 'not in the manifest' : (j.expected ?? 'not compared'))}</td><td class="cx">${cxCell}</td></tr>`
      );
    })
    .join('\n');
}

const CSS = `
.searched-space th { text-align: left; font-weight: 400; padding-right: 12px; } .searched-space .unsearched { color: #b00; font-weight: 600; }
* { box-sizing: border-box; }
body { margin: 0; padding: 12px 18px; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #222; background: #fafafa; }
h1 { font-size: 18px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 18px 0 6px; } h3 { font-size: 13px; margin: 10px 0 4px; }
code { font: 12px "DejaVu Sans Mono", ui-monospace, monospace; background: #f1f1f1; padding: 1px 4px; border-radius: 3px; }
.summary.ok { color: #1e8e3e; font-weight: 600; } .summary.bad { color: #ad1457; font-weight: 600; }
table { border-collapse: collapse; background: #fff; }
td, th { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
tr.verdict.violated .v { color: #ad1457; font-weight: 600; }
tr.verdict.unexpected .v { color: #fff; background: #d32f2f; font-weight: 700; }
tr.verdict.ok .v { color: #1e8e3e; }
tr.verdict.vacuous .v { color: #8a6d00; font-weight: 600; }
tr.coverage.vacuous .cov-text { color: #8a6d00; font-weight: 600; }
td.cx { color: #555; max-width: 620px; }
.design { background: #fff; border: 1px solid #dde3ea; border-radius: 6px; padding: 8px 12px; margin: 10px 0; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
.plot { background: #fff; }
.plot text { font-size: 10px; fill: #444; font-family: system-ui, "DejaVu Sans", sans-serif; }
.plot .plot-title { font-size: 12px; font-weight: 600; fill: #222; }
.plot .axis-label { font-size: 11px; fill: #555; }
.axes line { stroke: #888; } .axes line.grid { stroke: #eee; }
.bound { stroke: #d32f2f; stroke-width: 1.5; stroke-dasharray: 5 3; } .plot .bound-label { fill: #d32f2f; font-weight: 600; }
.cdf-line { fill: none; stroke-width: 2; }
.budget { stroke-width: 1.3; stroke-dasharray: 5 3; }
.plot .budget-label { font-weight: 600; }
.plot .empty { font-size: 12px; fill: #999; }
.dist { margin: 2px 0; color: #333; }
.track { fill: #f3f3f3; stroke: #ddd; }
.cov-text { color: #555; }
.key span { display: inline-block; margin-right: 12px; font-size: 12px; color: #555; }
.key i { display: inline-block; width: 12px; height: 10px; margin-right: 4px; vertical-align: middle; }
`;

/** The whole page. */
export function checkReportHtml(report: CheckReport): string {
  const bad = report.judged.filter((j) => j.unexpected);
  const sections = report.designs.map((d) => {
    const l1 = d.properties.find((p) => p.property.id === 'L1')?.samples ?? [];
    const l2 = d.properties.find((p) => p.property.id === 'L2')?.samples ?? [];
    const id = d.design.replace(/[^A-Za-z0-9_-]/g, '-');
    const plots =
      l1.length + l2.length === 0
        ? `<p class="dist">No disruptive run recovered in this design: no recovery times to plot (see the verdicts: L1/L2).</p>`
        : `<div class="plots">${latencyCdf(l1, l2, `cdf-${id}`)}${ratioHistogram(l1, L1_COLOUR, `hist-L1-${id}`, 'L1 reverse delivery resumed: latency / budget')}${ratioHistogram(l2, L2_COLOUR, `hist-L2-${id}`, 'L2 fast path restored: latency / budget')}</div>`;
    return `<section class="design" id="design-${esc(id)}" data-design="${esc(d.design)}" data-runs="${d.runs}">
<h2>${esc(d.design)} <span style="font-weight:400;color:#666">· ${d.runs} runs</span></h2>
<h3>Recovery after a disruptive fault</h3>
<p class="dist">${esc(distText('reverse delivery resumed (L1)', distribution(l1)))}</p>
<p class="dist">${esc(distText('fast path restored (L2)', distribution(l2)))}</p>
${plots}
<h3>Coverage: what the runs exercised</h3>
<p class="key"><span><i style="background:#1f5fbf"></i>triggered, needed real recovery</span><span><i style="background:#9ec1ef"></i>triggered</span><span><i style="background:#bbb"></i>voided (precondition broken)</span><span><i style="background:#1e8e3e"></i>witnessed</span><span><i style="background:#7a9cc6"></i>invariant exercised (its situation occurred)</span></p>
<table class="coverage-table">${d.properties.map(coverageRow).join('\n')}</table>
${d.coverage ? searchedSpaceHtml(d.coverage) : ''}
</section>`;
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pvlcheck check --report">
<title>pvlcheck check: ${esc(report.designs.map((d) => d.design).join(', '))}</title>
<style>${CSS}</style>
</head>
<body>
<h1>pvlcheck check: ${esc(report.designs.map((d) => d.design).join(', '))}</h1>
<p>${report.shard && report.shard.count > 1 ? `Shard ${report.shard.index}/${report.shard.count} (its verdicts are of its runs only; pvlcheck merge gives the campaign's): ${report.designs[0]?.runs ?? 0} of ` : ''}${report.runs} runs per design, up to ${report.maxFaults} faults per run, seed <b id="seed">${report.seed}</b>. Rerun: <code id="command">${esc(report.command)}</code></p>
<p class="summary ${bad.length === 0 ? 'ok' : 'bad'}" id="summary">${esc(summaryLine(report.judged))}</p>
<h2>Verdicts</h2>
<table id="verdicts"><thead><tr><th>property</th><th></th><th>design</th><th>verdict</th><th>expected</th><th>counterexample</th></tr></thead>
<tbody>
${verdictRows(report)}
</tbody></table>
${sections.join('\n')}
</body>
</html>
`;
}

/** Runs per fault kind and configuration dimension (src/checker/coverage.ts): a value no run reached is marked. */
function searchedSpaceHtml(counts: CoverageCounts): string {
  const rows = Object.entries(counts)
    .filter(([, values]) => Object.keys(values).length > 0)
    .map(
      ([dim, values]) =>
        `<tr><th>${esc(dim)}</th><td>${Object.entries(values)
          .map(([v, n]) => `<span class="${n === 0 ? 'unsearched' : 'searched'}" data-dimension="${esc(dim)}" data-value="${esc(v)}" data-runs="${n}">${esc(v)} ${n}</span>`)
          .join(' · ')}</td></tr>`,
    )
    .join('\n');
  return `<h3>Searched space: runs per fault kind and configuration dimension</h3>
<table class="searched-space">${rows}</table>`;
}
