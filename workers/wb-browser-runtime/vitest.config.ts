import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'wb-browser-runtime',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // The black-box suites spawn the runtime and real Chromium: one file at a time on 2 cores.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    sequence: { groupOrder: 3 },
  },
});
