import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'workflow-worker',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real git, a real stack and Chromium: one file at a time.
    fileParallelism: false,
    sequence: { groupOrder: 3 },
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
