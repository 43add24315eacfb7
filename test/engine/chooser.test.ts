/**
 * Choosers (src/engine/chooser.ts): the seeded default, scripted replays and recording.
 */
import { describe, expect, it } from 'vitest';
import { builtinScenario } from '../../src/config/builtins.js';
import {
  RecordingChooser,
  ScriptedChooser,
  SeededChooser,
  choiceRange,
  minimalChooser,
  type Choice,
  type Chooser,
} from '../../src/engine/chooser.js';
import { Prng } from '../../src/engine/prng.js';
import { toJsonl } from '../../src/engine/trace.js';
import { runScenario } from '../../src/sim/simulate.js';

const CHOICES: Choice[] = [
  { kind: 'delay', link: 'eni->fp1', min: 3, max: 9 },
  { kind: 'delay', link: 'lvs->fp2', min: 5, max: 5 },
  { kind: 'jitter', node: 'lvs', timer: 'relayTimeout', max: 100 },
  { kind: 'jitter', node: 'lvs', timer: 'relayTimeout', max: 0 },
  { kind: 'order', options: 3 },
  { kind: 'order', options: 1 },
  { kind: 'loss', link: 'fp1->lvs', probability: 0.5 },
];

/** `n` choices, cycling through CHOICES. */
function draw(chooser: Chooser, n: number): number[] {
  return Array.from({ length: n }, (_, i) => chooser.choose(CHOICES[i % CHOICES.length]!));
}

function scenario(name: string) {
  const s = builtinScenario(name);
  if (!s) throw new Error(`no built-in scenario ${name}`);
  return s;
}

describe('choiceRange', () => {
  it.each<[Choice, [number, number]]>([
    [{ kind: 'delay', link: 'a->b', min: 3, max: 9 }, [3, 9]],
    [{ kind: 'jitter', node: 'lvs', timer: 't', max: 100 }, [1, 100]],
    [{ kind: 'jitter', node: 'lvs', timer: 't', max: 0 }, [1, 1]],
    [{ kind: 'order', options: 4 }, [0, 3]],
    [{ kind: 'loss', link: 'a->b', probability: 0.1 }, [0, 1]],
    [{ kind: 'loss', link: 'a->b', probability: 0 }, [0, 0]],
  ])('%j -> %j', (choice, range) => {
    expect(choiceRange(choice)).toEqual(range);
  });
});

describe('SeededChooser', () => {
  it('gives the same sequence for the same seed, another for another seed', () => {
    const a = draw(new SeededChooser(42), 500);
    expect(draw(new SeededChooser(42), 500)).toEqual(a);
    expect(draw(new SeededChooser(43), 500)).not.toEqual(a);
    // Seeds above 32 bits are not folded onto smaller ones.
    expect(draw(new SeededChooser(2 ** 32 + 42), 500)).not.toEqual(a);
  });

  it('stays within every range and reaches both ends', () => {
    const chooser = new SeededChooser(7);
    for (const choice of CHOICES) {
      const [lo, hi] = choiceRange(choice);
      const seen = new Set(Array.from({ length: 2000 }, () => chooser.choose(choice)));
      for (const v of seen) {
        expect(Number.isInteger(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(lo);
        expect(v).toBeLessThanOrEqual(hi);
      }
      expect(seen.has(lo)).toBe(true);
      expect(seen.has(hi)).toBe(true);
    }
  });

  it('never loses with probability 0, always with probability 1, about half with 0.5', () => {
    const chooser = new SeededChooser(3);
    const losses = (probability: number) =>
      Array.from({ length: 4000 }, () => chooser.choose({ kind: 'loss', link: 'a->b', probability })).filter((v) => v === 1).length;
    expect(losses(0)).toBe(0);
    expect(losses(1)).toBe(4000);
    const half = losses(0.5);
    expect(half).toBeGreaterThan(1800);
    expect(half).toBeLessThan(2200);
  });

  it('is built on a Prng whose int() is inclusive and degenerate ranges give lo', () => {
    const prng = new Prng(1);
    const values = new Set(Array.from({ length: 1000 }, () => prng.int(0, 2)));
    expect([...values].sort()).toEqual([0, 1, 2]);
    expect(prng.int(5, 5)).toBe(5);
    expect(prng.int(5, 4)).toBe(5);
    const f = new Prng(9).nextFloat();
    expect(f).toBeGreaterThanOrEqual(0);
    expect(f).toBeLessThan(1);
  });
});

describe('minimalChooser', () => {
  it('always takes the smallest value: minimum delay, first event, no loss', () => {
    expect(CHOICES.map((c) => minimalChooser.choose(c))).toEqual(CHOICES.map((c) => choiceRange(c)[0]));
    expect(minimalChooser.choose({ kind: 'loss', link: 'a->b', probability: 1 })).toBe(0);
  });
});

describe('ScriptedChooser', () => {
  const delay: Choice = { kind: 'delay', link: 'a->b', min: 3, max: 6 };

  it('reads each value as an offset from the bottom of the range', () => {
    const chooser = new ScriptedChooser([0, 1, 2, 3]);
    expect([0, 1, 2, 3].map(() => chooser.choose(delay))).toEqual([3, 4, 5, 6]);
  });

  it.each([
    [4, 3],
    [7, 6],
    [-1, 4],
    [-6, 5],
    [2.9, 5],
    [1e9, 3],
  ])('brings %d into the range (got %d)', (raw, expected) => {
    expect(new ScriptedChooser([raw]).choose(delay)).toBe(expected);
  });

  it('keeps out-of-range values within every kind of choice', () => {
    const script = [-5, 17, 1e6, 3.5, -0.5, 99, 42];
    const chooser = new ScriptedChooser(script);
    for (const choice of CHOICES) {
      const [lo, hi] = choiceRange(choice);
      const v = chooser.choose(choice);
      expect(v).toBeGreaterThanOrEqual(lo);
      expect(v).toBeLessThanOrEqual(hi);
    }
  });

  it('falls back to minimal choices when the script runs out, or to the given chooser', () => {
    const chooser = new ScriptedChooser([1]);
    expect(chooser.choose(delay)).toBe(4);
    expect(chooser.choose(delay)).toBe(3);
    expect(chooser.choose({ kind: 'order', options: 5 })).toBe(0);
    const withFallback = new ScriptedChooser([], { choose: () => 6 });
    expect(withFallback.choose(delay)).toBe(6);
  });
});

describe('RecordingChooser', () => {
  it('records offsets into each range, and passes the inner choice through', () => {
    const rec = new RecordingChooser(new SeededChooser(5));
    const values = draw(rec, 200);
    expect(values).toEqual(draw(new SeededChooser(5), 200));
    expect(rec.record).toHaveLength(200);
    rec.record.forEach((offset, i) => {
      const [lo, hi] = choiceRange(CHOICES[i % CHOICES.length]!);
      expect(offset).toBe(values[i]! - lo);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThanOrEqual(hi - lo);
    });
  });

  it.each(['fp-crash-reverse-only', 'reverse-link-down', 'fp-restart'])(
    '%s: a recorded run replayed through ScriptedChooser gives the same trace',
    (name) => {
      const s = { ...scenario(name), seed: 1234 };
      const rec = new RecordingChooser(new SeededChooser(s.seed));
      const original = toJsonl(runScenario(s, { chooser: rec }).events);
      expect(rec.record.length).toBeGreaterThan(100);
      const exhausted: Chooser = {
        choose: () => {
          throw new Error('the replay asked for more choices than were recorded');
        },
      };
      const replayed = toJsonl(runScenario(s, { chooser: new ScriptedChooser(rec.record, exhausted) }).events);
      expect(replayed).toBe(original);
      // ...and the recorded run differs from a minimal one: the script mattered.
      expect(toJsonl(runScenario(s, { chooser: minimalChooser }).events)).not.toBe(original);
    },
  );
});
