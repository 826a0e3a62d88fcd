import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Frame } from '../../protocol/frames.ts';
import { HostDownloads } from './host-downloads.ts';

describe('HostDownloads', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'wb-host-downloads-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('asks the starter for a download and copies the file it answers with', async () => {
    const frames: Frame[] = [];
    const host = new HostDownloads((f) => frames.push(f));
    const d = dir();
    const given = join(d, 'given.txt');
    writeFileSync(given, 'the terms');
    const to = join(d, 'saved.txt');
    const got = host.fetch({ name: 'terms.txt', since: 1000, timeoutMs: 5000 }, to);
    expect(frames).toEqual([
      { type: 'download.fetch', id: 1, name: 'terms.txt', since: 1000, timeout_ms: 5000 },
    ]);
    host.answer({ type: 'download.file', id: 7, path: given, error: null }); // not asked: ignored
    host.answer({ type: 'download.file', id: 1, path: given, error: null });
    expect(await got).toBe(true);
    expect(readFileSync(to, 'utf8')).toBe('the terms');
  });

  it('resolves false when none came and rejects with the starter’s error', async () => {
    const host = new HostDownloads(() => {});
    const none = host.fetch({ name: 'a.txt', since: 0, timeoutMs: 1 }, join(dir(), 'a'));
    host.answer({ type: 'download.file', id: 1, path: null, error: null });
    expect(await none).toBe(false);
    const failed = host.fetch({ name: 'b.txt', since: 0, timeoutMs: 1 }, join(dir(), 'b'));
    host.answer({ type: 'download.file', id: 2, path: null, error: 'edge unreachable' });
    await expect(failed).rejects.toThrow('edge unreachable');
  });
});
