import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory and its cleanup. */
export function tempDir(prefix = 'wb-rt-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    remove: () => {
      try {
        rmSync(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } catch {
        // best effort: a browser helper process may still be writing its profile
      }
    },
  };
}
