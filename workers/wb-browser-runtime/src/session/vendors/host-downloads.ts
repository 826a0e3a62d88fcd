// Downloads fetched by the process that started this runtime (`WB_BROWSER_CDP_DOWNLOADS=host`).
// The BrowserPane workflow worker runs the runtime with the `cdp` vendor and no credential of its
// own: a download of the run's sandboxed browser is never on this filesystem, so the runtime asks
// the worker (`download.fetch` frame on stdout), which fetches it from the session's recorded
// files as it does for Playwright entrypoints, and answers with a local path (`download.file` on
// stdin).

import { copyFile } from 'node:fs/promises';
import type { Emit } from '../../protocol/frames.ts';
import type { DownloadFileMessage } from '../../protocol/input.ts';

export class HostDownloads {
  readonly #emit: Emit;
  readonly #waiting = new Map<
    number,
    { resolve: (path: string | null) => void; reject: (e: Error) => void }
  >();
  #next = 0;

  constructor(emit: Emit) {
    this.#emit = emit;
  }

  /** Writes to `to` the download named `name` finished at or after `since`; false when none came. */
  async fetch(
    file: { name: string; since: number; timeoutMs: number },
    to: string,
  ): Promise<boolean> {
    const id = ++this.#next;
    const path = await new Promise<string | null>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#emit({
        type: 'download.fetch',
        id,
        name: file.name,
        since: file.since,
        timeout_ms: file.timeoutMs,
      });
    });
    if (!path) return false;
    await copyFile(path, to);
    return true;
  }

  /** The starter's answer to a `download.fetch`. */
  answer(message: DownloadFileMessage): void {
    const waiting = this.#waiting.get(message.id);
    if (!waiting) return;
    this.#waiting.delete(message.id);
    if (message.error) waiting.reject(new Error(message.error));
    else waiting.resolve(message.path);
  }
}
