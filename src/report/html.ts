/**
 * `pvlcheck report`: one run as a self-contained HTML page (no network, no external
 * assets): a swimlane sequence diagram (SVG), a step control that walks through the trace
 * and shows every component's statechart with its active state, and the run's property
 * verdicts, seed and replay command.
 *
 * The page is a pure function of the trace: the same trace gives the same bytes.
 * Stable ids and data attributes (lanes, rows, arrows, charts, states, verdicts, the
 * slider) are part of its contract with the browser test (test/e2e/report.browser.test.ts).
 */
import { faultMeaningOf } from '../config/faults.js';
import type { TraceEvent } from '../engine/trace.js';
import { charts, type ExportedChart } from '../export/statecharts.js';
import { activePaths, chartBoxes, chartIdFor, escapeHtml as esc } from './chartView.js';
import { buildSequence, type Sequence, type SeqRow } from './sequence.js';
import { stateText } from './timeline.js';

export interface ReportVerdict {
  id: string;
  title: string;
  /** As `simulate` says it: holds, violated, witnessed, not witnessed, not triggered, ... */
  verdict: string;
  /** The violation, if any: time and message. */
  detail: string;
}

export interface RunReport {
  scenario: string;
  description: string;
  design: string;
  seed: number | null;
  until: number | null;
  /** The command that reruns this run. */
  replay: string;
  /** Where the run came from: "scenario fp-crash-reverse-only" or "trace run.jsonl". */
  source: string;
  /** The trace (a summary line, if present, is ignored). */
  events: readonly TraceEvent[];
  verdicts: ReportVerdict[];
  /** What the recovery analysis says, a line each. */
  recovery: string[];
}

// Geometry of the sequence diagram, in px.
const TIME_W = 64;
const LANE_W = 80;
const ROW_H = 18;
const TOP = 8;
const TEXT_W = 420;
const HEAD_H = 30;

/** A statechart actor: a node, or a node's per-flow chart ("lvs/f1"). */
interface Actor {
  key: string;
  node: string;
  instance?: string;
}

function actorKey(node: string, instance?: string): string {
  return instance ? `${node}/${instance}` : node;
}

function domId(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '-');
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}

/** The arrow's colour class. */
function arrowClass(r: SeqRow): string {
  if (r.highlight) return `hl-${r.highlight}`;
  const m = r.msg;
  if (!m) return 'a-rev';
  if (m.type === 'data') return m.dir === 'fwd' ? 'a-fwd' : 'a-rev';
  if (m.type === 'offload') return 'a-offload';
  if (m.type === 'config') return 'a-config';
  return 'a-probe';
}

const MARKERS = ['a-fwd', 'a-rev', 'a-offload', 'a-config', 'a-probe', 'hl-vgw', 'hl-probe', 'hl-switch'];

interface Layout {
  lanes: string[];
  x: (node: string) => number;
  y: (step: number) => number;
  lanesEnd: number;
  width: number;
  height: number;
}

function layout(seq: Sequence): Layout {
  const index = new Map(seq.lanes.map((l, i) => [l, i]));
  const lanesEnd = TIME_W + seq.lanes.length * LANE_W;
  return {
    lanes: seq.lanes,
    x: (node) => TIME_W + LANE_W / 2 + (index.get(node) ?? 0) * LANE_W,
    y: (step) => TOP + ROW_H / 2 + step * ROW_H,
    lanesEnd,
    width: lanesEnd + TEXT_W,
    height: TOP * 2 + Math.max(1, seq.rows.length) * ROW_H,
  };
}

/** The lane names, in a header that stays in view while the diagram scrolls. */
function laneHeader(L: Layout): string {
  const parts = [`<svg class="lane-head" width="${L.width}" height="${HEAD_H}" viewBox="0 0 ${L.width} ${HEAD_H}" xmlns="http://www.w3.org/2000/svg">`];
  parts.push(`<text class="head-time" x="${TIME_W - 8}" y="${HEAD_H - 10}" text-anchor="end">t (ms)</text>`);
  for (const lane of L.lanes) {
    const x = L.x(lane);
    parts.push(
      `<g class="lane-label" data-node="${esc(lane)}"><rect x="${x - LANE_W / 2 + 4}" y="4" width="${LANE_W - 8}" height="${HEAD_H - 8}" rx="4"/>` +
        `<text x="${x}" y="${HEAD_H - 11}" text-anchor="middle">${esc(lane)}</text></g>`,
    );
  }
  parts.push(`<text class="head-text" x="${L.lanesEnd + 8}" y="${HEAD_H - 10}">what happens</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** Intervals during which a node is down or a link is cut, as red bands. */
function faultBands(seq: Sequence, L: Layout): string {
  const out: string[] = [];
  const open = new Map<string, SeqRow>();
  const end = seq.rows.length;
  const band = (key: string, from: SeqRow, toStep: number): void => {
    const y0 = L.y(from.step) - ROW_H / 2;
    const y1 = L.y(toStep) - ROW_H / 2;
    if (from.node) {
      const x = L.x(from.node);
      out.push(
        `<rect class="down-band" data-node="${esc(from.node)}" data-from-step="${from.step}" x="${x - LANE_W / 2 + 6}" y="${y0}" width="${LANE_W - 12}" height="${y1 - y0}"/>`,
      );
    } else if (from.from && from.to) {
      const xa = Math.min(L.x(from.from), L.x(from.to));
      const xb = Math.max(L.x(from.from), L.x(from.to));
      out.push(`<rect class="link-band" data-link="${esc(key)}" data-from-step="${from.step}" x="${xa}" y="${y0}" width="${xb - xa}" height="${y1 - y0}"/>`);
    }
  };
  for (const r of seq.rows) {
    if (r.kind !== 'fault') continue;
    const key = r.node ?? `${r.from}->${r.to}`;
    if (r.fault === 'crash' || r.fault === 'linkDown') {
      if (!open.has(key)) open.set(key, r);
    } else if (r.fault === 'restart' || r.fault === 'linkUp') {
      const start = open.get(key);
      if (start) band(key, start, r.step);
      open.delete(key);
    }
  }
  for (const [key, start] of open) band(key, start, end);
  return out.join('\n');
}

function rowSvg(r: SeqRow, L: Layout, previousT: number | null): string {
  const y = L.y(r.step);
  const attrs = [`id="row-${r.step}"`, `class="row k-${r.kind}${r.highlight ? ` hl-row-${r.highlight}` : ''}"`, `data-step="${r.step}"`, `data-kind="${r.kind}"`, `data-t="${r.t}"`];
  if (r.highlight) attrs.push(`data-highlight="${r.highlight}"`);
  const parts = [`<g ${attrs.join(' ')}>`];
  parts.push(`<rect class="hit" x="0" y="${y - ROW_H / 2}" width="${L.width}" height="${ROW_H}"/>`);
  parts.push(`<text class="time${previousT === r.t ? ' same' : ''}" x="${TIME_W - 8}" y="${y + 4}" text-anchor="end">${r.t}</text>`);
  const title = `<title>${esc(`t=${r.t} ${r.text}${r.meaning ? ` — ${r.meaning}` : ''}`)}</title>`;
  switch (r.kind) {
    case 'deliver': {
      const x1 = L.x(r.from!);
      const x2 = L.x(r.to!);
      const y1 = L.y(r.sentAt ?? r.step - 0.5);
      const cls = arrowClass(r);
      const dir = x2 >= x1 ? 1 : -1;
      const lx = (x1 + x2) / 2;
      const ly = (y1 + y) / 2 - 3;
      parts.push(
        `<g class="arrow ${cls}" id="msg-${r.id ?? r.step}" data-step="${r.step}" data-from="${esc(r.from!)}" data-to="${esc(r.to!)}" data-msg="${esc(r.msg?.type ?? '')}"${r.highlight ? ` data-highlight="${r.highlight}"` : ''}>${title}` +
          `<line x1="${x1 + dir * 3}" y1="${fmt(y1)}" x2="${x2 - dir * 4}" y2="${y}" marker-end="url(#m-${cls})"/>` +
          `<text class="alabel" x="${fmt(lx)}" y="${fmt(ly)}" text-anchor="middle">${esc(r.label)}</text></g>`,
      );
      break;
    }
    case 'drop': {
      const x1 = L.x(r.from!);
      const y1 = r.sentAt === undefined ? y : L.y(r.sentAt);
      const x2 = r.to ? L.x(r.to) : x1 + LANE_W;
      const dir = x2 >= x1 ? 1 : -1;
      // The cross sits on the sender's side, a third of the way to the receiver.
      const reach = r.sentAt === undefined ? 0 : Math.min(Math.abs(x2 - x1) * 0.35, LANE_W * 0.9);
      const xc = x1 + dir * reach;
      const yc = y1 + (y - y1) * (reach / Math.max(1, Math.abs(x2 - x1)));
      const reason = r.label.replace(/^.*: /, '');
      parts.push(
        `<g class="drop" id="drop-${r.step}" data-step="${r.step}" data-from="${esc(r.from!)}" data-to="${esc(r.to ?? '')}" data-msg="${esc(r.msg?.type ?? '')}" data-reason="${esc(reason)}"${r.highlight ? ` data-highlight="${r.highlight}"` : ''}>${title}` +
          (reach > 0 ? `<line class="drop-line" x1="${x1}" y1="${fmt(y1)}" x2="${fmt(xc)}" y2="${fmt(yc)}"/>` : '') +
          `<path class="cross" d="M${fmt(xc - 5)},${fmt(yc - 5)} L${fmt(xc + 5)},${fmt(yc + 5)} M${fmt(xc - 5)},${fmt(yc + 5)} L${fmt(xc + 5)},${fmt(yc - 5)}"/>` +
          `<text class="drop-label" x="${fmt(xc + dir * 8)}" y="${fmt(yc + 4)}" text-anchor="${dir > 0 ? 'start' : 'end'}">${esc(`${r.msg ? r.label.replace(/: [^:]*$/, '').replace(/^✗ /, '') + ' ' : ''}✗ ${reason}`)}</text></g>`,
      );
      break;
    }
    case 'fault': {
      const x = r.node ? L.x(r.node) : r.from ? (L.x(r.from) + L.x(r.to ?? r.from)) / 2 : TIME_W + 10;
      parts.push(
        `<g class="fault" id="fault-${r.step}" data-step="${r.step}" data-fault="${esc(r.fault ?? '')}"${r.node ? ` data-node="${esc(r.node)}"` : ''}${r.from ? ` data-link="${esc(`${r.from}->${r.to}`)}"` : ''}>${title}` +
          `<rect class="fault-band" x="${TIME_W}" y="${y - ROW_H / 2 + 1}" width="${L.lanesEnd - TIME_W}" height="${ROW_H - 2}"/>` +
          `<text class="fault-label" x="${x}" y="${y + 4}" text-anchor="middle">${esc(r.label)}</text></g>`,
      );
      break;
    }
    case 'state': {
      const x = L.x(r.node!);
      const now = stateText(r.state);
      const label = `${r.instance ? r.instance + ': ' : ''}${r.previous ? `${r.previous} → ` : ''}${now}`;
      parts.push(
        `<g class="state-mark${r.highlight ? ` hl-${r.highlight}` : ''}" id="state-${r.step}" data-step="${r.step}" data-node="${esc(r.node!)}"${r.instance ? ` data-instance="${esc(r.instance)}"` : ''} data-state="${esc(now)}">${title}` +
          `<path class="diamond" d="M${x},${y - 6} L${x + 6},${y} L${x},${y + 6} L${x - 6},${y} Z"/>` +
          `<text class="state-label" x="${x + 9}" y="${y + 4}">${esc(label)}</text></g>`,
      );
      break;
    }
    case 'timer': {
      const x = L.x(r.node!);
      parts.push(
        `<g class="timer${r.highlight ? ` hl-${r.highlight}` : ''}" id="timer-${r.step}" data-step="${r.step}" data-node="${esc(r.node!)}">${title}` +
          `<circle cx="${x}" cy="${y}" r="5"/><path d="M${x},${y - 3} L${x},${y} L${x + 2.5},${y + 1.5}"/>` +
          `<text class="timer-label" x="${x + 9}" y="${y + 4}">${esc(r.label.replace(/^◷ /, ''))}</text></g>`,
      );
      break;
    }
    case 'violation':
      parts.push(
        `<g class="violation" id="violation-${r.step}" data-step="${r.step}" data-property="${esc(r.property ?? '')}">${title}` +
          `<rect class="violation-band" x="${TIME_W}" y="${y - ROW_H / 2 + 1}" width="${L.lanesEnd - TIME_W}" height="${ROW_H - 2}"/>` +
          `<text class="violation-label" x="${TIME_W + 6}" y="${y + 4}">${esc(`‼ ${r.property} violated`)}</text></g>`,
      );
      break;
  }
  const desc = r.meaning || r.text;
  parts.push(`<text class="desc" x="${L.lanesEnd + 8}" y="${y + 4}">${esc(truncate(r.kind === 'deliver' || r.kind === 'drop' ? `${r.text.split(':')[0]}: ${desc}` : desc, 86))}</text>`);
  parts.push('</g>');
  return parts.join('');
}

function diagramSvg(seq: Sequence, L: Layout): string {
  const parts = [
    `<svg id="sequence" class="sequence" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}" xmlns="http://www.w3.org/2000/svg" data-rows="${seq.rows.length}" data-row-height="${ROW_H}" data-top="${TOP}">`,
    '<defs>',
    ...MARKERS.map(
      (m) => `<marker id="m-${m}" class="${m}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`,
    ),
    '</defs>',
    '<g class="lanes">',
    ...L.lanes.map(
      (lane) =>
        `<g class="lane" id="lane-${domId(lane)}" data-node="${esc(lane)}"><line x1="${L.x(lane)}" y1="0" x2="${L.x(lane)}" y2="${L.height}"/></g>`,
    ),
    '</g>',
    `<g class="bands">${faultBands(seq, L)}</g>`,
    `<rect id="cursor" class="cursor" x="0" y="${TOP}" width="${L.width}" height="${ROW_H}"/>`,
    '<g class="rows">',
  ];
  let previousT: number | null = null;
  for (const r of seq.rows) {
    parts.push(rowSvg(r, L, previousT));
    previousT = r.t;
  }
  parts.push('</g>', '</svg>');
  return parts.join('\n');
}

/** The actors with a statechart in the trace, in lane order, flows in order of appearance. */
function actorsOf(seq: Sequence): Actor[] {
  const seen = new Map<string, Actor>();
  for (const r of seq.rows) {
    if (r.kind !== 'state') continue;
    const key = actorKey(r.node!, r.instance);
    if (!seen.has(key)) seen.set(key, { key, node: r.node!, ...(r.instance ? { instance: r.instance } : {}) });
  }
  const laneIndex = new Map(seq.lanes.map((l, i) => [l, i]));
  return [...seen.values()].sort((a, b) => (laneIndex.get(a.node) ?? 99) - (laneIndex.get(b.node) ?? 99));
}

/** What the step control needs, per step and per actor. */
function stepData(seq: Sequence, actors: Actor[]) {
  const perFlow = new Set(actors.filter((a) => a.instance).map((a) => a.node));
  const actorFor = (node: string | null | undefined, flow: string | undefined): string | null => {
    if (!node) return null;
    const key = perFlow.has(node) ? (flow ? actorKey(node, flow) : null) : node;
    return key !== null && actors.some((a) => a.key === key) ? key : null;
  };
  const history: Record<string, [number, string[], string][]> = {};
  const down: Record<string, [number, boolean][]> = {};
  const steps = seq.rows.map((r) => {
    let actor: string | null = null;
    let handles: string[] = [];
    let handled = '';
    switch (r.kind) {
      case 'deliver':
        actor = actorFor(r.to, r.instance);
        handles = r.msg ? [r.msg.type] : [];
        handled = r.text.replace(/^[^:]*: /, '') + ` (from ${r.from})`;
        break;
      case 'drop':
        // A node that discards what it handles (no id) is the actor; a loss on the wire has none.
        if (r.id === undefined) {
          actor = actorFor(r.from, r.instance);
          handled = r.text;
        }
        break;
      case 'timer': {
        actor = actorFor(r.node, r.instance);
        const name = r.label.replace(/^◷ /, '');
        handles = [`after:${name}`, name, name.split(':')[0]!];
        handled = `timer ${name}`;
        break;
      }
      case 'state': {
        actor = actorFor(r.node, r.instance);
        const list = (history[actor ?? ''] ??= []);
        list.push([r.step, activePaths(r.state), stateText(r.state)]);
        handled = r.text.replace(/^◆ \S+ /, '');
        break;
      }
      case 'fault':
        actor = actorFor(r.node, undefined);
        if (r.node && (r.fault === 'crash' || r.fault === 'restart')) (down[r.node] ??= []).push([r.step, r.fault === 'crash']);
        handled = r.label;
        break;
      case 'violation':
        break;
    }
    return { t: r.t, kind: r.kind, text: r.text, meaning: r.meaning, actor, handles, handled, hl: r.highlight ?? null };
  });
  delete history[''];
  const notable = seq.rows.filter((r) => r.kind === 'fault' || r.kind === 'violation' || r.kind === 'state' || r.kind === 'drop' || r.highlight === 'switch').map((r) => r.step);
  return { steps, history, down, notable };
}

function chartCards(actors: Actor[], design: string): string {
  const byId = new Map<string, ExportedChart>(charts().map((c) => [c.id, c]));
  const boxes = new Map<string, string>();
  return actors
    .map((a) => {
      const id = chartIdFor(a.node, design);
      const chart = id ? byId.get(id) : undefined;
      let body = '<p class="no-chart">no statechart for this node</p>';
      if (chart) {
        if (!boxes.has(chart.id)) boxes.set(chart.id, chartBoxes(chart));
        body = boxes.get(chart.id)!;
      }
      return (
        `<section class="chart-card not-started" id="chart-${domId(a.key)}" data-actor="${esc(a.key)}" data-node="${esc(a.node)}"${a.instance ? ` data-instance="${esc(a.instance)}"` : ''} data-chart="${esc(chart?.id ?? '')}" data-state="">` +
        `<header><span class="actor">${esc(a.key)}</span> <span class="chart-name">${chart ? `${esc(chart.id)} · ${esc(chart.source)}` : ''}</span>` +
        `<span class="badge down-badge">DOWN</span><span class="badge idle-badge">not started</span></header>` +
        `<div class="handling"></div><div class="chart-body">${body}</div></section>`
      );
    })
    .join('\n');
}

function verdictTable(verdicts: ReportVerdict[]): string {
  const rows = verdicts.map((v) => {
    const cls = v.verdict === 'violated' ? 'bad' : v.verdict === 'holds' || v.verdict === 'witnessed' ? 'good' : 'neutral';
    return `<tr class="verdict ${cls}" id="verdict-${domId(v.id)}" data-property="${esc(v.id)}" data-verdict="${esc(v.verdict)}"><td class="pid">${esc(v.id)}</td><td>${esc(v.title)}</td><td class="v">${esc(v.verdict)}</td><td class="detail">${esc(v.detail)}</td></tr>`;
  });
  return `<table id="verdicts" class="verdicts"><thead><tr><th>property</th><th></th><th>verdict in this run</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const CSS = `
:root { --fwd: #1f5fbf; --rev: #555; --offload: #8a6d3b; --config: #9a9a9a; --probe: #8e44ad;
  --vgw: #e07b00; --switch: #1e8e3e; --fault: #d32f2f; --violation: #ad1457; --cursor: #fff3b0; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #222; background: #fafafa; }
header.top { padding: 10px 16px 6px; background: #fff; border-bottom: 1px solid #ddd; }
header.top h1 { font-size: 17px; margin: 0 0 2px; }
header.top .desc { color: #555; max-width: 1100px; margin: 2px 0; }
code { font: 12px/1.3 "DejaVu Sans Mono", ui-monospace, monospace; background: #f1f1f1; padding: 1px 4px; border-radius: 3px; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: flex-start; margin-top: 6px; }
.meta .recovery { margin: 0; padding-left: 16px; color: #333; }
details.results { margin-top: 4px; }
details.results summary { cursor: pointer; color: #333; }
table.verdicts { border-collapse: collapse; margin: 6px 0; }
table.verdicts td, table.verdicts th { padding: 1px 8px; text-align: left; border-bottom: 1px solid #eee; }
table.verdicts tr.bad .v { color: #fff; background: var(--violation); font-weight: 600; }
table.verdicts tr.good .v { color: var(--switch); }
table.verdicts tr.neutral .v { color: #777; }
table.verdicts .detail { color: #555; max-width: 640px; }
.chips { display: inline-flex; gap: 4px; flex-wrap: wrap; }
.chip { padding: 0 6px; border-radius: 9px; font-size: 12px; border: 1px solid #ccc; background: #fff; }
.chip.bad { background: var(--violation); color: #fff; border-color: var(--violation); text-decoration: none; }
ul.violations { margin: 4px 0 0; padding-left: 18px; color: var(--violation); }
#stepper { position: sticky; top: 0; z-index: 5; background: #fff; border-bottom: 1px solid #ddd; padding: 6px 16px; display: grid;
  grid-template-columns: auto 1fr auto; gap: 4px 10px; align-items: center; }
#stepper .buttons button { font-size: 13px; padding: 2px 8px; margin-right: 2px; }
#step-slider { width: 100%; }
#step-pos { font-variant-numeric: tabular-nums; white-space: nowrap; }
#step-now { grid-column: 1 / -1; font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 12px; min-height: 2.6em; }
#step-now .meaning { font-family: system-ui, "DejaVu Sans", sans-serif; color: #555; }
.legend { grid-column: 1 / -1; display: flex; gap: 12px; flex-wrap: wrap; font-size: 12px; color: #444; margin-top: 4px; }
.legend .hint { color: #777; }
.legend span:not(.hint)::before { content: ""; display: inline-block; width: 18px; height: 3px; vertical-align: middle; margin-right: 4px; background: var(--c); }
main { display: grid; grid-template-columns: minmax(0, 1fr) 460px; gap: 0; }
@media (max-width: 1200px) { main { grid-template-columns: 1fr; } }
#diagram { overflow: auto; height: calc(100vh - 110px); border-right: 1px solid #ddd; background: #fff; position: relative; }
#diagram .head { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid #ddd; width: max-content; }
#charts { overflow: auto; height: calc(100vh - 110px); padding: 8px; }
svg text { font-family: system-ui, "DejaVu Sans", sans-serif; }
.lane-label rect { fill: #eef2f7; stroke: #b7c3d3; }
.lane-label text { font-size: 12px; font-weight: 600; fill: #223; }
.head-time, .head-text { font-size: 11px; fill: #777; }
.lane line { stroke: #c9d1db; stroke-width: 1; stroke-dasharray: 3 3; }
.down-band { fill: rgba(211, 47, 47, 0.13); stroke: rgba(211, 47, 47, 0.5); stroke-dasharray: 4 3; }
.link-band { fill: rgba(211, 47, 47, 0.06); stroke: rgba(211, 47, 47, 0.45); stroke-dasharray: 2 4; }
.cursor { fill: var(--cursor); }
.row .hit { fill: transparent; cursor: pointer; }
.row:hover .hit { fill: rgba(0, 0, 0, 0.035); }
.row.current .hit { stroke: #e0b400; stroke-width: 1; }
.time { font-size: 10px; fill: #333; font-variant-numeric: tabular-nums; }
.time.same { fill: #bbb; }
.desc { font-size: 11px; fill: #444; }
.row.current .desc { fill: #000; font-weight: 600; }
.arrow line { stroke-width: 1.4; }
.alabel { font-size: 9.5px; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.a-fwd line { stroke: var(--fwd); } .a-fwd .alabel { fill: var(--fwd); } marker.a-fwd path { fill: var(--fwd); }
.a-rev line { stroke: var(--rev); } .a-rev .alabel { fill: var(--rev); } marker.a-rev path { fill: var(--rev); }
.a-offload line { stroke: var(--offload); stroke-dasharray: 5 2; } .a-offload .alabel { fill: var(--offload); } marker.a-offload path { fill: var(--offload); }
.a-config line { stroke: var(--config); stroke-dasharray: 2 2; } .a-config .alabel { fill: var(--config); } marker.a-config path { fill: var(--config); }
.a-probe line { stroke: var(--probe); } .a-probe .alabel { fill: var(--probe); } marker.a-probe path { fill: var(--probe); }
.hl-vgw line { stroke: var(--vgw); stroke-width: 2.6; } .hl-vgw .alabel { fill: var(--vgw); font-weight: 700; } marker.hl-vgw path { fill: var(--vgw); }
.hl-probe line { stroke: var(--probe); stroke-width: 2.2; } .hl-probe .alabel { fill: var(--probe); font-weight: 700; } marker.hl-probe path { fill: var(--probe); }
.hl-switch line { stroke: var(--switch); stroke-width: 2.6; } .hl-switch .alabel { fill: var(--switch); font-weight: 700; } marker.hl-switch path { fill: var(--switch); }
.hl-row-vgw .hit { fill: rgba(224, 123, 0, 0.07); }
.hl-row-switch .hit { fill: rgba(30, 142, 62, 0.08); }
.hl-row-probe .hit { fill: rgba(142, 68, 173, 0.06); }
.drop .drop-line { stroke: var(--fault); stroke-width: 1.3; stroke-dasharray: 3 2; }
.drop .cross { stroke: var(--fault); stroke-width: 2.2; }
.drop-label { font-size: 9.5px; fill: var(--fault); paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.fault-band { fill: rgba(211, 47, 47, 0.16); }
.fault-label { font-size: 11px; font-weight: 700; fill: var(--fault); paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.violation-band { fill: rgba(173, 20, 87, 0.16); stroke: var(--violation); stroke-width: 0.8; }
.violation-label { font-size: 11px; font-weight: 700; fill: var(--violation); }
.state-mark .diamond { fill: #fff; stroke: #333; stroke-width: 1.2; }
.state-mark .state-label { font-size: 10px; fill: #222; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.state-mark.hl-vgw .diamond { fill: var(--vgw); stroke: var(--vgw); } .state-mark.hl-vgw .state-label { fill: var(--vgw); font-weight: 700; }
.state-mark.hl-switch .diamond { fill: var(--switch); stroke: var(--switch); } .state-mark.hl-switch .state-label { fill: var(--switch); font-weight: 700; }
.state-mark.hl-probe .diamond { fill: var(--probe); stroke: var(--probe); } .state-mark.hl-probe .state-label { fill: var(--probe); }
.timer circle { fill: #fff; stroke: #666; } .timer path { stroke: #666; fill: none; }
.timer-label { font-size: 10px; fill: #666; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.timer.hl-probe circle, .timer.hl-probe path { stroke: var(--probe); } .timer.hl-probe .timer-label { fill: var(--probe); }
.chart-card { background: #fff; border: 1px solid #d5dbe3; border-radius: 6px; margin: 0 0 8px; padding: 6px 8px; }
.chart-card header { display: flex; gap: 8px; align-items: baseline; }
.chart-card .actor { font-weight: 700; }
.chart-card .chart-name { color: #888; font-size: 11px; flex: 1; }
.chart-card .badge { display: none; font-size: 10px; padding: 0 5px; border-radius: 3px; }
.chart-card.down .down-badge { display: inline; background: var(--fault); color: #fff; }
.chart-card.not-started .idle-badge { display: inline; background: #eee; color: #777; }
.chart-card.not-started .chart-body, .chart-card.down .chart-body { opacity: 0.45; }
.chart-card.handling-now { border-color: #e0b400; box-shadow: 0 0 0 2px var(--cursor); }
.chart-card .handling { font: 11px/1.3 "DejaVu Sans Mono", ui-monospace, monospace; color: #8a5a00; min-height: 0; }
.st-children { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 4px; }
.st-children.regions > .st { border-style: dashed; flex: 1 1 0; }
.st { border: 1px solid #9aa7b6; border-radius: 7px; padding: 3px 6px; background: #fdfdfd; min-width: 90px; }
.st.compound, .st.parallel { background: #f6f8fb; }
.st-name { font-weight: 600; font-size: 12px; }
.st .init { color: #777; font-size: 9px; }
.trs { list-style: none; margin: 1px 0 0; padding: 0; font-size: 10.5px; color: #555; }
.tr .guard { color: #8a6d3b; } .tr .act { color: #777; } .tr .target { color: #1f5fbf; }
.root-trs { margin-bottom: 2px; }
.st[data-active="true"] { border: 2px solid var(--switch); background: #e8f5e9; }
.st[data-active="true"] > .st-name { color: #0d5e24; }
.st[data-active="true"] > .st-name::after { content: " ◀ active"; font-size: 10px; color: var(--switch); font-weight: 400; }
.tr.firing { background: var(--cursor); color: #222; border-radius: 3px; }
.st.entered { animation: none; box-shadow: 0 0 0 3px rgba(30, 142, 62, 0.35); }
.no-chart { color: #888; }
`;

/** The step control: a slider, buttons and keys; marks the row, the actors' states and the message handled. */
const SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var steps = data.steps;
  var slider = document.getElementById('step-slider');
  var diagram = document.getElementById('diagram');
  var cursor = document.getElementById('cursor');
  var svg = document.getElementById('sequence');
  var rowH = Number(svg.getAttribute('data-row-height'));
  var top = Number(svg.getAttribute('data-top'));
  var cards = Array.prototype.slice.call(document.querySelectorAll('.chart-card'));
  var current = -1;

  /** The last entry of a [step, ...] history at or before step k. */
  function lastAt(list, k) {
    var found = null;
    if (!list) return null;
    for (var i = 0; i < list.length && list[i][0] <= k; i++) found = list[i];
    return found;
  }

  function show(k) {
    if (steps.length === 0) return;
    k = Math.max(0, Math.min(steps.length - 1, k));
    var s = steps[k];
    var old = document.getElementById('row-' + current);
    if (old) old.classList.remove('current');
    current = k;
    document.getElementById('row-' + k).classList.add('current');
    slider.value = String(k);
    document.body.setAttribute('data-step', String(k));
    cursor.setAttribute('y', String(top + k * rowH));
    document.getElementById('step-pos').textContent = 'step ' + k + ' / ' + (steps.length - 1) + ' · t = ' + s.t + ' ms';
    document.getElementById('step-text').textContent = s.text;
    document.getElementById('step-meaning').textContent = s.meaning;

    cards.forEach(function (card) {
      var actor = card.getAttribute('data-actor');
      var node = card.getAttribute('data-node');
      var entry = lastAt(data.history[actor], k);
      var paths = entry ? entry[1] : [];
      card.classList.toggle('not-started', !entry);
      card.setAttribute('data-state', entry ? entry[2] : '');
      var downEntry = lastAt(data.down[node], k);
      card.classList.toggle('down', !!(downEntry && downEntry[1]));
      card.querySelectorAll('.st').forEach(function (box) {
        var on = paths.indexOf(box.getAttribute('data-path')) >= 0;
        box.setAttribute('data-active', on ? 'true' : 'false');
        box.classList.toggle('entered', on && !!entry && entry[0] === k);
      });
      var handling = s.actor === actor;
      card.classList.toggle('handling-now', handling);
      card.querySelector('.handling').textContent = handling ? '▶ ' + s.handled : '';
      card.querySelectorAll('.tr').forEach(function (tr) {
        var box = tr.parentNode.parentNode;
        var live = box.classList.contains('chart-root') || box.getAttribute('data-active') === 'true';
        var firing = handling && live && s.handles.indexOf(tr.getAttribute('data-event')) >= 0;
        tr.classList.toggle('firing', firing);
      });
    });

    // Keep the card of the component handling this step in view.
    var busy = document.querySelector('.chart-card.handling-now');
    if (busy) {
      var panel = document.getElementById('charts');
      var cardTop = busy.offsetTop - panel.offsetTop;
      if (cardTop < panel.scrollTop || cardTop + busy.offsetHeight > panel.scrollTop + panel.clientHeight) {
        panel.scrollTop = Math.max(0, cardTop - 8);
      }
    }

    var y = top + k * rowH;
    var head = diagram.querySelector('.head').offsetHeight;
    if (y < diagram.scrollTop + 2 * rowH || y > diagram.scrollTop + diagram.clientHeight - head - 3 * rowH) {
      diagram.scrollTop = Math.max(0, y - (diagram.clientHeight - head) / 2);
    }
  }

  function notable(dir) {
    var list = data.notable;
    if (dir > 0) { for (var i = 0; i < list.length; i++) if (list[i] > current) return show(list[i]); }
    else { for (var j = list.length - 1; j >= 0; j--) if (list[j] < current) return show(list[j]); }
  }

  slider.addEventListener('input', function () { show(Number(slider.value)); });
  document.getElementById('step-prev').addEventListener('click', function () { show(current - 1); });
  document.getElementById('step-next').addEventListener('click', function () { show(current + 1); });
  document.getElementById('step-first').addEventListener('click', function () { show(0); });
  document.getElementById('step-last').addEventListener('click', function () { show(steps.length - 1); });
  document.getElementById('note-prev').addEventListener('click', function () { notable(-1); });
  document.getElementById('note-next').addEventListener('click', function () { notable(1); });
  svg.addEventListener('click', function (e) {
    var row = e.target.closest ? e.target.closest('.row') : null;
    if (row) show(Number(row.getAttribute('data-step')));
  });
  document.addEventListener('keydown', function (e) {
    if (e.target === slider && !e.shiftKey) return; // the slider moves itself
    var keys = { ArrowLeft: -1, ArrowRight: 1 };
    if (e.key in keys) {
      e.preventDefault();
      if (e.shiftKey) notable(keys[e.key]); else show(current + keys[e.key]);
    } else if (e.key === 'Home') { e.preventDefault(); show(0); }
    else if (e.key === 'End') { e.preventDefault(); show(steps.length - 1); }
  });

  // #step=N in the address opens (or jumps to) step N; the violated chips link there.
  function fromHash() {
    var m = /step=(\\d+)/.exec(location.hash);
    return m ? Number(m[1]) : null;
  }
  window.addEventListener('hashchange', function () { var k = fromHash(); if (k !== null) show(k); });
  var start = fromHash();
  show(start === null ? 0 : start);
})();
`;

/** The whole page. */
export function runReportHtml(report: RunReport): string {
  const seq = buildSequence(report.events);
  const L = layout(seq);
  const actors = actorsOf(seq);
  const data = stepData(seq, actors);
  const violated = report.verdicts.filter((v) => v.verdict === 'violated');
  const title = `pvlcheck report: ${report.scenario} (${report.design}, seed ${report.seed ?? '?'})`;
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const legend = [
    ['--fwd', 'forward data'],
    ['--rev', 'reverse data'],
    ['--offload', 'offload (slow path)'],
    ['--vgw', 'VGW detour'],
    ['--probe', 'ENI probes'],
    ['--switch', 'fast-path switch'],
    ['--fault', 'fault / drop ✗'],
    ['--violation', 'violation'],
  ]
    .map(([v, t]) => `<span style="--c: var(${v})">${esc(t!)}</span>`)
    .join('');
  // The fault kinds of this run, each with its meaning from the fault vocabulary (src/config/faults.ts).
  const faultKinds = [...new Set(seq.rows.filter((r) => r.kind === 'fault' && r.fault).map((r) => r.fault!))];
  const faultLegend = faultKinds
    .map((k) => `<span class="hint fault-kind" data-fault-kind="${esc(k)}">⚡ ${esc(k)}: ${esc(faultMeaningOf(k) ?? 'a fault')}</span>`)
    .join('');
  const violationStep = new Map<string, number>();
  for (const r of seq.rows) if (r.kind === 'violation' && !violationStep.has(r.property!)) violationStep.set(r.property!, r.step);
  const chips = report.verdicts
    .map((v) => {
      const at = violationStep.get(v.id);
      const attrs = `class="chip${v.verdict === 'violated' ? ' bad' : ''}" data-property="${esc(v.id)}" title="${esc(`${v.title}: ${v.verdict}`)}"`;
      return at === undefined ? `<span ${attrs}>${esc(v.id)} ${esc(v.verdict)}</span>` : `<a ${attrs} href="#step=${at}">${esc(v.id)} ${esc(v.verdict)}</a>`;
    })
    .join('');
  const violations = violated
    .map((v) => `<li class="violated" data-property="${esc(v.id)}"><b>${esc(v.id)} ${esc(v.title)}</b> violated ${esc(v.detail)}</li>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="pvlcheck report">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body data-design="${esc(report.design)}" data-scenario="${esc(report.scenario)}" data-seed="${report.seed ?? ''}" data-step="0">
<header class="top">
<h1>${esc(report.scenario)} <span style="font-weight:400">· design <b id="design">${esc(report.design)}</b> · seed <b id="seed">${report.seed ?? '?'}</b>${report.until !== null ? ` · until ${report.until} ms` : ''}</span></h1>
${report.description ? `<p class="desc">${esc(report.description)}</p>` : ''}
<div class="meta"><span>replay: <code id="replay">${esc(report.replay)}</code></span><span>source: ${esc(report.source)}</span>
<span class="chips" id="verdict-chips">${chips}</span></div>
${violations ? `<ul class="violations" id="violations">${violations}</ul>` : ''}
<details class="results"><summary>property verdicts (${violated.length} violated) and recovery</summary>
<div class="meta">${verdictTable(report.verdicts)}
<ul class="recovery" id="recovery">${report.recovery.map((l) => `<li>${esc(l.trim())}</li>`).join('')}</ul></div>
</details>
</header>
<div id="stepper">
<div class="buttons"><button id="step-first" title="first step (Home)">|◀</button><button id="note-prev" title="previous event of note (Shift+←)">◀◀</button><button id="step-prev" title="previous step (←)">◀</button><button id="step-next" title="next step (→)">▶</button><button id="note-next" title="next event of note (Shift+→)">▶▶</button><button id="step-last" title="last step (End)">▶|</button></div>
<input type="range" id="step-slider" min="0" max="${Math.max(0, seq.rows.length - 1)}" value="0" step="1" aria-label="step through the trace">
<span id="step-pos"></span>
<div id="step-now"><span id="step-text"></span><br><span class="meaning" id="step-meaning"></span></div>
<div class="legend">${legend}${faultLegend}<span class="hint">rows are events in order (idle time takes no room) · ◆ state change · ◷ timer · click a row to go to it</span></div>
</div>
<main>
<div id="diagram"><div class="head">${laneHeader(L)}</div>
${diagramSvg(seq, L)}
</div>
<div id="charts">
${chartCards(actors, report.design)}
</div>
</main>
<script type="application/json" id="report-data">${json}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
