/**
 * The text timeline: a trace as a network engineer reads it, one line per happening,
 * with time, hop, what the message is and what it means in the patent's story.
 *
 * Sends are not shown (each appears once, as its delivery or its drop). Runs of
 * steady-state reverse traffic, where a packet takes the very same hops as the one
 * before, are folded into one line unless `full` is set.
 */
import type { DataMsg, Message } from '../../models/protocol.js';
import type { TraceEvent } from '../engine/trace.js';
import { roleOf } from '../config/faults.js';

export interface TimelineOptions {
  /** Show every delivery, without folding repeated journeys. */
  full?: boolean;
  /** Only this flow's packets and statecharts (plus faults, probes and shared nodes). */
  flow?: string;
}

/** Does an event concern another flow than `flow`? */
function otherFlow(e: TraceEvent, flow: string): boolean {
  if (e.event === 'state' || e.event === 'timer') return e.instance !== undefined && e.instance !== flow;
  if (e.event === 'send' || e.event === 'deliver' || e.event === 'drop') {
    const m = e.msg;
    return m !== undefined && (m.type === 'data' || m.type === 'offload') && m.flow !== flow;
  }
  return false;
}

function dataLabel(m: DataMsg): string {
  return `${m.dir} ${m.kind} ${m.flow} vni=${m.vni}`;
}

export function messageLabel(m: Message): string {
  switch (m.type) {
    case 'data': {
      let s = `data ${dataLabel(m)}`;
      if (m.pathVirtIp) s += ` path=${m.pathPhysIp}/${m.pathVirtIp}`;
      if (m.vgwIp) s += ` vgw=${m.vgwIp} relay=${m.relayTimeoutMs}ms`;
      return s;
    }
    case 'offload':
      return `offload ${m.dir} ${m.flow} vni=${m.vni}${m.extras ? ` +vgw=${m.extras.vgwIp} relay=${m.extras.relayTimeoutMs}ms` : ''}`;
    case 'probe':
      return 'probe';
    case 'probeAck':
      return 'probeAck';
    case 'config':
      return `config vgw=${m.vgwIp} relay=${m.relayTimeoutMs}ms tenants=${m.tenants.map((t) => `${t.cvni}/${t.vni}`).join(',')}`;
    case 'sync':
      return `sync ${m.flow}${m.pathVirtIp ? ` path=${m.pathPhysIp}/${m.pathVirtIp}` : ''}${m.vgwIp ? ` vgw=${m.vgwIp} relay=${m.relayTimeoutMs}ms` : ''}${m.lastForward ? ' +idle-clock' : ''}`;
  }
}

// Nodes by role (config/faults.ts roleOf): fp1 … are `fp`, client1 … `client`, eni1 … `eni`, lvs1 … `lvs`.
const isFp = (node: string): boolean => roleOf(node) === 'fp';
const side = roleOf;
const isLvs = (node: string): boolean => roleOf(node) === 'lvs';

/** What a delivery means, in the terms of the spec's flows (§3). */
export function meaning(from: string, to: string, m: Message): string {
  if (m.type === 'config') return 'PVL-Control configures VGW-IP, relay timeout and tenants [¶72]';
  if (m.type === 'probe') return `ENI probes ${to} [C1, ¶61]`;
  if (m.type === 'probeAck') return `${from} answers the probe: path is fine [¶50]`;
  if (m.type === 'sync') return `${from} syncs its session ${m.flow} to ${to} [¶38]`;
  if (m.type === 'offload') {
    const what = m.dir === 'fwd' ? 'CVNI' : 'VNI';
    const extras = m.extras ? ', with VGW-IP and relay timeout [¶72]' : ' [¶75]';
    return `slow path validated ${what} ${m.vni}: installs the ${m.dir} entry on ${to}${extras}`;
  }
  if (m.dir === 'fwd') {
    if (side(from) === 'client') return m.kind === 'request' ? 'client sends a request to the ENI IP' : 'client acknowledges';
    if (side(from) === 'eni' && isFp(to)) return `ENI forwards over ${to}`;
    if (isFp(from) && to === 'sp') return `miss on ${from}: first forward packet goes to the slow path [¶71]`;
    if (isFp(from) && isLvs(to)) {
      return m.vgwIp
        ? `${to === 'lvs' ? 'LVS' : to} learns ${from} (path's first packet: VGW-IP, relay timeout) [¶73, ¶74]`
        : `${to === 'lvs' ? 'LVS' : to} keeps learning ${from} [¶74, ¶80]`;
    }
    if (to === 'server') return `LVS passes the ${m.kind} to the real server`;
  } else {
    if (from === 'server') return 'reverse data from the real server';
    if (isLvs(from) && isFp(to)) return `${from === 'lvs' ? 'LVS' : from} sends reverse data to the learned path ${to}`;
    if (isLvs(from) && to === 'vgw') return `${from === 'lvs' ? 'LVS' : from} sends reverse data through the VGW: relay timeout expired [¶77]`;
    if (from === 'vgw') return 'VGW relays reverse data to the ENI [¶78]';
    if (isFp(from) && to === 'sp') return `miss on ${from}: first reverse packet goes to the slow path [¶75, ¶81]`;
    if (isFp(from) && side(to) === 'eni') return `reverse data over ${from}`;
    if (side(to) === 'client') return 'reverse data reaches the client';
  }
  return '';
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function time(t: number): string {
  return String(t).padStart(8);
}

/**
 * A state value as text: "paths:probing routine:off slot2:down". Parallel regions in an
 * `absent` state (an ENI member slot beyond the configured fast paths) are left out: they
 * exist in the chart for every configuration, not in this run.
 */
export function stateText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== 'absent')
      .map(([k, x]) => `${k}:${stateText(x)}`)
      .join(' ');
  }
  return JSON.stringify(v);
}

/** One line per event, or null for events the timeline leaves out. */
function line(e: TraceEvent, lastState: Map<string, string>): string | null {
  switch (e.event) {
    case 'send':
      return null;
    case 'deliver': {
      const why = meaning(e.from, e.to, e.msg);
      return `${time(e.t)}  ${pad(`${e.from} → ${e.to}`, 16)} ${pad(messageLabel(e.msg), 44)}${why ? ' ' + why : ''}`;
    }
    case 'drop': {
      const hop = e.to ? `${e.from} → ${e.to}` : `${e.from}`;
      const what = e.msg ? messageLabel(e.msg) : '';
      return `${time(e.t)}  ✗ ${pad(hop, 14)} ${pad(what, 44)} dropped: ${e.reason}`;
    }
    case 'timer': {
      const who = e.instance ? `${e.node}/${e.instance}` : e.node;
      return `${time(e.t)}  ⏱ ${pad(who, 14)} timer ${e.timer}`;
    }
    case 'fault': {
      const target = e.node ?? e.link ?? '';
      const extra = e.newIp ? ' (new address)' : e.probability !== undefined ? ` p=${e.probability}` : e.extraMs !== undefined ? ` +${e.extraMs} ms` : '';
      return `${time(e.t)}  ⚡ FAULT          ${e.kind} ${target}${extra}`;
    }
    case 'state': {
      const who = e.instance ? `${e.node}/${e.instance}` : e.node;
      const now = stateText(e.state);
      const before = lastState.get(who);
      lastState.set(who, now);
      return `${time(e.t)}  ◆ ${pad(who, 14)} ${before === undefined ? `starts in ${now}` : `${before} → ${now}`}`;
    }
    case 'violation':
      return `${time(e.t)}  ‼ VIOLATION      ${e.property}: ${e.message}`;
    case 'summary':
      return null;
  }
}

interface Row {
  text: string;
  t: number;
  /** The application packet a data delivery carries (its first message's id). */
  origin?: number;
  /** For data deliveries: the hop and what the packet is ("rev stream"). */
  hop?: string;
  kind?: string;
  /** Steady-state noise hidden unless `full`: the server's stream clock, config refreshes. */
  quiet?: boolean;
}

interface Journey {
  origin: number;
  kind: string;
  rows: number[];
  hops: string[];
}

/**
 * The timeline's lines. Unless `full`, a packet journey (the deliveries of one
 * application packet) that takes exactly the hops of the previous journey of its kind,
 * with nothing else happening in between, is folded into a "⋮ N more" line.
 */
export function formatTimeline(events: readonly TraceEvent[], options: TimelineOptions = {}): string[] {
  const lastState = new Map<string, string>();
  const rows: Row[] = [];
  const originOf = new Map<number, number>();
  let configs = 0;
  for (const e of events) {
    if (e.event === 'send') {
      originOf.set(e.id, e.origin);
      continue;
    }
    if (options.flow !== undefined && otherFlow(e, options.flow)) continue;
    const text = line(e, lastState);
    if (text === null) continue;
    const row: Row = { text, t: e.t };
    if ((e.event === 'deliver' || (e.event === 'drop' && e.id !== undefined)) && e.msg?.type === 'data') {
      // A delivery or a drop on the wire is one hop of its packet's journey.
      row.origin = originOf.get(e.id!) ?? e.id!;
      row.hop = e.event === 'drop' ? `${e.from} ✗→ ${e.to} (${e.reason})` : `${e.from} → ${e.to}`;
      row.kind = `${e.msg.dir} ${e.msg.kind}`;
    }
    if (e.event === 'deliver' && e.msg.type === 'config') row.quiet = configs++ > 0;
    if (e.event === 'timer' && (e.timer === 'streamInterval' || e.timer === 'refresh')) row.quiet = true;
    rows.push(row);
  }
  if (options.full) return rows.map((r) => r.text);

  // Journeys, in order of their first row.
  const byOrigin = new Map<number, Journey>();
  rows.forEach((r, i) => {
    if (r.origin === undefined) return;
    let j = byOrigin.get(r.origin);
    if (!j) {
      j = { origin: r.origin, kind: '', rows: [], hops: [] };
      byOrigin.set(r.origin, j);
    }
    j.rows.push(i);
    j.hops.push(r.hop!);
    j.kind = r.kind!;
  });
  const notableBetween = (from: number, to: number): boolean => {
    for (let i = from; i <= to; i++) {
      const r = rows[i]!;
      if (r.origin === undefined && !r.quiet) return true;
    }
    return false;
  };
  const hidden = new Set<number>();
  const foldNotes = new Map<number, string>();
  const previous = new Map<string, string>();
  // A run of repeated journeys with nothing notable in between becomes one note.
  type Run = { at: number; lastRow: number; to: number; paths: Map<string, { kind: string; path: string; count: number }> };
  let run: Run | null = null;
  const runs = new Set<Run>();
  const note = (r: Run): string => {
    const parts = [...r.paths.values()].map((p) => `${p.count} ${p.kind} via ${p.path}`);
    return `${' '.repeat(10)}⋮ steady state until t=${r.to}: ${parts.join('; ')}`;
  };
  for (const j of byOrigin.values()) {
    const key = j.hops.join(',');
    const first = j.rows[0]!;
    const last = j.rows[j.rows.length - 1]!;
    const repeats = previous.get(j.kind) === key && !notableBetween(first, last);
    previous.set(j.kind, key);
    if (!repeats) continue;
    for (const i of j.rows) hidden.add(i);
    if (!run || notableBetween(run.lastRow, last)) run = { at: first, lastRow: last, to: 0, paths: new Map() };
    const path = j.hops.map((h, i) => (i === 0 ? h : h.replace(/^\S+ /, ''))).join(' ');
    const entry = run.paths.get(`${j.kind}|${key}`) ?? { kind: j.kind, path, count: 0 };
    entry.count++;
    run.paths.set(`${j.kind}|${key}`, entry);
    run.lastRow = Math.max(run.lastRow, last);
    run.to = Math.max(run.to, rows[last]!.t);
    runs.add(run);
  }
  for (const r of runs) foldNotes.set(r.lastRow, note(r));
  const out: string[] = [];
  rows.forEach((r, i) => {
    if (!hidden.has(i) && !r.quiet) out.push(r.text);
    const note = foldNotes.get(i);
    if (note) out.push(note);
  });
  return out;
}
