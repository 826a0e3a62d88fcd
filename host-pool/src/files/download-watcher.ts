import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { CdpClient } from '../cdp/index.ts';
import type { Logger } from '../log.ts';
import { downloadName } from './file-names.ts';

/** A file the remote browser finished saving. */
export interface CompletedDownload {
  /** Chromium's id of the download (also the file's name on disk). */
  readonly guid: string;
  /** The name the page suggested, cleaned. */
  readonly name: string;
  readonly path: string;
  readonly size: number;
}

/**
 * Watches the browser's downloads through DevTools: downloads are saved without a prompt into
 * the session's download directory under Chromium's id (`allowAndName`, so two downloads of the
 * same name never collide), and `Browser.downloadProgress` says exactly when one is complete and
 * where it is — no polling for a stable size. An automation client attached with Playwright sets
 * its own download behaviour (its directory wins); the events still reach us with the path, so
 * its downloads are streamed and recorded too. Canceled downloads are forgotten.
 */
export class DownloadWatcher {
  private readonly started = new Map<string, string>();

  constructor(
    private readonly dir: string,
    private readonly onComplete: (d: CompletedDownload) => void,
    private readonly log: Logger,
  ) {}

  /** Browser-level setup (BrowserLink runs it on every connection). */
  async setup(client: CdpClient): Promise<void> {
    client.on('Browser.downloadWillBegin', (params) => {
      const guid = String(params.guid ?? '');
      if (!guid) return;
      const name = downloadName(String(params.suggestedFilename ?? ''));
      this.started.set(guid, name);
      this.log.info('download started', { guid, name });
    });
    client.on('Browser.downloadProgress', (params) => {
      const guid = String(params.guid ?? '');
      const name = this.started.get(guid);
      if (!guid || name === undefined) return;
      if (params.state === 'canceled') {
        this.started.delete(guid);
        this.log.info('download canceled', { guid });
      }
      if (params.state !== 'completed') return;
      this.started.delete(guid);
      // Chromium says where it saved the file (another DevTools client — Playwright attached
      // for automation — may have pointed downloads elsewhere); older builds only name it by id.
      const reported = typeof params.filePath === 'string' ? params.filePath : '';
      let path: string;
      if (isAbsolute(reported)) path = reported;
      else if (/^[\w-]{1,64}$/.test(guid)) path = join(this.dir, guid);
      else return;
      void stat(path).then(
        (s) => {
          this.log.info('download finished', { guid, size: s.size });
          this.onComplete({ guid, name, path, size: s.size });
        },
        (err) => this.log.warn('finished download not found', { err }),
      );
    });
    await client.send('Browser.setDownloadBehavior', {
      behavior: 'allowAndName',
      downloadPath: this.dir,
      eventsEnabled: true,
    });
  }
}
