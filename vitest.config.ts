import { defineConfig } from 'vitest/config';

// One project per package plus the cross-package suites under test/, run in groups (projects in
// one group share a worker limit): 0 protocol, api and contract (default), 1 edge (two files at a time:
// each starts a database and workerd), 2 host-pool, client and mcp-bridge (one file at a time:
// real X servers and browsers), 3 wb-browser-runtime and e2e (whole stacks, one at a time).
export default defineConfig({
  test: {
    projects: [
      'protocol',
      'openapi',
      'edge',
      'host-pool',
      'client',
      'workers/*',
      'test',
      'test/vitest.e2e.config.ts',
    ],
  },
});
