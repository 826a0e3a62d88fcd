import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { Logger } from '../log.ts';
import { discardRuntime, type StartedRuntime } from './started-runtime.ts';

const RETRY_AFTER_FAILURE_MS = 30_000;
/**
 * After a session took a runtime, the next one starts this much later: a browser starting beside
 * it would take the CPU its first picture needs (on 2 cores the first frame came 100–200 ms later).
 */
const REFILL_AFTER_TAKE_MS = 1_000;

/**
 * Runtimes started ahead (Xvfb + Chromium on a blank profile, each in a sandbox of its own for a
 * user id of its own) so a new session shows its first picture without waiting for a browser to
 * start. A runtime is handed to one session and never comes back: when that session ends it is
 * stopped with it, and the pool starts a new one for the next session, so no session ever sees
 * what another left. Refills one at a time, a moment after a session took one (not beside its
 * start) or after a pause when one failed (so a host that cannot start browsers does not spin).
 */
export class WarmPool {
  private readonly ready: StartedRuntime[] = [];
  private filling = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly target: number,
    private readonly start: (name: string) => Promise<StartedRuntime>,
    private readonly log: Logger,
  ) {}

  /** Runtimes waiting for a session now. */
  get size(): number {
    return this.ready.length;
  }

  /** The runtimes waiting now: their directory names and user ids (operators, tests). */
  waiting(): Array<{ name: string; uid: number | undefined }> {
    return this.ready.map((r) => ({
      name: basename(r.sessionDir),
      uid: r.sandbox?.identity.uid,
    }));
  }

  /** Starts filling up to the target (in the background). */
  fill(): void {
    if (this.filling || this.stopped || this.ready.length >= this.target) return;
    this.filling = true;
    void this.fillLoop();
  }

  /** A warm runtime for a session (it is the session's from now on), or none. */
  take(): StartedRuntime | undefined {
    const taken = this.ready.shift();
    // a runtime whose browser died while waiting is not handed out
    if (taken && taken.runtime.state !== 'running') {
      void discardRuntime(taken).catch(() => undefined);
      this.fill();
      return this.take();
    }
    if (taken) this.fillLater(REFILL_AFTER_TAKE_MS);
    else this.fill();
    return taken;
  }

  /** Fills after `ms` (unless a fill is under way or planned already). */
  private fillLater(ms: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fill();
    }, ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all(this.ready.splice(0).map((r) => discardRuntime(r).catch(() => undefined)));
  }

  private async fillLoop(): Promise<void> {
    try {
      while (!this.stopped && this.ready.length < this.target) {
        const name = `warm-${randomUUID()}`;
        const t0 = performance.now();
        try {
          const started = await this.start(name);
          if (this.stopped) {
            await discardRuntime(started).catch(() => undefined);
            return;
          }
          this.ready.push(started);
          this.log.info('warm runtime ready', {
            name,
            ms: Math.round(performance.now() - t0),
            warm: this.ready.length,
          });
        } catch (err) {
          this.log.warn('warm runtime did not start; trying again later', { name, err });
          clearTimeout(this.timer);
          this.timer = undefined;
          this.fillLater(RETRY_AFTER_FAILURE_MS);
          return;
        }
      }
    } finally {
      this.filling = false;
    }
  }
}
