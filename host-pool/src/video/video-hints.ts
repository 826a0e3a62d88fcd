import { CdpClient } from '../cdp/cdp-client.ts';
import { PageSessions } from '../cdp/page-targets.ts';
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
  private client: CdpClient | undefined;
  private pages: PageSessions | undefined;
  private url: string | undefined;

  constructor(private readonly endpoint: () => string) {}

  async query(): Promise<MediaHint[]> {
    try {
      await this.connect();
      const page = await this.pages?.activePage();
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

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.pages = undefined;
    await client?.close().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const url = this.endpoint();
    if (this.client && !this.client.closed && url === this.url) return;
    await this.client?.close().catch(() => undefined);
    this.client = await CdpClient.connect(url);
    this.pages = new PageSessions(this.client);
    this.url = url;
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
