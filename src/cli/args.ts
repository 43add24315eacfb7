/**
 * A small, strict flag parser: `--name value`, `--name=value`, boolean `--name`, and
 * positional arguments. Unknown flags, missing values and bad numbers are InputErrors
 * that name the flag, so that the command line can answer with exit code 2.
 */
import { InputError } from '../config/validate.js';

export type FlagType = 'string' | 'int' | 'boolean' | 'list';

export interface FlagSpec {
  type: FlagType;
  /** One-line help. */
  help: string;
  /** Allowed values, for string flags. */
  choices?: readonly string[];
  /** Smallest value, for int flags (default 0). */
  min?: number;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface Parsed {
  flags: Record<string, string | number | boolean | string[]>;
  positional: string[];
}

export function parseArgs(command: string, argv: readonly string[], specs: FlagSpecs): Parsed {
  const flags: Parsed['flags'] = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (!spec) {
      const known = Object.keys(specs).map((k) => `--${k}`);
      throw new InputError(`--${name}`, `unknown option for '${command}' (options: ${known.join(', ') || 'none'})`);
    }
    if (spec.type === 'boolean') {
      if (eq >= 0) throw new InputError(`--${name}`, 'takes no value');
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new InputError(`--${name}`, 'needs a value');
      i++;
    }
    flags[name] = convert(name, value, spec, flags[name]);
  }
  return { flags, positional };
}

function convert(name: string, value: string, spec: FlagSpec, previous: Parsed['flags'][string] | undefined) {
  const flag = `--${name}`;
  switch (spec.type) {
    case 'int': {
      if (!/^-?\d+$/.test(value)) throw new InputError(flag, `must be a whole number, got ${JSON.stringify(value)}`);
      const n = Number(value);
      const min = spec.min ?? 0;
      if (!Number.isSafeInteger(n)) throw new InputError(flag, `is too large: ${value}`);
      if (n < min) throw new InputError(flag, n < 0 ? `must not be negative, got ${n}` : `must be at least ${min}, got ${n}`);
      return n;
    }
    case 'list': {
      const items = value.split(',').map((s) => s.trim()).filter(Boolean);
      if (spec.choices) for (const item of items) checkChoice(flag, item, spec.choices);
      return [...((previous as string[] | undefined) ?? []), ...items];
    }
    default:
      if (spec.choices) checkChoice(flag, value, spec.choices);
      return value;
  }
}

function checkChoice(flag: string, value: string, choices: readonly string[]): void {
  if (!choices.includes(value)) {
    throw new InputError(flag, `must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  }
}

export function helpText(command: string, summary: string, specs: FlagSpecs, usage: string): string {
  const lines = [`usage: pvlcheck ${command} ${usage}`, '', summary, '', 'options:'];
  for (const [name, spec] of Object.entries(specs)) {
    const value = spec.type === 'boolean' ? '' : spec.choices ? ` ${spec.choices.join('|')}` : ` ${spec.type === 'int' ? 'N' : 'VALUE'}`;
    const head = `  --${name}${value}`;
    // A long list of choices gets its own line, the help below it.
    if (head.length > 34) lines.push(head, ' '.repeat(36) + spec.help);
    else lines.push(head.padEnd(36) + spec.help);
  }
  return lines.join('\n');
}
