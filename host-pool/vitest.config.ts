import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'host-pool',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real Xvfb and Chromium: one file at a time on a 2-core machine.
    fileParallelism: false,
    sequence: { groupOrder: 2 },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
