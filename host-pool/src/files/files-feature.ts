import { join } from 'node:path';
import { CAP, CLOSE_CODES } from '@browserpane/protocol';
import type { SessionFeature } from '../sessions/feature.ts';
import { BrowserLink } from './browser-link.ts';
import { DownloadSender } from './download-sender.ts';
import { DownloadWatcher } from './download-watcher.ts';
import { FileChooserBridge } from './file-chooser.ts';
import type { SessionFileSink } from './session-file-sink.ts';
import { UploadReceiver } from './upload-receiver.ts';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits, UploadStore } from './upload-store.ts';

export interface FilesFeatureOptions {
  /** Where downloads are recorded as session files (the edge); none: streamed only. */
  readonly sink?: SessionFileSink | undefined;
  readonly uploadLimits?: Partial<UploadLimits>;
  /** Largest download sent to participants and recorded (default 256 MiB). */
  readonly maxDownloadBytes?: number;
}

/** The running file transfer of one session (tests and diagnostics). */
export interface SessionFiles {
  readonly store: UploadStore;
  readonly receiver: UploadReceiver;
  readonly chooser: FileChooserBridge;
  readonly sender: DownloadSender;
  /** The session's files folder (uploads and bound workspace files). */
  readonly uploads: string;
  /** Where bytes wait until they are whole (outside `uploads`). */
  readonly partials: string;
}

const running = new Map<string, SessionFiles>();

/** The file transfer of a live session on this host, if the feature runs there. */
export function sessionFiles(sessionId: string): SessionFiles | undefined {
  return running.get(sessionId);
}

const SWEEP_MS = 60_000;

/**
 * Files in both directions. Uploads (`file-up`) land in the session's upload directory and are
 * handed to the page's next file chooser through DevTools; files the browser downloads are
 * streamed to participants (`file-down`) and recorded as session files with the edge. Off for
 * sessions created with the `files` capability switched off.
 */
export function filesFeature(options: FilesFeatureOptions = {}): SessionFeature {
  const limits: UploadLimits = { ...DEFAULT_UPLOAD_LIMITS, ...options.uploadLimits };
  return {
    name: 'files',
    capabilities: async () => CAP.fileUpload | CAP.fileDownload,
    async attach(ctx) {
      if (ctx.options.capabilities.files === false) return async () => undefined;
      const { hub, log, runtime } = ctx;
      const paths = runtime.paths;
      const store = new UploadStore(
        { uploads: paths.uploads, partials: join(paths.root, 'upload-partials') },
        limits,
      );
      const chooser = new FileChooserBridge(
        {
          waiting: () => {
            for (const p of hub.list()) {
              if (!(p.capabilities & CAP.fileUpload) || !hub.controls(p)) continue;
              p.peer.send({
                type: 'notice',
                level: 'info',
                code: CLOSE_CODES.normal,
                message: 'The page asks for a file: upload one to give it to the page.',
              });
            }
          },
          filled: (files) => ctx.record('file_chooser_filled', { files: files.length }),
        },
        log,
      );
      const receiver = new UploadReceiver(
        hub,
        store,
        (stored, moreComing) => {
          chooser.offer({ path: stored.path, storedName: stored.storedName }, moreComing);
          ctx.record('file_uploaded', { name: stored.storedName, size: stored.size });
        },
        log,
      );
      const sender = new DownloadSender({
        sessionId: ctx.sessionId,
        hub,
        maxBytes: options.maxDownloadBytes ?? 256 * 1024 * 1024,
        sink: options.sink,
        record: ctx.record,
        log,
      });
      const watcher = new DownloadWatcher(
        paths.downloads,
        join(paths.root, 'download-snapshots'),
        (d) => void sender.send(d).finally(() => d.release()),
        log,
        (from, to) => runtime.collectDownload(from, to),
      );
      const link = new BrowserLink(() => runtime.cdpWebSocketUrl(), log);
      link.onConnect((client) => chooser.setup(client));
      link.onConnect((client) => watcher.setup(client));
      // In the background: a browser slow to answer DevTools must not hold the session's start
      // (BrowserLink keeps retrying; choosers and downloads work once it is connected).
      void link.start();
      const sweeper = setInterval(() => void store.sweep(), SWEEP_MS);
      sweeper.unref();
      running.set(ctx.sessionId, {
        store,
        receiver,
        chooser,
        sender,
        uploads: paths.uploads,
        partials: join(paths.root, 'upload-partials'),
      });
      return async () => {
        if (running.get(ctx.sessionId)?.store === store) running.delete(ctx.sessionId);
        clearInterval(sweeper);
        receiver.stop();
        sender.stop();
        await link.close();
        await store.close();
      };
    },
  };
}
