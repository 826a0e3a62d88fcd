import type { Encoder, Frame, SoftwareScaleContext } from 'node-av';
import { loadNodeAv } from './node-av.ts';

/** One encoded access unit, Annex B (start codes), SPS/PPS repeated on keyframes. */
export interface EncodedAccessUnit {
  readonly data: Uint8Array;
  readonly keyframe: boolean;
  readonly ptsUs: number;
}

export interface H264EncoderOptions {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Ceiling for the encoder's rate control (VBV). */
  readonly maxKbps: number;
  /** Keyframe interval in frames (short: late joiners and recovering clients wait at most this). */
  readonly gop?: number;
  /** Use NVENC when the host has an NVIDIA GPU (falls back to libx264). */
  readonly preferHardware?: boolean;
}

const TIME_BASE_HZ = 90_000;

/**
 * H.264 for the video path, tuned for WebCodecs and latency: baseline profile, one slice,
 * zerolatency (no lookahead, no B-frames), a short GOP, parameter sets repeated on every keyframe,
 * capped bitrate. Input is B, G, R, X pixels of exactly width × height (even sizes).
 */
export class H264Encoder {
  readonly width: number;
  readonly height: number;
  /** The WebCodecs codec string (`avc1.PPCCLL`), known after the first keyframe. */
  codec = 'avc1.42E01F';
  readonly hardware: boolean;
  private frames = 0;
  private forceKey = true;

  private constructor(
    private readonly encoder: Encoder,
    private readonly scaler: SoftwareScaleContext,
    private readonly src: Frame,
    private readonly dst: Frame,
    private readonly av: Awaited<ReturnType<typeof loadNodeAv>>,
    options: H264EncoderOptions,
    hardware: boolean,
  ) {
    this.width = options.width;
    this.height = options.height;
    this.hardware = hardware;
  }

  static async create(options: H264EncoderOptions): Promise<H264Encoder> {
    if (options.width % 2 || options.height % 2) throw new Error('H.264 needs even dimensions');
    const av = await loadNodeAv();
    const timeBase = new av.Rational(1, TIME_BASE_HZ);
    const gop = options.gop ?? options.fps;
    const rate = {
      bitRate: `${Math.round(options.maxKbps * 0.7)}k`,
      rcMaxRate: `${options.maxKbps}k`,
      rcBufferSize: `${Math.round(options.maxKbps / 2)}k`,
    };
    let encoder: Encoder | undefined;
    let hardware = false;
    if (options.preferHardware && (await hasNvidiaGpu())) {
      try {
        encoder = av.Encoder.createSync(av.FF_ENCODER_H264_NVENC, {
          context: {
            timeBase,
            framerate: new av.Rational(options.fps, 1),
            gopSize: gop,
            maxBFrames: 0,
            ...rate,
          },
          options: {
            preset: 'p1',
            tune: 'ull',
            profile: 'baseline',
            zerolatency: true,
            'forced-idr': true,
          },
        });
        hardware = true;
      } catch {
        encoder = undefined;
      }
    }
    encoder ??= av.Encoder.createSync(av.FF_ENCODER_LIBX264, {
      context: {
        timeBase,
        framerate: new av.Rational(options.fps, 1),
        threadCount: 1,
        gopSize: gop,
        maxBFrames: 0,
        ...rate,
      },
      options: {
        preset: 'ultrafast',
        tune: 'zerolatency',
        profile: 'baseline',
        crf: 23,
        'forced-idr': true,
        'x264-params': 'repeat-headers=1:sliced-threads=0:aud=0:annexb=1',
      },
    });
    const scaler = new av.SoftwareScaleContext();
    scaler.getContext(
      options.width,
      options.height,
      av.AV_PIX_FMT_BGR0,
      options.width,
      options.height,
      av.AV_PIX_FMT_YUV420P,
      av.SWS_BILINEAR,
    );
    scaler.initContext();
    const src = frameOf(av, options.width, options.height, av.AV_PIX_FMT_BGR0);
    const dst = frameOf(av, options.width, options.height, av.AV_PIX_FMT_YUV420P);
    return new H264Encoder(encoder, scaler, src, dst, av, options, hardware);
  }

  /** The next frame will be an IDR (a participant joined or must recover). */
  requestKeyframe(): void {
    this.forceKey = true;
  }

  /** Changes the rate ceiling on the fly (a client's bitrate hint). */
  setMaxKbps(kbps: number): void {
    const ctx = this.encoder.getCodecContext();
    if (!ctx) return;
    ctx.rcMaxRate = BigInt(Math.round(kbps * 1000));
    ctx.bitRate = BigInt(Math.round(kbps * 700));
  }

  /** Encodes one frame of B, G, R, X pixels (width × height × 4 bytes). */
  encode(bgrx: Buffer, ptsUs: number): EncodedAccessUnit[] {
    const { av } = this;
    if (bgrx.length !== this.width * this.height * 4) throw new Error('frame size mismatch');
    this.src.fromBuffer(bgrx);
    this.scaler.scaleFrameSync(this.dst, this.src);
    this.dst.pts = BigInt(Math.round((ptsUs * TIME_BASE_HZ) / 1_000_000));
    this.dst.timeBase = new av.Rational(1, TIME_BASE_HZ);
    const ctx = this.frames > 0 ? this.encoder.getCodecContext() : null;
    if (this.forceKey && ctx) {
      // The high-level Encoder clears pict_type; a forced IDR goes to the codec context directly.
      this.dst.pictType = av.AV_PICTURE_TYPE_I;
      ctx.sendFrameSync(this.dst);
    } else this.encoder.encodeSync(this.dst);
    this.forceKey = false;
    this.frames++;
    const out: EncodedAccessUnit[] = [];
    for (
      let p = this.encoder.receiveSync();
      p && p.size !== undefined;
      p = this.encoder.receiveSync()
    ) {
      if (!p.data) {
        p.free();
        continue;
      }
      const data = new Uint8Array(p.data);
      const keyframe = p.isKeyframe;
      if (keyframe) this.codec = codecString(data) ?? this.codec;
      out.push({ data, keyframe, ptsUs });
      p.free();
    }
    return out;
  }

  close(): void {
    this.encoder.close();
  }
}

function frameOf(
  av: Awaited<ReturnType<typeof loadNodeAv>>,
  width: number,
  height: number,
  format: number,
): Frame {
  const f = new av.Frame();
  f.alloc();
  f.width = width;
  f.height = height;
  f.format = format as never;
  f.getBuffer(0);
  return f;
}

/** `avc1.PPCCLL` from the SPS (NAL type 7) in an Annex B access unit. */
export function codecString(annexB: Uint8Array): string | undefined {
  for (let i = 0; i + 7 < annexB.length; i++) {
    const three = annexB[i] === 0 && annexB[i + 1] === 0 && annexB[i + 2] === 1;
    if (!three) continue;
    const nal = annexB[i + 3] as number;
    if ((nal & 0x1f) === 7) {
      const hex = (v: number) => v.toString(16).padStart(2, '0').toUpperCase();
      return `avc1.${hex(annexB[i + 4] as number)}${hex(annexB[i + 5] as number)}${hex(annexB[i + 6] as number)}`;
    }
  }
  return undefined;
}

async function hasNvidiaGpu(): Promise<boolean> {
  const { access } = await import('node:fs/promises');
  return access('/dev/nvidia0').then(
    () => true,
    () => false,
  );
}
