import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_FILE, renderDocument } from '../src/document/index.ts';

describe('openapi/browserpane-control-v1.yaml', () => {
  it('is the document generated from the route declarations, byte for byte', () => {
    const path = join(dirname(fileURLToPath(import.meta.url)), '..', DOCUMENT_FILE);
    const committed = readFileSync(path, 'utf8');
    expect(committed, 'stale: run `npm run generate -w @browserpane/api` and commit the file').toBe(
      renderDocument(),
    );
  });
});
