import { MAX_CAMERA_PACKET_BYTES } from '@browserpane/protocol';
import { MediaInputError } from '../audio/media-errors.ts';
import type { AttachedFeature, ClientFeature, ClientFeatureContext } from '../feature.ts';
import { CameraCapture } from './camera-capture.ts';

/**
 * `unavailable`: not granted (the session keeps the camera off, this role cannot send, or the
 * host has no camera device; the host says which in a `camera_unavailable` notice).
 */
export type CameraState = 'unavailable' | 'off' | 'starting' | 'on';

export interface CameraStatus {
  readonly state: CameraState;
  /** Why it is unavailable: not granted, or granted but this participant is not driving. */
  readonly reason?: 'not_granted' | 'not_controlling';
  readonly framesSent: number;
  readonly bytesSent: number;
  readonly dropped: number;
}

export interface CameraStartOptions {
  readonly deviceId?: string;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly bitrate?: number;
}

/** `client.feature<CameraApi>('camera')`: the local camera as the remote browser's webcam. */
export interface CameraApi extends AttachedFeature {
  status(): CameraStatus;
  start(options?: CameraStartOptions): Promise<void>;
  stop(): void;
}

/**
 * Camera in (off by default per session): WebCodecs H.264 to the host, which feeds a virtual
 * camera device the remote browser sees. Asks for `camera` in the handshake; when it is not
 * granted, `status()` says `unavailable`. Emits `state` with the status on every change.
 */
export function cameraFeature(): ClientFeature<CameraApi> {
  return {
    name: 'camera',
    wants: ['camera'],
    messages: [],
    attach: (ctx) => new Camera(ctx),
  };
}

class Camera implements CameraApi {
  private capture: CameraCapture | undefined;
  private starting = false;
  private seq = 0;
  private framesSent = 0;
  private bytesSent = 0;

  constructor(private readonly ctx: ClientFeatureContext) {}

  status(): CameraStatus {
    const granted = this.ctx.capabilities.includes('camera');
    const counters = {
      framesSent: this.framesSent,
      bytesSent: this.bytesSent,
      dropped: this.capture?.dropped ?? 0,
    };
    if (!granted) return { state: 'unavailable', reason: 'not_granted', ...counters };
    if (!this.ctx.controls())
      return { state: 'unavailable', reason: 'not_controlling', ...counters };
    return { state: this.capture ? 'on' : this.starting ? 'starting' : 'off', ...counters };
  }

  async start(options: CameraStartOptions = {}): Promise<void> {
    const status = this.status();
    if (status.reason === 'not_granted')
      throw new MediaInputError('not_granted', 'the camera is not available in this session');
    if (status.reason === 'not_controlling')
      throw new MediaInputError(
        'not_controlling',
        'only the participant driving can use the camera',
      );
    if (this.capture || this.starting) throw new MediaInputError('already_active', 'camera is on');
    this.starting = true;
    this.emitState();
    try {
      const capture: CameraCapture = await CameraCapture.start({
        ...options,
        onConfig: (c) => this.ctx.send({ type: 'cameraConfig', ...c }),
        onChunk: (data, timestampUs, keyframe) => {
          if (this.capture !== capture || data.byteLength > MAX_CAMERA_PACKET_BYTES) return;
          this.ctx.send({
            type: 'cameraPacket',
            seq: this.seq,
            ptsUs: Math.max(0, timestampUs),
            keyframe,
            data,
          });
          this.seq = (this.seq + 1) >>> 0;
          this.framesSent++;
          this.bytesSent += data.byteLength;
        },
        onError: () => {
          if (this.capture === capture) this.stop();
        },
      });
      this.capture = capture;
    } finally {
      this.starting = false;
      this.emitState();
    }
  }

  stop(): void {
    const capture = this.capture;
    if (!capture) return;
    this.capture = undefined;
    capture.stop();
    if (this.ctx.controls()) this.ctx.send({ type: 'cameraStop' });
    this.emitState();
  }

  onAccessChange(): void {
    if (this.capture && !this.ctx.controls()) this.stop();
    this.emitState();
  }

  dispose(): void {
    this.stop();
  }

  private emitState(): void {
    this.ctx.emit('state', this.status());
  }
}
