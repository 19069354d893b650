import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'dist/test-results.json' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real Prometheus processes and spawned CLIs: keep the 2-core machine calm.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
