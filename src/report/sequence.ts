/**
 * A trace as a sequence diagram: one lane per node, one row per happening (a delivery, a
 * drop, a fault, a statechart's state change, a timer, a violation), in event order so
 * that idle time takes no room. Sends are not rows: a delivery's arrow starts where its
 * send happened, between two rows.
 *
 * Rows are tagged with what the patent's story cares about: the VGW detour
 * (lvs → vgw → eni → client and the LVS's switch to viaVgw), the ENI's probes, and the
 * fast-path switch (the ENI moving a flow to another fast path, the LVS's viaVgw →
 * viaFastPath). The HTML report (html.ts) draws this model; `mermaidSequence` prints it
 * as a folded Mermaid `sequenceDiagram` for a pull request.
 */
import { faultMeaningOf } from '../config/faults.js';
import type { Message } from '../../models/protocol.js';
import type { TraceEvent } from '../engine/trace.js';
import { meaning, messageLabel, stateText } from './timeline.js';

export type Highlight = 'vgw' | 'probe' | 'switch';

export type RowKind = 'deliver' | 'drop' | 'fault' | 'state' | 'timer' | 'violation';

export interface SeqRow {
  /** Position in the diagram (and the step of the report's step control). */
  step: number;
  /** Index of the event in the trace. */
  eventIndex: number;
  t: number;
  kind: RowKind;
  /** Arrows and drops: sender and receiver (null: the address resolves to no node). */
  from?: string;
  to?: string | null;
  /** Faults, states, timers: the node (a link fault names both ends in from/to). */
  node?: string;
  /** Per-flow statecharts: the flow. */
  instance?: string;
  /** Where the arrow starts: the row position of its send (a half step before the row after it). */
  sentAt?: number;
  /** The message (deliveries and drops on the wire). */
  msg?: Message;
  /** Message id and the id of the first message of its application packet. */
  id?: number;
  origin?: number;
  /** A short label for the arrow or mark. */
  label: string;
  /** One line, as the text timeline says it. */
  text: string;
  /** What it means in the patent's story (may be empty). */
  meaning: string;
  highlight?: Highlight;
  /** State rows: the state value and the previous one as text (null: the chart starts). */
  state?: unknown;
  previous?: string | null;
  /** Fault rows: the kind (crash, restart, linkDown, ...); violation rows: the property. */
  fault?: string;
  property?: string;
  /** Steady-state noise the Mermaid output leaves out (config refreshes). */
  quiet?: boolean;
}

export interface Sequence {
  /** Nodes, in the order of the lanes. */
  lanes: string[];
  rows: SeqRow[];
}

/** Lane order: client, eni, fp1..fpN, sp, lvs, vgw, server, control; others after them. */
export function laneOrder(nodes: Iterable<string>): string[] {
  const rank = (n: string): [number, number] => {
    const fp = /^fp(\d+)$/.exec(n);
    if (fp) return [2, Number(fp[1])];
    const lvs = /^lvs(\d*)$/.exec(n);
    if (lvs) return [4, Number(lvs[1] || 0)];
    const fixed: Record<string, number> = { client: 0, eni: 1, sp: 3, vgw: 5, server: 6, control: 7 };
    return [fixed[n] ?? 8, 0];
  };
  return [...new Set(nodes)].sort((a, b) => {
    const [ra, na] = rank(a);
    const [rb, nb] = rank(b);
    return ra - rb || na - nb || (a < b ? -1 : a > b ? 1 : 0);
  });
}

/** A short arrow label: what the packet is, without the flow's details. */
export function shortLabel(m: Message): string {
  switch (m.type) {
    case 'data': {
      let s = `${m.dir} ${m.kind}`;
      if (m.pathVirtIp) s += ' +path';
      if (m.vgwIp) s += ' +vgw';
      return s;
    }
    case 'offload':
      return `offload ${m.dir}${m.extras ? ' +vgw' : ''}`;
    default:
      return m.type;
  }
}

/** Quiet timers: the server's stream clock and PVL-Control's refresh are not rows. */
const QUIET_TIMERS = new Set(['streamInterval', 'refresh']);

const isFp = (n: string): boolean => /^fp\d+$/.test(n);

function flowOf(m: Message | undefined): string | undefined {
  return m && (m.type === 'data' || m.type === 'offload') ? m.flow : undefined;
}

/** The diagram's model of a trace (a `summary` line, if present, is ignored). */
export function buildSequence(events: readonly TraceEvent[]): Sequence {
  const nodes = new Set<string>();
  const rows: SeqRow[] = [];
  const sends = new Map<number, { at: number; from: string; cause: number | null; origin: number }>();
  /** The fast path the ENI last sent each flow's data over. */
  const eniPath = new Map<string, string>();
  /** Sends of the ENI that move a flow to another fast path. */
  const movedSends = new Set<number>();
  const lastState = new Map<string, string>();
  let configs = 0;
  // With several flows, arrow labels say which one.
  const flows = new Set<string>();
  for (const e of events) if (e.event === 'send') flows.add(flowOf(e.msg) ?? '');
  flows.delete('');
  const multiFlow = flows.size > 1;

  const row = (e: TraceEvent, index: number, fields: Omit<SeqRow, 'step' | 'eventIndex' | 't'>): void => {
    rows.push({ step: rows.length, eventIndex: index, t: e.t, ...fields });
  };

  events.forEach((e, index) => {
    switch (e.event) {
      case 'send': {
        nodes.add(e.from).add(e.to);
        sends.set(e.id, { at: rows.length - 0.5, from: e.from, cause: e.cause, origin: e.origin });
        if (e.from === 'eni' && isFp(e.to) && e.msg.type === 'data') {
          const flow = e.msg.flow;
          const before = eniPath.get(flow);
          eniPath.set(flow, e.to);
          // Remember the move on the send; its delivery (or drop) carries the highlight.
          if (before !== undefined && before !== e.to) movedSends.add(e.id);
        }
        return;
      }
      case 'deliver':
      case 'drop': {
        nodes.add(e.from);
        if (e.to) nodes.add(e.to);
        const sent = e.id === undefined ? undefined : sends.get(e.id);
        const m = e.msg;
        const causeFrom = sent?.cause == null ? undefined : sends.get(sent.cause)?.from;
        let highlight: Highlight | undefined;
        if (m && (m.type === 'probe' || m.type === 'probeAck')) highlight = 'probe';
        else if (e.from === 'vgw' || e.to === 'vgw' || (e.from === 'eni' && e.to === 'client' && causeFrom === 'vgw')) highlight = 'vgw';
        else if (e.id !== undefined && movedSends.has(e.id)) highlight = 'switch';
        const flow = flowOf(m);
        const label = m ? `${multiFlow && flow !== undefined ? flow + ' ' : ''}${shortLabel(m)}` : 'packet';
        const fields: Omit<SeqRow, 'step' | 'eventIndex' | 't'> = {
          kind: e.event,
          from: e.from,
          to: e.to,
          label,
          text: '',
          meaning: '',
          ...(flow !== undefined ? { instance: flow } : {}),
          ...(m ? { msg: m } : {}),
          ...(e.id !== undefined ? { id: e.id, origin: sent?.origin ?? e.id } : {}),
          ...(sent ? { sentAt: sent.at } : {}),
          ...(highlight ? { highlight } : {}),
        };
        if (e.event === 'deliver') {
          fields.text = `${e.from} → ${e.to}: ${messageLabel(e.msg)}`;
          fields.meaning = meaning(e.from, e.to, e.msg);
          if (e.msg.type === 'config' && configs++ > 0) fields.quiet = true;
        } else {
          const hop = e.to ? `${e.from} → ${e.to}` : e.from;
          fields.text = `✗ ${hop}: ${m ? messageLabel(m) + ' ' : ''}dropped: ${e.reason}`;
          fields.meaning = e.to ? `dropped on the way to ${e.to}: ${e.reason}` : `${e.from} discards it: ${e.reason}`;
          fields.label = `✗ ${label}: ${e.reason}`;
        }
        row(e, index, fields);
        return;
      }
      case 'fault': {
        // "a->b", or "a<->b" for both directions.
        const [a, b] = (e.link ?? '').split(/<?->/);
        if (e.node) nodes.add(e.node);
        const target = e.node ?? e.link ?? '';
        const extra = e.newIp ? ' (new address)' : e.probability !== undefined ? ` p=${e.probability}` : e.extraMs !== undefined ? ` +${e.extraMs} ms` : '';
        row(e, index, {
          kind: 'fault',
          fault: e.kind,
          ...(e.node ? { node: e.node } : {}),
          ...(e.link && a && b ? { from: a, to: b } : {}),
          label: `⚡ ${e.kind} ${target}${extra}`,
          text: `⚡ FAULT ${e.kind} ${target}${extra}`,
          meaning: faultMeaning(e.kind, target),
        });
        return;
      }
      case 'state': {
        nodes.add(e.node);
        const who = e.instance ? `${e.node}/${e.instance}` : e.node;
        const now = stateText(e.state);
        const before = lastState.get(who) ?? null;
        lastState.set(who, now);
        let highlight: Highlight | undefined;
        if (/^lvs\d*$/.test(e.node) && now === 'viaVgw') highlight = 'vgw';
        else if (/^lvs\d*$/.test(e.node) && before === 'viaVgw' && now === 'viaFastPath') highlight = 'switch';
        else if (e.node === 'eni' && before !== null && before !== now) highlight = 'probe';
        row(e, index, {
          kind: 'state',
          node: e.node,
          ...(e.instance ? { instance: e.instance } : {}),
          state: e.state,
          previous: before,
          label: `${e.instance ? e.instance + ': ' : ''}${before === null ? 'starts in ' : ''}${now}`,
          text: `◆ ${who} ${before === null ? `starts in ${now}` : `${before} → ${now}`}`,
          meaning: stateMeaning(e.node, before, now),
          ...(highlight ? { highlight } : {}),
        });
        return;
      }
      case 'timer': {
        if (QUIET_TIMERS.has(e.timer)) return;
        nodes.add(e.node);
        const who = e.instance ? `${e.node}/${e.instance}` : e.node;
        row(e, index, {
          kind: 'timer',
          node: e.node,
          ...(e.instance ? { instance: e.instance } : {}),
          label: `◷ ${e.timer}`,
          text: `◷ ${who} timer ${e.timer}`,
          meaning: timerMeaning(e.node, e.timer),
          ...(e.timer.startsWith('probe') ? { highlight: 'probe' as const } : {}),
        });
        return;
      }
      case 'violation':
        row(e, index, {
          kind: 'violation',
          property: e.property,
          label: `‼ ${e.property} violated`,
          text: `‼ VIOLATION ${e.property}: ${e.message}`,
          meaning: e.message,
        });
        return;
      case 'summary':
        return;
    }
  });
  return { lanes: laneOrder(nodes), rows };
}

function faultMeaning(kind: string, target: string): string {
  switch (kind) {
    case 'crash':
      return `${target} crashes: packets to it and its flow table are lost [spec §3.2 step 7]`;
    case 'restart':
      return `${target} restarts with an empty flow table`;
    case 'linkDown':
      return `the link ${target} fails: packets on it are lost`;
    case 'linkUp':
      return `the link ${target} is repaired`;
    default: {
      // Every other kind says what it means in the fault vocabulary (src/config/faults.ts).
      const meaning = faultMeaningOf(kind);
      return meaning ? `${target}: ${meaning}` : `fault ${kind} on ${target}`;
    }
  }
}

function stateMeaning(node: string, before: string | null, now: string): string {
  if (/^lvs\d*$/.test(node)) {
    if (now === 'viaVgw') return 'the LVS heard no forward packet for the relay timeout: reverse data now goes through the VGW [¶77]';
    if (before === 'viaVgw' && now === 'viaFastPath') return 'a forward packet from a new fast path: the LVS relearns it and leaves the VGW [¶80]';
    if (now === 'viaFastPath') return 'the LVS learns the path from the first forward packet [¶74]';
  }
  if (node === 'eni' && now.includes('probing')) return 'a new request: the ENI probes the current fast path before using it [C1, ¶61]';
  if (node === 'eni' && before?.includes('probing')) return 'the probe is settled: the ENI forwards the held packets';
  if (node.startsWith('client') && now === 'hung') return 'the client has heard nothing for a while: it hangs [spec §3.2 step 7]';
  return '';
}

function timerMeaning(node: string, timer: string): string {
  if (timer === 'relayTimeout') return 'the LVS relay timer fires: no forward packet within T_relay [¶77]';
  if (timer.startsWith('probe')) return `the ENI's probe of ${timer.slice(timer.indexOf(':') + 1)} timed out [C1]`;
  if (timer === 'hangTimeout') return 'the client times out waiting for data';
  return `${node} timer ${timer}`;
}

// ---------------------------------------------------------------------------------------
// Folding: repeated packet journeys (the steady state) keep their first and last few.

export interface FoldOptions {
  /** Journeys shown at the start of a run of repeats (default 2). */
  head?: number;
  /** Journeys shown at its end (default 1). */
  tail?: number;
}

export type FoldedItem = { row: SeqRow } | { note: string; t: number; from: string; to: string };

interface Journey {
  origin: number;
  kind: string;
  rows: number[];
  hops: string[];
}

/**
 * The rows with runs of repeated journeys folded: a journey (the deliveries and drops of
 * one application packet) that takes exactly the hops of the previous journey of its kind,
 * with nothing notable (a fault, a state change, a violation, a probe, ...) in between,
 * belongs to that run; the middle of a long run becomes one note. Quiet rows are left out.
 */
export function foldRows(seq: Sequence, options: FoldOptions = {}): FoldedItem[] {
  const head = options.head ?? 2;
  const tail = options.tail ?? 1;
  const rows = seq.rows;
  const isJourneyRow = (r: SeqRow) => r.origin !== undefined && r.msg?.type === 'data';
  const journeys = new Map<number, Journey>();
  rows.forEach((r, i) => {
    if (!isJourneyRow(r)) return;
    let j = journeys.get(r.origin!);
    if (!j) {
      j = { origin: r.origin!, kind: '', rows: [], hops: [] };
      journeys.set(r.origin!, j);
    }
    const m = r.msg as Extract<Message, { type: 'data' }>;
    j.kind = `${m.dir} ${m.kind}`;
    j.rows.push(i);
    j.hops.push(r.kind === 'drop' ? `${r.from} ✗→ ${r.to ?? '?'} (${r.label.replace(/^.*: /, '')})` : `${r.from} → ${r.to}`);
  });
  const notable = new Array<number>(rows.length + 1).fill(0);
  rows.forEach((r, i) => {
    notable[i + 1] = notable[i]! + (isJourneyRow(r) || r.quiet ? 0 : 1);
  });
  const notableBetween = (a: number, b: number) => notable[b + 1]! - notable[a]! > 0;

  interface Run {
    key: string;
    list: Journey[];
    lastRow: number;
  }
  const hidden = new Set<number>();
  const notes = new Map<number, { note: string; t: number; from: string; to: string }[]>();
  const close = (run: Run | undefined): void => {
    if (!run || run.list.length <= head + tail + 1) return;
    const folded = run.list.slice(head, run.list.length - tail);
    for (const j of folded) for (const i of j.rows) hidden.add(i);
    const first = folded[0]!;
    const last = folded[folded.length - 1]!;
    // The note stands where the folded packets begin; its range says where they end.
    const at = Math.min(...first.rows);
    const end = Math.max(...last.rows);
    const path = first.hops.map((h, i) => (i === 0 ? h : h.replace(/^\S+ /, ''))).join(' ');
    const ends = first.rows.flatMap((i) => [rows[i]!.from!, rows[i]!.to ?? rows[i]!.from!]);
    const lanes = seq.lanes.filter((l) => ends.includes(l));
    const note = {
      note: `⋮ ${folded.length} more ${first.kind} via ${path} (t=${rows[at]!.t}..${rows[end]!.t})`,
      t: rows[at]!.t,
      from: lanes[0] ?? seq.lanes[0] ?? '',
      to: lanes[lanes.length - 1] ?? seq.lanes[seq.lanes.length - 1] ?? '',
    };
    notes.set(at, [...(notes.get(at) ?? []), note]);
  };
  const runs = new Map<string, Run>();
  for (const j of journeys.values()) {
    const key = j.hops.join(',');
    const first = Math.min(...j.rows);
    const last = Math.max(...j.rows);
    const run = runs.get(j.kind);
    if (run && run.key === key && !notableBetween(run.lastRow, last) && !notableBetween(first, last)) {
      run.list.push(j);
      run.lastRow = Math.max(run.lastRow, last);
    } else {
      close(run);
      runs.set(j.kind, { key, list: [j], lastRow: last });
    }
  }
  for (const run of runs.values()) close(run);

  const out: FoldedItem[] = [];
  rows.forEach((r, i) => {
    if (!hidden.has(i) && !r.quiet) out.push({ row: r });
    for (const n of notes.get(i) ?? []) out.push(n);
  });
  return out;
}

// ---------------------------------------------------------------------------------------
// Mermaid

/** Mermaid reads `;` as a statement end and `#` as an entity start. */
function mermaidText(s: string): string {
  return s.replace(/#/g, '#35;').replace(/;/g, ',').replace(/\s+/g, ' ').trim();
}

const RECT: Record<Highlight, string> = {
  vgw: 'rgba(255, 160, 0, 0.18)',
  probe: 'rgba(142, 68, 173, 0.14)',
  switch: 'rgba(30, 142, 62, 0.16)',
};

export interface MermaidOptions extends FoldOptions {
  /** A title line (a Mermaid comment and the diagram's title). */
  title?: string;
  /** Every row, without folding. */
  full?: boolean;
}

/**
 * The sequence diagram as Mermaid `sequenceDiagram` text: participants are the lanes;
 * deliveries are arrows, drops end in a cross, faults, state changes, timers and
 * violations are notes; the VGW detour, the probes and the fast-path switch sit in
 * coloured boxes. Unless `full`, repeated journeys are folded (`foldRows`).
 */
export function mermaidSequence(seq: Sequence, options: MermaidOptions = {}): string {
  const lines = ['sequenceDiagram'];
  if (options.title) lines.push(`  title ${mermaidText(options.title)}`);
  for (const lane of seq.lanes) lines.push(`  participant ${lane}`);
  const items: FoldedItem[] = options.full ? seq.rows.map((row) => ({ row })) : foldRows(seq, options);
  const first = seq.lanes[0] ?? 'client';
  const last = seq.lanes[seq.lanes.length - 1] ?? first;
  let open: Highlight | null = null;
  const setRect = (h: Highlight | null): void => {
    if (h === open) return;
    if (open) lines.push('  end');
    if (h) lines.push(`  rect ${RECT[h]}`);
    open = h;
  };
  for (const item of items) {
    if ('note' in item) {
      setRect(null);
      lines.push(`  Note over ${item.from},${item.to}: ${mermaidText(item.note)}`);
      continue;
    }
    const r = item.row;
    setRect(r.highlight ?? null);
    const indent = open ? '    ' : '  ';
    const at = `t=${r.t}`;
    switch (r.kind) {
      case 'deliver':
        lines.push(`${indent}${r.from}->>${r.to}: ${mermaidText(`${at} ${r.msg ? messageLabel(r.msg) : r.label}`)}`);
        break;
      case 'drop':
        lines.push(
          r.to
            ? `${indent}${r.from}-x${r.to}: ${mermaidText(`${at} ✗ ${r.msg ? messageLabel(r.msg) : ''} dropped: ${r.label.replace(/^.*: /, '')}`)}`
            : `${indent}Note right of ${r.from}: ${mermaidText(`${at} ${r.text}`)}`,
        );
        break;
      case 'fault':
        lines.push(`${indent}Note over ${r.node ?? (r.from && r.to ? `${r.from},${r.to}` : `${first},${last}`)}: ${mermaidText(`${at} ${r.label}`)}`);
        break;
      case 'state':
        lines.push(`${indent}Note over ${r.node}: ${mermaidText(`${at} ${r.text.replace(/^◆ /, '')}`)}`);
        break;
      case 'timer':
        lines.push(`${indent}Note over ${r.node}: ${mermaidText(`${at} ${r.label}`)}`);
        break;
      case 'violation':
        lines.push(`${indent}Note over ${first},${last}: ${mermaidText(`${at} ${r.text}`)}`);
        break;
    }
  }
  setRect(null);
  return lines.join('\n') + '\n';
}
