/**
 * `pvlcheck export [--out-dir DIR]`: every statechart as a Stately-importable machine
 * source, its JSON config and a Mermaid diagram (see docs/visualise.md). Without
 * `--out-dir` it writes `./statecharts/`, and says so on its first line. `--out` is the
 * deprecated spelling of `--out-dir`.
 */
import { relative } from 'node:path';
import { InputError } from '../config/validate.js';
import { charts, machineSource, mermaid } from '../export/statecharts.js';
import { helpText, parseArgs, type FlagSpecs } from './args.js';
import type { Io } from './io.js';
import { checkOutDir, writeInto } from './outputs.js';

const EXPORT_FLAGS: FlagSpecs = {
  'out-dir': { type: 'string', help: 'the directory to write (default ./statecharts/, said on the first line)' },
  out: { type: 'string', aliasOf: 'out-dir', help: 'deprecated spelling of --out-dir' },
  help: { type: 'boolean', help: 'this help' },
};

export function exportCommand(argv: readonly string[], io: Io): number {
  const { flags, positional } = parseArgs('export', argv, EXPORT_FLAGS);
  if (flags.help) {
    io.out(helpText('export', 'Writes every statechart for the Stately visualiser, as JSON and as a Mermaid diagram.', EXPORT_FLAGS, '[--out-dir DIR]'));
    return 0;
  }
  if (positional.length > 0) throw new InputError(positional[0]!, "unexpected argument for 'export'");
  const named = flags['out-dir'] as string | undefined;
  const shown = named ?? './statecharts/';
  const dir = io.resolve(named ?? 'statecharts');
  checkOutDir('--out-dir', dir, shown);
  const all = charts();
  io.out(
    named === undefined
      ? `pvlcheck export: writing ${all.length} statecharts to ${relative(io.resolve('.'), dir) || '.'}/ (the default; --out-dir DIR to choose)`
      : `pvlcheck export: writing ${all.length} statecharts to ${named}`,
  );
  let replaced = 0;
  for (const chart of all) {
    const files: [string, string][] = [
      [`${chart.id}.machine.ts`, machineSource(chart)],
      [`${chart.id}.json`, JSON.stringify(chart.config, null, 2) + '\n'],
      [`${chart.id}.mmd`, mermaid(chart)],
    ];
    for (const [name, text] of files) if (writeInto('--out-dir', dir, name, text).replaced) replaced++;
    io.out(`${chart.id.padEnd(16)} ${chart.source.padEnd(32)} → ${chart.id}.machine.ts, ${chart.id}.json, ${chart.id}.mmd`);
  }
  io.out(`written to ${dir}${replaced > 0 ? ` (${replaced} existing file${replaced > 1 ? 's' : ''} replaced)` : ''}`);
  return 0;
}
