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
