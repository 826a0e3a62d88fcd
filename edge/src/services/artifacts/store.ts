/**
 * The one artifact store of the edge: recordings, produced files, workspace files, source
 * snapshots and saved profiles all go through this interface, whatever holds the bytes (the R2
 * binding, an S3-compatible bucket, or a workerd disk directory). Keys are the edge's own
 * (`sessions/<id>/files/<id>`, …); metadata (names, types, digests) lives in Postgres.
 */

/** A part of an object: `length` bytes from `offset` (both within the object). */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  /** Quoted or bare entity tag as the backend reports it, when it does. */
  readonly etag?: string;
  readonly contentType?: string;
}

export interface ObjectBody extends StoredObject {
  readonly body: ReadableStream<Uint8Array>;
  /** The bytes `body` holds when a range was asked for (else the whole object). */
  readonly range: ByteRange;
}

export interface PutOptions {
  readonly contentType?: string;
  /** Expected length in bytes; the store refuses content of another length. */
  readonly size?: number;
  /** Expected SHA-256 (lowercase hex); the store refuses content with another digest. */
  readonly sha256?: string;
}

export type PutBody = ReadableStream<Uint8Array> | ArrayBuffer | Uint8Array | string;

export interface ListPage {
  readonly objects: readonly { key: string; size: number }[];
  /** Pass to the next `list` call; null on the last page. */
  readonly cursor: string | null;
}

/** A link a client may use directly for a short time (presigned), where the backend signs them. */
export interface PresignOptions {
  readonly expiresSec: number;
  readonly contentType?: string;
}

export interface ArtifactStore {
  /** Which backend holds the bytes (logs and the readiness report name it). */
  readonly kind: 'r2' | 's3' | 'disk';
  put(key: string, body: PutBody, options?: PutOptions): Promise<StoredObject>;
  /** The object, or the part `range` names (resolved against its size); null when it is missing. */
  get(key: string, range?: ByteRange): Promise<ObjectBody | null>;
  head(key: string): Promise<StoredObject | null>;
  /** Removes objects; missing ones are not an error. */
  delete(keys: string | readonly string[]): Promise<void>;
  /** Objects whose key starts with `prefix`, in key order. */
  list(prefix: string, options?: { cursor?: string; limit?: number }): Promise<ListPage>;
  /** Present only where the backend can sign a URL a client uses without the edge. */
  readonly presign?: (
    method: 'GET' | 'PUT',
    key: string,
    options: PresignOptions,
  ) => Promise<string>;
}

/** Why the store refused or failed; the edge maps it to its error codes. */
export class ArtifactStoreError extends Error {
  constructor(
    readonly reason: 'unavailable' | 'content_mismatch' | 'invalid_key',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ArtifactStoreError';
  }
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,511}$/;

/** Keys are the edge's own: plain segments, no `..`, no leading or doubled slashes. */
export function checkKey(key: string): string {
  if (!KEY.test(key) || key.includes('//') || key.split('/').some((s) => s === '..' || s === '.'))
    throw new ArtifactStoreError('invalid_key', `not an artifact key: ${key.slice(0, 80)}`);
  return key;
}
