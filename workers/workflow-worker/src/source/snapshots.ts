/**
 * The snapshot cache: each snapshot (by SHA-256) is downloaded once through the edge, checked,
 * and unpacked into `<dataDir>/snapshots/<sha256>/`; runs read it from there (never the repo).
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Api } from '../edge.ts';
import { extract, readSnapshot } from './tar.ts';

const inflight = new Map<string, Promise<string>>();

export function materialize(
  api: Api,
  dataDir: string,
  runId: string,
  sha256: string,
): Promise<string> {
  const dir = join(dataDir, 'snapshots', sha256);
  if (existsSync(dir)) return Promise.resolve(dir);
  let pending = inflight.get(sha256);
  if (!pending) {
    pending = (async () => {
      const res = await api.getWorkflowRunSourceSnapshotContent(
        { params: { run_id: runId } },
        { timeoutMs: 120_000 },
      );
      const bytes = new Uint8Array(await res.arrayBuffer());
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (digest !== sha256) throw new Error(`the snapshot's SHA-256 is ${digest}, not ${sha256}`);
      const tmp = join(dataDir, 'snapshots', `.${randomUUID()}`);
      mkdirSync(tmp, { recursive: true });
      try {
        extract(readSnapshot(bytes), tmp);
        if (!existsSync(dir)) renameSync(tmp, dir);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
      return dir;
    })().finally(() => inflight.delete(sha256));
    inflight.set(sha256, pending);
  }
  return pending;
}
