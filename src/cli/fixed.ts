/**
 * `--config F` of check, sweep and explore: the config and workload values to hold fixed.
 * Its own module, so that explore reads it without loading check's (and fast-check).
 */
import type { Fixed } from '../checker/arbitraries.js';
import { parseConfig, parseWorkload } from '../config/scenario.js';
import { InputError, object } from '../config/validate.js';
import { readInputFile } from './inputs.js';
import type { Io } from './io.js';

/** `--config F`: values to hold fixed, validated like a scenario's config and workload. */
export function readFixed(file: string, io: Io): Fixed {
  const text = readInputFile('--config', io.resolve(file), file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError('--config', `${file} is not valid JSON: ${(e as Error).message}`);
  }
  const o = object(json, file, ['config', 'workload']);
  const pick = <T extends object>(parsed: T, raw: unknown): Partial<T> => {
    const keys = raw && typeof raw === 'object' ? Object.keys(raw) : [];
    return Object.fromEntries(keys.map((k) => [k, parsed[k as keyof T]])) as Partial<T>;
  };
  const raw = o.config && typeof o.config === 'object' ? (o.config as Record<string, unknown>) : {};
  // An order is of a number of fast paths: without it fixed too, `check` would draw another number.
  if (raw.ecmpOrder !== undefined && raw.fastPaths === undefined) {
    throw new InputError(`${file}: config.ecmpOrder`, 'needs config.fastPaths beside it (an order is a permutation of 1..fastPaths)');
  }
  return {
    config: pick(parseConfig(o.config, `${file}: config`), o.config),
    workload: pick(parseWorkload(o.workload, `${file}: workload`), o.workload),
  };
}
