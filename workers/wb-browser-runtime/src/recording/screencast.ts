// Video: a CDP screencast of the session page (JPEG), encoded to WebM as frames arrive.

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { WebmEncoder } from './webm-encoder.ts';

interface ScreencastFrame {
  data: string;
  sessionId: number;
}

export class VideoCapture {
  readonly fps: number;
  readonly #cdp: CDPSession;
  readonly #encoder: WebmEncoder;
  #last = '';

  private constructor(cdp: CDPSession, encoder: WebmEncoder, fps: number) {
    this.#cdp = cdp;
    this.#encoder = encoder;
    this.fps = fps;
  }

  static async start(
    page: Page,
    sessionName: string,
    fps: number,
    quality: number,
  ): Promise<VideoCapture> {
    const safe = sessionName.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40);
    const path = join(tmpdir(), `wb-video-${safe}-${Date.now()}-${process.pid}.webm`);
    const cdp = await page.context().newCDPSession(page);
    const capture = new VideoCapture(cdp, new WebmEncoder(path, fps), fps);
    cdp.on('Page.screencastFrame', (frame: ScreencastFrame) => capture.#onFrame(frame));
    await cdp.send('Page.startScreencast', { format: 'jpeg', quality, everyNthFrame: 1 });
    return capture;
  }

  #onFrame(frame: ScreencastFrame): void {
    this.#cdp.send('Page.screencastFrameAck', { sessionId: frame.sessionId }).catch(() => {});
    if (frame.data === this.#last) return; // identical consecutive frames carry nothing new
    this.#last = frame.data;
    this.#encoder.push(Buffer.from(frame.data, 'base64'), performance.now());
  }

  /** Stops the screencast and finishes the file; returns its path. */
  async stop(): Promise<{ path: string; frames: number }> {
    await this.#cdp.send('Page.stopScreencast').catch(() => {});
    await this.#cdp.detach().catch(() => {});
    return this.#encoder.finish(performance.now());
  }

  async abort(): Promise<void> {
    await this.#cdp.detach().catch(() => {});
    await this.#encoder.abort();
  }
}
