// Recording uploads: one POST per kind, Bearer auth, retried like vendor calls.

import type { RecordingConfig } from '../config.ts';
import type { Logger } from '../protocol/log.ts';
import { retryableFetch } from '../session/vendors/http.ts';

export type RecordingKind = 'rrweb' | 'video';

export type UploadResult =
  | { ok: true; bytes: number }
  | { ok: false; status?: number; reason: string };

/** `{run_id}` and `{kind}` placeholders (first occurrence of each), URL-encoded. */
export function uploadUrl(template: string, runId: string, kind: RecordingKind): string {
  return template
    .replace('{run_id}', encodeURIComponent(runId))
    .replace('{kind}', encodeURIComponent(kind));
}

export async function uploadRecording(
  config: RecordingConfig,
  sessionName: string,
  kind: RecordingKind,
  body: Buffer,
  logger: Logger,
): Promise<UploadResult> {
  try {
    const response = await retryableFetch(
      uploadUrl(config.uploadUrl, config.runId, kind),
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${config.secret}`,
          'Content-Type': kind === 'rrweb' ? 'application/json+gzip' : 'video/webm',
          'X-WB-Run-Id': config.runId,
          'X-WB-Recording-Kind': kind,
          'X-WB-Session': sessionName,
        },
        body: new Uint8Array(body),
      },
      { label: `recording upload (${kind})`, logger },
    );
    if (response.ok) {
      await response.body?.cancel();
      return { ok: true, bytes: body.length };
    }
    const text = (await response.text().catch(() => '')).slice(0, 200);
    return { ok: false, status: response.status, reason: text || response.statusText };
  } catch (error) {
    const name = (error as Error).name;
    return {
      ok: false,
      reason:
        name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : (error as Error).message,
    };
  }
}
