import { LazyPages } from '../cdp/lazy-pages.ts';
import type { Rect } from '../encode/tile-grid.ts';

/** A playing `<video>` (or an animating `<canvas>`) on the visible page, in display pixels. */
export interface MediaHint extends Rect {
  readonly kind: 'video' | 'canvas';
  readonly playing: boolean;
}

/**
 * Asks the visible page where its moving media are: playing videos (and canvases the page marks
 * as animating via requestAnimationFrame are out of reach, so only videos and sizeable canvases are
 * reported). Positions are turned into display pixels with the window's position and the height
 * of the browser's own toolbars. Connects lazily and follows browser restarts.
 */
export class VideoHints {
  private readonly pages: LazyPages;

  constructor(endpoint: () => string) {
    this.pages = new LazyPages(endpoint);
  }

  async query(): Promise<MediaHint[]> {
    try {
      const page = await this.pages.active();
      if (!page) return [];
      const { result } = await page.send<{ result: { value?: MediaHint[] } }>(
        'Runtime.evaluate',
        { expression: PROBE, returnByValue: true, silent: true },
        2000,
      );
      return Array.isArray(result.value) ? result.value : [];
    } catch {
      return [];
    }
  }

  close(): Promise<void> {
    return this.pages.close();
  }
}

// Runs in the page. Toolbars are above the viewport; the window has no side borders here.
const PROBE = `(() => {
  const top = window.screenY + Math.max(0, window.outerHeight - window.innerHeight);
  const left = window.screenX + Math.max(0, Math.round((window.outerWidth - window.innerWidth) / 2));
  const out = [];
  const add = (el, kind, playing) => {
    const r = el.getBoundingClientRect();
    const x0 = Math.max(0, r.left), y0 = Math.max(0, r.top);
    const x1 = Math.min(window.innerWidth, r.right), y1 = Math.min(window.innerHeight, r.bottom);
    if (x1 - x0 < 160 || y1 - y0 < 120) return;
    out.push({ kind, playing, x: Math.round(left + x0), y: Math.round(top + y0), width: Math.round(x1 - x0), height: Math.round(y1 - y0) });
  };
  for (const v of document.querySelectorAll('video')) add(v, 'video', !v.paused && !v.ended && v.readyState > 2);
  for (const c of document.querySelectorAll('canvas')) add(c, 'canvas', true);
  return out;
})()`;
