import { defineProject } from 'vitest/config';

// Real Chromium, real Xvfb, real stack: one file at a time, after the fast suites.
export default defineProject({
  test: {
    name: 'e2e',
    include: ['e2e/**/*.test.ts'],
    // after a failed test, the last log lines of the stack its file started
    setupFiles: ['e2e/support/print-stack-logs.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    sequence: { groupOrder: 3 },
  },
});
