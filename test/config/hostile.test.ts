/**
 * Careless and hostile input to the scenario layer (issue 9, point 6): names that are
 * properties of every object, a `until` that would run out of memory, a byte-order mark.
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_NAMES, builtinScenario, builtinViolations } from '../../src/config/builtins.js';
import { MAX_TRACE_EVENTS, MAX_UNTIL_MS } from '../../src/config/defaults.js';
import { estimatedTraceEvents, parseScenario, parseScenarioText } from '../../src/config/scenario.js';
import { runScenario } from '../../src/sim/simulate.js';
import { inputError } from './inputError.js';

describe('built-in scenario names are own keys only', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])('%s is no scenario', (name) => {
    expect(builtinScenario(name)).toBeNull();
    expect(builtinViolations(name)).toEqual([]);
    expect(BUILTIN_NAMES).not.toContain(name);
  });

  it('every listed name is still found', () => {
    for (const name of BUILTIN_NAMES) expect(builtinScenario(name)?.name).toBe(name);
  });

  it.each(['constructor', '__proto__', 'toString'])('a scenario file with design %j is refused', (design) => {
    const e = inputError(() => parseScenario({ design }));
    expect(e.field).toBe('design');
    expect(e.problem).toMatch(/^must be one of "patent", "prior-art"/);
  });
});

describe('until is capped at 10 minutes of virtual time', () => {
  it('accepts the cap itself', () => {
    expect(parseScenario({ design: 'patent', until: MAX_UNTIL_MS }).until).toBe(600_000);
  });

  it.each([MAX_UNTIL_MS + 1, 2 ** 40, 1099511627776])('refuses %d, saying the cap and why', (until) => {
    const e = inputError(() => parseScenario({ design: 'patent', until }));
    expect(e.field).toBe('until');
    expect(e.problem).toBe(`must be at most 600000 ms (10 minutes of virtual time: a run keeps its whole trace in memory), got ${until}`);
  });
});

describe('a UTF-8 byte-order mark is accepted', () => {
  it('before a scenario file', () => {
    const s = parseScenarioText('\uFEFF{"design":"prior-art","seed":7}', 'bom.json');
    expect(s.design).toBe('prior-art');
    expect(s.seed).toBe(7);
  });

  it('only at the start (elsewhere it is still not JSON)', () => {
    const e = inputError(() => parseScenarioText('{"design":\uFEFF"patent"}', 'x.json'));
    expect(e.problem).toMatch(/^x\.json is not valid JSON/);
  });
});

describe('the estimated trace size of a run, to refuse one too large to keep', () => {
  it('over-estimates the default scenario, within a factor of two', () => {
    const s = builtinScenario('fp-crash-reverse-only')!;
    const actual = runScenario(s).events.length;
    const estimate = estimatedTraceEvents(s).events;
    expect(estimate).toBeGreaterThanOrEqual(actual);
    expect(estimate).toBeLessThan(2 * actual);
  });

  it('leaves every built-in scenario far below the limit, and the default one even at the until cap', () => {
    for (const name of BUILTIN_NAMES) {
      expect(estimatedTraceEvents(builtinScenario(name)!).events, name).toBeLessThan(MAX_TRACE_EVENTS / 10);
    }
    expect(estimatedTraceEvents({ ...builtinScenario('fp-crash-reverse-only')!, until: MAX_UNTIL_MS }).events).toBeLessThan(MAX_TRACE_EVENTS / 2);
  });

  it('puts 64 flows sending every millisecond far above it, and says why', () => {
    const s = parseScenario({ design: 'patent', workload: { flows: 64, streamIntervalMs: 1 } });
    const size = estimatedTraceEvents(s);
    expect(size.events).toBeGreaterThan(10 * MAX_TRACE_EVENTS);
    expect(size.why).toBe('64 flows × a packet every 1 ms for 19990 ms');
  });
});
