import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'recording-worker',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Encoding is CPU-heavy on a shared 2-core machine: one file at a time.
    fileParallelism: false,
    sequence: { groupOrder: 2 },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
