/**
 * What the host agent hands a worker on stdin: one JSON line with the job, then a line whenever
 * the recording's token is renewed (`{"token": "…"}`). Tokens stay in memory only.
 */
import { createInterface } from 'node:readline';

export type Job =
  | {
      readonly kind: 'record';
      readonly recording_id: string;
      readonly session_id: string;
      readonly include_audio: boolean;
      /** Capture rrweb DOM events too (over the session's CDP gateway). */
      readonly rrweb: boolean;
      readonly worker_token: string;
    }
  | {
      readonly kind: 'export';
      readonly export_id: string;
      readonly session_id: string;
      readonly format: 'webm' | 'mp4';
      readonly worker_token: string;
    };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function parseJob(line: string): Job {
  const v = JSON.parse(line) as Record<string, unknown>;
  const token = v.worker_token;
  if (typeof token !== 'string' || token.length === 0) throw new Error('job: worker_token missing');
  if (typeof v.session_id !== 'string' || !UUID.test(v.session_id))
    throw new Error('job: session_id must be a uuid');
  if (v.kind === 'record' && typeof v.recording_id === 'string' && UUID.test(v.recording_id))
    return {
      kind: 'record',
      recording_id: v.recording_id,
      session_id: v.session_id,
      include_audio: v.include_audio === true,
      rrweb: v.rrweb === true,
      worker_token: token,
    };
  if (v.kind === 'export' && typeof v.export_id === 'string' && UUID.test(v.export_id))
    return {
      kind: 'export',
      export_id: v.export_id,
      session_id: v.session_id,
      format: v.format === 'mp4' ? 'mp4' : 'webm',
      worker_token: token,
    };
  throw new Error('job: kind must be record (with recording_id) or export (with export_id)');
}

/** The job from stdin's first line; later lines renew `token.current`. */
export function readJob(
  input: NodeJS.ReadableStream = process.stdin,
): Promise<{ job: Job; token: { current: string } }> {
  const lines = createInterface({ input });
  return new Promise((resolve, reject) => {
    let token: { current: string } | undefined;
    lines.on('line', (line) => {
      if (!line.trim()) return;
      try {
        if (!token) {
          const job = parseJob(line);
          token = { current: job.worker_token };
          resolve({ job, token });
        } else {
          const next = (JSON.parse(line) as { token?: unknown }).token;
          if (typeof next === 'string' && next) token.current = next;
        }
      } catch (err) {
        if (!token) reject(err);
      }
    });
    lines.on('close', () => {
      if (!token) reject(new Error('stdin closed before a job arrived'));
    });
  });
}
