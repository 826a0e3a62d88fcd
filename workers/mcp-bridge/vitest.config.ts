import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'mcp-bridge',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The integration suite runs real Chromium and Playwright MCP: one file at a time on 2 cores.
    fileParallelism: false,
    sequence: { groupOrder: 2 },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
