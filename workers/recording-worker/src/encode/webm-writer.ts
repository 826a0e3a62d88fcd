/**
 * Composed RGBA pictures → VP8 or VP9 (libvpx, realtime) in a WebM file written as a live stream:
 * the muxer never seeks back, so the file only grows and any prefix of it is a playable WebM (what a
 * killed recorder leaves behind). Frames carry millisecond timestamps since the segment began and
 * come when the picture changed; while it does not, a hold frame (the kept picture again: the first
 * ones sharpen it, then each is about 100 bytes) comes at least every {@link HOLD_FRAME_MS}.
 * Chromium's `<video>` shows the next frame of a sparse WebM early (a change after 2 s of stillness
 * appeared up to 1.8 s before its time in about half the plays; with ≤ 500 ms between frames, never
 * by more than the 0.1 s sampling), and WebM's SimpleBlocks carry no duration to tell it otherwise.
 *
 * Tuned for screen content (test/bench/results/recording.json): constrained quality rather than a
 * constant rate (a constant rate spends its budget re-polishing a still page), libvpx's static
 * threshold (macroblocks whose squared error is tiny are skipped, not re-coded), a keyframe at the
 * start and then only every 20 s (a 1280×720 page of text makes keyframes the bulk of a typing
 * recording; players seek by the remuxed file's cues), and colour conversion of only the rows that
 * changed into a YUV picture kept between frames.
 *
 * Built on node-av's low-level codec and format contexts with every native object freed
 * explicitly (its high-level Encoder crashes from a GC finalizer after use, see host-pool).
 */
import { loadNodeAv } from '@browserpane/host-pool/media/node-av';
import type {
  CodecContext,
  FormatContext,
  Frame,
  Packet,
  SoftwareScaleContext,
  Stream,
} from 'node-av';
import { BAND_ROWS, type RowRange } from '../picture/row-damage.ts';

type Av = Awaited<ReturnType<typeof loadNodeAv>>['av'];

export type VideoCodec = 'vp8' | 'vp9';

export interface WebmWriterOptions {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly codec: VideoCodec;
  /** Most kbit/s busy pictures may take; still and slowly changing pictures cost far less. */
  readonly kbps: number;
  /** At most this many frames per second. */
  readonly fps: number;
  /** Opus packets from the relay, muxed as they are (no re-encode). */
  readonly audio?: { readonly sampleRate: number; readonly channels: number } | undefined;
}

const MS = { num: 1, den: 1000 };
/** Most media time between two frames: a still picture is repeated this often (see above). */
export const HOLD_FRAME_MS = 500;
/** A keyframe at least this often (media time): players seek to one and decode on from there. */
const KEYFRAME_EVERY_MS = 20_000;
/**
 * Quality floor of constrained-quality mode (libvpx `crf`, 0–63, lower is better): text stays
 * sharp; the rate (`kbps`) is only a ceiling.
 */
const QUALITY = 10;
/**
 * libvpx `static-thresh`: a macroblock whose sum of squared differences from the previous picture
 * is below this is skipped. 1000 over 256 pixels skips only invisible noise: one changed glyph
 * pixel of a 2 × 2 dot already exceeds it.
 */
const STATIC_THRESHOLD = 1000;

export class WebmWriter {
  frames = 0;
  audioPackets = 0;
  /** Where the video bytes and the time went (logged when a recording is stored). */
  readonly stats = {
    keyFrames: 0,
    keyBytes: 0,
    interFrames: 0,
    interBytes: 0,
    convertMs: 0,
    encodeMs: 0,
    /** Frames that repeat a still picture (counted in the key or inter frames too). */
    holdFrames: 0,
  };
  /** Timestamp (ms) of the last picture written. */
  lastMs = -1;
  private lastKeyMs = Number.NEGATIVE_INFINITY;
  private closed = false;
  private sourceSize = { width: 0, height: 0 };
  private scaler: SoftwareScaleContext | undefined;
  private readonly bandScalers = new Map<number, SoftwareScaleContext>();
  /** The kept YUV picture holds a whole picture at the file's size (so changed rows suffice). */
  private wholeOnce = false;
  /** The last frame written repeated a still picture. */
  private lastWasHold = false;

  private constructor(
    private readonly av: Av,
    readonly options: WebmWriterOptions,
    private readonly ctx: CodecContext,
    private readonly fmt: FormatContext,
    private readonly videoStream: Stream,
    private readonly audioStream: Stream | undefined,
    private readonly src: Frame,
    private readonly dst: Frame,
    private readonly packet: Packet,
  ) {}

  static async open(options: WebmWriterOptions): Promise<WebmWriter> {
    if (options.width % 2 || options.height % 2) throw new Error('WebM video needs even sizes');
    const { av } = await loadNodeAv();
    const codec = av.Codec.findEncoderByName(
      options.codec === 'vp9' ? av.FF_ENCODER_LIBVPX_VP9 : av.FF_ENCODER_LIBVPX_VP8,
    );
    if (!codec) throw new Error(`no ${options.codec} encoder in this FFmpeg`);
    const ctx = new av.CodecContext();
    ctx.allocContext3(codec);
    ctx.width = options.width;
    ctx.height = options.height;
    ctx.pixelFormat = av.AV_PIX_FMT_YUV420P;
    ctx.timeBase = new av.Rational(MS.num, MS.den);
    ctx.framerate = new av.Rational(options.fps, 1);
    // The keyframe rule is ours (media time, in writePicture); libvpx's frame-count limit only
    // backs it up, never earlier.
    ctx.gopSize = options.fps * (KEYFRAME_EVERY_MS / 1000) * 2;
    ctx.maxBFrames = 0;
    ctx.threadCount = 1;
    ctx.bitRate = BigInt(options.kbps * 1000);
    ctx.setOption('deadline', 'realtime');
    ctx.setOption('cpu-used', options.codec === 'vp9' ? '8' : '16');
    ctx.setOption('lag-in-frames', '0');
    ctx.setOption('crf', String(QUALITY));
    ctx.setOption('static-thresh', String(STATIC_THRESHOLD));
    if (ctx.open2Sync(codec, null) < 0) {
      ctx.freeContext();
      throw new Error(`the ${options.codec} encoder did not open`);
    }
    const fmt = new av.FormatContext();
    if (fmt.allocOutputContext2(null, 'webm', options.path) < 0) {
      ctx.freeContext();
      throw new Error('no WebM muxer in this FFmpeg');
    }
    const videoStream = fmt.newStream(null);
    videoStream.codecpar.fromContext(ctx);
    videoStream.timeBase = new av.Rational(MS.num, MS.den);
    let audioStream: Stream | undefined;
    if (options.audio) {
      audioStream = fmt.newStream(null);
      const par = audioStream.codecpar;
      par.codecType = av.AVMEDIA_TYPE_AUDIO;
      par.codecId = av.AV_CODEC_ID_OPUS;
      par.sampleRate = options.audio.sampleRate;
      par.channelLayout = {
        nbChannels: options.audio.channels,
        order: av.AV_CHANNEL_ORDER_NATIVE,
        mask: options.audio.channels === 1 ? 4n : 3n,
      };
      par.extradata = opusHead(options.audio.sampleRate, options.audio.channels);
      audioStream.timeBase = new av.Rational(MS.num, MS.den);
    }
    const opened = await fmt.openOutput();
    if (opened < 0) {
      fmt.freeContext();
      ctx.freeContext();
      throw new Error(`cannot write ${options.path} (${opened})`);
    }
    // A live stream: no seeking back (cues, sizes), clusters of ≤ 1 s, each packet flushed.
    const header = await fmt.writeHeader(
      av.Dictionary.fromObject({ live: '1', cluster_time_limit: '1000', flush_packets: '1' }),
    );
    if (header < 0) throw new Error(`WebM header failed (${header})`);
    const dst = frameOf(av, options.width, options.height, av.AV_PIX_FMT_YUV420P);
    const src = new av.Frame();
    src.alloc();
    const packet = new av.Packet();
    packet.alloc();
    return new WebmWriter(av, options, ctx, fmt, videoStream, audioStream, src, dst, packet);
  }

  /**
   * Encodes one picture (RGBA, any size: scaled to the file's size) shown from `ms` on. `rows`, when
   * given, are the only rows that changed since the last picture (at the file's size only the
   * changed rows are converted; without them, all are).
   */
  writePicture(
    rgba: Uint8Array | Uint8ClampedArray,
    width: number,
    height: number,
    ms: number,
    rows?: readonly RowRange[],
  ): void {
    if (this.closed) return;
    // the picture before this one lasted until now: no gap longer than a hold in the file
    this.holdUntil(ms - 1);
    const exact = width === this.options.width && height === this.options.height;
    const t0 = performance.now();
    this.dst.makeWritable();
    // Converted even when not encoded (a time that does not advance), so no changed row is lost.
    if (exact) this.convertRows(rgba, width, height, this.wholeOnce ? rows : undefined);
    else this.convertScaled(rgba, width, height);
    this.wholeOnce = exact;
    const t1 = performance.now();
    this.stats.convertMs += t1 - t0;
    // a hold frame never swallows a change: one that lands on it is written just after
    if (ms <= this.lastMs && !this.lastWasHold) return;
    this.encode(Math.max(ms, this.lastMs + 1));
    this.lastWasHold = false;
    this.stats.encodeMs += performance.now() - t1;
  }

  /**
   * Repeats the last picture every {@link HOLD_FRAME_MS} up to `ms` (media time), so a still
   * picture's frames stay close together; a no-op before the first picture.
   */
  holdUntil(ms: number): void {
    if (this.closed || this.lastMs < 0) return;
    const t0 = performance.now();
    while (ms - this.lastMs >= HOLD_FRAME_MS) {
      this.encode(this.lastMs + HOLD_FRAME_MS);
      this.lastWasHold = true;
      this.stats.holdFrames++;
    }
    this.stats.encodeMs += performance.now() - t0;
  }

  /** Encodes the kept YUV picture at `ms` and muxes what the encoder gives back. */
  private encode(ms: number): void {
    const { av } = this;
    this.dst.pts = BigInt(Math.round(ms));
    const key = ms - this.lastKeyMs >= KEYFRAME_EVERY_MS;
    this.dst.pictType = key ? av.AV_PICTURE_TYPE_I : av.AV_PICTURE_TYPE_NONE;
    if (key) this.lastKeyMs = ms;
    if (this.ctx.sendFrameSync(this.dst) < 0) throw new Error('video encode failed');
    this.drain();
    this.lastMs = ms;
    this.frames++;
  }

  /** RGBA → the kept YUV picture, band by band, for the given rows (all when undefined). */
  private convertRows(
    rgba: Uint8Array | Uint8ClampedArray,
    width: number,
    height: number,
    rows: readonly RowRange[] | undefined,
  ): void {
    const planes = this.dst.data;
    if (!planes) throw new Error('the YUV picture has no planes');
    const [l0, l1, l2] = this.dst.linesize as [number, number, number];
    const [y0, u0, v0] = planes as [Buffer, Buffer, Buffer];
    const src = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
    for (const range of rows ?? [{ from: 0, to: height }]) {
      // 4:2:0 pairs rows: start and end on even rows.
      const to = Math.min(height, range.to + (range.to & 1));
      for (let y = Math.max(0, range.from & ~1); y < to; y += BAND_ROWS) {
        const h = Math.min(BAND_ROWS, to - y);
        this.bandScaler(width, h).scaleSync(
          [src.subarray(y * width * 4)],
          [width * 4],
          0,
          h,
          [y0.subarray(y * l0), u0.subarray((y / 2) * l1), v0.subarray((y / 2) * l2)],
          [l0, l1, l2],
        );
      }
    }
  }

  /** A converter of `width × h` RGBA rows to YUV 4:2:0 of the same size (kept per size). */
  private bandScaler(width: number, h: number): SoftwareScaleContext {
    const key = width * 65_536 + h;
    let scaler = this.bandScalers.get(key);
    if (!scaler) {
      const { av } = this;
      scaler = new av.SoftwareScaleContext();
      scaler.getContext(
        width,
        h,
        av.AV_PIX_FMT_RGBA,
        width,
        h,
        av.AV_PIX_FMT_YUV420P,
        av.SWS_BILINEAR,
      );
      if (scaler.initContext() < 0) throw new Error('no RGBA → YUV converter');
      this.bandScalers.set(key, scaler);
    }
    return scaler;
  }

  /** RGBA of another size → the file's size, the whole picture. */
  private convertScaled(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): void {
    const { av } = this;
    if (width !== this.sourceSize.width || height !== this.sourceSize.height || !this.scaler) {
      this.scaler?.freeContext();
      this.src.free();
      this.src.alloc();
      this.src.width = width;
      this.src.height = height;
      this.src.format = av.AV_PIX_FMT_RGBA;
      this.src.getBuffer(0);
      const scaler = new av.SoftwareScaleContext();
      scaler.getContext(
        width,
        height,
        av.AV_PIX_FMT_RGBA,
        this.options.width,
        this.options.height,
        av.AV_PIX_FMT_YUV420P,
        av.SWS_BILINEAR,
      );
      scaler.initContext();
      this.scaler = scaler;
      this.sourceSize = { width, height };
    }
    this.src.fromBuffer(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength));
    this.scaler.scaleFrameSync(this.dst, this.src);
  }

  /** Muxes one Opus packet (20 ms) at `ms`. */
  writeAudio(data: Uint8Array, ms: number): void {
    if (this.closed || !this.audioStream) return;
    const p = this.packet;
    p.data = Buffer.from(data);
    p.pts = BigInt(Math.round(ms));
    p.dts = p.pts;
    p.duration = 20n;
    p.streamIndex = this.audioStream.index;
    this.fmt.interleavedWriteFrameSync(p);
    p.unref();
    this.audioPackets++;
  }

  private drain(): void {
    while (this.ctx.receivePacketSync(this.packet) >= 0) {
      const size = this.packet.size;
      if (this.packet.isKeyframe) {
        this.stats.keyFrames++;
        this.stats.keyBytes += size;
      } else {
        this.stats.interFrames++;
        this.stats.interBytes += size;
      }
      this.packet.streamIndex = this.videoStream.index;
      this.packet.rescaleTs(this.ctx.timeBase, this.videoStream.timeBase);
      this.fmt.interleavedWriteFrameSync(this.packet);
      this.packet.unref();
    }
  }

  /** Flushes the encoder and ends the file (nothing is rewritten: it only grows). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.ctx.sendFrameSync(null);
      this.drain();
      await this.fmt.writeTrailer();
    } finally {
      await this.fmt.closeOutput();
      this.release();
    }
  }

  private release(): void {
    this.packet.free();
    this.src.free();
    this.dst.free();
    this.scaler?.freeContext();
    for (const scaler of this.bandScalers.values()) scaler.freeContext();
    this.ctx.freeContext();
    this.fmt.freeContext();
  }
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

/** The Opus identification header WebM carries as CodecPrivate (RFC 7845 §5.1). */
function opusHead(sampleRate: number, channels: number): Buffer {
  const b = Buffer.alloc(19);
  b.write('OpusHead', 0, 'ascii');
  b.writeUInt8(1, 8);
  b.writeUInt8(channels, 9);
  b.writeUInt16LE(312, 10);
  b.writeUInt32LE(sampleRate, 12);
  b.writeInt16LE(0, 16);
  b.writeUInt8(0, 18);
  return b;
}
