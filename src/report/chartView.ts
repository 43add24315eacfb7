/**
 * A statechart drawn as nested boxes (HTML): each state a box with its name and its
 * transitions (event [guard] / actions → target), compound states as containers of
 * their children, parallel states as side-by-side regions. Every box carries its state
 * path (`data-path="paths.probing"`) so that the report's step control can mark the
 * active ones, and every transition its event (`data-event="data"`, `"after:relayTimeout"`)
 * so that it can mark those the handled message may take.
 *
 * Which chart a node runs: its kind's machine in the run's design (src/engine/system.ts),
 * so the prior art's LVS is drawn with lvsPriorArt.
 */
import { designMachines, type NodeKind } from '../engine/system.js';
import type { ExportedChart, StateNodeConfig, TransitionConfig } from '../export/statecharts.js';


export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The node kind of a node id (fp3 → fp, lvs2 → lvs), or null for an unknown node. */
export function nodeKind(node: string): NodeKind | null {
  if (/^fp\d+$/.test(node)) return 'fp';
  if (/^lvs\d*$/.test(node)) return 'lvs';
  const kinds: readonly string[] = ['client', 'eni', 'sp', 'control', 'vgw', 'server'];
  return kinds.includes(node) ? (node as NodeKind) : null;
}

/** The id of the chart a node runs in a design (patent's when the design is unknown). */
export function chartIdFor(node: string, design: string): string | null {
  const kind = nodeKind(node);
  if (!kind) return null;
  // An LVS cluster member runs the member chart (both designs: the prior art's is a variant of it).
  if (/^lvs\d+$/.test(node)) return 'lvsMember';
  const machines = designMachines(design) ?? designMachines('patent')!;
  return machines[kind].id;
}

/**
 * The active state paths of a state value: "viaVgw" → ["viaVgw"];
 * {paths: "probing", routine: "off"} → ["paths", "paths.probing", "routine", "routine.off"].
 */
export function activePaths(value: unknown, prefix = ''): string[] {
  const at = (name: string) => (prefix ? `${prefix}.${name}` : name);
  if (typeof value === 'string') return [at(value)];
  if (value && typeof value === 'object') {
    const out: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out.push(at(k), ...activePaths(v, at(k)));
    }
    return out;
  }
  return [];
}

function asList(t: unknown): TransitionConfig[] {
  if (t === undefined) return [];
  if (typeof t === 'string') return [{ target: t }];
  return (Array.isArray(t) ? t : [t]) as TransitionConfig[];
}

function names(actions: unknown): string[] {
  const list = actions === undefined ? [] : Array.isArray(actions) ? actions : [actions];
  return list.map((a) => (typeof a === 'string' ? a : ((a as { type?: string }).type ?? '?')));
}

function transitionItem(event: string, key: string, t: TransitionConfig): string {
  const guard = typeof t.guard === 'string' ? t.guard : t.guard?.type;
  const actions = names(t.actions);
  const targets = t.target === undefined ? [] : Array.isArray(t.target) ? t.target : [t.target];
  let text = `<span class="ev">${escapeHtml(event)}</span>`;
  if (guard) text += ` <span class="guard">[${escapeHtml(guard)}]</span>`;
  if (actions.length > 0) text += ` <span class="act">/ ${escapeHtml(actions.join(', '))}</span>`;
  text += ` <span class="target">→ ${targets.length ? escapeHtml(targets.map((x) => x.replace(/^\./, '')).join(', ')) : '(stays)'}</span>`;
  return `<li class="tr" data-event="${escapeHtml(key)}">${text}</li>`;
}

function stateBox(name: string, node: StateNodeConfig, path: string, initial: boolean): string {
  const children = Object.entries(node.states ?? {});
  const kind = node.type === 'parallel' ? 'parallel' : children.length > 0 ? 'compound' : node.type === 'final' ? 'final' : 'atomic';
  const items: string[] = [];
  for (const [event, t] of Object.entries(node.on ?? {})) for (const x of asList(t)) items.push(transitionItem(event, event, x));
  for (const [delay, t] of Object.entries(node.after ?? {})) for (const x of asList(t)) items.push(transitionItem(`after ${delay}`, `after:${delay}`, x));
  for (const x of asList(node.always)) items.push(transitionItem('always', 'always', x));
  const classes = ['st', kind, ...(initial ? ['initial'] : [])].join(' ');
  let html = `<div class="${classes}" data-path="${escapeHtml(path)}" data-active="false">`;
  html += `<div class="st-name">${initial ? '<span class="init" title="initial state">●</span> ' : ''}${escapeHtml(name)}</div>`;
  if (items.length > 0) html += `<ul class="trs">${items.join('')}</ul>`;
  if (children.length > 0) html += childBoxes(node, path);
  return html + '</div>';
}

function childBoxes(node: StateNodeConfig, path: string): string {
  const parallel = node.type === 'parallel';
  const boxes = Object.entries(node.states ?? {}).map(([name, child]) =>
    stateBox(name, child, path ? `${path}.${name}` : name, !parallel && node.initial === name),
  );
  return `<div class="st-children${parallel ? ' regions' : ''}">${boxes.join('')}</div>`;
}

/** The chart's states as nested boxes (its root's transitions, if any, above them). */
export function chartBoxes(chart: ExportedChart): string {
  const root = chart.config as StateNodeConfig;
  const items: string[] = [];
  for (const [event, t] of Object.entries(root.on ?? {})) for (const x of asList(t)) items.push(transitionItem(event, event, x));
  const top = items.length > 0 ? `<ul class="trs root-trs">${items.join('')}</ul>` : '';
  return `<div class="chart-root${root.type === 'parallel' ? ' parallel' : ''}" data-path="">${top}${childBoxes(root, '')}</div>`;
}
