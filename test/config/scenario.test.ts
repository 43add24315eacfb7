/**
 * Scenario files (model-contract.md, "Scenario file"): defaults, and rejections that name
 * the field (src/config/scenario.ts).
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_NAMES, builtinScenario } from '../../src/config/builtins.js';
import { DEFAULT_CONFIG, DEFAULT_SEED, DEFAULT_UNTIL_MS, DEFAULT_WORKLOAD } from '../../src/config/defaults.js';
import { parseScenario, parseScenarioText, scenarioToJson } from '../../src/config/scenario.js';
import { DESIGN_NAMES } from '../../src/engine/system.js';
import { inputError } from './inputError.js';

/** The InputError `parse` throws (fails the test when it throws nothing or something else). */
const crash = (node: string, at = 1000) => ({ at, kind: 'crash', node });

describe('parseScenario: defaults', () => {
  it('fills every field but design with its documented default', () => {
    const s = parseScenario({ design: 'patent' });
    expect(s).toEqual({
      name: 'scenario',
      description: '',
      design: 'patent',
      seed: DEFAULT_SEED,
      choices: 'seeded',
      until: DEFAULT_UNTIL_MS,
      config: DEFAULT_CONFIG,
      workload: DEFAULT_WORKLOAD,
      faults: [],
    });
    expect(s.seed).toBe(42);
    expect(s.until).toBe(20_000);
    expect(s.config).toMatchObject({ fastPaths: 2, relayTimeoutMs: 3000, probeTimeoutMs: 300, probeRetries: 3 });
    expect(s.workload.kind).toBe('reverse-heavy');
  });

  it('defaults the fields left out of a partial config or workload', () => {
    const s = parseScenario({ design: 'prior-art', config: { fastPaths: 4 }, workload: { flows: 3 } });
    expect(s.design).toBe('prior-art');
    expect(s.config).toEqual({ ...DEFAULT_CONFIG, fastPaths: 4 });
    expect(s.workload).toEqual({ ...DEFAULT_WORKLOAD, flows: 3 });
  });

  it('reads the example of the model contract as written', () => {
    const s = parseScenario({
      design: 'patent',
      seed: 42,
      until: 20000,
      config: { fastPaths: 2, relayTimeoutMs: 3000, probeTimeoutMs: 300, probeRetries: 3 },
      workload: { kind: 'reverse-heavy' },
      faults: [{ at: 5000, kind: 'crash', node: 'fp2' }],
    });
    expect(s.faults).toEqual([{ at: 5000, kind: 'crash', node: 'fp2' }]);
    expect(s.until).toBe(20000);
  });

  it('accepts every kind of fault, links named "from->to", and more fast paths', () => {
    const s = parseScenario({
      design: 'patent',
      config: { fastPaths: 3, links: { 'fp3->lvs': { delayMs: [2, 5], loss: 0.1 } } },
      faults: [
        crash('fp3'),
        { at: 1100, kind: 'restart', node: 'fp3', newIp: true },
        { at: 1200, kind: 'restart', node: 'lvs' },
        { at: 1300, kind: 'linkDown', link: 'lvs->fp3' },
        { at: 1400, kind: 'linkUp', link: 'lvs->fp3' },
        { at: 1500, kind: 'loss', link: 'fp1->lvs', probability: 0.25 },
      ],
    });
    expect(s.faults.map((f) => f.kind)).toEqual(['crash', 'restart', 'restart', 'linkDown', 'linkUp', 'loss']);
    expect(s.faults[1]).toEqual({ at: 1100, kind: 'restart', node: 'fp3', newIp: true });
    expect(s.config.links).toEqual({ 'fp3->lvs': { delayMs: [2, 5], loss: 0.1 } });
  });

  it('names a scenario after its file when the file has no name', () => {
    expect(parseScenarioText('{"design":"patent"}', 'some/dir/my-run.json').name).toBe('my-run');
    expect(parseScenarioText('{"design":"patent","name":"x"}', 'my-run.json').name).toBe('x');
  });

  it('reads back what scenarioToJson writes', () => {
    const s = parseScenario({ design: 'patent', seed: 7, faults: [crash('fp1')] }, 'round-trip');
    expect(parseScenarioText(scenarioToJson(s), 'round-trip.json')).toEqual(s);
  });
});

describe('parseScenario: rejections name the field', () => {
  const base = { design: 'patent' };
  it.each<[string, Record<string, unknown>, string, RegExp?]>([
    ['missing design', {}, 'design', /required/],
    ['unknown design', { design: 'magic' }, 'design', /patent/],
    ['design as a number', { design: 1 }, 'design'],
    ['unknown top-level field', { ...base, sede: 42 }, 'sede', /unknown field/],
    ['unknown config field', { ...base, config: { fastpaths: 3 } }, 'config.fastpaths', /unknown field/],
    ['unknown workload field', { ...base, workload: { flow: 2 } }, 'workload.flow', /unknown field/],
    ['unknown field in a fault', { ...base, faults: [{ ...crash('fp2'), why: 'x' }] }, 'faults[0].why', /unknown field/],
    ['field of another fault kind', { ...base, faults: [{ ...crash('fp2'), link: 'fp2->lvs' }] }, 'faults[0].link', /unknown field/],
    ['unknown link override field', { ...base, config: { links: { 'fp2->lvs': { jitter: 1 } } } }, 'config.links.fp2->lvs.jitter'],
    ['string for a number (seed)', { ...base, seed: '42' }, 'seed', /must be a number/],
    ['string for a number (config)', { ...base, config: { relayTimeoutMs: '3000' } }, 'config.relayTimeoutMs', /must be a number/],
    ['string for a number (fault at)', { ...base, faults: [{ ...crash('fp2'), at: '1000' }] }, 'faults[0].at'],
    ['fraction for a whole number', { ...base, until: 100.5 }, 'until', /whole number/],
    ['number for a string (name)', { ...base, name: 5 }, 'name', /must be a string/],
    ['number for a string (node)', { ...base, faults: [crash(2 as unknown as string)] }, 'faults[0].node', /string/],
    ['number for a string (workload kind)', { ...base, workload: { kind: 3 } }, 'workload.kind'],
    ['object where a list belongs', { ...base, faults: {} }, 'faults', /array/],
    ['unknown fault kind', { ...base, faults: [{ at: 10, kind: 'meteor', node: 'fp2' }] }, 'faults[0].kind'],
    ['unknown node id', { ...base, faults: [crash('fp3')] }, 'faults[0].node', /unknown node id "fp3" \(known: client, eni, sp, fp1, fp2, control, lvs, vgw, server\)/],
    ['unknown node id (upper case)', { ...base, faults: [crash('FP2')] }, 'faults[0].node', /unknown node id/],
    ['unknown link', { ...base, faults: [{ at: 10, kind: 'linkDown', link: 'fp9->lvs' }] }, 'faults[0].link', /unknown link/],
    ['link between unconnected nodes', { ...base, faults: [{ at: 10, kind: 'linkUp', link: 'client->server' }] }, 'faults[0].link'],
    ['link not in from->to form', { ...base, faults: [{ at: 10, kind: 'linkDown', link: 'fp2-lvs' }] }, 'faults[0].link', /from->to/],
    ['unknown link override', { ...base, config: { links: { 'fp3->lvs': { loss: 0.1 } } } }, 'config.links.fp3->lvs'],
    ['negative at', { ...base, faults: [crash('fp2', -1)] }, 'faults[0].at', /negative/],
    ['at after until', { ...base, until: 1000, faults: [crash('fp2', 1001)] }, 'faults[0].at', /at most 1000/],
    ['a later fault with a bad at', { ...base, faults: [crash('fp2'), crash('fp1', -5)] }, 'faults[1].at'],
    ['negative until', { ...base, until: -5 }, 'until', /negative/],
    ['zero until', { ...base, until: 0 }, 'until'],
    ['negative seed', { ...base, seed: -1 }, 'seed', /negative/],
    ['one fast path', { ...base, config: { fastPaths: 1 } }, 'config.fastPaths', /at least 2/],
    ['nine fast paths', { ...base, config: { fastPaths: 9 } }, 'config.fastPaths', /at most 8/],
    ['linkDelayMs min > max', { ...base, config: { linkDelayMs: [5, 2] } }, 'config.linkDelayMs', /greater than max/],
    ['linkDelayMs not a pair', { ...base, config: { linkDelayMs: [5] } }, 'config.linkDelayMs'],
    ['negative link delay', { ...base, config: { linkDelayMs: [-1, 2] } }, 'config.linkDelayMs[0]', /negative/],
    ['link override min > max', { ...base, config: { links: { 'fp2->lvs': { delayMs: [9, 3] } } } }, 'config.links.fp2->lvs.delayMs'],
    ['loss probability above 1 (fault)', { ...base, faults: [{ at: 10, kind: 'loss', link: 'fp2->lvs', probability: 1.5 }] }, 'faults[0].probability', /probability/],
    ['loss probability above 1 (config)', { ...base, config: { loss: 2 } }, 'config.loss', /probability/],
    ['negative loss probability', { ...base, config: { links: { 'fp2->lvs': { loss: -0.1 } } } }, 'config.links.fp2->lvs.loss'],
    ['loss fault without probability', { ...base, faults: [{ at: 10, kind: 'loss', link: 'fp2->lvs' }] }, 'faults[0].probability'],
    ['newIp on a node that is not a fast path', { ...base, faults: [{ at: 10, kind: 'restart', node: 'lvs', newIp: true }] }, 'faults[0].newIp', /fast path/],
    ['newIp not a boolean', { ...base, faults: [{ at: 10, kind: 'restart', node: 'fp1', newIp: 'yes' }] }, 'faults[0].newIp'],
    ['empty tenant table', { ...base, config: { tenants: [] } }, 'config.tenants'],
    ['VNI wider than 24 bits', { ...base, config: { tenants: [{ cvni: 2 ** 24, vni: 1 }] } }, 'config.tenants[0].cvni'],
    ['flows out of range', { ...base, workload: { flows: 0 } }, 'workload.flows'],
    ['unknown ecmp mode', { ...base, config: { ecmp: 'random' } }, 'config.ecmp'],
  ])('%s', (_what, input, field, message) => {
    const e = inputError(() => parseScenario(input));
    expect(e.field).toBe(field);
    expect(e.message.startsWith(`${field}: `)).toBe(true);
    expect(e.message).not.toContain('\n');
    if (message) expect(e.message).toMatch(message);
  });

  it('a node id valid with more fast paths is accepted', () => {
    expect(parseScenario({ design: 'patent', config: { fastPaths: 3 }, faults: [crash('fp3')] }).faults).toHaveLength(1);
  });

  it.each([null, [], 'patent', 42])('rejects %j as a whole scenario', (input) => {
    const e = inputError(() => parseScenario(input));
    expect(e.message).toMatch(/must be an object/);
  });
});

describe('parseScenarioText', () => {
  it.each(['{"design": "patent",', '', 'design: patent', '{"design": "patent"} trailing'])(
    'rejects invalid JSON %j, naming the source',
    (text) => {
      const e = inputError(() => parseScenarioText(text, 'scenarios/broken.json'));
      expect(e.message).toContain('scenarios/broken.json');
      expect(e.message).toMatch(/not valid JSON/);
      expect(e.message).not.toContain('\n');
    },
  );

  it('rejects fields in the file like parseScenario does', () => {
    expect(inputError(() => parseScenarioText('{"design":"patent","until":-1}', 'x.json')).field).toBe('until');
  });
});

describe('built-in scenarios', () => {
  it('are the documented story, with a fault-free one and the Fig. 5 crash', () => {
    expect(BUILTIN_NAMES).toContain('normal');
    expect(BUILTIN_NAMES).toContain('fp-crash-reverse-only');
    expect(builtinScenario('fp-crash-reverse-only')!.faults).toEqual([{ at: 5000, kind: 'crash', node: 'fp2' }]);
    expect(builtinScenario('no-such-scenario')).toBeNull();
  });

  it.each(BUILTIN_NAMES.flatMap((name) => DESIGN_NAMES.map((design) => [name, design] as const)))(
    '%s parses for design %s, and survives a round trip through a file',
    (name, design) => {
      const s = builtinScenario(name, design);
      expect(s).not.toBeNull();
      expect(s!.name).toBe(name);
      expect(s!.design).toBe(design);
      expect(s!.description.length).toBeGreaterThan(10);
      expect(parseScenarioText(scenarioToJson(s!), `${name}.json`)).toEqual(s);
    },
  );
});
