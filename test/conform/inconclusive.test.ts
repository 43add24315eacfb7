/**
 * Where the skew leaves the merged order (and the times) ambiguous, a verdict holds only
 * if it holds on both extreme consistent orders; otherwise it is inconclusive, and says
 * why. Shown with a property whose verdict depends on the LVS's time: with link delays of
 * 1-400 ms and clocks 300 ms apart, the LVS's offset is not pinned by the logs, so the time
 * it first hears forward traffic differs between the extremes, and a deadline between the
 * two is inconclusive. The same deadline after both holds.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { always, on, type AnyProperty } from '../../src/checker/property.js';
import { forwardAtLvs } from '../../src/checker/observe.js';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { conform } from '../../src/conform/conform.js';
import { parseLog, type LogLine } from '../../src/conform/log.js';
import { prepare, replayLogs, solveOffsets, type Offsets } from '../../src/conform/replay.js';
import { builtinScenario } from '../../src/config/builtins.js';
import type { Scenario } from '../../src/config/types.js';

const dir = mkdtempSync(join(tmpdir(), 'pvlcheck-inconclusive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** "The LVS hears forward traffic first by `by` ms." */
function firstForwardBy(by: number): AnyProperty {
  return always<{ seen: boolean }>('X1', `First forward packet at the LVS by ${by} ms`, 'test', 'A timing property for the test.', {
    situation: 'forward packets at the LVS',
    observes: [on.deliveries('data', 'lvs')],
    init: () => ({ seen: false }),
    step: (data, obs, report) => {
      if (data.seen || !forwardAtLvs(obs)) return data;
      report.exercise();
      if (obs.world.now > by) report.violate(obs.world.now, `first forward packet at ${obs.world.now} ms`);
      return { seen: true };
    },
  });
}

it('a verdict that differs between the extreme orders is inconclusive, with both', async () => {
  const base = builtinScenario('fp-crash-reverse-only')!;
  const scenario: Scenario = { ...base, until: 3000, faults: [], config: { ...base.config, linkDelayMs: [1, 400] } };
  const file = join(dir, 'wide.json');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, JSON.stringify(scenario));
  const logs = join(dir, 'logs');
  expect(await main(['simulate', '--scenario-file', file, '--format', 'log', '--log-dir', logs, '--skew', '300'], bufferIo(dir))).toBe(0);
  const lines: LogLine[] = readdirSync(logs)
    .filter((n) => n.endsWith('.jsonl'))
    .flatMap((n) => parseLog(readFileSync(join(logs, n), 'utf8'), n));

  // When does the LVS first hear forward traffic on each extreme?
  const prepared = prepare(lines, scenario, 300);
  const offsets = solveOffsets(prepared, 300) as Offsets;
  expect(offsets.hi.lvs).toBeGreaterThan(offsets.lo.lvs!);
  const first = (o: Record<string, number>): number => {
    const r = replayLogs(prepared, o, { properties: [firstForwardBy(-1)], until: null });
    expect(r.finding).toBeNull();
    return r.verdicts.get('X1')!.violation!.t;
  };
  const early = first(offsets.hi);
  const late = first(offsets.lo);
  expect(late).toBeGreaterThan(early);

  const between = conform(lines, ['logs'], scenario, { properties: [firstForwardBy(early)], skewMs: 300, until: null, manifest: null });
  expect(between.finding).toBeNull();
  const p = between.properties[0]!;
  expect(p.verdict).toBe('inconclusive');
  expect(p.unexpected).toBe(true);
  expect(p.why).toMatch(/the 300 ms skew allows orders where it is holds and orders where it is violated/);
  expect(between.asExpected).toBe(false);

  const after = conform(lines, ['logs'], scenario, { properties: [firstForwardBy(late)], skewMs: 300, until: null, manifest: null });
  expect(after.properties[0]!.verdict).toBe('holds');
  expect(after.asExpected).toBe(true);
});

it('a deadline met by less than twice the skew is inconclusive; met by more, it holds', async () => {
  const scenario = builtinScenario('fp-crash-reverse-only')!;
  const logs = join(dir, 'margin');
  expect(await main(['simulate', '--scenario', 'fp-crash-reverse-only', '--format', 'log', '--log-dir', logs, '--skew', '5'], bufferIo(dir))).toBe(0);
  const lines: LogLine[] = readdirSync(logs)
    .filter((n) => n.endsWith('.jsonl'))
    .flatMap((n) => parseLog(readFileSync(join(logs, n), 'utf8'), n));
  const { PROPERTIES } = await import('../../properties/index.js');
  const l1 = PROPERTIES.filter((p) => p.id === 'L1');
  const at = (skewMs: number) => conform(lines, ['margin'], scenario, { properties: l1, skewMs, until: null, manifest: null });
  const exact = at(5);
  expect(exact.properties[0]!.verdict).toBe('holds');
  // The response's margin to its deadline, as the monitor measured it.
  const { evaluate } = await import('../../src/checker/evaluate.js');
  const samples = evaluate(scenario, l1).verdicts.get('L1')!.samples;
  expect(samples.length).toBeGreaterThan(0);
  const margin = Math.min(...samples.map((s) => s.budgetMs - s.latencyMs));
  expect(margin).toBeGreaterThan(10);
  const close = at(Math.ceil(margin / 2) + 1);
  expect(close.finding).toBeNull();
  expect(close.properties[0]!.verdict).toBe('inconclusive');
  expect(close.properties[0]!.why).toMatch(/before its deadline, less than twice the \d+ ms skew/);
  expect(close.asExpected).toBe(false);
});
