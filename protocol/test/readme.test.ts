import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { withReference } from '../scripts/wire-reference.ts';

describe('protocol/README.md', () => {
  it('carries the wire reference generated from the declarations', () => {
    const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
    const readme = readFileSync(path, 'utf8');
    expect(readme, 'stale: run `npm run docs -w protocol`').toBe(withReference(readme));
    expect(readme).toContain('`tileEncoded` — tag 0x06');
  });
});
