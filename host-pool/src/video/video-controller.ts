import type { GrabbedFrame } from '../capture/index.ts';
import { contains, type Rect } from '../encode/tile-grid.ts';
import type { FeatureContext } from '../sessions/feature.ts';
import type { FrameUpdate } from '../types.ts';
import { H264Encoder } from './h264-encoder.ts';
import { iou, looksLikeText, MotionClassifier } from './motion-classifier.ts';
import { RegionCapture } from './region-capture.ts';
import type { MediaHint } from './video-hints.ts';
import { VideoStream } from './video-stream.ts';

export type VideoMode = 'roi' | 'full' | 'off';

export interface VideoControllerOptions {
  readonly mode: VideoMode;
  readonly fps: number;
  readonly maxKbps: number;
  /** Where playing media are on screen (CDP); undefined = motion only. */
  readonly hints?: () => Promise<MediaHint[]>;
  /** Evaluation period. */
  readonly tickMs?: number;
  /** A region leaves video after this long without change. */
  readonly idleExitMs?: number;
  readonly preferHardware?: boolean;
}

const MIN_REGION = 128;

/**
 * Decides which part of the display goes as H.264 and runs that stream. In `roi` mode it enters
 * video after sustained motion over a meaningful area that is not text-like (or a playing video the
 * page reports), with hysteresis; it leaves when the region has been still for a while or the page
 * paused the video, and the tiles then repaint the region losslessly. In `full` mode the whole
 * display is video while anyone watches.
 */
export class VideoController {
  private classifier: MotionClassifier;
  private stream: VideoStream | undefined;
  private capture: RegionCapture | undefined;
  private lastGrab: GrabbedFrame | undefined;
  private pendingCandidate: Rect | undefined;
  private lastActivity = 0;
  private starting = false;
  private encoding = false;
  private nextStreamId = 1;
  private timer: NodeJS.Timeout | undefined;
  private readonly off: Array<() => void> = [];
  /** Each watcher's latest bitrate ask (kbit/s); one encode serves all, so the lowest wins. */
  private readonly asks = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly ctx: FeatureContext,
    private readonly options: VideoControllerOptions,
  ) {
    this.classifier = this.newClassifier();
  }

  get active(): VideoStream | undefined {
    return this.stream;
  }

  start(): void {
    const { source, hub } = this.ctx;
    this.off.push(source.onGrab((g) => this.onGrab(g)));
    this.off.push(source.onFrame((u) => this.onFrame(u)));
    this.off.push(
      hub.onLeave((p) => {
        this.stream?.forget(p);
        if (this.asks.delete(p.id)) this.applyRate();
      }),
    );
    hub.handle('bitrateHint', (m, p) => {
      if (m.type !== 'bitrateHint') return;
      if (m.targetKbps > 0) this.asks.set(p.id, m.targetKbps);
      else this.asks.delete(p.id);
      this.applyRate();
    });
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? 200);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const off of this.off.splice(0)) off();
    this.leave('stopped');
  }

  private newClassifier(): MotionClassifier {
    const g = this.ctx.source.grid;
    return new MotionClassifier({ tileSize: g.tileSize, cols: g.cols, rows: g.rows });
  }

  private onFrame(update: FrameUpdate): void {
    if (update.grid) {
      // the display changed size: regions no longer apply
      this.leave('resized');
      this.classifier = this.newClassifier();
      return;
    }
    if (update.full || update.copies.length > 0) return; // snapshots and scrolls are not motion
    this.classifier.observe(update.tiles, performance.now());
  }

  private onGrab(grab: GrabbedFrame): void {
    this.lastGrab = grab;
    if (!this.capture || !this.stream) return;
    if (this.capture.take(grab)) this.lastActivity = performance.now();
    if (this.encoding || !this.capture.consume()) return;
    this.encoding = true;
    const stream = this.stream;
    const pixels = this.capture.pixels;
    const pts = grab.timestampUs;
    setImmediate(() => {
      this.encoding = false;
      if (stream !== this.stream) return;
      try {
        stream.push(pixels, pts);
      } catch (err) {
        this.ctx.log.warn('video encode failed', { err });
        this.leave('encoder_failed');
      }
    });
  }

  private async tick(): Promise<void> {
    if (this.closed || this.starting) return;
    const watched = this.ctx.hub.list().length > 0;
    if (this.options.mode === 'off' || !watched) {
      if (this.stream) this.leave('no_viewers');
      return;
    }
    const { width, height } = this.ctx.source.grid;
    if (this.options.mode === 'full') {
      if (!this.stream)
        await this.enter(
          { x: 0, y: 0, width: width - (width % 2), height: height - (height % 2) },
          'full',
        );
      return;
    }
    const now = performance.now();
    if (this.stream) {
      const region = this.stream.region;
      if (now - this.lastActivity > (this.options.idleExitMs ?? 700)) return this.leave('still');
      const hints = await this.hintsNear(region);
      if (hints.some((h) => h.kind === 'video' && !h.playing && iou(h, region) > 0.8))
        return this.leave('paused');
      // Media moved or grew (scrolled, went full screen): start over with the new rectangle.
      const moved = hints.find((h) => h.playing && iou(h, region) < 0.8);
      if (moved) return this.leave('media_moved');
      // Motion outside the region bigger than the region itself: it is no longer the right one.
      const outside = this.classifier.candidate(now, width, height);
      const elsewhere = outside && iou(outside, region) < 0.3;
      if (elsewhere && outside.width * outside.height > region.width * region.height)
        return this.leave('motion_moved');
      return;
    }
    const candidate = this.classifier.candidate(now, width, height);
    if (!candidate) {
      this.pendingCandidate = undefined;
      return;
    }
    const hint = (await this.hintsNear(candidate)).find((h) => h.playing);
    const region = snap(hint ?? candidate, width, height);
    if (!region) return;
    if (!hint && this.lastGrab && looksLikeText(this.lastGrab.frame, this.lastGrab.width, region))
      return;
    if (this.pendingCandidate && iou(this.pendingCandidate, region) > 0.7) {
      this.pendingCandidate = undefined;
      await this.enter(region, hint ? 'media_hint' : 'motion');
    } else this.pendingCandidate = region;
  }

  private async hintsNear(r: Rect): Promise<MediaHint[]> {
    if (!this.options.hints) return [];
    const hints = await this.options.hints();
    return hints.filter((h) => iou(h, r) > 0.2 || contains(r, h) || contains(h, r));
  }

  private async enter(region: Rect, reason: string): Promise<void> {
    this.starting = true;
    try {
      const encoder = await H264Encoder.create({
        width: region.width,
        height: region.height,
        fps: this.options.fps,
        maxKbps: this.rateFor(region),
        preferHardware: this.options.preferHardware,
      });
      if (this.closed) return encoder.close();
      this.stream = new VideoStream(this.nextStreamId++ % 256, region, encoder, this.ctx.hub);
      this.capture = new RegionCapture(region);
      this.classifier = this.newClassifier(); // motion from now on, outside the masked region
      this.lastActivity = performance.now();
      this.ctx.source.setMask(region);
      this.ctx.record('video_started', { ...region, reason, hardware: encoder.hardware });
      this.ctx.log.info('video region started', { ...region, reason });
    } finally {
      this.starting = false;
    }
  }

  /** The region's own ceiling, lowered to the lowest watcher's ask (never under 200 kbit/s). */
  private rateFor(region: Rect): number {
    const ceiling = rateFor(region, this.options.maxKbps);
    const asked = Math.min(...this.asks.values());
    return Number.isFinite(asked) ? Math.max(200, Math.min(ceiling, asked)) : ceiling;
  }

  private applyRate(): void {
    if (this.stream) this.stream.setMaxKbps(this.rateFor(this.stream.region));
  }

  private leave(reason: string): void {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    this.capture = undefined;
    stream.end();
    this.ctx.source.setMask(undefined);
    this.classifier = this.newClassifier();
    this.ctx.record('video_stopped', {
      reason,
      frames: stream.stats.frames,
      bytes: stream.stats.bytes,
    });
    this.ctx.log.info('video region stopped', { reason, frames: stream.stats.frames });
  }
}

/**
 * The rate ceiling for a region: `maxKbps` is for 640 × 360; larger regions get more, by the square
 * root of their area (bits per pixel fall as resolution grows), never more than 2.5 × that.
 */
export function rateFor(r: Rect, maxKbps: number): number {
  const scale = Math.sqrt((r.width * r.height) / (640 * 360));
  return Math.round(maxKbps * Math.min(2.5, Math.max(0.5, scale)));
}

/** Even-aligned, on-screen, large enough for video; undefined when it is not. */
function snap(r: Rect, width: number, height: number): Rect | undefined {
  const x = Math.max(0, Math.floor(r.x / 2) * 2);
  const y = Math.max(0, Math.floor(r.y / 2) * 2);
  const x1 = Math.min(width, r.x + r.width);
  const y1 = Math.min(height, r.y + r.height);
  const w = Math.floor((x1 - x) / 2) * 2;
  const h = Math.floor((y1 - y) / 2) * 2;
  return w >= MIN_REGION && h >= MIN_REGION / 2 ? { x, y, width: w, height: h } : undefined;
}
