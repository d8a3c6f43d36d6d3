import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration tests each build their own isolated lab; two files at a time suit a 2-core machine.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
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
          // One file at a time, and a few concurrent tests within a file: every test runs labs with
          // real WebRTC peers, and an overloaded 2-core machine makes them miss their own timers.
          fileParallelism: false,
          maxConcurrency: 3,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
