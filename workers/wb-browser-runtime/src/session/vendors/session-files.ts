/**
 * A download of a BrowserPane session's browser, from the session files its host records: the
 * browser runs on that host, in its sandbox, so Playwright's own download path is never on this
 * machine. Used by the browserpane vendor and by the workflow worker (for its entrypoints).
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SessionFile } from '@browserpane/api';

const CLOCK_SLACK_MS = 5_000;
const FILE_POLL_MS = 250;

/** Where the session's files come from (the edge, through the caller's credential). */
export interface SessionFileSource {
  /** The session's files, oldest first. */
  files(sessionId: string): Promise<SessionFile[]>;
  /** A session file's bytes. */
  fileContent(sessionId: string, fileId: string): Promise<ReadableStream<Uint8Array>>;
}

/**
 * Waits for the newest file named `name` recorded since `since` (epoch ms) that no earlier call
 * took (`taken`), writes it to `to`, and resolves true; false when none came within `timeoutMs`.
 */
export async function fetchSessionFile(
  source: SessionFileSource,
  sessionId: string,
  file: { name: string; since: number; timeoutMs: number },
  to: string,
  taken: Set<string>,
): Promise<boolean> {
  const deadline = Date.now() + file.timeoutMs;
  // the edge's clock and ours may differ a little
  const since = file.since - CLOCK_SLACK_MS;
  for (;;) {
    const found = (await source.files(sessionId))
      .filter((f) => f.name === file.name && !taken.has(f.id))
      .filter((f) => Date.parse(f.created_at) >= since)
      .at(-1);
    if (found) {
      taken.add(found.id);
      await pipeline(
        Readable.fromWeb(await source.fileContent(sessionId, found.id)),
        createWriteStream(to),
      );
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, FILE_POLL_MS));
  }
}
