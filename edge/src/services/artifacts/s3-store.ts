import { AwsClient } from 'aws4fetch';
import { asStream, checkedStream, fixedLength } from './content-check.ts';
import {
  type ArtifactStore,
  ArtifactStoreError,
  type ByteRange,
  checkKey,
  type ListPage,
  type PresignOptions,
  type PutBody,
  type PutOptions,
  type StoredObject,
} from './store.ts';

export interface S3Settings {
  /** The bucket's base URL: `https://s3.<region>.amazonaws.com/<bucket>`, `http://127.0.0.1:9000/<bucket>`, … */
  readonly bucketUrl: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** `key` as a path under the bucket URL, each segment percent-encoded. */
function objectUrl(base: string, key: string): string {
  return `${base.replace(/\/+$/, '')}/${checkKey(key).split('/').map(encodeURIComponent).join('/')}`;
}

function unquote(etag: string | null): string | undefined {
  return etag ?? undefined;
}

function xmlValues(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(m[1] ?? '');
  return out;
}

function xmlText(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Any S3-compatible bucket (AWS S3, Cloudflare R2's S3 API, MinIO, Ceph, …), signed with SigV4
 * (`aws4fetch`, which runs on Workers). Path-style URLs under the configured bucket URL. Uploads
 * with a known SHA-256 send it as `x-amz-content-sha256`, so the store itself refuses other bytes.
 */
export function s3Store(settings: S3Settings): ArtifactStore {
  const client = new AwsClient({
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    region: settings.region,
    service: 's3',
  });
  const call = async (what: string, url: string, init: RequestInit): Promise<Response> => {
    let res: Response;
    try {
      res = await client.fetch(url, init);
    } catch (err) {
      throw new ArtifactStoreError('unavailable', `the S3 store failed to ${what}`, { cause: err });
    }
    return res;
  };
  const failed = async (what: string, res: Response): Promise<never> => {
    const text = await res.text().catch(() => '');
    const code = xmlValues(text, 'Code')[0] ?? `HTTP ${res.status}`;
    if (/BadDigest|XAmzContentSHA256Mismatch|IncompleteBody|InvalidDigest/.test(code))
      throw new ArtifactStoreError(
        'content_mismatch',
        'the content does not match its declared length or SHA-256',
      );
    throw new ArtifactStoreError('unavailable', `the S3 store failed to ${what} (${code})`);
  };
  const described = (key: string, res: Response, size: number): StoredObject => ({
    key,
    size,
    ...(unquote(res.headers.get('etag')) ? { etag: unquote(res.headers.get('etag')) } : {}),
    ...(res.headers.get('content-type')
      ? { contentType: res.headers.get('content-type') as string }
      : {}),
  });

  const remove = async (key: string): Promise<void> => {
    const res = await call('delete an object', objectUrl(settings.bucketUrl, key), {
      method: 'DELETE',
    });
    await res.body?.cancel();
    if (!res.ok && res.status !== 404) await failed('delete an object', res);
  };

  return {
    kind: 's3',
    async put(key: string, body: PutBody, options: PutOptions = {}) {
      const { stream, size } = asStream(body);
      const length = options.size ?? size;
      if (length === undefined)
        throw new ArtifactStoreError('invalid_key', 'an S3 upload needs its length up front');
      const headers: Record<string, string> = {
        'content-length': String(length),
        'x-amz-content-sha256': options.sha256 ?? 'UNSIGNED-PAYLOAD',
        ...(options.contentType ? { 'content-type': options.contentType } : {}),
      };
      // S3 itself checks x-amz-content-sha256; not every S3-compatible store does, so count and
      // hash on the way through as well and remove what does not match.
      const checked = checkedStream(stream, { ...options, size: length });
      const res = await call('store an object', objectUrl(settings.bucketUrl, key), {
        method: 'PUT',
        headers,
        body: fixedLength(checked.stream, length),
      });
      if (!res.ok) return failed('store an object', res);
      await res.body?.cancel();
      try {
        await checked.verdict;
      } catch (err) {
        await remove(key).catch(() => {});
        throw err;
      }
      return described(key, res, length);
    },
    async get(key: string, range?: ByteRange) {
      const headers: Record<string, string> = range
        ? { range: `bytes=${range.offset}-${range.offset + range.length - 1}` }
        : {};
      const res = await call('read an object', objectUrl(settings.bucketUrl, key), { headers });
      if (res.status === 404) {
        await res.body?.cancel();
        return null;
      }
      if (!res.ok || !res.body) return failed('read an object', res);
      const total = range
        ? Number(/\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1] ?? Number.NaN)
        : Number(res.headers.get('content-length'));
      return {
        ...described(key, res, total),
        body: res.body,
        range: range ?? { offset: 0, length: total },
      };
    },
    async head(key: string) {
      const res = await call('read an object', objectUrl(settings.bucketUrl, key), {
        method: 'HEAD',
      });
      if (res.status === 404) return null;
      if (!res.ok) return failed('read an object', res);
      return described(key, res, Number(res.headers.get('content-length')));
    },
    async delete(keys: string | readonly string[]) {
      for (const key of typeof keys === 'string' ? [keys] : keys) await remove(key);
    },
    async list(
      prefix: string,
      options: { cursor?: string; limit?: number } = {},
    ): Promise<ListPage> {
      const url = new URL(`${settings.bucketUrl.replace(/\/+$/, '')}/`);
      url.searchParams.set('list-type', '2');
      url.searchParams.set('prefix', prefix);
      url.searchParams.set('max-keys', String(options.limit ?? 1000));
      if (options.cursor) url.searchParams.set('continuation-token', options.cursor);
      const res = await call('list objects', url.toString(), {});
      if (!res.ok) return failed('list objects', res);
      const xml = await res.text();
      const objects = xmlValues(xml, 'Contents').map((c) => ({
        key: xmlText(xmlValues(c, 'Key')[0] ?? ''),
        size: Number(xmlValues(c, 'Size')[0] ?? 0),
      }));
      const truncated = xmlValues(xml, 'IsTruncated')[0] === 'true';
      const next = xmlValues(xml, 'NextContinuationToken')[0];
      return { objects, cursor: truncated && next ? xmlText(next) : null };
    },
    async presign(method: 'GET' | 'PUT', key: string, options: PresignOptions) {
      const url = new URL(objectUrl(settings.bucketUrl, key));
      url.searchParams.set(
        'X-Amz-Expires',
        String(Math.max(1, Math.min(604_800, Math.round(options.expiresSec)))),
      );
      const signed = await client.sign(url.toString(), {
        method,
        ...(method === 'PUT' && options.contentType
          ? { headers: { 'content-type': options.contentType } }
          : {}),
        aws: { signQuery: true },
      });
      return signed.url;
    },
  };
}
