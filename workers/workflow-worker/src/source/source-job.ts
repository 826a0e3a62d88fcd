/**
 * The `workflow_source` job: resolve a git source to a commit, archive it, check it (limits, no
 * links, the entrypoint is there), and deliver the gzipped snapshot to the edge — or tell the edge
 * why it cannot be used (the publishing request answers with that).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Api } from '../edge.ts';
import { archiveGitSource, GitError, type GitOptions, type GitSource } from './git.ts';
import { readSnapshot, SourceError } from './tar.ts';

export interface SourcePayload {
  version_id: string;
  source: GitSource;
  entrypoint: string;
  executor: string;
}

export function isSourcePayload(p: unknown): p is SourcePayload {
  const v = p as SourcePayload;
  return (
    typeof v?.version_id === 'string' &&
    typeof v.source?.repository_url === 'string' &&
    typeof v.entrypoint === 'string'
  );
}

export async function resolveSource(
  api: Api,
  payload: SourcePayload,
  options: GitOptions,
  log: (line: string) => void,
): Promise<void> {
  const params = { version_id: payload.version_id };
  try {
    const { commit, tar } = await archiveGitSource(payload.source, options);
    const gz = gzipSync(tar);
    const entries = readSnapshot(gz);
    if (!entries.some((e) => e.path === payload.entrypoint))
      throw new SourceError(
        'source_invalid',
        `${payload.entrypoint} (the entrypoint) is not in ${commit}${payload.source.root_path ? `:${payload.source.root_path}` : ''}`,
      );
    await api.storeWorkflowSourceSnapshot(
      { params, body: gz, contentType: 'application/gzip' },
      {
        headers: {
          'x-snapshot-sha256': createHash('sha256').update(gz).digest('hex'),
          'x-snapshot-file-count': String(entries.length),
          'x-resolved-commit': commit,
        },
        timeoutMs: 120_000,
      },
    );
    log(`source ${payload.version_id}: ${commit}, ${entries.length} files, ${gz.byteLength} bytes`);
  } catch (error) {
    if (error instanceof GitError || error instanceof SourceError) {
      log(`source ${payload.version_id}: ${error.code}: ${error.message}`);
      await api.failWorkflowSource({
        params,
        body: { code: error.code, message: error.message.slice(0, 2000) },
      });
      return;
    }
    throw error;
  }
}
