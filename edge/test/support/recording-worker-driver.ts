import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { Api, ApiResponse } from './api.ts';
import type { HostDriver } from './host-driver.ts';

const HEADER = 'x-bpane-recording-worker-token';

export const sha256 = (data: string | Uint8Array) =>
  createHash('sha256').update(data).digest('hex');

/**
 * Speaks the recording worker's side of the contract with the token its host got in the desired
 * state, as workers/recording-worker does (without media: the edge does not look inside files).
 */
export class WorkerDriver {
  constructor(
    private readonly api: Api,
    private readonly host: HostDriver,
  ) {}

  /** The worker token of a recording (or export) from the host's last desired state. */
  token(id: string): string {
    const last = this.host.last;
    const rec = last?.recordings.find((r) => r.recording_id === id);
    const exp = last?.exports.find((x) => x.export_id === id);
    const token = rec?.worker_token ?? exp?.worker_token;
    if (!token) throw new Error(`the host was not given ${id}: ${JSON.stringify(last)}`);
    return token;
  }

  call(method: string, path: string, id: string, body?: unknown, raw?: Uint8Array) {
    return this.api.request(method, path, {
      body,
      ...(raw ? { raw } : {}),
      headers: { [HEADER]: this.token(id) },
    });
  }

  progress(id: string, body: Record<string, unknown>) {
    return this.call('POST', '/api/v1/recording-worker/progress', id, body);
  }

  /** Asks for an upload target and puts `bytes` there; returns the target's answer. */
  async upload(
    id: string,
    artifact: 'video' | 'part' | 'dom_events' | 'export',
    bytes: Uint8Array,
    part?: number,
  ): Promise<{ via: string; status: number }> {
    const target = await this.call('POST', '/api/v1/recording-worker/upload-targets', id, {
      artifact,
      ...(part ? { part } : {}),
      size: bytes.byteLength,
      sha256: sha256(bytes),
    });
    expect(target.status, target.text).toBe(200);
    const headers: Record<string, string> = { ...target.body.headers };
    if (target.body.via === 'edge') headers[HEADER] = this.token(id);
    const put = await fetch(target.body.url, { method: 'PUT', headers, body: bytes });
    await put.arrayBuffer();
    return { via: target.body.via, status: put.status };
  }

  complete(sessionId: string, id: string, body: Record<string, unknown>): Promise<ApiResponse> {
    return this.call('POST', `/api/v1/sessions/${sessionId}/recordings/${id}/complete`, id, body);
  }

  fail(sessionId: string, id: string, body: Record<string, unknown>): Promise<ApiResponse> {
    return this.call('POST', `/api/v1/sessions/${sessionId}/recordings/${id}/fail`, id, body);
  }
}
