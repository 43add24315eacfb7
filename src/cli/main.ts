/**
 * The `pvlcheck` command line (model-contract.md, "Command line").
 * Exit codes: 0 all as expected, 1 a property verdict not as expected, 2 bad input or usage.
 */
import { InputError } from '../config/validate.js';
import { captureNotes, nearest } from './args.js';
import { processIo, type Io } from './io.js';
import { VERSION } from '../config/packageRoot.js';
import { IN_PROCESS, SearchThread } from '../explorer/searchThread.js';
import { PROPERTY_MODULE } from './propertyModule.js';

/** `early`: the explorer's search thread, started before the command was loaded (explore only). */
type Command = (argv: readonly string[], io: Io, early: SearchThread | null) => number | Promise<number>;

// A command's module is imported when it is chosen: together they load fast-check, ajv,
// ws and the inspector, which one command mostly does not need (docs/explorer.md, "Start-up").
const COMMANDS: Record<string, { load: () => Promise<Command>; summary: string }> = Object.assign(Object.create(null) as object, {
  check: { load: async () => (await import('./check.js')).checkCommand, summary: 'check the properties on random runs of each design (default: patent and prior-art)' },
  simulate: { load: async () => (await import('./simulate.js')).simulateCommand, summary: 'run one scenario and print its timeline or JSONL trace' },
  replay: { load: async () => (await import('./replay.js')).replayCommand, summary: 'rerun a saved scenario or counterexample and show its violations' },
  explore: { load: async () => (await import('./explore.js')).exploreCommand, summary: 'explore every reachable state of a small configuration' },
  export: { load: async () => (await import('./export.js')).exportCommand, summary: 'write the statecharts for the Stately visualiser, as JSON and as Mermaid' },
  merge: { load: async () => (await import('./merge.js')).mergeCommand, summary: 'merge the shards of a check, sweep or explore run on a CI matrix (--shard i/n --format json)' },
  sweep: { load: async () => (await import('./sweep.js')).sweepCommand, summary: 'map a grid of timer settings: verdicts, recovery times, needless fallbacks, the safe region' },
  report: { load: async () => (await import('./report.js')).reportCommand, summary: 'show one run as an HTML page (sequence diagram, statecharts step by step) or Mermaid' },
  conform: { load: async () => (await import('./conform.js')).conformCommand, summary: 'check recorded component logs against the statecharts and every property' },
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
  let early: SearchThread | null = null;
  try {
    // `pvlcheck help CMD` is `pvlcheck CMD --help`.
    if (name === 'help' && rest.length > 1) throw new InputError('help', `one command at a time, got ${rest.join(' ')}`);
    const [commandName, args] = name === 'help' ? [rest[0]!, ['--help']] : [name, rest];
    // The search thread loads the explorer while this thread loads the command (searchThread.ts).
    if (commandName === 'explore' && !IN_PROCESS && !args.includes('--help') && !args.includes('-h')) early = new SearchThread(PROPERTY_MODULE);
    const run = await commandNamed(commandName).load();
    // Deprecation notes go to stderr; a command parses its flags before its first await.
    const release = captureNotes((line) => io.err(line));
    let running: number | Promise<number>;
    try {
      running = run(args, io, early);
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
  } finally {
    // Not taken by a search (bad flags, another bound): ended.
    early?.end();
  }
}
