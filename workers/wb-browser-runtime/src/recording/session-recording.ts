// One session's recording: finalize both kinds and upload them in parallel (shutdown / suspend).

import { readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { RecordingConfig } from '../config.ts';
import type { Emit } from '../protocol/frames.ts';
import type { Logger } from '../protocol/log.ts';
import type { RrwebCapture } from './rrweb.ts';
import type { VideoCapture } from './screencast.ts';
import { type RecordingKind, type UploadResult, uploadRecording } from './upload.ts';

const gzipAsync = promisify(gzip);

export class SessionRecording {
  readonly #config: RecordingConfig;
  readonly #session: string;
  readonly #rrweb: RrwebCapture | null;
  readonly #video: VideoCapture | null;
  readonly #emit: Emit;
  readonly #logger: Logger;
  readonly #scrub: <T>(value: T) => T;
  #flushed: Promise<void> | null = null;

  constructor(
    config: RecordingConfig,
    session: string,
    parts: { rrweb: RrwebCapture | null; video: VideoCapture | null },
    emit: Emit,
    logger: Logger,
    scrub: <T>(value: T) => T,
  ) {
    this.#scrub = scrub;
    this.#config = config;
    this.#session = session;
    this.#rrweb = parts.rrweb;
    this.#video = parts.video;
    this.#emit = emit;
    this.#logger = logger;
  }

  /** Runs once; later calls return the same promise. Failures become `slice.recording.failed`. */
  flush(mode: 'shutdown' | 'suspend'): Promise<void> {
    this.#flushed ??= Promise.all([this.#flushRrweb(mode), this.#flushVideo(mode)]).then(() => {});
    return this.#flushed;
  }

  async #flushRrweb(mode: string): Promise<void> {
    if (!this.#rrweb) return;
    let body: Buffer;
    let eventCount: number;
    try {
      const final = await this.#rrweb.finalize(this.#config.runId);
      eventCount = final.eventCount;
      body = await gzipAsync(JSON.stringify(this.#scrub(final.doc)));
    } catch (error) {
      return this.#failed('rrweb', `${prefix(mode)}: ${(error as Error).message}`);
    }
    this.#report(
      'rrweb',
      await uploadRecording(this.#config, this.#session, 'rrweb', body, this.#logger),
      {
        event_count: eventCount,
      },
    );
  }

  async #flushVideo(mode: string): Promise<void> {
    if (!this.#video) return;
    let path: string | null = null;
    try {
      path = (await this.#video.stop()).path;
      const body = await readFile(path);
      this.#report(
        'video',
        await uploadRecording(this.#config, this.#session, 'video', body, this.#logger),
        {
          fps: this.#video.fps,
        },
      );
    } catch (error) {
      this.#failed('video', `${prefix(mode)}: ${(error as Error).message}`);
    } finally {
      if (path) await rm(path, { force: true });
    }
  }

  #report(kind: RecordingKind, result: UploadResult, extra: Record<string, unknown>): void {
    const base = { session: this.#session, run_id: this.#config.runId, kind };
    if (result.ok) {
      this.#logger.info('recording', `${this.#session}: uploaded ${kind} (${result.bytes} bytes)`);
      this.#emit({ type: 'slice.recording.uploaded', ...base, bytes: result.bytes, ...extra });
    } else {
      this.#logger.warn(`recording ${kind} upload failed: ${result.status ?? ''} ${result.reason}`);
      this.#emit({
        type: 'slice.recording.failed',
        ...base,
        ...(result.status !== undefined ? { status: result.status } : {}),
        reason: result.reason,
      });
    }
  }

  #failed(kind: RecordingKind, reason: string): void {
    this.#logger.warn(`recording ${kind}: ${reason}`);
    this.#emit({
      type: 'slice.recording.failed',
      session: this.#session,
      run_id: this.#config.runId,
      kind,
      reason,
    });
  }
}

function prefix(mode: string): string {
  return mode === 'suspend' ? 'suspend_finalize_error' : 'finalize_error';
}
