/**
 * Decodes one ROI H.264 stream (Annex B access units, as the relay sends them) to RGBA pictures of
 * the stream's rectangle with FFmpeg: the Node counterpart of the browser client's WebCodecs
 * decoder. A decoding error drops the stream's picture until the next keyframe.
 */
import { loadNodeAv } from '@browserpane/host-pool/media/node-av';
import type { CodecContext, Frame, Packet, SoftwareScaleContext } from 'node-av';

type Av = Awaited<ReturnType<typeof loadNodeAv>>['av'];

export class H264Region {
  private scaler: SoftwareScaleContext | undefined;
  private scaledFor = '';
  private closed = false;

  private constructor(
    private readonly av: Av,
    private readonly ctx: CodecContext,
    private readonly packet: Packet,
    private readonly decoded: Frame,
    private readonly rgba: Frame,
    readonly width: number,
    readonly height: number,
  ) {}

  static async open(width: number, height: number): Promise<H264Region> {
    const { av } = await loadNodeAv();
    const codec = av.Codec.findDecoder(av.AV_CODEC_ID_H264);
    if (!codec) throw new Error('no H.264 decoder in this FFmpeg');
    const ctx = new av.CodecContext();
    ctx.allocContext3(codec);
    ctx.threadCount = 1;
    if (ctx.open2Sync(codec, null) < 0) {
      ctx.freeContext();
      throw new Error('the H.264 decoder did not open');
    }
    const packet = new av.Packet();
    packet.alloc();
    const decoded = new av.Frame();
    decoded.alloc();
    const rgba = new av.Frame();
    rgba.alloc();
    rgba.width = width;
    rgba.height = height;
    rgba.format = av.AV_PIX_FMT_RGBA;
    rgba.getBuffer(0);
    return new H264Region(av, ctx, packet, decoded, rgba, width, height);
  }

  /** Decodes one access unit; returns the newest picture it produced (RGBA, width × height). */
  decode(accessUnit: Uint8Array): Uint8Array | undefined {
    if (this.closed) return undefined;
    this.packet.data = Buffer.from(accessUnit);
    const sent = this.ctx.sendPacketSync(this.packet);
    this.packet.unref();
    if (sent < 0) throw new Error(`H.264 decode failed (${sent})`);
    let out: Uint8Array | undefined;
    while (this.ctx.receiveFrameSync(this.decoded) >= 0) {
      out = this.toRgba(this.decoded);
      this.decoded.unref();
    }
    return out;
  }

  private toRgba(frame: Frame): Uint8Array {
    const { av } = this;
    const key = `${frame.width}x${frame.height}:${frame.format}`;
    if (!this.scaler || key !== this.scaledFor) {
      this.scaler?.freeContext();
      const scaler = new av.SoftwareScaleContext();
      scaler.getContext(
        frame.width,
        frame.height,
        frame.format as Av['AV_PIX_FMT_YUV420P'],
        this.width,
        this.height,
        av.AV_PIX_FMT_RGBA,
        av.SWS_BILINEAR,
      );
      scaler.initContext();
      this.scaler = scaler;
      this.scaledFor = key;
    }
    this.rgba.makeWritable();
    this.scaler.scaleFrameSync(this.rgba, frame);
    const bytes = this.rgba.toBuffer();
    return new Uint8Array(bytes.buffer, bytes.byteOffset, this.width * this.height * 4);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.scaler?.freeContext();
    this.packet.free();
    this.decoded.free();
    this.rgba.free();
    this.ctx.freeContext();
  }
}
