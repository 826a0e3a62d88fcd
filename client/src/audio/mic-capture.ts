import { MediaInputError, mediaDeviceError } from './media-errors.ts';
import { planesLevelDbfs } from './opus-stream-decoder.ts';
import { CAPTURE_PROCESSOR, type CaptureProcessorOptions, workletUrl } from './worklet-module.ts';

/** What the host expects: Opus, mono, 48 kHz, 20 ms packets. */
export const MIC_SAMPLE_RATE = 48_000;
export const MIC_CHANNELS = 1;
const BLOCK_MS = 20;
/** Encoder backlog beyond which captured blocks are dropped (a stalled tab). */
const MAX_ENCODE_QUEUE = 10;

export interface MicCaptureOptions {
  readonly deviceId?: string;
  /** Opus bits per second (default 32 kbit/s: clear speech). */
  readonly bitrate?: number;
  readonly onPacket: (data: Uint8Array, timestampUs: number) => void;
  readonly onError: (err: unknown) => void;
}

/**
 * The local microphone as Opus packets: getUserMedia → an AudioContext at 48 kHz (the browser
 * resamples the device) → a worklet that cuts 20 ms mono blocks → WebCodecs `AudioEncoder`.
 */
export class MicCapture {
  levelDbfs = Number.NEGATIVE_INFINITY;
  blocksDropped = 0;
  private frames = 0;
  private readonly startUs = Math.round(performance.now() * 1000);
  private closed = false;

  private constructor(
    private readonly stream: MediaStream,
    private readonly context: AudioContext,
    private readonly node: AudioWorkletNode,
    private readonly encoder: AudioEncoder,
  ) {}

  static async start(options: MicCaptureOptions): Promise<MicCapture> {
    if (
      typeof AudioEncoder === 'undefined' ||
      typeof AudioWorkletNode === 'undefined' ||
      !globalThis.navigator?.mediaDevices?.getUserMedia
    )
      throw new MediaInputError('unsupported', 'this browser cannot encode microphone audio');
    const config: AudioEncoderConfig = {
      codec: 'opus',
      sampleRate: MIC_SAMPLE_RATE,
      numberOfChannels: MIC_CHANNELS,
      bitrate: options.bitrate ?? 32_000,
      opus: { frameDuration: BLOCK_MS * 1000 },
    };
    const support = await AudioEncoder.isConfigSupported(config).catch(() => undefined);
    if (!support?.supported)
      throw new MediaInputError('unsupported', 'this browser has no Opus encoder');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          ...(options.deviceId ? { deviceId: { exact: options.deviceId } } : {}),
          channelCount: 1,
          echoCancellation: true,
          noiseSuppression: true,
          autoGainControl: true,
        },
      });
    } catch (err) {
      throw mediaDeviceError(err, 'the microphone');
    }
    const context = new AudioContext({ sampleRate: MIC_SAMPLE_RATE, latencyHint: 'interactive' });
    try {
      await context.audioWorklet.addModule(workletUrl());
      const blockFrames = Math.round((context.sampleRate * BLOCK_MS) / 1000);
      const processorOptions: CaptureProcessorOptions = { blockFrames };
      const node = new AudioWorkletNode(context, CAPTURE_PROCESSOR, {
        numberOfInputs: 1,
        numberOfOutputs: 0,
        channelCount: 1,
        channelCountMode: 'explicit',
        processorOptions,
      });
      const encoder = new AudioEncoder({
        output: (chunk) => {
          const data = new Uint8Array(chunk.byteLength);
          chunk.copyTo(data);
          options.onPacket(data, chunk.timestamp);
        },
        error: (err) => options.onError(err),
      });
      encoder.configure({ ...config, sampleRate: context.sampleRate });
      const capture = new MicCapture(stream, context, node, encoder);
      node.port.onmessage = (e: MessageEvent<Float32Array<ArrayBuffer>>) => capture.block(e.data);
      context.createMediaStreamSource(stream).connect(node);
      // started from a click this is already running; otherwise it runs after the next gesture
      if (context.state !== 'running') void context.resume().catch(() => undefined);
      return capture;
    } catch (err) {
      for (const t of stream.getTracks()) t.stop();
      void context.close().catch(() => undefined);
      throw err instanceof MediaInputError ? err : mediaDeviceError(err, 'the microphone');
    }
  }

  /** The device track (ended when the user revokes it or unplugs the device). */
  get track(): MediaStreamTrack | undefined {
    return this.stream.getAudioTracks()[0];
  }

  stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.node.port.onmessage = null;
    this.node.disconnect();
    for (const t of this.stream.getTracks()) t.stop();
    if (this.encoder.state !== 'closed') this.encoder.close();
    void this.context.close().catch(() => undefined);
  }

  private block(samples: Float32Array<ArrayBuffer>): void {
    if (this.closed || this.encoder.state !== 'configured') return;
    this.levelDbfs = planesLevelDbfs([samples]);
    if (this.encoder.encodeQueueSize > MAX_ENCODE_QUEUE) {
      this.blocksDropped++;
      return;
    }
    const rate = this.context.sampleRate;
    const data = new AudioData({
      format: 'f32-planar',
      sampleRate: rate,
      numberOfFrames: samples.length,
      numberOfChannels: 1,
      timestamp: this.startUs + Math.round((this.frames * 1_000_000) / rate),
      data: samples,
    });
    this.frames += samples.length;
    try {
      this.encoder.encode(data);
    } finally {
      data.close();
    }
  }
}
