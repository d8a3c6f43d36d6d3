import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['lab/**/*.test.ts', 'peers/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Each test builds its own isolated lab; two at a time suits a 2-core machine.
          maxWorkers: 2,
          minWorkers: 1,
        },
      },
    ],
  },
});
