/**
 * Git repositories made on the fly and served on loopback by `git daemon` (the git:// protocol),
 * for workflow sources in tests.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../../edge/local/ports.ts';

export interface GitServer {
  /** `git://127.0.0.1:<port>/<name>` of a repository created with these files (one commit). */
  repository(name: string, files: Record<string, string>): string;
  /** Adds a commit (files changed or added) on the default branch; returns its SHA. */
  commit(name: string, files: Record<string, string>, message?: string): string;
  /** The commit SHA a ref points to. */
  revParse(name: string, ref: string): string;
  close(): Promise<void>;
}

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.test',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.test',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

async function listening(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('git daemon did not start');
}

export async function startGitServer(): Promise<GitServer> {
  const root = mkdtempSync(join(tmpdir(), 'bp-git-server-'));
  const port = await freePort();
  const daemon: ChildProcess = spawn(
    'git',
    [
      'daemon',
      '--reuseaddr',
      `--base-path=${root}`,
      '--export-all',
      '--listen=127.0.0.1',
      `--port=${port}`,
      root,
    ],
    { env: GIT_ENV, stdio: 'ignore' },
  );
  await listening(port);
  const write = (dir: string, files: Record<string, string>) => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
  };
  const commit = (name: string, files: Record<string, string>, message = 'change') => {
    const dir = join(root, name);
    write(dir, files);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', message);
    return git(dir, 'rev-parse', 'HEAD');
  };
  return {
    repository(name, files) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      git(dir, 'init', '-q', '-b', 'main');
      commit(name, files, 'first');
      return `git://127.0.0.1:${port}/${name}`;
    },
    commit,
    revParse: (name, ref) => git(join(root, name), 'rev-parse', ref),
    async close() {
      daemon.kill('SIGTERM');
      rmSync(root, { recursive: true, force: true });
    },
  };
}
