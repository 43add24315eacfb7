/**
 * `pvlcheck replay FILE`: reruns a saved scenario (a counterexample that `check` wrote,
 * or any scenario file) and shows the same trace, with its violations; `--inspect [URL]`
 * streams it into the Stately inspector (src/inspect).
 */
import { InputError } from '../config/validate.js';
import { helpText, parseArgs, type FlagSpecs } from './args.js';
import type { Io } from './io.js';
import { shellQuote } from './outputs.js';
import { loadScenario, showRun } from './simulate.js';
import { checkInspectFlags, INSPECT_FLAGS, normaliseInspectArgv } from './inspect.js';

const REPLAY_FLAGS: FlagSpecs = {
  format: { type: 'string', choices: ['text', 'jsonl'], help: 'text timeline (default) or the JSONL trace' },
  full: { type: 'boolean', help: 'text: show every delivery (no folding of repeated packets)' },
  ...INSPECT_FLAGS,
  help: { type: 'boolean', help: 'this help' },
};

export function replayCommand(argv: readonly string[], io: Io): number | Promise<number> {
  const { flags, positional } = parseArgs('replay', normaliseInspectArgv(argv), REPLAY_FLAGS);
  if (flags.help) {
    io.out(helpText('replay', 'Reruns a saved scenario or counterexample and shows its trace and violations.', REPLAY_FLAGS, 'FILE [options]'));
    return 0;
  }
  if (positional.length !== 1) {
    throw new InputError('FILE', positional.length === 0 ? 'replay needs the scenario file to rerun' : `one file at a time, got ${positional.length}`);
  }
  checkInspectFlags(flags);
  // Errors about the file name the argument the user gave, not a flag they never typed.
  const { scenario } = loadScenario({ 'scenario-file': positional[0] }, io, 'replay FILE');
  return showRun(scenario, `npx pvlcheck replay ${shellQuote(positional[0]!)}`, 'replay', flags, io);
}
