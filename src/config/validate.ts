/**
 * Reading untrusted input (scenario files, config files, flags) into typed values, with
 * one-line messages that name the field: `faults[0].node: unknown node id "fp9" (known:
 * …)`. The command line turns an InputError into that line and exit code 2.
 */

export class InputError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(field ? `${field}: ${problem}` : problem);
  }
}

export type Obj = Record<string, unknown>;

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  return `a ${typeof v}`;
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function object(v: unknown, path: string, allowed: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new InputError(path, `must be an object, got ${describe(v)}`);
  }
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) {
      throw new InputError(join(path, key), `unknown field (allowed here: ${allowed.join(', ')})`);
    }
  }
  return v as Obj;
}

export function integer(v: unknown, path: string, [min, max]: readonly [number, number]): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(path, `must be a number, got ${describe(v)}`);
  if (!Number.isInteger(v)) throw new InputError(path, `must be a whole number, got ${v}`);
  if (v < min) throw new InputError(path, v < 0 && min >= 0 ? `must not be negative, got ${v}` : `must be at least ${min}, got ${v}`);
  if (v > max) throw new InputError(path, `must be at most ${max}, got ${v}`);
  return v;
}

export function probability(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(path, `must be a number, got ${describe(v)}`);
  if (v < 0 || v > 1) throw new InputError(path, `must be a probability between 0 and 1, got ${v}`);
  return v;
}

export function string(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new InputError(path, `must be a string, got ${describe(v)}`);
  return v;
}

export function boolean(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new InputError(path, `must be true or false, got ${describe(v)}`);
  return v;
}

export function oneOf<T extends string>(v: unknown, path: string, choices: readonly T[]): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new InputError(path, `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${describe(v)}`);
  }
  return v as T;
}

export function array(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new InputError(path, `must be an array, got ${describe(v)}`);
  return v;
}

/** A field that may be left out (undefined): then `fallback`. */
export function optional<T>(o: Obj, key: string, path: string, read: (v: unknown, path: string) => T, fallback: T): T {
  return o[key] === undefined ? fallback : read(o[key], join(path, key));
}
