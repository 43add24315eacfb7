/**
 * `--inspect [URL]` of `simulate` and `replay`: the run streamed into the Stately
 * inspector (bridge.ts makes the events, transport.ts sends or serves them).
 */
import type { Scenario } from '../config/types.js';
import { InputError } from '../config/validate.js';
import type { FlagSpecs } from './args.js';
import type { Io } from './io.js';

/** `--inspect` given alone: pvlcheck serves the run itself. */
export const SERVE = 'serve';

export const INSPECT_FLAGS: FlagSpecs = {
  inspect: {
    type: 'string',
    help: 'stream the run into the Stately inspector: to a running inspector WebSocket (ws://HOST:PORT), or alone to serve it on 127.0.0.1 (docs/visualise.md)',
  },
  'inspect-port': { type: 'int', min: 0, max: 65535, help: '--inspect alone: the port to serve on (default 0: any free port, said on stderr)' },
  'inspect-for': { type: 'int', min: 1, max: 86_400, help: '--inspect alone: seconds to serve the run before stopping (default 600)' },
};

/**
 * `--inspect` takes an optional value: alone (or followed by another flag or a file) it
 * means "serve", followed by a ws:// or wss:// URL it means that URL.
 */
export function normaliseInspectArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--inspect') {
      const next = argv[i + 1];
      if (next !== undefined && /^wss?:\/\//.test(next)) {
        out.push(`--inspect=${next}`);
        i++;
      } else {
        out.push(`--inspect=${SERVE}`);
      }
    } else {
      out.push(a);
    }
  }
  return out;
}

/** Checks the inspect flags before the run (exit 2 naming the flag). */
export function checkInspectFlags(flags: Record<string, unknown>): void {
  const inspect = flags.inspect as string | undefined;
  if (inspect === undefined) {
    for (const f of ['inspect-port', 'inspect-for']) if (flags[f] !== undefined) throw new InputError(`--${f}`, 'only with --inspect');
    return;
  }
  if (inspect !== SERVE && !/^wss?:\/\/[^\s/]+/.test(inspect)) throw new InputError('--inspect', `expected a ws:// or wss:// URL (or nothing, to serve the run), got ${JSON.stringify(inspect)}`);
  if (inspect !== SERVE) for (const f of ['inspect-port', 'inspect-for']) if (flags[f] !== undefined) throw new InputError(`--${f}`, 'only with --inspect alone (pvlcheck serving the run)');
}

/** Streams the run; resolves with the exit code once it is sent, or served for its time. */
export async function streamRun(scenario: Scenario, flags: Record<string, unknown>, io: Io): Promise<number> {
  // Imported here, not at the top: the inspector and ws are for --inspect only.
  const { inspectRun } = await import('../inspect/bridge.js');
  const { sendToInspector, serveRun } = await import('../inspect/transport.js');
  const run = inspectRun(scenario);
  const what = `${run.actors} actors, ${run.delivered} events, ${run.snapshots} snapshots (virtual time 0-${scenario.until} ms)`;
  const inspect = flags.inspect as string;
  if (inspect !== SERVE) {
    io.err(`pvlcheck: sending ${what} to the inspector at ${inspect}`);
    try {
      await sendToInspector(run.events, inspect);
    } catch (e) {
      throw new InputError('--inspect', (e as Error).message);
    }
    io.err(`pvlcheck: sent ${run.events.length} inspection events to ${inspect}`);
    return 0;
  }
  const seconds = (flags['inspect-for'] as number | undefined) ?? 600;
  let served;
  try {
    served = await serveRun(run.events, (flags['inspect-port'] as number | undefined) ?? 0, seconds * 1000);
  } catch (e) {
    throw new InputError('--inspect-port', `cannot serve on 127.0.0.1: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  io.err(`pvlcheck: serving ${what} for ${seconds} s on 127.0.0.1 only`);
  io.err(`  open ${served.pageUrl} in a browser (Stately's inspector, loaded from stately.ai), or connect a WebSocket client to ${served.wsUrl}`);
  io.err('  every viewer gets the whole run from its start; Ctrl-C stops earlier');
  await served.done;
  io.err(`pvlcheck: stopped serving (${served.viewers()} viewer${served.viewers() === 1 ? '' : 's'})`);
  return 0;
}
