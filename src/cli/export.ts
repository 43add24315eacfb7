/**
 * `pvlcheck export --out DIR`: every statechart as a Stately-importable machine source,
 * its JSON config and a Mermaid diagram (see docs/visualise.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../config/validate.js';
import { charts, machineSource, mermaid } from '../export/statecharts.js';
import { helpText, parseArgs, type FlagSpecs } from './args.js';
import type { Io } from './io.js';

const EXPORT_FLAGS: FlagSpecs = {
  out: { type: 'string', help: 'the directory to write (default statecharts/)' },
  help: { type: 'boolean', help: 'this help' },
};

export function exportCommand(argv: readonly string[], io: Io): number {
  const { flags, positional } = parseArgs('export', argv, EXPORT_FLAGS);
  if (flags.help) {
    io.out(helpText('export', 'Writes every statechart for the Stately visualiser, as JSON and as a Mermaid diagram.', EXPORT_FLAGS, '[--out DIR]'));
    return 0;
  }
  if (positional.length > 0) throw new InputError(positional[0]!, "unexpected argument for 'export'");
  const dir = io.resolve((flags.out as string | undefined) ?? 'statecharts');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new InputError('--out', `cannot create ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  for (const chart of charts()) {
    writeFileSync(join(dir, `${chart.id}.machine.ts`), machineSource(chart));
    writeFileSync(join(dir, `${chart.id}.json`), JSON.stringify(chart.config, null, 2) + '\n');
    writeFileSync(join(dir, `${chart.id}.mmd`), mermaid(chart));
    io.out(`${chart.id.padEnd(16)} ${chart.source.padEnd(32)} → ${chart.id}.machine.ts, ${chart.id}.json, ${chart.id}.mmd`);
  }
  io.out(`written to ${dir}`);
  return 0;
}
