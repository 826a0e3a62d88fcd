import { defineConfig } from 'vitest/config';

// One project per package plus the cross-package suites under test/. Projects with
// `sequence.groupOrder` 1 (real browsers, real X servers) run after the fast ones.
export default defineConfig({
  test: {
    projects: [
      'protocol',
      'edge',
      'host-pool',
      'client',
      'workers/*',
      'test',
      'test/vitest.e2e.config.ts',
    ],
  },
});
