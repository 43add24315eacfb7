/**
 * Splitting a campaign over a CI matrix (`check --shard i/n`, `sweep --shard i/n`): run r
 * (0-based) of a design belongs to shard (r mod n) + 1, and everything about run r (its
 * fast-check seed, the bias of its generation, its shrunk counterexample) follows from the
 * user's seed, the design and r alone, never from n (its bias: runBias.ts). So the n shards'
 * results merge into exactly the unsharded one (src/checker/merge.ts).
 *
 * Shards are numbered from 1, as GitLab's CI_NODE_INDEX/CI_NODE_TOTAL, Playwright's and
 * Jest's `--shard 1/3` are (a Kubernetes Indexed Job's JOB_COMPLETION_INDEX is i - 1).
 */
import { InputError } from '../config/validate.js';
import type { Judged } from './verdicts.js';

export interface Shard {
  /** 1..count. */
  index: number;
  count: number;
}

/** The whole campaign, as one shard. */
export const WHOLE: Shard = { index: 1, count: 1 };

/** At most this many shards: far beyond any CI matrix (GitHub allows 256 jobs per matrix). */
export const MAX_SHARDS = 10_000;

/** `--shard i/n`, checked: an InputError naming the flag otherwise. */
export function parseShard(flag: string, text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new InputError(flag, `must be i/n (shard i of n, from 1), got ${JSON.stringify(text)}`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new InputError(flag, `must split into at least 1 shard, got ${text}`);
  if (count > MAX_SHARDS) throw new InputError(flag, `must split into at most ${MAX_SHARDS} shards, got ${count}`);
  if (index < 1 || index > count) throw new InputError(flag, `shard ${index} of ${count}: i must be from 1 to ${count}`);
  return { index, count };
}

export function shardText(s: Shard): string {
  return `${s.index}/${s.count}`;
}

/** Does item r (0-based: a run, a grid point) belong to the shard? */
export function inShard(r: number, s: Shard): boolean {
  return r % s.count === s.index - 1;
}

/** How many of `total` items (0-based indexes) a shard gets. */
export function shardSize(total: number, s: Shard): number {
  return total >= s.index ? Math.floor((total - s.index) / s.count) + 1 : 0;
}

/** The indexes (0-based) of `total` items that a shard gets, in order. */
export function* shardIndexes(total: number, s: Shard): Generator<number> {
  for (let r = s.index - 1; r < total; r += s.count) yield r;
}

/**
 * A shard's exit code. Its verdicts are of its runs only, and most can change when the
 * shards are merged (a witness another shard saw, a property another shard exercised);
 * a violation cannot: exit 1 only for a violation the manifest does not expect (or a
 * property it does not name), 0 otherwise. `pvlcheck merge` gives the campaign's.
 */
export function shardExitCode(judged: readonly Judged[]): number {
  return judged.some((j) => j.unexpected && (j.notInManifest || j.verdict === 'violated')) ? 1 : 0;
}

/** Said under a shard's text report. */
export function shardNote(s: Shard): string {
  return `Shard ${shardText(s)}: these verdicts are of this shard's runs only (exit 1 only for an unexpected violation); pvlcheck merge of the ${s.count} shards' --format json gives the campaign's.`;
}
