import type { FormatContext, Frame, Packet } from 'node-av';
import { loadNodeAv } from '../media/node-av.ts';
import { CameraError } from './errors.ts';
import type { PictureSize } from './h264-decoder.ts';

/** Where decoded camera pictures go. */
export interface FrameSink {
  write(picture: Frame): Promise<void>;
  close(): Promise<void>;
}

export interface DeviceSinkOptions extends PictureSize {
  /** A v4l2loopback node (`/dev/videoN`), or a file for `rawvideo`. */
  readonly path: string;
  /** FFmpeg output format: `v4l2` for a device; `rawvideo` writes the same bytes to a file. */
  readonly format?: 'v4l2' | 'rawvideo';
  readonly fps: number;
}

/**
 * Writes YUV 4:2:0 pictures to a v4l2loopback device through FFmpeg's v4l2 output (which sets the
 * device format once, on open); the remote Chromium then sees an ordinary webcam. Opened with the
 * low-level API so no options dictionary is involved (node-av 6.1.1 frees those twice).
 */
export class DeviceFrameSink implements FrameSink {
  private pts = 0n;
  private closed = false;

  private constructor(
    private readonly oc: FormatContext,
    private readonly packet: Packet,
    private readonly ownsIo: boolean,
    readonly options: DeviceSinkOptions,
  ) {}

  static async open(options: DeviceSinkOptions): Promise<DeviceFrameSink> {
    const { av, constants } = await loadNodeAv();
    const format = options.format ?? 'v4l2';
    const oc = new av.FormatContext();
    if (oc.allocOutputContext2(null, format, options.path) < 0 || !oc.oformat) {
      oc.freeContext();
      throw new CameraError('sink_failed', `FFmpeg has no ${format} output`);
    }
    const stream = oc.newStream(null);
    stream.codecpar.codecType = constants.AVMEDIA_TYPE_VIDEO;
    stream.codecpar.codecId = constants.AV_CODEC_ID_RAWVIDEO;
    stream.codecpar.width = options.width;
    stream.codecpar.height = options.height;
    stream.codecpar.format = constants.AV_PIX_FMT_YUV420P;
    stream.timeBase = new av.Rational(1, Math.max(1, options.fps));
    const ownsIo = (oc.oformat.flags & constants.AVFMT_NOFILE) === 0;
    if (ownsIo && (await oc.openOutput()) < 0) {
      oc.freeContext();
      throw new CameraError('sink_failed', 'cannot open the camera output');
    }
    // Nothing may be written after a failed header: FFmpeg's v4l2 output would crash.
    const header = await oc.writeHeader(null);
    if (header < 0) {
      if (ownsIo) await oc.closeOutput();
      oc.freeContext();
      throw new CameraError('sink_failed', `cannot configure the camera device (${header})`);
    }
    const packet = new av.Packet();
    packet.alloc();
    return new DeviceFrameSink(oc, packet, ownsIo, options);
  }

  async write(picture: Frame): Promise<void> {
    if (this.closed) return;
    if (picture.width !== this.options.width || picture.height !== this.options.height)
      throw new CameraError('sink_failed', 'picture size differs from the device format');
    this.packet.data = picture.toBuffer();
    this.packet.streamIndex = 0;
    this.packet.pts = this.pts;
    this.packet.dts = this.pts;
    this.packet.duration = 1n;
    this.pts++;
    const written = await this.oc.writeFrame(this.packet);
    this.packet.unref();
    if (written < 0) throw new CameraError('sink_failed', `camera write failed (${written})`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.oc.writeTrailer();
    if (this.ownsIo) await this.oc.closeOutput();
    this.oc.freeContext();
    this.packet.free();
  }
}
