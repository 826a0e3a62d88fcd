import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CAP, CLOSE_CODES, MAX_FILE_CHUNK_BYTES } from '@browserpane/protocol';
import type { Logger } from '../log.ts';
import type { Participant } from '../relay/participant.ts';
import type { SessionHub } from '../relay/session-hub.ts';
import type { CompletedDownload } from './download-watcher.ts';
import { mimeFor } from './file-names.ts';
import type { SessionFileSink } from './session-file-sink.ts';

/** Stop feeding a participant while this much is queued to it (the picture must not starve). */
const HIGH_WATER_BYTES = 1024 * 1024;
/** A participant that takes nothing for this long loses the download (others keep theirs). */
const STALL_MS = 30_000;
const RECORD_ATTEMPTS = 3;

export interface DownloadStats {
  delivered: number;
  refused: number;
  recorded: number;
  recordFailures: number;
}

/**
 * Sends each file the browser saved to every participant granted `fileDownload` (64 KiB chunks,
 * paced by what each participant's connection has taken so a download never starves its
 * picture), and records it as a session file with the edge (content streamed from disk, retried).
 */
export class DownloadSender {
  readonly stats: DownloadStats = { delivered: 0, refused: 0, recorded: 0, recordFailures: 0 };
  private nextId = 1;
  private stopped = false;
  /** `connectionId:fileId` of downloads a participant gave up on. */
  private readonly cancelled = new Set<string>();

  constructor(
    private readonly options: {
      readonly sessionId: string;
      readonly hub: SessionHub;
      readonly maxBytes: number;
      readonly sink: SessionFileSink | undefined;
      readonly record: (type: string, data: Record<string, unknown>) => void;
      readonly log: Logger;
    },
  ) {
    options.hub.handle('downloadAbort', (m, p) => {
      if (m.type !== 'downloadAbort') return;
      if (this.cancelled.size > 1024) this.cancelled.clear(); // ids nobody streams
      this.cancelled.add(`${p.id}:${m.fileId}`);
    });
  }

  stop(): void {
    this.stopped = true;
  }

  async send(d: CompletedDownload): Promise<void> {
    const { hub, log } = this.options;
    const receivers = hub.list().filter((p) => p.capabilities & CAP.fileDownload);
    if (d.size > this.options.maxBytes) {
      this.stats.refused++;
      for (const p of receivers)
        p.peer.send({
          type: 'notice',
          level: 'warning',
          code: CLOSE_CODES.file_too_large,
          message: `The page downloaded a file larger than this host sends (${this.options.maxBytes} bytes); it stays in the session.`,
        });
      this.options.record('file_download_refused', { name: d.name, size: d.size });
      return;
    }
    const mime = mimeFor(d.name);
    let sha256: string;
    try {
      sha256 = await hashFile(d.path);
    } catch (err) {
      log.warn('cannot read a finished download', { err });
      return;
    }
    const recordId = randomUUID();
    await Promise.all([
      this.stream(d, mime, receivers),
      this.recordWithEdge({
        fileId: recordId,
        name: d.name,
        mime,
        size: d.size,
        sha256,
        path: d.path,
      }),
    ]);
    this.options.record('file_downloaded', {
      file_id: recordId,
      name: d.name,
      size: d.size,
      mime,
      sha256,
    });
  }

  private async stream(
    d: CompletedDownload,
    mime: string,
    receivers: Participant[],
  ): Promise<void> {
    if (receivers.length === 0) return;
    const fileId = this.nextId;
    this.nextId = (this.nextId % 0xffffffff) + 1;
    let live = receivers.filter((p) => !p.peer.closed);
    for (const p of live)
      p.peer.send({ type: 'downloadBegin', fileId, name: d.name, size: d.size, mime });
    let offset = 0;
    try {
      for await (const chunk of createReadStream(d.path, { highWaterMark: MAX_FILE_CHUNK_BYTES })) {
        const data = new Uint8Array(chunk as Buffer);
        if (this.stopped) throw new Error('stopped');
        live = await this.paced(live, fileId);
        for (const p of live) p.peer.send({ type: 'downloadChunk', fileId, offset, data });
        offset += data.byteLength;
      }
    } catch (err) {
      this.options.log.warn('download stream broke off', { err });
      for (const p of live)
        p.peer.send({ type: 'downloadAbort', fileId, code: CLOSE_CODES.file_rejected });
      return;
    }
    live = live.filter((p) => !this.cancelled.has(`${p.id}:${fileId}`));
    for (const p of live) p.peer.send({ type: 'downloadEnd', fileId });
    this.stats.delivered += live.length;
    for (const p of receivers) this.cancelled.delete(`${p.id}:${fileId}`);
  }

  /** Waits until every live receiver has room; drops (with an abort) one that never takes any. */
  private async paced(receivers: Participant[], fileId: number): Promise<Participant[]> {
    const started = Date.now();
    for (;;) {
      const live = receivers.filter(
        (p) => !p.peer.closed && !this.cancelled.has(`${p.id}:${fileId}`),
      );
      const full = live.filter((p) => p.peer.queuedBytes > HIGH_WATER_BYTES);
      if (full.length === 0) return live;
      if (Date.now() - started > STALL_MS) {
        for (const p of full)
          p.peer.send({ type: 'downloadAbort', fileId, code: CLOSE_CODES.rate_limited });
        return live.filter((p) => !full.includes(p));
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async recordWithEdge(file: Parameters<SessionFileSink['record']>[1]): Promise<void> {
    const sink = this.options.sink;
    if (!sink) return;
    for (let attempt = 1; attempt <= RECORD_ATTEMPTS; attempt++) {
      try {
        await sink.record(this.options.sessionId, file);
        this.stats.recorded++;
        return;
      } catch (err) {
        // A 4xx (too large, session gone) will not get better by trying again.
        const status = (err as { status?: number }).status ?? 0;
        if (attempt === RECORD_ATTEMPTS || this.stopped || (status >= 400 && status < 500)) {
          this.stats.recordFailures++;
          this.options.log.warn('cannot record a session file with the edge', { err });
          return;
        }
        await new Promise((r) => setTimeout(r, attempt * 1000));
      }
    }
  }
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
