import { readFileSync } from 'node:fs';
import { defineProject } from 'vitest/config';

export default defineProject({
  // The worker imports the OpenAPI document as text (esbuild's and wrangler's text loader); same here.
  plugins: [
    {
      name: 'yaml-as-text',
      load(id) {
        if (id.endsWith('.yaml'))
          return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`;
        return null;
      },
    },
  ],
  test: {
    name: 'edge',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Each integration file starts its own database and workerd; two at a time is plenty on 2 cores.
    maxWorkers: 2,
    sequence: { groupOrder: 1 },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
