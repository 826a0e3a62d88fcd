import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitServer, startGitServer } from '../../../test/support/git-server.ts';
import { archiveGitSource, type GitError } from '../src/source/git.ts';
import { extract, LIMITS, readSnapshot, SourceError } from '../src/source/tar.ts';

const allowGit = { protocols: ['git'], timeoutMs: 30_000 };

/** A ustar header + data block for one entry (what `git archive` and the edge write). */
function entry(name: string, data: string, type = '0', link = ''): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${Buffer.byteLength(data).toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write(type, 156);
  header.write(link, 157, 100);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const body = Buffer.alloc(Math.ceil(Buffer.byteLength(data) / 512) * 512);
  body.write(data);
  return Buffer.concat([header, body]);
}
const tarOf = (...entries: Buffer[]) => gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]));

function caught(fn: () => unknown): SourceError {
  try {
    fn();
  } catch (error) {
    return error as SourceError;
  }
  throw new Error('did not throw');
}

describe('source snapshots', () => {
  it('reads regular files and refuses links, unsafe paths and oversized sources', () => {
    const ok = readSnapshot(
      tarOf(entry('flows/', '', '5'), entry('flows/a.mjs', 'export default 1;')),
    );
    expect(ok.map((e) => [e.path, Buffer.from(e.data).toString()])).toEqual([
      ['flows/a.mjs', 'export default 1;'],
    ]);
    const link = caught(() => readSnapshot(tarOf(entry('evil', '', '2', '/etc/passwd'))));
    expect(link).toBeInstanceOf(SourceError);
    expect(link.message).toContain('symbolic link');
    for (const bad of ['../up.mjs', '/abs.mjs', 'a/../../b.mjs'])
      expect(caught(() => readSnapshot(tarOf(entry(bad, 'x')))).message).toContain('unsafe path');
    expect(caught(() => readSnapshot(Buffer.from('not gzip'))).message).toBe(
      'the snapshot is not gzip',
    );
    const many = Array.from({ length: LIMITS.files + 1 }, (_, i) => entry(`f${i}.txt`, 'x'));
    expect(caught(() => readSnapshot(tarOf(...many))).message).toContain(
      `more than ${LIMITS.files} files`,
    );
  });

  it('extracts entries below a directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-extract-'));
    try {
      extract(readSnapshot(tarOf(entry('a/b/c.txt', 'deep'), entry('top.txt', 'top'))), dir);
      expect(readFileSync(join(dir, 'a/b/c.txt'), 'utf8')).toBe('deep');
      expect(readdirSync(dir).sort()).toEqual(['a', 'top.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('git sources', () => {
  let git: GitServer;
  let url: string;
  beforeAll(async () => {
    git = await startGitServer();
    url = git.repository('repo', { 'flows/main.mjs': 'export default 1;\n', 'README.md': '# r\n' });
  });
  afterAll(() => git?.close());

  it('archives the commit a ref names, below root_path', async () => {
    const first = git.revParse('repo', 'main');
    const { commit, tar } = await archiveGitSource(
      { repository_url: url, ref: 'main', resolved_commit: null, root_path: 'flows' },
      allowGit,
    );
    expect(commit).toBe(first);
    expect(readSnapshot(gzipSync(tar)).map((e) => e.path)).toEqual(['main.mjs']);
    // A pinned commit stays what it was after the branch moves on.
    const second = git.commit('repo', { 'flows/main.mjs': 'export default 2;\n' });
    const pinned = await archiveGitSource(
      { repository_url: url, ref: 'main', resolved_commit: first, root_path: null },
      allowGit,
    );
    expect(pinned.commit).toBe(first);
    const moved = await archiveGitSource(
      { repository_url: url, ref: 'main', resolved_commit: null, root_path: null },
      allowGit,
    );
    expect(moved.commit).toBe(second);
    expect(execFileSync('tar', ['-t'], { input: moved.tar }).toString().split('\n')).toContain(
      'flows/main.mjs',
    );
  });

  it('tells a missing ref, a forbidden protocol, an unreachable host and a bad root_path apart', async () => {
    const fail = (source: Partial<Parameters<typeof archiveGitSource>[0]>, options = allowGit) =>
      archiveGitSource(
        { repository_url: url, ref: null, resolved_commit: null, root_path: null, ...source },
        options,
      ).then(
        () => {
          throw new Error('resolved');
        },
        (e: GitError) => ({ code: e.code, message: e.message }),
      );
    expect(await fail({ ref: 'no-such-branch' })).toMatchObject({ code: 'git_ref_not_found' });
    expect(await fail({}, { protocols: ['https'], timeoutMs: 30_000 })).toMatchObject({
      code: 'git_url_forbidden',
    });
    expect(await fail({ repository_url: '--upload-pack=touch /tmp/x' })).toMatchObject({
      code: 'git_url_forbidden',
    });
    expect(await fail({ repository_url: 'git://127.0.0.1:9/none' })).toMatchObject({
      code: 'git_unreachable',
    });
    expect(await fail({ root_path: 'nope' })).toMatchObject({ code: 'source_invalid' });
    const withSecret = await fail(
      { repository_url: 'https://user:hunter2@127.0.0.1:9/x' },
      {
        protocols: ['https'],
        timeoutMs: 30_000,
      },
    );
    expect(withSecret.message).not.toContain('hunter2');
  });
});
