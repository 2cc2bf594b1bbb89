import { defineConfig } from 'vitest/config';

// Two cores on CI: two workers, and generous timeouts for tests that spawn real processes.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
