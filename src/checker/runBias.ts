/**
 * Run r of a campaign generated with the bias fast-check would give it in one long campaign,
 * whatever shard runs it (shard.ts). Apart from shard.ts so that reading `--shard` does not
 * load fast-check.
 */
import fc from 'fast-check';

/**
 * fast-check biases generation towards small and extreme values less as a campaign goes
 * on: run r draws with bias factor 2 + floor(log10(r + 1)) (fast-check's runIdToFrequency).
 * Each run here is its own one-run `fc.check`, which fast-check would treat as run 0; this
 * gives run r the bias of run r of one long campaign instead, whatever the shard.
 */
export function biasOfRun(r: number): number {
  // fast-check's own formula, to the last bit (log(1000) * log10(e) is just below 3).
  return 2 + Math.trunc(Math.log(r + 1) * 0.4342944819032518);
}

class GeneratedAsRun<T> extends fc.Arbitrary<T> {
  constructor(
    private readonly inner: fc.Arbitrary<T>,
    private readonly bias: number,
  ) {
    super();
  }
  generate(mrng: fc.Random): fc.Value<T> {
    return this.inner.generate(mrng, this.bias);
  }
  canShrinkWithoutContext(value: unknown): value is T {
    return this.inner.canShrinkWithoutContext(value);
  }
  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    return this.inner.shrink(value, context);
  }
}

/** The arbitrary as run r of a campaign generates it (its bias); shrinking is the arbitrary's own. */
export function generatedAsRun<T>(arbitrary: fc.Arbitrary<T>, r: number): fc.Arbitrary<T> {
  return new GeneratedAsRun(arbitrary, biasOfRun(r));
}
