import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransferError } from './errors.ts';
import { DEFAULT_UPLOAD_LIMITS, UploadStore } from './upload-store.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

async function refused(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    if (err instanceof TransferError) return err.code;
    throw err;
  }
}

describe('UploadStore', () => {
  let root: string;
  let dirs: { uploads: string; partials: string };
  let store: UploadStore;
  const begin = (over: Partial<Parameters<UploadStore['begin']>[0]> = {}) =>
    store.begin({
      connection: 'c1',
      principal: 'demo',
      fileId: 1,
      name: 'hello.txt',
      size: 11,
      mime: 'text/plain',
      ...over,
    });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bp-up-'));
    dirs = { uploads: join(root, 'uploads'), partials: join(root, 'partials') };
    store = new UploadStore(dirs, { ...DEFAULT_UPLOAD_LIMITS, ackEveryBytes: 4 });
  });
  afterEach(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('stores a file only when complete, under its name', async () => {
    expect(begin()).toBe(0);
    expect(await store.chunk('c1', 1, 0, bytes('hello '))).toBe(6);
    expect(readdirSync(dirs.uploads)).toEqual([]);
    await store.chunk('c1', 1, 6, bytes('world'));
    const stored = await store.end('c1', 1);
    expect(stored.storedName).toBe('hello.txt');
    expect(readFileSync(stored.path, 'utf8')).toBe('hello world');
    expect(readdirSync(dirs.partials)).toEqual([]);
    // a second file of the same name gets a new name
    begin({ fileId: 2 });
    await store.chunk('c1', 2, 0, bytes('hello world'));
    expect((await store.end('c1', 2)).storedName).toBe('hello (2).txt');
  });

  it('stores empty files', async () => {
    begin({ size: 0, name: 'empty.bin' });
    const stored = await store.end('c1', 1);
    expect(readFileSync(stored.path).byteLength).toBe(0);
  });

  it('refuses bad names, sizes, offsets and ids with protocol codes', async () => {
    expect(await refused(() => begin({ name: '../x' }))).toBe('file_rejected');
    expect(await refused(() => begin({ name: 'a/b' }))).toBe('file_rejected');
    expect(await refused(() => begin({ size: DEFAULT_UPLOAD_LIMITS.maxFileBytes + 1 }))).toBe(
      'file_too_large',
    );
    expect(await refused(() => begin({ size: -1 }))).toBe('file_rejected');
    begin();
    expect(await refused(() => begin())).toBe('file_rejected'); // id in use
    expect(await refused(() => store.chunk('c1', 1, 3, bytes('x')))).toBe('file_rejected');
    expect(await refused(() => store.chunk('c1', 9, 0, bytes('x')))).toBe('file_rejected');
    expect(await refused(() => store.chunk('c1', 1, 0, bytes('x'.repeat(12))))).toBe(
      'file_rejected',
    );
    expect(await refused(() => store.chunk('c1', 1, 0, new Uint8Array(0)))).toBe('file_rejected');
    await store.chunk('c1', 1, 0, bytes('hello'));
    expect(await refused(() => store.end('c1', 1))).toBe('file_rejected'); // short
    expect(await refused(() => store.end('c2', 1))).toBe('file_rejected'); // unknown
  });

  it('deletes an aborted upload and never offers it', async () => {
    begin();
    await store.chunk('c1', 1, 0, bytes('hello'));
    expect(readdirSync(dirs.partials)).toHaveLength(1);
    await store.abort('c1', 1);
    expect(readdirSync(dirs.partials)).toEqual([]);
    expect(readdirSync(dirs.uploads)).toEqual([]);
    expect(await refused(() => store.chunk('c1', 1, 5, bytes('x')))).toBe('file_rejected');
  });

  it('resumes an interrupted upload for the same principal and file', async () => {
    begin();
    await store.chunk('c1', 1, 0, bytes('hello'));
    store.disconnect('c1', 1000);
    expect(store.counts).toEqual({ active: 0, finishing: 0, interrupted: 1 });
    // someone else with the same file name starts from zero
    expect(begin({ connection: 'c3', principal: 'other' })).toBe(0);
    // the same principal on a new connection continues at byte 5
    expect(begin({ connection: 'c2', fileId: 7 })).toBe(5);
    await store.chunk('c2', 7, 5, bytes(' world'));
    const stored = await store.end('c2', 7);
    expect(readFileSync(stored.path, 'utf8')).toBe('hello world');
  });

  it('sweeps interrupted uploads nobody resumed', async () => {
    begin();
    await store.chunk('c1', 1, 0, bytes('hello'));
    store.disconnect('c1', 1000);
    await store.sweep(1000 + DEFAULT_UPLOAD_LIMITS.resumeTtlMs + 1);
    expect(store.counts.interrupted).toBe(0);
    expect(readdirSync(dirs.partials)).toEqual([]);
  });

  it('enforces the per-connection and per-session limits', async () => {
    const tight = new UploadStore(
      { uploads: join(root, 'u2'), partials: join(root, 'p2') },
      {
        ...DEFAULT_UPLOAD_LIMITS,
        maxActivePerConnection: 1,
        maxSessionBytes: 20,
        maxQueuedBytes: 4,
      },
    );
    tight.begin({ connection: 'c', principal: 'p', fileId: 1, name: 'a', size: 15, mime: '' });
    expect(
      await refused(() =>
        tight.begin({ connection: 'c', principal: 'p', fileId: 2, name: 'b', size: 1, mime: '' }),
      ),
    ).toBe('rate_limited');
    expect(
      await refused(() =>
        tight.begin({ connection: 'd', principal: 'p', fileId: 2, name: 'b', size: 6, mime: '' }),
      ),
    ).toBe('file_too_large');
    expect(await refused(() => tight.chunk('c', 1, 0, bytes('12345')))).toBe('rate_limited');
    await tight.close();
    expect(existsSync(join(root, 'p2'))).toBe(true);
    expect(readdirSync(join(root, 'p2'))).toEqual([]);
  });
});
