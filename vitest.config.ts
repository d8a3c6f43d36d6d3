import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One test file at a time: integration tests each build labs with real WebRTC peers.
    fileParallelism: false,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['lab/**/*.test.ts', 'peers/**/*.test.ts', 'bench/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          // A few concurrent tests within a file (and one file at a time, above): every test runs
          // labs with real WebRTC peers, and an overloaded 2-core machine makes them miss timers.
          maxConcurrency: 3,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
