/**
 * Resolving a git source with the `git` binary: prompts off (`GIT_TERMINAL_PROMPT=0`, ssh in
 * BatchMode), only the allowed protocols (`GIT_ALLOW_PROTOCOL`), a time limit per command. The
 * worker's own git configuration applies (SSH keys, credential helpers, proxies, CAs). The commit
 * is fetched shallowly and archived (`git archive`), optionally below `root_path`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface GitSource {
  repository_url: string;
  ref: string | null;
  resolved_commit: string | null;
  root_path: string | null;
}

export class GitError extends Error {
  constructor(
    readonly code: 'git_ref_not_found' | 'git_unreachable' | 'git_url_forbidden' | 'source_invalid',
    message: string,
  ) {
    super(message);
  }
}

export interface GitOptions {
  protocols: readonly string[];
  timeoutMs: number;
}

function gitEnv(protocols: readonly string[]): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ALLOW_PROTOCOL: protocols.join(':'),
    GIT_ASKPASS: '/bin/false',
    SSH_ASKPASS: '/bin/false',
    GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'protocol.ext.allow',
    GIT_CONFIG_VALUE_0: 'never',
    GIT_CONFIG_KEY_1: 'protocol.file.allow',
    GIT_CONFIG_VALUE_1: 'never',
    LC_ALL: 'C',
  };
}

function git(args: string[], cwd: string, options: GitOptions, binary = false): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd,
        env: gitEnv(options.protocols),
        timeout: options.timeoutMs,
        maxBuffer: 128 * 1024 * 1024,
        encoding: 'buffer',
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const text = stderr
          .toString()
          .trim()
          .split('\n')
          .filter(Boolean)
          .slice(-3)
          .join(' ')
          .slice(0, 600);
        const killed = (error as { killed?: boolean }).killed;
        reject(
          new Error(
            killed
              ? `git ${args[0]} took longer than ${options.timeoutMs} ms`
              : text || error.message,
          ),
        );
      },
    );
    void binary;
  });
}

/** Keeps credentials and user info out of messages. */
function redact(text: string): string {
  return text.replace(/\/\/[^/@\s]*@/g, '//***@');
}

function classify(message: string): GitError {
  const m = redact(message);
  if (
    /couldn't find remote ref|not our ref|no such ref|unadvertised object|reference is not a tree|Not a valid object name|invalid object name/i.test(
      m,
    )
  )
    return new GitError('git_ref_not_found', m);
  if (/transport '.*' not allowed|protocol .* is not supported/i.test(m))
    return new GitError('git_url_forbidden', m);
  return new GitError('git_unreachable', `git could not fetch the repository: ${m}`);
}

/** Fetches the source's commit and archives it: `{ commit, tar }` (an uncompressed tar). */
export async function archiveGitSource(
  source: GitSource,
  options: GitOptions,
): Promise<{ commit: string; tar: Buffer }> {
  if (source.repository_url.startsWith('-'))
    throw new GitError('git_url_forbidden', 'the repository URL starts with "-"');
  const dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'bp-git-'));
  try {
    await git(['init', '--quiet', '--bare', '.'], dir, options);
    const want = source.resolved_commit ?? source.ref ?? 'HEAD';
    try {
      await git(
        [
          '-c',
          'protocol.version=2',
          'fetch',
          '--quiet',
          '--no-tags',
          '--depth=1',
          '--',
          source.repository_url,
          want,
        ],
        dir,
        options,
      );
    } catch (error) {
      throw classify((error as Error).message);
    }
    const commit = (await git(['rev-parse', '--verify', 'FETCH_HEAD^{commit}'], dir, options))
      .toString()
      .trim();
    if (source.resolved_commit && commit !== source.resolved_commit)
      throw new GitError(
        'git_ref_not_found',
        `the repository gave ${commit} for ${source.resolved_commit}`,
      );
    const tree = source.root_path ? `${commit}:${source.root_path}` : commit;
    let tar: Buffer;
    try {
      tar = await git(['archive', '--format=tar', tree], dir, options, true);
    } catch (error) {
      throw new GitError(
        'source_invalid',
        `root_path ${source.root_path ?? ''} is not a directory of ${commit}: ${redact((error as Error).message)}`,
      );
    }
    return { commit, tar };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
