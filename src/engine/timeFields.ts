/**
 * Which fields of a statechart context or of monitor data hold absolute times: a state key
 * keeps them relative to now (src/explorer/codec.ts), a monitor stepped in a frame relative
 * to an event's time shifts them (src/checker/chartMonitor.ts). Decided by field name.
 */

/** Fields that hold absolute times (relativised and capped in keys). */
export const TIME_FIELDS: ReadonlySet<string> = new Set(['t', 'at', 'sentAt', 'lastFwdAt', 'base', 'armedAt', 'faultAt', 'lastFaultAt', 'originAt']);

/** Is a field of that name a time (made relative to now in keys)? */
export function isTimeField(name: string): boolean {
  return TIME_FIELDS.has(name);
}

const contextTimes = new WeakMap<object, string[]>();
/** The time fields at the top level of a statechart context, memoised per context object. */
export function timeFieldsOf(context: object): string[] {
  let fields = contextTimes.get(context);
  if (!fields) {
    fields = Object.keys(context).filter((k) => TIME_FIELDS.has(k)).sort();
    contextTimes.set(context, fields);
  }
  return fields;
}

/** A context without its time fields (which keys carry relative to now instead). */
export function timeless(context: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(context)) if (!TIME_FIELDS.has(k)) out[k] = v;
  return out;
}
