import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'contract',
    include: ['contract/**/*.test.ts'],
    // Many of these run tsx, docker-compose or shell scripts (~1–2 s each when idle); on a busy
    // 2-core machine one such test takes several times the 5 s default.
    testTimeout: 30_000,
  },
});
