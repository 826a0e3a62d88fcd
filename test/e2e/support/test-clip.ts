import { existsSync } from 'node:fs';
import { loadNodeAv } from '../../../host-pool/src/video/node-av.ts';

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
  const av = await loadNodeAv();
  const timeBase = new av.Rational(1, fps);
  const encoder = await av.Encoder.create(av.FF_ENCODER_LIBVPX_VP9, {
    context: {
      width,
      height,
      pixelFormat: av.AV_PIX_FMT_YUV420P,
      timeBase,
      framerate: new av.Rational(fps, 1),
      bitRate: 2_000_000n,
      threadCount: 1,
      gopSize: fps,
    },
    options: { deadline: 'realtime', 'cpu-used': 8 },
  });
  const muxer = await av.Muxer.open(path, { format: 'webm' });
  const stream = muxer.addStream(encoder);
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
  const bgrx = Buffer.alloc(width * height * 4);
  for (let i = 0; i < frames; i++) {
    paint(bgrx, width, height, i);
    src.fromBuffer(bgrx);
    dst.makeWritable();
    scaler.scaleFrameSync(dst, src);
    dst.pts = BigInt(i);
    dst.timeBase = timeBase;
    for (const packet of await encoder.encodeAll(dst)) {
      await muxer.writePacket(packet, stream);
      packet.free();
    }
  }
  for await (const packet of encoder.flushPackets()) {
    await muxer.writePacket(packet, stream);
    packet.free();
  }
  await muxer.close();
  encoder.close();
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
