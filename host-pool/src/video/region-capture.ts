import type { GrabbedFrame } from '../capture/index.ts';
import type { Rect } from '../encode/tile-grid.ts';

/**
 * Keeps the pixels of the video region up to date from the display's grabs (which refresh only
 * the damaged rows) and says whether they changed, so the encoder runs only on new content.
 */
export class RegionCapture {
  readonly pixels: Buffer;
  private dirty = true;

  constructor(readonly region: Rect) {
    this.pixels = Buffer.alloc(region.width * region.height * 4);
  }

  /** Copies the grabbed rows that cross the region; returns true if anything in it changed. */
  take(grab: GrabbedFrame): boolean {
    const r = this.region;
    if (r.x + r.width > grab.width || r.y + r.height > grab.height) return false;
    const srcStride = grab.width * 4;
    const rowBytes = r.width * 4;
    let changed = false;
    for (const band of grab.rows) {
      for (let y = Math.max(band.y0, r.y); y < Math.min(band.y1, r.y + r.height); y++) {
        const src = y * srcStride + r.x * 4;
        const dst = (y - r.y) * rowBytes;
        if (grab.frame.compare(this.pixels, dst, dst + rowBytes, src, src + rowBytes) !== 0) {
          grab.frame.copy(this.pixels, dst, src, src + rowBytes);
          changed = true;
        }
      }
    }
    if (changed) this.dirty = true;
    return changed;
  }

  /** True once after new content arrived (the next encode takes it). */
  consume(): boolean {
    const was = this.dirty;
    this.dirty = false;
    return was;
  }
}
