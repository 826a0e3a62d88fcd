/**
 * Reading a file upload's headers (`x-bpane-file-*`, `content-length`, `content-type`) and
 * streaming its bytes into the artifact store with length and SHA-256 checked on the way.
 */
import { AppError } from '../../errors.ts';
import { checkedStream } from '../artifacts/content-check.ts';
import { type ArtifactStore, mapStoreError } from '../artifacts/index.ts';

export interface UploadHeaders {
  readonly size: number;
  readonly name: string;
  readonly sha256: string | undefined;
  readonly provenance: unknown;
  readonly mediaType: string;
}

function decoded(headers: Headers, name: string): string | undefined {
  const raw = headers.get(name);
  if (raw === null) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('validation_failed', `header ${name} must be percent-encoded UTF-8`);
  }
}

/** The upload's declared metadata; a clear 400/413 for each thing wrong with it. */
export function uploadHeaders(headers: Headers, maxBytes: number): UploadHeaders {
  const length = headers.get('content-length');
  if (length === null || !/^\d{1,12}$/.test(length))
    throw new AppError('validation_failed', 'a content-length header is required');
  const size = Number(length);
  if (size > maxBytes)
    throw new AppError('payload_too_large', `a file must be at most ${maxBytes} bytes`);
  const name = decoded(headers, 'x-bpane-file-name') ?? '';
  if (
    !name ||
    new TextEncoder().encode(name).byteLength > 255 ||
    /[/\\\u0000-\u001f\u007f]/.test(name) ||
    /^[.\s]+$/.test(name)
  )
    throw new AppError(
      'validation_failed',
      'x-bpane-file-name must be a bare file name of 1…255 bytes',
    );
  const sha256 = headers.get('x-bpane-file-sha256') ?? undefined;
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256))
    throw new AppError('validation_failed', 'x-bpane-file-sha256 must be 64 lowercase hex digits');
  let provenance: unknown = null;
  const raw = decoded(headers, 'x-bpane-file-provenance');
  if (raw !== undefined) {
    try {
      provenance = JSON.parse(raw);
    } catch {
      provenance = undefined;
    }
    if (
      typeof provenance !== 'object' ||
      provenance === null ||
      Array.isArray(provenance) ||
      raw.length > 4096
    )
      throw new AppError(
        'validation_failed',
        'x-bpane-file-provenance must be a JSON object (at most 4 KiB)',
      );
  }
  const type = (headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const mediaType = /^[\w.+-]{1,64}\/[\w.+-]{1,128}$/.test(type)
    ? type
    : 'application/octet-stream';
  return { size, name, sha256, provenance, mediaType };
}

/** Streams `body` into `key`; resolves with the length and SHA-256 the store received. */
export async function storeUpload(
  store: ArtifactStore,
  key: string,
  body: ReadableStream<Uint8Array> | null,
  meta: UploadHeaders,
): Promise<{ size: number; sha256: string }> {
  const checked = checkedStream(body ?? new ReadableStream({ start: (k) => k.close() }), {
    size: meta.size,
    ...(meta.sha256 ? { sha256: meta.sha256 } : {}),
  });
  try {
    await store.put(key, checked.stream, {
      contentType: meta.mediaType,
      size: meta.size,
      ...(meta.sha256 ? { sha256: meta.sha256 } : {}),
    });
    return await checked.verdict;
  } catch (err) {
    // A refused or broken upload leaves nothing behind in the store.
    await store.delete(key).catch(() => undefined);
    return mapStoreError(err);
  }
}
