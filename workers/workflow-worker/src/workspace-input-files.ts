/**
 * The bytes of a run's workspace inputs, for the entrypoint's `files.read(mountPath)` /
 * `files.input(mountPath)`: fetched once each from the edge (the session file binding's content,
 * which a worker reads only for a run it executes now, showing the attempt's lease), checked
 * against the input's SHA-256, kept in the run's scratch directory.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebStream } from 'node:stream/web';
import type { WorkflowRun } from '@browserpane/api';
import type { Api } from './edge.ts';
import { leaseHeaders } from './session-downloads.ts';

/** A workspace input may be large (the edge's upload limit): its whole transfer's time limit. */
const FETCH_TIMEOUT_MS = 5 * 60_000;

export function workspaceInputFiles(
  api: Api,
  run: Pick<WorkflowRun, 'session_id' | 'workspace_inputs'>,
  lease: string,
  dir: string,
): (mountPath: string) => Promise<string> {
  const fetched = new Map<string, Promise<string>>();
  let count = 0;
  const fetchOne = async (mountPath: string): Promise<string> => {
    const input = run.workspace_inputs.find((w) => w.mount_path === mountPath);
    if (!input)
      throw new Error(
        `no workspace input is mounted at ${mountPath} (this run has ${run.workspace_inputs.map((w) => w.mount_path).join(', ') || 'none'})`,
      );
    mkdirSync(dir, { recursive: true });
    const to = join(dir, String(++count));
    const response = await api.getSessionFileBindingContent(
      { params: { session_id: run.session_id, binding_id: input.id } },
      { headers: leaseHeaders(lease), timeoutMs: FETCH_TIMEOUT_MS },
    );
    const body = response.body;
    if (!body) throw new Error(`the workspace input ${mountPath} came back empty`);
    const hash = createHash('sha256');
    await pipeline(
      Readable.fromWeb(body as WebStream<Uint8Array>),
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      }),
      createWriteStream(to),
    );
    const got = hash.digest('hex');
    if (got !== input.sha256_hex)
      throw new Error(
        `the workspace input ${mountPath} arrived altered (SHA-256 ${got}, expected ${input.sha256_hex})`,
      );
    return to;
  };
  return (mountPath) => {
    let path = fetched.get(mountPath);
    if (!path) {
      path = fetchOne(mountPath);
      path.catch(() => fetched.delete(mountPath));
      fetched.set(mountPath, path);
    }
    return path;
  };
}
