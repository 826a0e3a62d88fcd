import type { MessageOf } from '@browserpane/protocol';
import type { Logger } from '../log.ts';
import { CameraError } from './errors.ts';
import { DeviceFrameSink, type FrameSink } from './frame-sink.ts';
import { H264Decoder, type PictureSize } from './h264-decoder.ts';

/** Largest camera picture accepted (what a client may configure). */
export const MAX_CAMERA_WIDTH = 1920;
export const MAX_CAMERA_HEIGHT = 1080;
/** Access units queued for decoding beyond this are dropped until the next keyframe. */
const MAX_BACKLOG = 3;

export type SinkFactory = (size: PictureSize, fps: number) => Promise<FrameSink>;

export interface CameraInputOptions {
  readonly log: Logger;
  /** Opens the output for a configured stream (the session's loopback device). */
  readonly openSink: SinkFactory;
  readonly record: (type: string, data?: Record<string, unknown>) => void;
}

export interface CameraStats {
  accessUnits: number;
  pictures: number;
  dropped: number;
  decodeErrors: number;
  configsRefused: number;
}

/** Whether `m` describes a stream we can take (H.264, even size within limits, sane rate). */
export function validCameraConfig(m: MessageOf<'cameraConfig'>): boolean {
  return (
    /^avc1\.[0-9A-Fa-f]{6}$/.test(m.codec) &&
    m.width >= 16 &&
    m.height >= 16 &&
    m.width <= MAX_CAMERA_WIDTH &&
    m.height <= MAX_CAMERA_HEIGHT &&
    m.width % 2 === 0 &&
    m.height % 2 === 0 &&
    m.fps >= 1 &&
    m.fps <= 60
  );
}

/**
 * Camera in for one session: the participant that configured the stream feeds it; its H.264
 * access units are decoded in order (one at a time) and written to the device. Nothing is decoded
 * before the first keyframe; when decoding falls behind, delta frames are dropped until the next
 * keyframe instead of building latency. Bad input is dropped and counted, never thrown.
 */
export class CameraInput {
  readonly stats: CameraStats = {
    accessUnits: 0,
    pictures: 0,
    dropped: 0,
    decodeErrors: 0,
    configsRefused: 0,
  };
  private sender: string | undefined;
  private decoder: H264Decoder | undefined;
  private sink: FrameSink | undefined;
  private chain: Promise<void> = Promise.resolve();
  private backlog = 0;
  private needKeyframe = true;
  private generation = 0;

  constructor(private readonly options: CameraInputOptions) {}

  get activeSender(): string | undefined {
    return this.sender;
  }

  config(m: MessageOf<'cameraConfig'>, from: string): void {
    if (!validCameraConfig(m)) {
      this.stats.configsRefused++;
      return;
    }
    const first = this.sender !== from;
    if (this.sender && first) this.end('taken_over');
    this.sender = from;
    const generation = ++this.generation;
    this.needKeyframe = true;
    const size = { width: m.width, height: m.height };
    this.enqueue(async () => {
      await this.release();
      if (generation !== this.generation) return;
      try {
        this.decoder = await H264Decoder.create(size);
        this.sink = await this.options.openSink(size, m.fps);
      } catch (err) {
        this.options.log.warn('camera output unavailable', { err });
        await this.release();
        if (generation === this.generation) this.sender = undefined;
      }
    });
    if (first) this.options.record('camera_started', { connectionId: from });
  }

  packet(m: MessageOf<'cameraPacket'>, from: string): void {
    if (from !== this.sender) {
      this.stats.dropped++;
      return;
    }
    if (this.needKeyframe && !m.keyframe) {
      this.stats.dropped++;
      return;
    }
    if (this.backlog >= MAX_BACKLOG && !m.keyframe) {
      this.stats.dropped++;
      this.needKeyframe = true;
      return;
    }
    this.needKeyframe = false;
    this.stats.accessUnits++;
    const generation = this.generation;
    this.enqueue(async () => {
      const { decoder, sink } = this;
      if (generation !== this.generation || !decoder || !sink) return;
      const before = decoder.errors;
      await decoder.decode(m.data, async (picture) => {
        await sink.write(picture);
        this.stats.pictures++;
      });
      if (decoder.errors > before) {
        this.stats.decodeErrors++;
        this.needKeyframe = true;
      }
    });
  }

  /** Resolves when everything queued so far was decoded and written. */
  settled(): Promise<void> {
    return this.chain;
  }

  stop(from: string): void {
    if (from === this.sender) this.end('stopped');
  }

  left(connectionId: string): void {
    if (connectionId === this.sender) this.end('left');
  }

  async close(): Promise<void> {
    this.end('closed');
    await this.chain;
  }

  private end(reason: string): void {
    const sender = this.sender;
    this.sender = undefined;
    this.generation++;
    this.enqueue(() => this.release());
    if (sender) this.options.record('camera_stopped', { connectionId: sender, reason });
  }

  private enqueue(task: () => Promise<void>): void {
    this.backlog++;
    this.chain = this.chain
      .then(task)
      .catch((err: unknown) => {
        if (err instanceof CameraError && err.code === 'sink_failed') this.stats.decodeErrors++;
        else this.options.log.warn('camera frame failed', { err });
      })
      .finally(() => {
        this.backlog--;
      });
  }

  private async release(): Promise<void> {
    const { decoder, sink } = this;
    this.decoder = undefined;
    this.sink = undefined;
    decoder?.close();
    await sink?.close();
  }
}

/** Opens the leased loopback device for a configured stream. */
export function deviceSinkFactory(path: string): SinkFactory {
  return (size, fps) => DeviceFrameSink.open({ path, ...size, fps, format: 'v4l2' });
}
