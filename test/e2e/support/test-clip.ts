import { existsSync } from 'node:fs';
import { loadNodeAv } from '../../../host-pool/src/media/node-av.ts';

/**
 * Writes a video clip for the tests (no downloads): VP9 in WebM, moving colour fields and shapes
 * that look like camera footage to an encoder (many colours, no text), at `fps` for `seconds`.
 */
export async function writeTestClip(
  path: string,
  options: { width?: number; height?: number; fps?: number; seconds?: number } = {},
): Promise<string> {
  if (existsSync(path)) return path;
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const fps = options.fps ?? 30;
  const frames = fps * (options.seconds ?? 4);
  const { av } = await loadNodeAv();
  // Low-level codec context with explicit frees: node-av's high-level Encoder crashes from a GC
  // finalizer after encoding (see host-pool/src/video/h264-encoder.ts).
  const codec = av.Codec.findEncoderByName(av.FF_ENCODER_LIBVPX_VP9);
  if (!codec) throw new Error('no libvpx-vp9 in this FFmpeg');
  const ctx = new av.CodecContext();
  ctx.allocContext3(codec);
  ctx.width = width;
  ctx.height = height;
  ctx.pixelFormat = av.AV_PIX_FMT_YUV420P;
  ctx.timeBase = new av.Rational(1, fps);
  ctx.framerate = new av.Rational(fps, 1);
  ctx.bitRate = 2_000_000n;
  ctx.gopSize = fps;
  ctx.threadCount = 1;
  ctx.setOption('deadline', 'realtime');
  ctx.setOption('cpu-used', '8');
  if (ctx.open2Sync(codec, null) < 0) throw new Error('VP9 encoder did not open');
  const format = av.FormatContext ? new av.FormatContext() : undefined;
  if (!format) throw new Error('no FormatContext in node-av');
  format.allocOutputContext2(null, 'webm', path);
  const stream = format.newStream(null);
  stream.codecpar.fromContext(ctx);
  stream.timeBase = ctx.timeBase;
  const io = new av.IOContext();
  await io.open2(path, av.AVIO_FLAG_WRITE);
  format.pb = io;
  if ((await format.writeHeader()) < 0) throw new Error('webm header failed');
  const scaler = new av.SoftwareScaleContext();
  scaler.getContext(
    width,
    height,
    av.AV_PIX_FMT_BGR0,
    width,
    height,
    av.AV_PIX_FMT_YUV420P,
    av.SWS_BILINEAR,
  );
  scaler.initContext();
  const src = new av.Frame();
  src.alloc();
  src.width = width;
  src.height = height;
  src.format = av.AV_PIX_FMT_BGR0;
  src.getBuffer(0);
  const dst = new av.Frame();
  dst.alloc();
  dst.width = width;
  dst.height = height;
  dst.format = av.AV_PIX_FMT_YUV420P;
  dst.getBuffer(0);
  const packet = new av.Packet();
  packet.alloc();
  const drain = async () => {
    while (ctx.receivePacketSync(packet) >= 0) {
      packet.rescaleTs(ctx.timeBase, stream.timeBase);
      packet.streamIndex = stream.index;
      await format.interleavedWriteFrame(packet);
      packet.unref();
    }
  };
  const bgrx = Buffer.alloc(width * height * 4);
  for (let i = 0; i < frames; i++) {
    paint(bgrx, width, height, i);
    src.fromBuffer(bgrx);
    dst.makeWritable();
    scaler.scaleFrameSync(dst, src);
    dst.pts = BigInt(i);
    ctx.sendFrameSync(dst);
    await drain();
  }
  ctx.sendFrameSync(null);
  await drain();
  await format.writeTrailer();
  await io.closep();
  format.pb = null; // closed above; freeing the format must not close it again
  packet.free();
  src.free();
  dst.free();
  scaler.freeContext();
  ctx.freeContext();
  format.freeContext();
  return path;
}

function paint(out: Buffer, width: number, height: number, t: number): void {
  const cx = width / 2 + Math.sin(t / 9) * width * 0.3;
  const cy = height / 2 + Math.cos(t / 7) * height * 0.3;
  let seed = t * 7919;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed >>> 24) & 31;
      const d = Math.hypot(x - cx, y - cy);
      const ring = d < 70 ? 120 : 0;
      out[at] = (x + t * 3 + noise) & 0xff;
      out[at + 1] = ((y * 2 + t * 5) & 0xff) ^ ring;
      out[at + 2] = ((x + y) / 2 + t * 7 + noise) & 0xff;
    }
  }
}
