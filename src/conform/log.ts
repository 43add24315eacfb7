/**
 * Component logs (docs/conformance.md, schemas/pvl-log.schema.json): one JSON object per
 * line, one event per line, on the logging node's own clock. This module reads them,
 * validates every line against the JSON Schema (ajv), and writes them from a simulated
 * trace (`simulate --format log`).
 *
 * A bad line is an InputError naming `file:line` and the field (exit 2).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Message } from '../../models/protocol.js';
import { PACKAGE_ROOT } from '../config/packageRoot.js';
import { InputError } from '../config/validate.js';
import type { TraceEvent } from '../engine/trace.js';

export const LOG_SCHEMA_FILE = join('schemas', 'pvl-log.schema.json');

export type LogEventKind = 'recv' | 'send' | 'drop' | 'state' | 'timer' | 'fault';

/** One line of a component log, as read. */
export interface LogLine {
  /** Where it is: the file as the user named it, and the 1-based line number. */
  file: string;
  line: number;
  node: string;
  event: LogEventKind;
  /** The node's own clock, in ms (ns lines are converted; fractions are kept). */
  ts: number;
  /** The line's fields as written. */
  raw: Record<string, unknown>;
}

/** The message fields of the contract, in the order a message carries them. */
export const MESSAGE_FIELDS = ['type', 'dir', 'flow', 'vni', 'kind', 'pathPhysIp', 'pathVirtIp', 'vgwIp', 'relayTimeoutMs', 'lastForward', 'extras', 'packet', 'tenants'] as const;

/** The message a send, recv or drop line carries, or null when it names no type. */
export function messageOf(line: LogLine): Message | null {
  const r = line.raw;
  if (typeof r.type !== 'string') return null;
  const msg: Record<string, unknown> = {};
  for (const k of MESSAGE_FIELDS) if (r[k] !== undefined) msg[k] = r[k];
  // A fault line's `kind` is the fault's; it only gets here for typed lines.
  return msg as unknown as Message;
}

/** A message as a canonical string (sorted keys at every depth), to compare contents. */
export function messageKey(msg: unknown): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = canon((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(canon(msg));
}

/** A short text of a message for reports: "data fwd f1 request vni 100". */
export function messageText(msg: Message | null): string {
  if (!msg) return '(no message)';
  if (msg.type === 'data') return `data ${msg.dir} ${msg.flow} ${msg.kind} vni ${msg.vni}${msg.vgwIp ? ` vgw ${msg.vgwIp}` : ''}${msg.pathVirtIp ? ` path ${msg.pathVirtIp}` : ''}`;
  if (msg.type === 'offload') return `offload ${msg.dir} ${msg.flow} vni ${msg.vni}`;
  return msg.type;
}

let validator: ValidateFunction | null = null;
function validate(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(PACKAGE_ROOT, LOG_SCHEMA_FILE), 'utf8')) as object;
    // Required on first use, not imported: writing logs (simulate --format log) needs no ajv.
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    validator = new Ajv({ allErrors: false, strict: false }).compile(schema);
  }
  return validator;
}

/** The field an ajv error is about, for "file:line: field: problem". */
function errorText(e: ErrorObject): { field: string; problem: string } {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { field: path ? `${path}.${missing}` : missing, problem: 'missing' };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return { field: path ? `${path}.${extra}` : extra, problem: 'unknown field (see schemas/pvl-log.schema.json)' };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return { field: path || '(line)', problem: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}` };
  }
  return { field: path || '(line)', problem: e.message ?? e.keyword };
}

/** Reads one log file's text: every non-empty line is validated; `file` names it in errors. */
export function parseLog(text: string, file: string): LogLine[] {
  const check = validate();
  const out: LogLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const src = lines[i]!.trim();
    if (src === '') continue;
    const at = `${file}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(src);
    } catch (e) {
      throw new InputError(at, `not a JSON object: ${(e as Error).message}`);
    }
    if (!check(json)) {
      const { field, problem } = errorText(check.errors![0]!);
      throw new InputError(`${at}: ${field}`, problem);
    }
    const raw = json as Record<string, unknown>;
    const ts = raw.unit === 'ns' ? (raw.ts as number) / 1e6 : (raw.ts as number);
    out.push({ file, line: i + 1, node: raw.node as string, event: raw.event as LogEventKind, ts, raw });
  }
  return out;
}

export function where(l: LogLine): string {
  return `${l.file}:${l.line}`;
}

// ---- Writing: a simulated trace as component logs ---------------------------------------

/**
 * A node's clock offset for `simulate --format log --skew MS`: a fixed spread over [0, skew]
 * by node, from the seed, so that any two nodes differ by at most `skew` ms.
 */
export function skewOffsets(nodes: readonly string[], skew: number, seed: number): Record<string, number> {
  const out: Record<string, number> = {};
  nodes.forEach((n, i) => {
    let h = (seed ^ 0x9e3779b9) >>> 0;
    for (const c of n) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out[n] = skew === 0 ? 0 : (h + i) % (skew + 1);
  });
  return out;
}

/**
 * The component logs a trace stands for: what each node itself would log (what it
 * received, sent, dropped, its state changes, its timers, its faults), on its own clock
 * (`offsets`). Losses in transit and deliveries to a down node are the network's and no
 * node logs them. Messages carry the trace's id, so that a send and its receive pair up.
 */
export function traceToLogs(events: readonly TraceEvent[], offsets: Readonly<Record<string, number>>): { byNode: Map<string, string[]>; merged: string[] } {
  const logs = new Map<string, string[]>();
  const merged: string[] = [];
  for (const n of Object.keys(offsets)) logs.set(n, []);
  const put = (node: string, t: number, event: LogEventKind, fields: Record<string, unknown>): void => {
    const line = JSON.stringify({ ts: t + (offsets[node] ?? 0), node, event, ...fields });
    let list = logs.get(node);
    if (!list) logs.set(node, (list = []));
    list.push(line);
    merged.push(line);
  };
  for (const e of events) {
    switch (e.event) {
      case 'send':
        put(e.from, e.t, 'send', { id: e.id, to: e.to, ...e.msg });
        break;
      case 'deliver':
        put(e.to, e.t, 'recv', { id: e.id, from: e.from, ...e.msg });
        break;
      case 'drop':
        // The node tried to send (no route, a down link, loss on the way): it logged a send.
        if (e.stage === 'send' && e.msg) put(e.from, e.t, 'send', { ...(e.id !== undefined ? { id: e.id } : {}), to: e.to, ...e.msg });
        else if (e.stage === 'node') put(e.from, e.t, 'drop', { reason: e.reason, ...(e.msg ?? {}) });
        break;
      case 'timer':
        put(e.node, e.t, 'timer', { ...(e.instance !== undefined ? { instance: e.instance } : {}), timer: e.timer });
        break;
      case 'state':
        put(e.node, e.t, 'state', { ...(e.instance !== undefined ? { instance: e.instance } : {}), state: e.state });
        break;
      case 'fault': {
        const { t, event: _e, ...fault } = e;
        const node = fault.node ?? (fault.link ? fault.link.split('->')[0]! : undefined);
        if (node) put(node, t, 'fault', fault);
        break;
      }
      default:
        break;
    }
  }
  return { byNode: logs, merged };
}
