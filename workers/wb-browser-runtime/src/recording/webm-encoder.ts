// JPEG screencast frames → VP9 (libvpx, realtime) in a WebM file, in-process with node-av.
// Frames are placed on a constant `fps` grid by arrival time; within one grid slot the latest frame
// wins, so a burst of 60 fps screencast frames becomes at most `fps` encoded frames.

import { loadNodeAv } from '@browserpane/host-pool/media/node-av';
import type { CodecContext, Encoder, Frame, Muxer, Packet, SoftwareScaleContext } from 'node-av';
import type { AVPixelFormat } from 'node-av/constants';

interface Pending {
  jpeg: Buffer;
  slot: number;
}

type NodeAv = Awaited<ReturnType<typeof loadNodeAv>>;

/** Frames waiting for the encoder beyond this are dropped, to bound memory and CPU. */
const MAX_BACKLOG = 8;

export interface EncodeResult {
  path: string;
  frames: number;
}

export class WebmEncoder {
  readonly path: string;
  readonly fps: number;
  #t0: number | null = null;
  #pending: Pending | null = null;
  #chain: Promise<void> = Promise.resolve();
  #queued = 0;
  #lastSlot = -1;
  #frames = 0;
  #error: Error | null = null;
  #lib: NodeAv | null = null;
  #decoder: CodecContext | null = null;
  #packet: Packet | null = null;
  #scaler: SoftwareScaleContext | null = null;
  #scaled: Frame | null = null;
  #encoder: Encoder | null = null;
  #muxer: Muxer | null = null;
  #stream = 0;

  constructor(path: string, fps: number) {
    this.path = path;
    this.fps = fps;
  }

  /** Queues one JPEG captured at `atMs` (any monotonic ms clock). */
  push(jpeg: Buffer, atMs: number): void {
    if (this.#error) return;
    this.#t0 ??= atMs;
    const slot = Math.max(0, Math.round(((atMs - this.#t0) * this.fps) / 1000));
    if (this.#pending && slot > this.#pending.slot) this.#enqueue(this.#pending);
    this.#pending = { jpeg, slot: Math.max(slot, this.#pending?.slot ?? 0) };
  }

  /** Encodes what is left, repeats the last picture up to `endMs`, closes the file. */
  async finish(endMs: number): Promise<EncodeResult> {
    if (this.#pending) this.#enqueue(this.#pending, true);
    this.#pending = null;
    await this.#chain;
    if (this.#error) throw this.#error;
    if (this.#frames === 0 || !this.#encoder || !this.#muxer) throw new Error('no_frames');
    const endSlot = Math.round(((endMs - (this.#t0 ?? endMs)) * this.fps) / 1000);
    if (this.#scaled && endSlot > this.#lastSlot) await this.#encodeScaled(endSlot);
    for await (const packet of this.#encoder.flushPackets()) await this.#write(packet);
    await this.#muxer.close();
    this.#release();
    return { path: this.path, frames: this.#frames };
  }

  /** Stops without producing a file. */
  async abort(): Promise<void> {
    this.#pending = null;
    this.#error ??= new Error('aborted');
    await this.#chain;
    this.#release();
  }

  /** Serial encoding; while the encoder lags MAX_BACKLOG frames behind, new frames are dropped. */
  #enqueue(item: Pending, force = false): void {
    if (!force && this.#queued >= MAX_BACKLOG) return;
    this.#queued++;
    this.#chain = this.#chain.then(async () => {
      this.#queued--;
      if (this.#error) return;
      try {
        await this.#encodeJpeg(item);
      } catch (error) {
        this.#error = error as Error;
      }
    });
  }

  async #encodeJpeg({ jpeg, slot }: Pending): Promise<void> {
    if (slot <= this.#lastSlot) return;
    const { av, constants } = await this.#load();
    const packet = this.#packet as Packet;
    packet.data = jpeg;
    const decoded = new av.Frame();
    decoded.alloc();
    try {
      await (this.#decoder as CodecContext).sendPacket(packet);
      if ((await (this.#decoder as CodecContext).receiveFrame(decoded)) < 0) return;
      if (!this.#encoder) await this.#open(decoded.width, decoded.height);
      const scaler = this.#scaler ?? new av.SoftwareScaleContext();
      if (!this.#scaler) {
        const { width, height } = this.#scaled as Frame;
        scaler.getContext(
          decoded.width,
          decoded.height,
          decoded.format as AVPixelFormat,
          width,
          height,
          constants.AV_PIX_FMT_YUV420P,
          constants.SWS_BILINEAR,
        );
        scaler.initContext();
        this.#scaler = scaler;
      }
      (this.#scaled as Frame).makeWritable();
      await scaler.scaleFrame(this.#scaled as Frame, decoded);
    } finally {
      decoded.free();
    }
    await this.#encodeScaled(slot);
  }

  async #encodeScaled(slot: number): Promise<void> {
    const { av } = await this.#load();
    const frame = this.#scaled as Frame;
    frame.pts = BigInt(slot);
    frame.timeBase = new av.Rational(1, this.fps);
    for (const packet of await (this.#encoder as Encoder).encodeAll(frame))
      await this.#write(packet);
    this.#lastSlot = slot;
    this.#frames++;
  }

  async #write(packet: Packet): Promise<void> {
    await (this.#muxer as Muxer).writePacket(packet, this.#stream);
    packet.free();
  }

  async #load(): Promise<NodeAv> {
    if (this.#lib) return this.#lib;
    const lib = await loadNodeAv();
    const decoder = new lib.av.CodecContext();
    decoder.allocContext3(lib.av.Codec.findDecoder(lib.constants.AV_CODEC_ID_MJPEG));
    const opened = await decoder.open2(null, null);
    if (opened < 0) throw new Error(`mjpeg decoder: error ${opened}`);
    const packet = new lib.av.Packet();
    packet.alloc();
    this.#decoder = decoder;
    this.#packet = packet;
    this.#lib = lib;
    return lib;
  }

  async #open(sourceWidth: number, sourceHeight: number): Promise<void> {
    const { av, constants } = await this.#load();
    const width = Math.max(2, sourceWidth & ~1);
    const height = Math.max(2, sourceHeight & ~1);
    const timeBase = new av.Rational(1, this.fps);
    this.#encoder = await av.Encoder.create(constants.FF_ENCODER_LIBVPX_VP9, {
      context: {
        width,
        height,
        pixelFormat: constants.AV_PIX_FMT_YUV420P,
        timeBase,
        framerate: new av.Rational(this.fps, 1),
        bitRate: 1_000_000n,
        threadCount: 1,
      },
      options: { deadline: 'realtime', 'cpu-used': 8 },
    });
    this.#muxer = await av.Muxer.open(this.path, { format: 'webm' });
    this.#stream = this.#muxer.addStream(this.#encoder);
    const scaled = new av.Frame();
    scaled.alloc();
    scaled.width = width;
    scaled.height = height;
    scaled.format = constants.AV_PIX_FMT_YUV420P;
    scaled.getBuffer(0);
    this.#scaled = scaled;
  }

  #release(): void {
    this.#scaled?.free();
    this.#packet?.free();
    this.#decoder?.freeContext();
    this.#encoder?.close();
    this.#scaled = null;
    this.#packet = null;
    this.#decoder = null;
    this.#encoder = null;
  }
}
