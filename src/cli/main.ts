/**
 * The `pvlcheck` command line (model-contract.md, "Command line").
 * Exit codes: 0 all as expected, 1 a property verdict not as expected, 2 bad input or usage.
 */
import { InputError } from '../config/validate.js';
import { captureNotes, nearest } from './args.js';
import { processIo, type Io } from './io.js';
import { VERSION } from '../config/packageRoot.js';
import { checkCommand } from './check.js';
import { conformCommand } from './conform.js';
import { exploreCommand } from './explore.js';
import { exportCommand } from './export.js';
import { replayCommand } from './replay.js';
import { reportCommand } from './report.js';
import { simulateCommand } from './simulate.js';
import { mergeCommand } from './merge.js';
import { sweepCommand } from './sweep.js';

type Command = (argv: readonly string[], io: Io) => number | Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = Object.assign(Object.create(null) as object, {
  check: { run: checkCommand, summary: 'check the properties on random runs of each design (default: patent and prior-art)' },
  simulate: { run: simulateCommand, summary: 'run one scenario and print its timeline or JSONL trace' },
  replay: { run: replayCommand, summary: 'rerun a saved scenario or counterexample and show its violations' },
  explore: { run: exploreCommand, summary: 'explore every reachable state of a small configuration' },
  export: { run: exportCommand, summary: 'write the statecharts for the Stately visualiser, as JSON and as Mermaid' },
  merge: { run: mergeCommand, summary: 'merge the shards of a check, sweep or explore run on a CI matrix (--shard i/n --format json)' },
  sweep: { run: sweepCommand, summary: 'map a grid of timer settings: verdicts, recovery times, needless fallbacks, the safe region' },
  report: { run: reportCommand, summary: 'show one run as an HTML page (sequence diagram, statecharts step by step) or Mermaid' },
  conform: { run: conformCommand, summary: 'check recorded component logs against the statecharts and every property' },
});

function usage(): string {
  const lines = ['usage: pvlcheck <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', "'pvlcheck help <command>' (or 'pvlcheck <command> --help') tells a command's options; 'pvlcheck --version' the version.");
  return lines.join('\n');
}

/** The command a name means, or an InputError with the nearest command. */
function commandNamed(name: string): (typeof COMMANDS)[string] {
  if (Object.prototype.hasOwnProperty.call(COMMANDS, name)) return COMMANDS[name]!;
  const near = nearest(name, Object.keys(COMMANDS));
  throw new InputError('', `unknown command ${JSON.stringify(name)} (${near ? `did you mean ${near}? ` : ''}commands: ${Object.keys(COMMANDS).join(', ')})`);
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(`pvlcheck ${VERSION}`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  try {
    // `pvlcheck help CMD` is `pvlcheck CMD --help`.
    if (name === 'help' && rest.length > 1) throw new InputError('help', `one command at a time, got ${rest.join(' ')}`);
    const [commandName, args] = name === 'help' ? [rest[0]!, ['--help']] : [name, rest];
    const command = commandNamed(commandName);
    // Deprecation notes go to stderr; a command parses its flags before its first await.
    const release = captureNotes((line) => io.err(line));
    let running: number | Promise<number>;
    try {
      running = command.run(args, io);
    } finally {
      release();
    }
    return await running;
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
