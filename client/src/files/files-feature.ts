import { CLOSE_CODES, closeCodeName, type Message } from '@browserpane/protocol';
import type { AttachedFeature, ClientFeature, ClientFeatureContext } from '../feature.ts';
import { AssemblyFailure, DownloadAssembler } from './download-assembler.ts';
import { attachDropZone } from './drop-zone.ts';
import { OutgoingUpload, UploadError, type UploadProgress, type UploadResult } from './uploader.ts';

export { UploadError, type UploadProgress, type UploadResult } from './uploader.ts';

/** A file the remote browser downloaded, received in full. */
export interface DownloadedFile {
  readonly fileId: number;
  readonly name: string;
  readonly size: number;
  readonly mime: string;
  readonly blob: Blob;
  readonly receivedAt: number;
}

/** An upload in progress (its outcome is `done`). */
export interface UploadHandle {
  readonly fileId: number;
  readonly name: string;
  readonly size: number;
  readonly done: Promise<UploadResult>;
  abort(): void;
}

export interface FilesStats {
  readonly uploadsStarted: number;
  readonly uploadsStored: number;
  readonly uploadsFailed: number;
  readonly downloadsReceived: number;
  readonly downloadsFailed: number;
}

/**
 * `client.feature<FilesApi>('files')`. Events (`{ type: 'feature', feature: 'files', … }`):
 * `uploadProgress` (UploadProgress), `uploadStored` (UploadResult & { name }), `uploadFailed`
 * `{ fileId, name, code }`, `downloadStarted` `{ fileId, name, size, mime }`, `downloadProgress`
 * `{ fileId, received, size }`, `download` (DownloadedFile), `downloadFailed` `{ fileId, code }`,
 * `dropActive` `{ active }`. A page waiting for a file is announced as a `notice`.
 */
export interface FilesApi extends AttachedFeature {
  /** Sends a file to the session; it lands in the upload directory and goes to the page's next file chooser. */
  upload(file: Blob, name?: string): UploadHandle;
  /** Uploads in progress. */
  uploads(): UploadHandle[];
  /** The last 20 downloads received on this connection, oldest first. */
  downloads(): DownloadedFile[];
  /** Saves a received download to the local disk (a download link click). */
  save(fileId: number): boolean;
  /** Whether this participant may upload now. */
  canUpload(): boolean;
  stats(): FilesStats;
}

export interface FilesFeatureOptions {
  /** Largest download accepted (default 1 GiB); larger ones are refused with `downloadAbort`. */
  readonly maxDownloadBytes?: number;
  /** Accept files dropped on the live view (default true). */
  readonly dropZone?: boolean;
}

/**
 * File transfer: uploads by API, drag-and-drop on the live view (and the console's picker), with
 * flow control and resumption after a reconnect; downloads the remote browser saved arrive as
 * Blobs (events and `downloads()`), checked byte for byte against what the host announced.
 */
export function filesFeature(options: FilesFeatureOptions = {}): ClientFeature<FilesApi> {
  return {
    name: 'files',
    wants: ['fileUpload', 'fileDownload'],
    messages: [
      'uploadAck',
      'uploadAbort',
      'downloadBegin',
      'downloadChunk',
      'downloadEnd',
      'downloadAbort',
    ],
    attach: (ctx) => new FileTransfer(ctx, options),
  };
}

let nextUploadId = 1;
/** Downloads `downloads()` remembers (their Blobs stay in memory until dropped). */
const MAX_KEPT_DOWNLOADS = 20;

class FileTransfer implements FilesApi {
  private readonly active = new Map<number, OutgoingUpload>();
  private readonly assembler: DownloadAssembler;
  private readonly received: DownloadedFile[] = [];
  private readonly detach: Array<() => void> = [];
  private readonly progressAt = new Map<number, number>();
  private readonly counts = {
    uploadsStarted: 0,
    uploadsStored: 0,
    uploadsFailed: 0,
    downloadsReceived: 0,
    downloadsFailed: 0,
  };

  constructor(
    private readonly ctx: ClientFeatureContext,
    options: FilesFeatureOptions,
  ) {
    this.assembler = new DownloadAssembler(options.maxDownloadBytes ?? 1024 * 1024 * 1024);
    if (options.dropZone !== false)
      this.detach.push(
        attachDropZone(ctx.stage.root, {
          enabled: () => this.canUpload(),
          onFiles: (files) => {
            for (const f of files) this.upload(f);
          },
          onActive: (active) => ctx.emit('dropActive', { active }),
        }),
      );
  }

  canUpload(): boolean {
    return this.ctx.capabilities.includes('fileUpload') && this.ctx.controls();
  }

  upload(file: Blob, name?: string): UploadHandle {
    const fileName = name ?? (file as File).name ?? 'upload';
    const fileId = nextUploadId;
    nextUploadId = (nextUploadId % 0xffffffff) + 1;
    const up = new OutgoingUpload(
      fileId,
      file,
      fileName,
      (m) => this.ctx.send(m),
      (p) => this.progress(p),
    );
    const handle: UploadHandle = {
      fileId,
      name: fileName,
      size: file.size,
      done: up.done,
      abort: () => up.abort(),
    };
    if (!this.canUpload()) {
      up.disconnected(); // settles its own `done`
      this.counts.uploadsFailed++;
      const refused = Promise.reject(
        new UploadError('not_permitted', 'this participant may not upload'),
      );
      refused.catch(() => undefined); // rejects for whoever awaits it, never unhandled
      this.ctx.emit('uploadFailed', { fileId, name: fileName, code: 'not_permitted' });
      return { ...handle, done: refused };
    }
    this.counts.uploadsStarted++;
    this.active.set(fileId, up);
    up.done.then(
      (r) => {
        this.active.delete(fileId);
        this.counts.uploadsStored++;
        this.ctx.emit('uploadStored', { ...r, name: fileName });
      },
      (err: UploadError) => {
        this.active.delete(fileId);
        this.counts.uploadsFailed++;
        this.ctx.emit('uploadFailed', { fileId, name: fileName, code: err.code });
      },
    );
    void up.run();
    return handle;
  }

  uploads(): UploadHandle[] {
    return [...this.active.values()].map((u) => ({
      fileId: u.fileId,
      name: u.name,
      size: u.size,
      done: u.done,
      abort: () => u.abort(),
    }));
  }

  downloads(): DownloadedFile[] {
    return [...this.received];
  }

  save(fileId: number): boolean {
    const d = this.received.find((f) => f.fileId === fileId);
    if (!d || typeof document === 'undefined') return false;
    const url = URL.createObjectURL(d.blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = d.name;
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return true;
  }

  stats(): FilesStats {
    return { ...this.counts };
  }

  onMessage(m: Message): void {
    switch (m.type) {
      case 'uploadAck':
      case 'uploadAbort':
        this.active.get(m.fileId)?.onMessage(m);
        return;
      case 'downloadBegin':
        return this.guard(m.fileId, () => {
          this.assembler.begin(m.fileId, m.name, m.size, m.mime);
          this.ctx.emit('downloadStarted', {
            fileId: m.fileId,
            name: m.name,
            size: m.size,
            mime: m.mime,
          });
        });
      case 'downloadChunk':
        return this.guard(m.fileId, () => {
          const f = this.assembler.chunk(m.fileId, m.offset, m.data);
          const now = performance.now();
          if (now - (this.progressAt.get(m.fileId) ?? 0) > 250) {
            this.progressAt.set(m.fileId, now);
            this.ctx.emit('downloadProgress', {
              fileId: m.fileId,
              received: f.received,
              size: f.size,
            });
          }
        });
      case 'downloadEnd':
        return this.guard(m.fileId, () => {
          const { file, blob } = this.assembler.end(m.fileId);
          this.progressAt.delete(m.fileId);
          const done: DownloadedFile = {
            fileId: file.fileId,
            name: file.name,
            size: file.size,
            mime: file.mime,
            blob,
            receivedAt: Date.now(),
          };
          this.received.push(done);
          // Keep the recent ones: the app got each in its `download` event already.
          if (this.received.length > MAX_KEPT_DOWNLOADS) this.received.shift();
          this.counts.downloadsReceived++;
          this.ctx.emit('download', done);
        });
      case 'downloadAbort':
        if (this.assembler.drop(m.fileId)) {
          this.counts.downloadsFailed++;
          this.ctx.emit('downloadFailed', {
            fileId: m.fileId,
            code: closeCodeName(m.code) ?? String(m.code),
          });
        }
        return;
      default:
        return;
    }
  }

  dispose(): void {
    for (const d of this.detach.splice(0)) d();
    for (const u of this.active.values()) u.disconnected();
    this.active.clear();
  }

  private progress(p: UploadProgress): void {
    this.ctx.emit('uploadProgress', p);
  }

  /** Runs a download step; a broken download is dropped, reported and the host told. */
  private guard(fileId: number, step: () => void): void {
    try {
      step();
    } catch (err) {
      const code = err instanceof AssemblyFailure ? err.code : 'failed';
      this.assembler.drop(fileId);
      this.counts.downloadsFailed++;
      this.ctx.emit('downloadFailed', { fileId, code });
      this.ctx.send({ type: 'downloadAbort', fileId, code: CLOSE_CODES.file_rejected });
    }
  }
}
