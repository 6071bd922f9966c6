import { defineConfig } from 'vitest/config';

// Fast suites only; long sweeps and fleet-size runs live in vitest.slow.config.ts (npm run test:slow).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/slow/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
