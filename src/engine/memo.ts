/**
 * A slot on the engine's immutable objects (worlds, messages, timers, observations)
 * where the explorer keeps what it worked out about them once (their hash): a symbol, so
 * JSON, `Object.keys` and structured clones leave it out. A memo names the object it was
 * made for (`owner`), so that a copy made with `{...x}` and other contents is not
 * mistaken for its original.
 */
export const MEMO: unique symbol = Symbol('memo');

export interface Memoised {
  [MEMO]?: unknown;
}

/** What the memo of `x` holds, if it was made for `x` itself. */
export function memoOf<T extends { owner: object }>(x: Memoised): T | null {
  const memo = x[MEMO] as T | undefined;
  return memo !== undefined && memo.owner === x ? memo : null;
}

export function setMemo<T extends { owner: object }>(x: Memoised, memo: T): T {
  x[MEMO] = memo;
  return memo;
}

/*
 * The same, one pair of functions per kind of object the explorer keys (worlds, messages,
 * timers): a property access learns the shapes of the objects that reach it, and one shared
 * by every kind of object sees too many of them to stay fast. The bodies are memoOf's and
 * setMemo's; only their call sites differ.
 */

export function worldMemoOf<T extends { owner: object }>(x: Memoised): T | null {
  const memo = x[MEMO] as T | undefined;
  return memo !== undefined && memo.owner === x ? memo : null;
}

export function setWorldMemo<T extends { owner: object }>(x: Memoised, memo: T): T {
  x[MEMO] = memo;
  return memo;
}

export function messageMemoOf<T extends { owner: object }>(x: Memoised): T | null {
  const memo = x[MEMO] as T | undefined;
  return memo !== undefined && memo.owner === x ? memo : null;
}

export function setMessageMemo<T extends { owner: object }>(x: Memoised, memo: T): T {
  x[MEMO] = memo;
  return memo;
}

export function timerMemoOf<T extends { owner: object }>(x: Memoised): T | null {
  const memo = x[MEMO] as T | undefined;
  return memo !== undefined && memo.owner === x ? memo : null;
}

export function setTimerMemo<T extends { owner: object }>(x: Memoised, memo: T): T {
  x[MEMO] = memo;
  return memo;
}
