import { MediaInputError, mediaDeviceError } from '../audio/media-errors.ts';

/** Chromium's track → VideoFrame stream (not in TypeScript's DOM library yet). */
declare class MediaStreamTrackProcessor {
  constructor(init: { track: MediaStreamTrack });
  readonly readable: ReadableStream<VideoFrame>;
}

export interface CameraCaptureOptions {
  readonly deviceId?: string;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly bitrate?: number;
  readonly onConfig: (config: {
    codec: string;
    width: number;
    height: number;
    fps: number;
  }) => void;
  readonly onChunk: (data: Uint8Array, timestampUs: number, keyframe: boolean) => void;
  readonly onError: (err: unknown) => void;
}

/** H.264 baseline: what the host's decoder and every WebCodecs build handle. */
const CODEC = 'avc1.42E01F';
/** Frames waiting in the encoder beyond this are dropped (latest wins). */
const MAX_ENCODE_QUEUE = 2;

/**
 * The local camera as H.264 access units (Annex B, parameter sets on keyframes, a keyframe every
 * two seconds): getUserMedia → MediaStreamTrackProcessor → WebCodecs `VideoEncoder` in realtime
 * mode. When encoding falls behind, frames are dropped rather than queued.
 */
export class CameraCapture {
  frames = 0;
  dropped = 0;
  private closed = false;

  private constructor(
    private readonly stream: MediaStream,
    private readonly encoder: VideoEncoder,
    private readonly reader: ReadableStreamDefaultReader<VideoFrame>,
    private readonly keyEvery: number,
  ) {}

  static async start(options: CameraCaptureOptions): Promise<CameraCapture> {
    if (
      typeof VideoEncoder === 'undefined' ||
      typeof (globalThis as { MediaStreamTrackProcessor?: unknown }).MediaStreamTrackProcessor ===
        'undefined' ||
      !globalThis.navigator?.mediaDevices?.getUserMedia
    )
      throw new MediaInputError('unsupported', 'this browser cannot encode camera video');
    const fps = options.fps ?? 30;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: {
          ...(options.deviceId ? { deviceId: { exact: options.deviceId } } : {}),
          width: { ideal: options.width ?? 1280 },
          height: { ideal: options.height ?? 720 },
          frameRate: { ideal: fps },
        },
      });
    } catch (err) {
      throw mediaDeviceError(err, 'the camera');
    }
    const track = stream.getVideoTracks()[0];
    const settings = track?.getSettings() ?? {};
    const width = Math.min(1920, (settings.width ?? options.width ?? 1280) & ~1);
    const height = Math.min(1080, (settings.height ?? options.height ?? 720) & ~1);
    const config: VideoEncoderConfig = {
      codec: CODEC,
      width,
      height,
      bitrate: options.bitrate ?? 1_500_000,
      framerate: fps,
      latencyMode: 'realtime',
      avc: { format: 'annexb' },
    };
    const support = await VideoEncoder.isConfigSupported(config).catch(() => undefined);
    if (!track || !support?.supported) {
      for (const t of stream.getTracks()) t.stop();
      throw new MediaInputError('unsupported', 'this browser has no H.264 encoder for the camera');
    }
    const encoder = new VideoEncoder({
      output: (chunk) => {
        const data = new Uint8Array(chunk.byteLength);
        chunk.copyTo(data);
        options.onChunk(data, chunk.timestamp, chunk.type === 'key');
      },
      error: (err) => options.onError(err),
    });
    encoder.configure(config);
    options.onConfig({ codec: CODEC, width, height, fps });
    const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
    const capture = new CameraCapture(stream, encoder, reader, fps * 2);
    void capture.pump(width, height);
    return capture;
  }

  stop(): void {
    if (this.closed) return;
    this.closed = true;
    void this.reader.cancel().catch(() => undefined);
    for (const t of this.stream.getTracks()) t.stop();
    if (this.encoder.state !== 'closed') this.encoder.close();
  }

  private async pump(width: number, height: number): Promise<void> {
    while (!this.closed) {
      const { value: frame, done } = await this.reader.read().catch(() => ({
        value: undefined,
        done: true,
      }));
      if (done || !frame) break;
      try {
        if (this.closed || this.encoder.state !== 'configured') continue;
        if (this.encoder.encodeQueueSize > MAX_ENCODE_QUEUE) {
          this.dropped++;
          continue;
        }
        const keyFrame = this.frames % this.keyEvery === 0;
        if (frame.displayWidth === width && frame.displayHeight === height)
          this.encoder.encode(frame, { keyFrame });
        else {
          // the device changed its size mid-stream: keep the configured size
          const scaled = new VideoFrame(frame, { displayWidth: width, displayHeight: height });
          this.encoder.encode(scaled, { keyFrame });
          scaled.close();
        }
        this.frames++;
      } finally {
        frame.close();
      }
    }
  }
}
