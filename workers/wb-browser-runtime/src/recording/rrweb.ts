// rrweb: the record bundle plus a bootstrap injected into every new document of the session; events
// come back in batches through the `__wbEmit` binding and are kept in a bounded buffer.

import { rrwebCaptureScript } from '@browserpane/host-pool/recording/rrweb-script';
import type { RecordingConfig } from '../config.ts';
import { EMIT_BINDING } from '../downloads/page-scripts.ts';
import type { Logger } from '../protocol/log.ts';
import type { Session } from '../session/session.ts';

/** The capture script (shared with the recording worker), handing batches to `__wbEmit`. */
function captureScript(config: RecordingConfig): Promise<string> {
  return rrwebCaptureScript({
    global: '__wbRrweb',
    send: `(batch) => { const f = window.${EMIT_BINDING}; if (typeof f !== 'function') return false; f('rrweb', batch).catch(() => {}); return true; }`,
    maskAllInputs: config.maskAllInputs,
    maskTextSelector: config.maskTextSelector,
    blockSelector: config.blockSelector,
  });
}

export class RrwebCapture {
  readonly #session: Session;
  readonly #max: number;
  readonly #logger: Logger;
  #events: unknown[] = [];
  #dropped = 0;

  private constructor(session: Session, max: number, logger: Logger) {
    this.#session = session;
    this.#max = max;
    this.#logger = logger;
  }

  static async start(
    session: Session,
    config: RecordingConfig,
    logger: Logger,
  ): Promise<RrwebCapture> {
    if (!session.hooks.ready) throw new Error('page hooks unavailable');
    const capture = new RrwebCapture(session, config.maxEvents, logger);
    const script = await captureScript(config);
    session.hooks.on('rrweb', (_page, payload) => {
      if (Array.isArray(payload)) capture.#add(payload);
    });
    await session.context.addInitScript(script);
    // Documents already open (e.g. a re-attached vendor session) are recorded from now on too.
    await Promise.all(
      session.context.pages().map((page) => page.evaluate(script).catch(() => undefined)),
    );
    return capture;
  }

  #add(batch: unknown[]): void {
    for (const event of batch) {
      this.#events.push(event);
      if (this.#events.length > this.#max) {
        this.#events.shift();
        if (this.#dropped++ === 0) {
          this.#logger.info(
            'recording',
            `rrweb buffer full (${this.#max} events); dropping the oldest`,
          );
        }
      }
    }
  }

  /** Pulls what the pages still buffer and returns the upload document. */
  async finalize(runId: string): Promise<{ doc: Record<string, unknown>; eventCount: number }> {
    for (const page of this.#session.context.pages()) {
      const rest = await page
        .evaluate('typeof window.__wbRrwebTake === "function" ? window.__wbRrwebTake() : []')
        .catch(() => []);
      if (Array.isArray(rest)) this.#add(rest);
    }
    const events = this.#events;
    this.#events = [];
    return {
      doc: {
        run_id: runId,
        session: this.#session.name,
        event_count: events.length,
        dropped: this.#dropped,
        events,
      },
      eventCount: events.length,
    };
  }
}
