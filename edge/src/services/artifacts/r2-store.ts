import { asStream, fixedLength } from './content-check.ts';
import {
  type ArtifactStore,
  ArtifactStoreError,
  type ByteRange,
  checkKey,
  type ListPage,
  type PutBody,
  type PutOptions,
  type StoredObject,
} from './store.ts';

function described(object: R2Object): StoredObject {
  return {
    key: object.key,
    size: object.size,
    etag: object.httpEtag,
    ...(object.httpMetadata?.contentType ? { contentType: object.httpMetadata.contentType } : {}),
  };
}

/** Failures of the binding other than "no such object" mean the store is unavailable. */
async function guarded<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ArtifactStoreError) throw err;
    const message = String((err as Error)?.message ?? err);
    if (/sha-?256|digest|length/i.test(message))
      throw new ArtifactStoreError(
        'content_mismatch',
        'the content does not match its declared length or SHA-256',
        { cause: err },
      );
    throw new ArtifactStoreError('unavailable', `the artifact bucket failed to ${what}`, {
      cause: err,
    });
  }
}

/** The R2 bucket binding (Cloudflare, and Miniflare locally: `npm start` persists it on disk). */
export function r2Store(bucket: R2Bucket): ArtifactStore {
  return {
    kind: 'r2',
    put: (key: string, body: PutBody, options: PutOptions = {}) =>
      guarded('store an object', async () => {
        const { stream, size } = asStream(body);
        const length = options.size ?? size;
        const value =
          length === 0 ? '' : length === undefined ? stream : fixedLength(stream, length);
        const object = await bucket.put(checkKey(key), value, {
          ...(options.contentType ? { httpMetadata: { contentType: options.contentType } } : {}),
          ...(options.sha256 ? { sha256: options.sha256 } : {}),
        });
        if (!object) throw new ArtifactStoreError('unavailable', 'the bucket stored nothing');
        return described(object);
      }),
    get: (key: string, range?: ByteRange) =>
      guarded('read an object', async () => {
        const object = await bucket.get(checkKey(key), range ? { range } : {});
        if (!object) return null;
        return {
          ...described(object),
          body: object.body,
          range: range ?? { offset: 0, length: object.size },
        };
      }),
    head: (key: string) =>
      guarded('read an object', async () => {
        const head = await bucket.head(checkKey(key));
        return head ? described(head) : null;
      }),
    delete: (keys: string | readonly string[]) =>
      guarded('delete objects', async () => {
        const list = (typeof keys === 'string' ? [keys] : [...keys]).map(checkKey);
        for (let i = 0; i < list.length; i += 1000) await bucket.delete(list.slice(i, i + 1000));
      }),
    list: (prefix: string, options: { cursor?: string; limit?: number } = {}) =>
      guarded('list objects', async (): Promise<ListPage> => {
        const page = await bucket.list({
          prefix,
          limit: options.limit ?? 1000,
          ...(options.cursor ? { cursor: options.cursor } : {}),
        });
        return {
          objects: page.objects.map((o) => ({ key: o.key, size: o.size })),
          cursor: page.truncated ? page.cursor : null,
        };
      }),
  };
}
