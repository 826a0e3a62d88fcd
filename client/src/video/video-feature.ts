import type { Message, MessageOf } from '@browserpane/protocol';
import type { AttachedFeature, ClientFeature, ClientFeatureContext } from '../feature.ts';
import { FragmentAssembler } from './fragment-assembler.ts';
import { RateAdapter } from './rate-adapter.ts';

export interface VideoStats {
  readonly framesDecoded: number;
  readonly bytes: number;
  readonly activeStreams: number;
  readonly decodeErrors: number;
  /** The rate this client currently asks the host for (kbit/s; 0 = no limit). */
  readonly askedKbps: number;
  readonly regions: ReadonlyArray<{ x: number; y: number; width: number; height: number }>;
}

export interface VideoApi extends AttachedFeature {
  stats(): VideoStats;
}

interface Stream {
  readonly start: MessageOf<'videoStreamStart'>;
  decoder: VideoDecoder | undefined;
  keyed: boolean;
}

/**
 * Draws the host's H.264 regions over the tiles: decodes with WebCodecs `VideoDecoder` (Annex B,
 * low latency) onto a layer above the picture, so tiles under the region never flicker through.
 * When a stream ends its area is cleared and the tiles' lossless repaint shows. Asks for fewer bits
 * when decoding falls behind and for more again once it keeps up (see RateAdapter).
 */
export function videoFeature(): ClientFeature<VideoApi> {
  return {
    name: 'video',
    wants: ['video'],
    messages: ['videoStreamStart', 'videoStreamEnd', 'videoFragment'],
    attach: (ctx) => new VideoLayer(ctx),
  };
}

class VideoLayer implements VideoApi {
  private readonly layer: HTMLCanvasElement;
  private readonly streams = new Map<number, Stream>();
  private readonly assembler = new FragmentAssembler();
  private framesDecoded = 0;
  private bytes = 0;
  private decodeErrors = 0;
  private readonly rate = new RateAdapter();

  constructor(private readonly ctx: ClientFeatureContext) {
    this.layer = ctx.stage.addLayer('bp-video');
  }

  stats(): VideoStats {
    return {
      framesDecoded: this.framesDecoded,
      bytes: this.bytes,
      activeStreams: this.streams.size,
      decodeErrors: this.decodeErrors,
      askedKbps: this.rate.targetKbps,
      regions: [...this.streams.values()].map(({ start: s }) => ({
        x: s.x,
        y: s.y,
        width: s.width,
        height: s.height,
      })),
    };
  }

  onMessage(m: Message): void {
    if (m.type === 'videoStreamStart') this.begin(m);
    else if (m.type === 'videoStreamEnd') this.end(m.streamId);
    else if (m.type === 'videoFragment') this.fragment(m);
  }

  dispose(): void {
    for (const id of [...this.streams.keys()]) this.end(id);
    this.layer.remove();
  }

  private begin(start: MessageOf<'videoStreamStart'>): void {
    this.end(start.streamId);
    this.streams.set(start.streamId, { start, decoder: undefined, keyed: false });
  }

  private end(streamId: number): void {
    const stream = this.streams.get(streamId);
    if (!stream) return;
    this.streams.delete(streamId);
    if (stream.decoder && stream.decoder.state !== 'closed') stream.decoder.close();
    const { x, y, width, height } = stream.start;
    this.layer.getContext('2d')?.clearRect(x, y, width, height);
  }

  private fragment(f: MessageOf<'videoFragment'>): void {
    this.bytes += f.data.byteLength;
    this.rate.received(f.data.byteLength, performance.now());
    const stream = this.streams.get(f.streamId);
    const frame = this.assembler.push(f);
    if (!stream || !frame) return;
    if (!stream.keyed && !frame.keyframe) return;
    if (frame.keyframe && (!stream.decoder || stream.decoder.state === 'closed'))
      stream.decoder = this.decoderFor(stream);
    const decoder = stream.decoder;
    if (decoder?.state !== 'configured') return;
    stream.keyed = true;
    try {
      decoder.decode(
        new EncodedVideoChunk({
          type: frame.keyframe ? 'key' : 'delta',
          timestamp: frame.ptsUs,
          data: frame.data,
        }),
      );
    } catch {
      this.fail(stream);
    }
    this.adapt(decoder.decodeQueueSize);
  }

  private decoderFor(stream: Stream): VideoDecoder {
    const decoder = new VideoDecoder({
      output: (frame) => this.draw(stream, frame),
      error: () => this.fail(stream),
    });
    decoder.configure({ codec: stream.start.codec, optimizeForLatency: true });
    return decoder;
  }

  private draw(stream: Stream, frame: VideoFrame): void {
    const screen = this.ctx.surface.canvas;
    if (this.layer.width !== screen.width || this.layer.height !== screen.height) {
      this.layer.width = screen.width;
      this.layer.height = screen.height;
    }
    const { x, y, width, height } = stream.start;
    if (this.streams.get(stream.start.streamId) === stream)
      this.layer.getContext('2d')?.drawImage(frame, x, y, width, height);
    frame.close();
    this.framesDecoded++;
  }

  private fail(stream: Stream): void {
    this.decodeErrors++;
    stream.keyed = false;
    if (stream.decoder && stream.decoder.state !== 'closed') stream.decoder.close();
    stream.decoder = undefined;
  }

  private adapt(queue: number): void {
    const targetKbps = this.rate.observe(queue, performance.now());
    if (targetKbps === undefined) return;
    this.ctx.send({
      type: 'bitrateHint',
      targetKbps,
      lossPermille: 0,
      queueDelayMs: Math.min(65535, queue * 33),
    });
  }
}
