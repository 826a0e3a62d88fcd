import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cli',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Each file starts a database and workerd.
    fileParallelism: false,
    sequence: { groupOrder: 3 },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
