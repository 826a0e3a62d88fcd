// The message loop: handshake, slice dispatch per session name, shutdown and suspend.

import { classifyError, errorMessage } from '../failure/codes.ts';
import type { ReadyFrame } from '../protocol/frames.ts';
import type { InboundMessage, SliceMessage } from '../protocol/input.ts';
import { loadPlaywright } from '../session/playwright.ts';
import { VERBS } from '../verbs/registry.ts';
import type { Services } from './services.ts';
import { runSlice } from './slice.ts';

export const PROTOCOL = 'wb-sidecar/1';
export const FEATURES = [
  'recording',
  'pause',
  'substitution',
  'substitution_escape',
  'download_capture',
  'signed_url_download',
];

export interface RuntimeOptions {
  version: string;
  /** Ends the process (tests inject their own). */
  exit: (code: number) => void;
}

export class Runtime {
  readonly #services: Services;
  readonly #options: RuntimeOptions;
  #stopping: Promise<void> | null = null;
  #force: (() => void) | null = null;
  #warm = false;

  constructor(services: Services, options: RuntimeOptions) {
    this.#services = services;
    this.#options = options;
  }

  handle(message: InboundMessage): void {
    switch (message.type) {
      case 'hello':
        this.#services.output.frame(this.ready());
        this.#warmUp();
        return;
      case 'slice':
        this.#dispatch(message);
        return;
      case 'shutdown':
        void this.stop('shutdown');
        return;
      case 'suspend':
        void this.stop('suspend');
        return;
      case 'download.file':
        this.#services.hostDownloads?.answer(message);
        return;
    }
  }

  ready(): ReadyFrame {
    return {
      type: 'ready',
      runtime: 'wb-browser-runtime',
      version: this.#options.version,
      protocol: PROTOCOL,
      min_protocol: PROTOCOL,
      supports: VERBS.map((verb) => verb.name),
      features: [...FEATURES],
    };
  }

  /**
   * shutdown: drain queued slices, flush recordings, close browsers, release vendor sessions, exit 0.
   * suspend: drain, flush recordings, leave browsers and vendor sessions alive, exit 0.
   * A second request while stopping stops waiting for running slices.
   */
  stop(mode: 'shutdown' | 'suspend'): Promise<void> {
    if (this.#stopping) {
      this.#force?.();
      return this.#stopping;
    }
    this.#stopping = this.#stop(mode);
    return this.#stopping;
  }

  async #stop(mode: 'shutdown' | 'suspend'): Promise<void> {
    const { sessions, logger, output } = this.#services;
    const forced = new Promise<void>((resolve) => {
      this.#force = resolve;
    });
    try {
      await Promise.race([sessions.drain(), forced]);
      await sessions.flushRecordings(mode);
      if (mode === 'shutdown') await sessions.closeAll();
    } catch (error) {
      logger.error(`${mode} failed: ${errorMessage(error)}`);
    }
    logger.info('shutdown', mode === 'shutdown' ? 'done' : 'suspended');
    await output.flush();
    this.#options.exit(0);
  }

  #dispatch(message: SliceMessage): void {
    const { sessions, output, logger } = this.#services;
    if (this.#stopping) {
      logger.warn(`ignoring slice for session ${message.session}: shutting down`);
      return;
    }
    void sessions.enqueue(message.session, async () => {
      try {
        await runSlice(message, this.#services);
      } catch (error) {
        output.frame({
          type: 'slice.failed',
          code: classifyError(error, 'slice'),
          error: `sidecar error: ${errorMessage(error)}`,
        });
      }
    });
  }

  /** Loads playwright-core in the background once the handshake is answered. */
  #warmUp(): void {
    if (this.#warm) return;
    this.#warm = true;
    setTimeout(() => {
      loadPlaywright().catch((error: unknown) =>
        this.#services.logger.error(`playwright-core: ${errorMessage(error)}`),
      );
    }, 0);
  }
}
