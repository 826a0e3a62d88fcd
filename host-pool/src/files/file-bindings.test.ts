import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log.ts';
import { FileBindingPlacer, mountTarget } from './file-bindings.ts';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

describe('file binding placement', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('never resolves a mount path outside the session files folder', () => {
    expect(mountTarget('/s/uploads', 'a/b.txt')).toBe('/s/uploads/a/b.txt');
    for (const bad of ['../x', '/etc/passwd', 'a/../../x', 'a//b', './a', 'a\\b', '', 'a/..'])
      expect([bad, mountTarget('/s/uploads', bad)]).toEqual([bad, null]);
  });

  it('places checked bytes, offers them to the chooser, reports, and removes them again', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bp-bind-'));
    dirs.push(root);
    const content = 'bound bytes for the page';
    const reports: unknown[] = [];
    const offered: string[] = [];
    const placer = new FileBindingPlacer(
      {
        content: async (_s, id) =>
          new Response(id === 'bad' ? 'tampered bytes!!!!!!!!!!' : content),
        report: async (_s, id, body) => reports.push({ id, ...body }),
      },
      () => ({
        dir: join(root, 'uploads'),
        partials: join(root, 'partials'),
        offer: (f) => offered.push(f.path),
      }),
      createLogger({}, 'error'),
    );
    const want = (id: string, mount: string) => ({
      binding_id: id,
      mount_path: mount,
      byte_count: content.length,
      sha256_hex: sha(content),
      state: 'pending',
    });
    placer.follow([
      {
        session_id: 's',
        desired: 'running',
        file_bindings: [want('ok', 'in/a.txt'), want('bad', 'b.txt')],
      },
    ]);
    await expect.poll(() => reports.length).toBe(2);
    const path = join(root, 'uploads', 'in', 'a.txt');
    expect(readFileSync(path, 'utf8')).toBe(content);
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(offered).toEqual([path]);
    expect(reports).toContainEqual({ id: 'ok', state: 'materialized' });
    expect(reports).toContainEqual(expect.objectContaining({ id: 'bad', state: 'failed' }));
    expect(existsSync(join(root, 'uploads', 'b.txt'))).toBe(false);
    placer.follow([{ session_id: 's', desired: 'running', file_bindings: [] }]);
    await expect.poll(() => existsSync(path)).toBe(false);
  });
});
