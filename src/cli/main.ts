/**
 * The `pvlcheck` command line (model-contract.md, "Command line").
 * Exit codes: 0 all as expected, 1 a property verdict not as expected, 2 bad input or usage.
 */
import { InputError } from '../config/validate.js';
import { processIo, type Io } from './io.js';
import { checkCommand } from './check.js';
import { exploreCommand } from './explore.js';
import { exportCommand } from './export.js';
import { replayCommand } from './replay.js';
import { reportCommand } from './report.js';
import { simulateCommand } from './simulate.js';

type Command = (argv: readonly string[], io: Io) => number | Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  check: { run: checkCommand, summary: 'check the properties on random runs of each design (default: patent and prior-art)' },
  simulate: { run: simulateCommand, summary: 'run one scenario and print its timeline or JSONL trace' },
  replay: { run: replayCommand, summary: 'rerun a saved scenario or counterexample and show its violations' },
  explore: { run: exploreCommand, summary: 'explore every reachable state of a small configuration' },
  export: { run: exportCommand, summary: 'write the statecharts for the Stately visualiser, as JSON and as Mermaid' },
  report: { run: reportCommand, summary: 'show one run as an HTML page (sequence diagram, statecharts step by step) or Mermaid' },
};

function usage(): string {
  const lines = ['usage: pvlcheck <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', "'pvlcheck <command> --help' tells a command's options.");
  return lines.join('\n');
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === 'help' || name === '-h') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new InputError('', `unknown command ${JSON.stringify(name)} (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof InputError) {
      io.err(`pvlcheck: ${e.message}`);
      return 2;
    }
    // A bug of ours, not the user's: say so in one paragraph, without a stack trace.
    io.err(`pvlcheck: internal error: ${(e as Error).message ?? String(e)}`);
    io.err('This is a bug in pvlcheck; please report it with the command line above. Set PVLCHECK_DEBUG=1 for the stack.');
    if (process.env.PVLCHECK_DEBUG) io.err(String((e as Error).stack));
    return 3;
  }
}
