/**
 * The recording worker's calls to the edge, each with the token its host handed it for one
 * recording or export (`x-bpane-recording-worker-token`; renewed by the host, never logged), and
 * uploads to the targets the edge names (a presigned URL straight to the store, or the edge).
 */
import { createHash } from 'node:crypto';
import {
  type ConnectTicket,
  RECORDING_WORKER_HEADER,
  type RecordingExportSources,
  type SessionRecording,
  type UploadTarget,
  type UploadTargetRequest,
} from '@browserpane/api';

export class WorkerApiError extends Error {
  override readonly name = 'WorkerApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ProgressReport {
  readonly state: 'recording' | 'finalizing';
  readonly bytes_written?: number;
  readonly duration_ms?: number;
  readonly parts?: number;
  readonly termination_reason?: string;
}

export class WorkerApi {
  constructor(
    private readonly edgeUrl: string,
    private readonly token: () => string,
    private readonly timeoutMs = 15_000,
  ) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.edgeUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers: {
        [RECORDING_WORKER_HEADER]: this.token(),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!res.ok)
      throw new WorkerApiError(
        res.status,
        String(parsed.code ?? 'http_error'),
        `${method} ${path}: ${res.status} ${String(parsed.message ?? text.slice(0, 200))}`,
      );
    return parsed as T;
  }

  progress(report: ProgressReport): Promise<SessionRecording> {
    return this.call('POST', '/api/v1/recording-worker/progress', report);
  }

  recorderTicket(): Promise<ConnectTicket> {
    return this.call('POST', '/api/v1/recording-worker/recorder-ticket');
  }

  complete(
    sessionId: string,
    recordingId: string,
    body: {
      source_path: string;
      mime_type: string;
      bytes: number;
      duration_ms: number;
      has_audio: boolean;
      dom_event_count?: number;
    },
  ): Promise<SessionRecording> {
    return this.call(
      'POST',
      `/api/v1/sessions/${sessionId}/recordings/${recordingId}/complete`,
      body,
    );
  }

  fail(
    sessionId: string,
    recordingId: string,
    body: { error: string; termination_reason?: string },
  ): Promise<SessionRecording> {
    return this.call('POST', `/api/v1/sessions/${sessionId}/recordings/${recordingId}/fail`, body);
  }

  exportSources(): Promise<RecordingExportSources> {
    return this.call('POST', '/api/v1/recording-worker/export-sources');
  }

  completeExport(body: { bytes: number; duration_ms: number }): Promise<unknown> {
    return this.call('POST', '/api/v1/recording-worker/export/complete', body);
  }

  failExport(error: string): Promise<unknown> {
    return this.call('POST', '/api/v1/recording-worker/export/fail', { error });
  }

  /** Stores `bytes` as `artifact` (presigned where the store signs URLs, else via the edge). */
  async upload(
    request: Omit<UploadTargetRequest, 'size' | 'sha256'>,
    bytes: Uint8Array,
  ): Promise<UploadTarget['via']> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const target = await this.call<UploadTarget>(
      'POST',
      '/api/v1/recording-worker/upload-targets',
      {
        ...request,
        size: bytes.byteLength,
        sha256,
      },
    );
    const res = await fetch(target.url, {
      method: target.method,
      headers: {
        ...target.headers,
        ...(target.via === 'edge' ? { [RECORDING_WORKER_HEADER]: this.token() } : {}),
      },
      body: bytes as Uint8Array<ArrayBuffer>,
      signal: AbortSignal.timeout(Math.max(this.timeoutMs, 60_000)),
    }).catch((err: Error) => {
      throw new WorkerApiError(
        503,
        'artifact_store_unavailable',
        `${target.via === 'presigned' ? 'the store' : 'the edge'} did not take the ${request.artifact}: ${err.message}${err.cause ? ` (${String((err.cause as Error).message ?? err.cause)})` : ''}`,
      );
    });
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let code = res.status >= 500 ? 'artifact_store_unavailable' : 'upload_failed';
      try {
        code = String((JSON.parse(text) as { code?: string }).code ?? code);
      } catch {
        // a store's XML or text error
      }
      throw new WorkerApiError(
        res.status,
        code,
        `upload of ${request.artifact}: ${res.status} ${text.slice(0, 200)}`,
      );
    }
    return target.via;
  }

  /** A source to read (an export's segment), following the edge's target. */
  async download(source: {
    url: string;
    headers: Record<string, string>;
    via: 'edge' | 'presigned';
  }): Promise<Uint8Array> {
    const res = await fetch(source.url, {
      headers: {
        ...source.headers,
        ...(source.via === 'edge' ? { [RECORDING_WORKER_HEADER]: this.token() } : {}),
      },
      signal: AbortSignal.timeout(Math.max(this.timeoutMs, 120_000)),
    });
    if (!res.ok)
      throw new WorkerApiError(res.status, 'download_failed', `segment download: ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}
