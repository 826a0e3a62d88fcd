import { AppError } from '../../errors.ts';
import { fixedLength } from './content-check.ts';
import { type ArtifactStore, ArtifactStoreError, type ByteRange } from './store.ts';

/**
 * The single byte range of a `Range` header resolved against `size`: undefined for no (or an
 * ignorable) header, null when unsatisfiable (416). Multiple ranges are answered whole, as
 * RFC 9110 allows.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined | null {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, first, last] = m;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return null;
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const offset = Number(first);
  if (offset >= size) return null;
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < offset) return undefined;
  return { offset, length: end - offset + 1 };
}

export interface ServeOptions {
  readonly key: string;
  readonly contentType: string;
  /** Offered file name (`content-disposition: attachment`); absent: inline. */
  readonly filename?: string;
  /** Strong validator (e.g. the SHA-256), sent as the ETag and checked by If-Range. */
  readonly etag?: string;
  readonly requestId: string;
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Answers a download from the store the way browsers, `curl -C -` and media players expect:
 * `accept-ranges`, one range → 206 with `content-range`, past the end → 416, `content-length`
 * always, HEAD without a body. Bytes a web page or a workflow produced are never rendered on the
 * edge's origin (`nosniff`, a sandboxing CSP).
 */
export async function serveArtifact(
  store: ArtifactStore,
  request: Request,
  options: ServeOptions,
): Promise<Response | null> {
  const head = await store.head(options.key).catch(mapStoreError);
  if (!head) return null;
  const etag = options.etag ? `"${options.etag}"` : undefined;
  const ifRange = request.headers.get('if-range');
  const rangeHeader =
    ifRange && (!etag || ifRange !== etag)
      ? undefined
      : (request.headers.get('range') ?? undefined);
  const range = parseRange(rangeHeader, head.size);
  const headers = new Headers({
    'content-type': options.contentType,
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; media-src 'self'; sandbox",
    // Byte ranges and lengths refer to the stored bytes, so the platform must not compress them
    // on the way out (Cloudflare, and Miniflare like it, gzip text types): `no-transform` for
    // Cloudflare, an explicit identity coding for Miniflare.
    'cache-control': 'private, no-store, no-transform',
    'content-encoding': 'identity',
    'x-request-id': options.requestId,
    ...(etag ? { etag } : {}),
    ...(options.filename
      ? {
          'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(options.filename)}`,
        }
      : {}),
    ...options.headers,
  });
  if (range === null)
    throw new AppError(
      'range_not_satisfiable',
      `the range is outside the ${head.size} bytes of this content`,
      {
        headers: { 'content-range': `bytes */${head.size}`, 'accept-ranges': 'bytes' },
      },
    );
  if (request.method === 'HEAD') {
    headers.set('content-length', String(head.size));
    return new Response(null, { status: 200, headers });
  }
  const object = await store.get(options.key, range).catch(mapStoreError);
  if (!object) return null;
  headers.set('content-length', String(object.range.length));
  if (range)
    headers.set(
      'content-range',
      `bytes ${range.offset}-${range.offset + range.length - 1}/${head.size}`,
    );
  // A stream of known length, so workerd sends `content-length` rather than chunks (players and
  // download managers need it).
  return new Response(fixedLength(object.body, object.range.length), {
    status: range ? 206 : 200,
    headers,
  });
}

/** Store failures as API errors: content mismatches are the caller's, the rest a 503. */
export function mapStoreError(err: unknown): never {
  if (err instanceof ArtifactStoreError) {
    if (err.reason === 'content_mismatch')
      throw new AppError('validation_failed', err.message, { cause: err });
    throw new AppError(
      'artifact_store_unavailable',
      'the artifact store is unavailable; try again shortly',
      {
        cause: err,
      },
    );
  }
  throw err;
}
