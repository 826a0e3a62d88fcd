/**
 * The downloads of a run's browser. The session's Chromium runs in its sandbox on a host, so the
 * file Playwright reports is never on this machine; the host records every download as a session
 * file, and the worker fetches it from there with the wb runtime's `fetchSessionFile`. The edge
 * lets a worker read only the files of the session of a run it executes now, shown by the
 * attempt's lease secret (`x-bpane-run-lease`, given with the claim).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  fetchSessionFile,
  type SessionFileSource,
} from 'wb-browser-runtime/src/session/vendors/session-files.ts';
import type { Api } from './edge.ts';

/** How long a download may take to show up among the session's files. */
const DOWNLOAD_WAIT_MS = 60_000;

/** What the worker sends wherever it reaches into a run's session. */
export function leaseHeaders(lease: string): Record<string, string> {
  return { 'x-bpane-run-lease': lease };
}

function edgeFiles(api: Api, lease: string): SessionFileSource {
  const headers = leaseHeaders(lease);
  return {
    files: async (sessionId) =>
      (
        await api.listSessionFiles(
          { params: { session_id: sessionId }, query: { limit: 500 } },
          { headers },
        )
      ).files,
    fileContent: async (sessionId, fileId) => {
      const response = await api.getSessionFileContent(
        { params: { session_id: sessionId, file_id: fileId } },
        { headers },
      );
      if (!response.body) throw new Error('the session file came back empty');
      return response.body;
    },
  };
}

/**
 * Fetches a download of the session into `dir` (one file per call, each session file at most
 * once): the path, or null when no file of that name was recorded in time.
 */
export function sessionDownloads(
  api: Api,
  sessionId: string,
  lease: string,
  dir: string,
): (file: { name: string; since: number }) => Promise<string | null> {
  const source = edgeFiles(api, lease);
  const taken = new Set<string>();
  let count = 0;
  return async ({ name, since }) => {
    mkdirSync(dir, { recursive: true });
    const to = join(dir, String(++count));
    const got = await fetchSessionFile(
      source,
      sessionId,
      { name, since, timeoutMs: DOWNLOAD_WAIT_MS },
      to,
      taken,
    );
    return got ? to : null;
  };
}
