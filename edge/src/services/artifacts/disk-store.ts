import { asStream, checkedStream } from './content-check.ts';
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

const ORIGIN = 'http://artifacts';

interface Entry {
  readonly name: string;
  readonly type: string;
}

/**
 * A writable workerd `disk` service (deploy/workerd/edge.capnp: `artifacts`): the local-filesystem
 * store of a self-hosted edge without S3. workerd answers PUT (creating folders), GET with Range,
 * DELETE and a JSON listing of a folder. It checks nothing, so uploads are counted and hashed on
 * the way through and removed again when they do not match.
 */
export function diskStore(directory: Fetcher): ArtifactStore {
  const call = async (what: string, path: string, init: RequestInit = {}): Promise<Response> => {
    try {
      return await directory.fetch(`${ORIGIN}/${path}`, init);
    } catch (err) {
      throw new ArtifactStoreError('unavailable', `the artifact directory failed to ${what}`, {
        cause: err,
      });
    }
  };
  const refuse = async (what: string, res: Response): Promise<never> => {
    await res.body?.cancel();
    throw new ArtifactStoreError(
      'unavailable',
      `the artifact directory failed to ${what} (HTTP ${res.status})`,
    );
  };
  const remove = async (key: string): Promise<void> => {
    const res = await call('delete an object', checkKey(key), { method: 'DELETE' });
    await res.body?.cancel();
    if (!res.ok && res.status !== 404) await refuse('delete an object', res);
  };
  const head = async (key: string): Promise<StoredObject | null> => {
    const res = await call('read an object', checkKey(key), { method: 'HEAD' });
    await res.body?.cancel();
    if (res.status === 404) return null;
    if (!res.ok) return refuse('read an object', res);
    return { key, size: Number(res.headers.get('content-length') ?? 0) };
  };
  /** Every file under `folder` (recursively), keys relative to the store. */
  const walk = async (folder: string, into: { key: string; size: number }[]): Promise<void> => {
    const res = await call('list objects', folder);
    if (res.status === 404) {
      await res.body?.cancel();
      return;
    }
    if (!res.ok) return refuse('list objects', res);
    const entries = (await res.json()) as Entry[];
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${folder}${entry.name}`;
      if (entry.type === 'directory') await walk(`${path}/`, into);
      else if (entry.type === 'file') into.push({ key: path, size: -1 });
    }
  };

  return {
    kind: 'disk',
    async put(key: string, body: PutBody, options: PutOptions = {}) {
      checkKey(key);
      const { stream, size } = asStream(body);
      const checked = checkedStream(stream, { ...options, size: options.size ?? size });
      const res = await call('store an object', key, { method: 'PUT', body: checked.stream });
      if (!res.ok) return refuse('store an object', res);
      await res.body?.cancel();
      try {
        const { size: stored } = await checked.verdict;
        return {
          key,
          size: stored,
          ...(options.contentType ? { contentType: options.contentType } : {}),
        };
      } catch (err) {
        await remove(key).catch(() => {});
        throw err;
      }
    },
    async get(key: string, range?: ByteRange) {
      const headers: Record<string, string> = range
        ? { range: `bytes=${range.offset}-${range.offset + range.length - 1}` }
        : {};
      const res = await call('read an object', checkKey(key), { headers });
      if (res.status === 404) {
        await res.body?.cancel();
        return null;
      }
      if (!res.ok || !res.body) return refuse('read an object', res);
      const size = range
        ? Number(/\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1] ?? Number.NaN)
        : Number(res.headers.get('content-length'));
      return { key, size, body: res.body, range: range ?? { offset: 0, length: size } };
    },
    head,
    async delete(keys: string | readonly string[]) {
      for (const key of typeof keys === 'string' ? [keys] : keys) await remove(key);
    },
    async list(
      prefix: string,
      options: { cursor?: string; limit?: number } = {},
    ): Promise<ListPage> {
      const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
      const all: { key: string; size: number }[] = [];
      await walk(folder, all);
      const matching = all.filter(
        (o) => o.key.startsWith(prefix) && (!options.cursor || o.key > options.cursor),
      );
      const limit = options.limit ?? 1000;
      const page = matching.slice(0, limit);
      const objects = await Promise.all(
        page.map(async (o) => ({ key: o.key, size: (await head(o.key))?.size ?? 0 })),
      );
      return {
        objects,
        cursor: matching.length > limit ? (page[page.length - 1]?.key ?? null) : null,
      };
    },
  };
}
