/** A word as a POSIX shell reads it back unchanged: for the replay commands pvlcheck prints. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that replays a saved scenario or counterexample file. */
export function replayCommand(file: string): string {
  return `npx pvlcheck replay ${shellQuote(file)}`;
}
