import { mkdirSync, rmSync } from 'node:fs';
import { link, lstat, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { CdpClient } from '../cdp/index.ts';
import type { Logger } from '../log.ts';
import { downloadName } from './file-names.ts';

/** A file the remote browser finished saving. */
export interface CompletedDownload {
  /** Chromium's id of the download (also the file's name on disk). */
  readonly guid: string;
  /** The name the page suggested, cleaned. */
  readonly name: string;
  /** The agent's own link to the file (in a directory the browser cannot change). */
  readonly path: string;
  readonly size: number;
  /** Removes the agent's link once the file has been sent and recorded. */
  release(): Promise<void>;
}

/**
 * Watches the browser's downloads through DevTools: downloads are saved without a prompt into
 * the session's download directory under Chromium's id (`allowAndName`, so two downloads of the
 * same name never collide), and `Browser.downloadProgress` says exactly when one is complete and
 * where it is — no polling for a stable size. Canceled downloads are forgotten.
 *
 * A download an automation client sent elsewhere (Playwright picks its own directory, which for
 * a sandboxed browser lies inside the sandbox) is first copied into the download directory by
 * `bringIn`, as the browser sees it. Then the file is taken from the download directory, never by
 * following the browser's word: the directory belongs to the session (its sandbox user), which
 * could leave a link to a host file or a FIFO there. The agent hard-links the entry (a link never
 * follows one) into its own `snapshots` directory, keeps it only if it is a regular file, and
 * reads that.
 */
export class DownloadWatcher {
  private readonly started = new Map<string, string>();

  constructor(
    private readonly dir: string,
    /** The agent's directory for links to finished downloads (not writable by the browser). */
    private readonly snapshots: string,
    private readonly onComplete: (d: CompletedDownload) => void,
    private readonly log: Logger,
    /** Copies a finished download from elsewhere in the browser's view to `to` (see above). */
    private readonly bringIn?: (from: string, to: string) => Promise<void>,
  ) {
    // links a previous run left (killed while sending) only hold disk space
    rmSync(snapshots, { recursive: true, force: true });
    mkdirSync(snapshots, { recursive: true, mode: 0o700 });
  }

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
      const safeGuid = /^[\w-]{1,64}$/.test(guid) ? guid : '';
      const path = reported || (safeGuid ? join(this.dir, safeGuid) : '');
      if (!isAbsolute(path) || !basename(path)) return;
      void this.collect(path, safeGuid)
        .then((inside) => (inside ? this.snapshot(inside, guid) : undefined))
        .then(
          (snap) => {
            if (!snap) return;
            this.log.info('download finished', { guid, size: snap.size });
            this.onComplete({ guid, name, ...snap });
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

  /** The path of the download in the download directory, brought in from elsewhere if need be. */
  private async collect(path: string, guid: string): Promise<string | undefined> {
    if (dirname(path) === this.dir) return path;
    if (!this.bringIn || !guid) {
      this.log.info('download outside the session download folder is not sent', { guid });
      return undefined;
    }
    const inside = join(this.dir, `${guid}-collected`);
    await this.bringIn(path, inside);
    return inside;
  }

  /** The agent's own link to `path`, if that is a regular file (see the class comment). */
  private async snapshot(
    path: string,
    guid: string,
  ): Promise<{ path: string; size: number; release(): Promise<void> } | undefined> {
    const own = join(this.snapshots, `${guid.replace(/[^\w-]/g, '_')}-${Date.now()}`);
    await link(path, own);
    const release = () => rm(own, { force: true });
    const st = await lstat(own);
    if (!st.isFile()) {
      await release();
      this.log.warn('a finished download is not a regular file; not sent', { guid });
      return undefined;
    }
    return { path: own, size: st.size, release };
  }
}
