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
          // Concurrent tests in a file each run a lab with WebRTC peers: a few at a time on 2 cores.
          maxConcurrency: 3,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
