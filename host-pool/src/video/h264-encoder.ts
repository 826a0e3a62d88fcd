import type { CodecContext, Frame, Packet, SoftwareScaleContext } from 'node-av';
import { loadNodeAv } from '../media/node-av.ts';

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

type Av = Awaited<ReturnType<typeof loadNodeAv>>['av'];

const TIME_BASE_HZ = 90_000;
const X264_OPTIONS: ReadonlyArray<[string, string]> = [
  ['preset', 'ultrafast'],
  ['tune', 'zerolatency'],
  ['profile', 'baseline'],
  ['crf', '23'],
  ['forced-idr', '1'],
  ['x264-params', 'repeat-headers=1:sliced-threads=0:aud=0:annexb=1'],
];
const NVENC_OPTIONS: ReadonlyArray<[string, string]> = [
  ['preset', 'p1'],
  ['tune', 'ull'],
  ['profile', 'baseline'],
  ['zerolatency', '1'],
  ['forced-idr', '1'],
];

/**
 * H.264 for the video path, tuned for WebCodecs and latency: baseline profile, one slice,
 * zerolatency (no lookahead, no B-frames), a short GOP, parameter sets repeated on every keyframe,
 * capped bitrate. Input is B, G, R, X pixels of exactly width × height (even sizes).
 *
 * Built on node-av's low-level codec context with every native object freed explicitly: its
 * high-level `Encoder` crashes the process from a GC finalizer after frames were encoded.
 */
export class H264Encoder {
  readonly width: number;
  readonly height: number;
  /** The WebCodecs codec string (`avc1.PPCCLL`), known after the first keyframe. */
  codec = 'avc1.42E01F';
  readonly hardware: boolean;
  private forceKey = true;
  private closed = false;

  private constructor(
    private readonly av: Av,
    private readonly ctx: CodecContext,
    private readonly scaler: SoftwareScaleContext,
    private readonly src: Frame,
    private readonly dst: Frame,
    private readonly packet: Packet,
    options: H264EncoderOptions,
    hardware: boolean,
  ) {
    this.width = options.width;
    this.height = options.height;
    this.hardware = hardware;
  }

  static async create(options: H264EncoderOptions): Promise<H264Encoder> {
    if (options.width % 2 || options.height % 2) throw new Error('H.264 needs even dimensions');
    const { av } = await loadNodeAv();
    let ctx: CodecContext | undefined;
    let hardware = false;
    if (options.preferHardware && (await hasNvidiaGpu())) {
      ctx = openContext(av, av.FF_ENCODER_H264_NVENC, options, NVENC_OPTIONS);
      hardware = ctx !== undefined;
    }
    ctx ??= openContext(av, av.FF_ENCODER_LIBX264, options, X264_OPTIONS);
    if (!ctx) throw new Error('no H.264 encoder could be opened (libx264 missing?)');
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
    const packet = new av.Packet();
    packet.alloc();
    return new H264Encoder(av, ctx, scaler, src, dst, packet, options, hardware);
  }

  /** The next frame will be an IDR (a participant joined or must recover). */
  requestKeyframe(): void {
    this.forceKey = true;
  }

  /** Changes the rate ceiling on the fly (a client's bitrate hint; x264 reconfigures). */
  setMaxKbps(kbps: number): void {
    if (this.closed) return;
    this.ctx.rcMaxRate = BigInt(Math.round(kbps * 1000));
    this.ctx.bitRate = BigInt(Math.round(kbps * 700));
  }

  /** Encodes one frame of B, G, R, X pixels (width × height × 4 bytes). */
  encode(bgrx: Buffer, ptsUs: number): EncodedAccessUnit[] {
    if (this.closed) return [];
    const { av } = this;
    if (bgrx.length !== this.width * this.height * 4) throw new Error('frame size mismatch');
    this.src.fromBuffer(bgrx);
    this.dst.makeWritable();
    this.scaler.scaleFrameSync(this.dst, this.src);
    this.dst.pts = BigInt(Math.round((ptsUs * TIME_BASE_HZ) / 1_000_000));
    this.dst.pictType = this.forceKey ? av.AV_PICTURE_TYPE_I : av.AV_PICTURE_TYPE_NONE;
    this.forceKey = false;
    const sent = this.ctx.sendFrameSync(this.dst);
    if (sent < 0) throw new Error(`H.264 encode failed (${sent})`);
    const out: EncodedAccessUnit[] = [];
    while (this.ctx.receivePacketSync(this.packet) >= 0) {
      const data = this.packet.data;
      if (data) {
        const unit = new Uint8Array(data);
        const keyframe = this.packet.isKeyframe;
        if (keyframe) this.codec = codecString(unit) ?? this.codec;
        out.push({ data: unit, keyframe, ptsUs });
      }
      this.packet.unref();
    }
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.packet.free();
    this.src.free();
    this.dst.free();
    this.scaler.freeContext();
    this.ctx.freeContext();
  }
}

function openContext(
  av: Av,
  name: Parameters<Av['Codec']['findEncoderByName']>[0],
  options: H264EncoderOptions,
  codecOptions: ReadonlyArray<[string, string]>,
): CodecContext | undefined {
  const codec = av.Codec.findEncoderByName(name);
  if (!codec) return undefined;
  const ctx = new av.CodecContext();
  ctx.allocContext3(codec);
  ctx.width = options.width;
  ctx.height = options.height;
  ctx.pixelFormat = av.AV_PIX_FMT_YUV420P;
  ctx.timeBase = new av.Rational(1, TIME_BASE_HZ);
  ctx.framerate = new av.Rational(options.fps, 1);
  ctx.gopSize = options.gop ?? options.fps;
  ctx.maxBFrames = 0;
  ctx.threadCount = 1;
  ctx.bitRate = BigInt(Math.round(options.maxKbps * 700));
  ctx.rcMaxRate = BigInt(options.maxKbps * 1000);
  ctx.rcBufferSize = Math.round(options.maxKbps * 500);
  // Options go through AVOptions on the context (an open2 dictionary is double-freed by node-av).
  for (const [key, value] of codecOptions) ctx.setOption(key, value);
  if (ctx.open2Sync(codec, null) < 0) {
    ctx.freeContext();
    return undefined;
  }
  return ctx;
}

function frameOf(av: Av, width: number, height: number, format: Av['AV_PIX_FMT_YUV420P']): Frame {
  const f = new av.Frame();
  f.alloc();
  f.width = width;
  f.height = height;
  f.format = format;
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
