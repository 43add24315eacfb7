import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', '**/node_modules/**'],
    // Property suites run many simulated worlds; none of them depends on wall-clock time.
    testTimeout: 120_000,
    pool: 'forks',
  },
});
