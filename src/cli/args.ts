/**
 * A small, strict flag parser: `--name value`, `--name=value`, boolean `--name`, `-h` for
 * `--help`, and positional arguments. Unknown flags (with the nearest known one), missing
 * or empty values, bad numbers and a flag given twice are InputErrors that name the flag,
 * so that the command line can answer with exit code 2. A flag may be a deprecated alias
 * of another (`aliasOf`): it sets the other and leaves a one-line note on stderr.
 */
import { InputError } from '../config/validate.js';

/** `list`: comma-separated values that add up when the flag is repeated; `repeated`: one whole value per use (`--param a=1,2 --param b=3`). */
export type FlagType = 'string' | 'int' | 'boolean' | 'list' | 'repeated';

export interface FlagSpec {
  type: FlagType;
  /** One-line help. */
  help: string;
  /** Allowed values, for string and list flags. */
  choices?: readonly string[];
  /** Smallest value, for int flags (default 0). */
  min?: number;
  /** Largest value, for int flags (default: the largest safe integer). */
  max?: number;
  /** Why the largest value is what it is, said with the error (e.g. "10 minutes of virtual time"). */
  maxWhy?: string;
  /**
   * A deprecated spelling of another flag of the same command: giving it sets that flag
   * (with the other's type and checks) and prints a one-line note on stderr.
   */
  aliasOf?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface Parsed {
  flags: Record<string, string | number | boolean | string[]>;
  positional: string[];
}

/** Where deprecation notes go: set by `main` around each command (stderr), silent otherwise. */
let noteSink: ((line: string) => void) | null = null;

/** Sends notes (deprecated flags) to `sink` until the returned function is called. */
export function captureNotes(sink: (line: string) => void): () => void {
  const before = noteSink;
  noteSink = sink;
  return () => {
    noteSink = before;
  };
}

function has(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The candidate nearest to `word` (case-insensitive edit distance), when it is near enough
 * to be a likely typo: at most a third of the longer word's letters, and at least one.
 */
export function nearest(word: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === null || bestDistance === 0) return best;
  const allowed = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  return bestDistance <= allowed ? best : null;
}

/** " (did you mean X?)" or "". */
export function didYouMean(word: string, candidates: Iterable<string>, show: (c: string) => string = (c) => c): string {
  const n = nearest(word, candidates);
  return n === null ? '' : ` (did you mean ${show(n)}?)`;
}

export function parseArgs(command: string, argv: readonly string[], specs: FlagSpecs): Parsed {
  const flags: Parsed['flags'] = Object.create(null) as Parsed['flags'];
  const positional: string[] = [];
  /** The spelling each flag was first given as, to name both when one is given twice. */
  const givenAs = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    if (arg === '-h' && has(specs, 'help')) arg = '--help';
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const written = arg.slice(2, eq < 0 ? undefined : eq);
    if (!has(specs, written)) {
      const near = nearest(written, Object.keys(specs));
      // A deprecated spelling is suggested as the flag it stands for.
      const suggestion = near === null ? null : (specs[near]!.aliasOf ?? near);
      if (suggestion !== null) throw new InputError(`--${written}`, `unknown option for '${command}' (did you mean --${suggestion}?)`);
      const known = Object.keys(specs).filter((k) => !specs[k]!.aliasOf).map((k) => `--${k}`);
      throw new InputError(`--${written}`, `unknown option for '${command}' (options: ${known.join(', ') || 'none'})`);
    }
    let name = written;
    const alias = specs[written]!.aliasOf;
    if (alias !== undefined) {
      name = alias;
      noteSink?.(`pvlcheck: note: --${written} is deprecated, use --${alias} (the old spelling is kept for one release)`);
    }
    const spec = specs[name]!;
    const previous = givenAs.get(name);
    if (previous !== undefined && spec.type !== 'list' && spec.type !== 'repeated') {
      const both = previous === written ? `--${written}` : `--${previous} and --${written}`;
      throw new InputError(`--${written}`, `given twice (${both}); give it once`);
    }
    givenAs.set(name, written);
    if (spec.type === 'boolean') {
      if (eq >= 0) throw new InputError(`--${written}`, 'takes no value');
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new InputError(`--${written}`, 'needs a value');
      i++;
    }
    if (value.trim() === '') throw new InputError(`--${written}`, 'needs a value, got an empty one');
    flags[name] = convert(`--${written}`, value, spec, flags[name]);
  }
  return { flags, positional };
}

function convert(flag: string, value: string, spec: FlagSpec, previous: Parsed['flags'][string] | undefined) {
  switch (spec.type) {
    case 'int': {
      if (!/^-?\d+$/.test(value)) throw new InputError(flag, `must be a whole number, got ${JSON.stringify(value)}`);
      const n = Number(value);
      const min = spec.min ?? 0;
      if (!Number.isSafeInteger(n)) throw new InputError(flag, `is too large: ${value}`);
      if (n < min) throw new InputError(flag, n < 0 ? `must not be negative, got ${n}` : `must be at least ${min}, got ${n}`);
      if (spec.max !== undefined && n > spec.max) throw new InputError(flag, `must be at most ${spec.max}${spec.maxWhy ? ` (${spec.maxWhy})` : ''}, got ${n}`);
      return n;
    }
    case 'list': {
      const items = value.split(',').map((s) => s.trim()).filter(Boolean);
      if (items.length === 0) throw new InputError(flag, `names nothing in ${JSON.stringify(value)}; give at least one value`);
      if (spec.choices) for (const item of items) checkChoice(flag, item, spec.choices);
      return [...((previous as string[] | undefined) ?? []), ...items];
    }
    case 'repeated':
      return [...((previous as string[] | undefined) ?? []), value];
    default:
      if (spec.choices) checkChoice(flag, value, spec.choices);
      return value;
  }
}

function checkChoice(flag: string, value: string, choices: readonly string[]): void {
  if (!choices.includes(value)) {
    throw new InputError(flag, `must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}${didYouMean(value, choices)}`);
  }
}

export function helpText(command: string, summary: string, specs: FlagSpecs, usage: string): string {
  const lines = [`usage: pvlcheck ${command} ${usage}`, '', summary, '', 'options:'];
  const aliases: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.aliasOf !== undefined) {
      aliases.push(`  --${name}`.padEnd(36) + `deprecated spelling of --${spec.aliasOf} (kept for one release)`);
      continue;
    }
    const value = spec.type === 'boolean' ? '' : spec.choices ? ` ${spec.choices.join('|')}` : ` ${spec.type === 'int' ? 'N' : 'VALUE'}`;
    const head = `  --${name}${name === 'help' ? ', -h' : ''}${value}`;
    // A long list of choices gets its own line, the help below it.
    if (head.length > 34) lines.push(head, ' '.repeat(36) + spec.help);
    else lines.push(head.padEnd(36) + spec.help);
  }
  if (aliases.length > 0) lines.push('', 'deprecated:', ...aliases);
  return lines.join('\n');
}
