/**
 * `config.ecmpOrder` (docs/scenarios.md): the order of the ENI's next-hop group. A
 * permutation of 1..fastPaths or an error naming the field (exit 2); absent, or the
 * identity, the run is today's, event for event; another order moves flows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinScenario } from '../../src/config/builtins.js';
import { parseScenario } from '../../src/config/scenario.js';
import { buildSystem, IP } from '../../src/engine/system.js';
import { runScenario } from '../../src/sim/simulate.js';
import { bufferIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { readFixed } from '../../src/cli/fixed.js';
import { inputError } from './inputError.js';

const dir = mkdtempSync(join(tmpdir(), 'pvl-ecmp-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parsing config.ecmpOrder', () => {
  it('takes a permutation of the fast paths, and leaves it out when absent', () => {
    expect(parseScenario({ design: 'patent', config: { fastPaths: 3, ecmpOrder: [3, 1, 2] } }).config.ecmpOrder).toEqual([3, 1, 2]);
    expect('ecmpOrder' in parseScenario({ design: 'patent', config: { fastPaths: 3 } }).config).toBe(false);
  });

  it.each([
    [[1, 2], 'config.ecmpOrder', /must list each fast path 1\.\.3 once .*got \[1, 2\]/],
    [[1, 1, 2], 'config.ecmpOrder', /must list each fast path 1\.\.3 once .*got \[1, 1, 2\]/],
    [[1, 2, 3, 4], 'config.ecmpOrder[3]', /must be/],
    [[0, 1, 2], 'config.ecmpOrder[0]', /must be/],
    [[1, 2, 'x'], 'config.ecmpOrder[2]', /must be/],
    ['1,2,3', 'config.ecmpOrder', /must be/],
  ])('refuses %j naming %s', (ecmpOrder, field, problem) => {
    const e = inputError(() => parseScenario({ design: 'patent', config: { fastPaths: 3, ecmpOrder } }));
    expect(e.field).toBe(field);
    expect(e.problem).toMatch(problem);
  });

  it('a scenario file with a bad order exits 2, naming config.ecmpOrder', async () => {
    const path = join(dir, 'bad-order.json');
    writeFileSync(path, JSON.stringify({ design: 'patent', config: { fastPaths: 2, ecmpOrder: [2, 2] } }));
    const io = bufferIo(dir);
    expect(await main(['simulate', '--scenario-file', path], io)).toBe(2);
    expect(io.stderr()).toMatch(/config\.ecmpOrder: must list each fast path 1\.\.2 once/);
  });

  it('check --config: an order needs the number of fast paths fixed beside it; explore --fast-paths must agree with it', async () => {
    const loose = join(dir, 'loose.json');
    writeFileSync(loose, JSON.stringify({ config: { ecmpOrder: [2, 1] } }));
    const e = inputError(() => readFixed(loose, bufferIo(dir)));
    expect(e.field).toBe(`${loose}: config.ecmpOrder`);
    expect(e.problem).toMatch(/needs config\.fastPaths beside it/);
    const fixed = join(dir, 'fixed.json');
    writeFileSync(fixed, JSON.stringify({ config: { fastPaths: 3, ecmpOrder: [2, 3, 1] } }));
    expect(readFixed(fixed, bufferIo(dir)).config).toEqual({ fastPaths: 3, ecmpOrder: [2, 3, 1] });
    const io = bufferIo(dir);
    expect(await main(['explore', '--config', fixed, '--fast-paths', '2'], io)).toBe(2);
    expect(io.stderr()).toMatch(/--fast-paths: 2 fast paths, but config\.ecmpOrder \[2, 3, 1\] orders 3/);
  });

  it('a system is not built with an order of the wrong length (a flag that changed fastPaths after parsing)', () => {
    const s = parseScenario({ design: 'patent', config: { fastPaths: 3, ecmpOrder: [3, 1, 2] } });
    expect(() => buildSystem('patent', { ...s.config, fastPaths: 2 }, s.workload)).toThrow(/config\.ecmpOrder \[3, 1, 2\] is not a permutation of the fast paths 1\.\.2/);
  });
});

describe('running with an order', () => {
  const base = builtinScenario('second-dead-fast-path')!;
  const events = (order?: number[]) =>
    JSON.stringify(runScenario(order ? { ...base, config: { ...base.config, ecmpOrder: order } } : base).events);

  it('the identity order is the run without one, event for event, and the ENI is given no order when none is set', () => {
    expect(base.config.fastPaths).toBe(3);
    expect(events([1, 2, 3])).toBe(events());
    const sys = buildSystem(base.design, base.config, base.workload);
    expect(sys.nodes.eni!.input(null, 0)).not.toHaveProperty('ecmpOrder');
    const ordered = buildSystem(base.design, { ...base.config, ecmpOrder: [3, 1, 2] }, base.workload);
    expect(ordered.nodes.eni!.input(null, 0)).toMatchObject({ ecmpOrder: [IP.fpVirt(3, 0), IP.fpVirt(1, 0), IP.fpVirt(2, 0)] });
  });

  it("another order sends the flow's first packet to another fast path", () => {
    const firstHop = (order?: number[]) => {
      const run = runScenario(order ? { ...base, config: { ...base.config, ecmpOrder: order } } : base);
      const e = run.events.find((x) => x.event === 'send' && (x as { from?: string }).from === 'eni' && /^fp\d$/.test(String((x as { to?: string }).to)));
      return (e as { to?: string } | undefined)?.to;
    };
    expect(firstHop()).toBe('fp3');
    expect(firstHop([3, 1, 2])).toBe('fp2');
    expect(events([3, 1, 2])).not.toBe(events());
  });
});
