import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'protocol',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The 1-byte-chunk and fuzz runs are CPU-bound; leave room on a loaded 2-core machine.
    testTimeout: 60_000,
  },
});
