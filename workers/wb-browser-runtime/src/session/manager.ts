// Sessions cached by name for the process lifetime. Work for one name runs strictly in order; names
// run concurrently. Concurrent creates of one name are de-duplicated; failed creates are not cached.

import type { RuntimeConfig } from '../config.ts';
import type { Emit } from '../protocol/frames.ts';
import type { Logger } from '../protocol/log.ts';
import type { RecordingManager } from '../recording/manager.ts';
import { type CreateRequest, createSession } from './create.ts';
import type { Session } from './session.ts';
import type { Vendor } from './vendors/types.ts';

export interface SessionManagerDeps {
  vendor: Vendor;
  config: RuntimeConfig;
  logger: Logger;
  emit: Emit;
  recording: RecordingManager | null;
}

export class SessionManager {
  readonly #deps: SessionManagerDeps;
  readonly #sessions = new Map<string, Session>();
  readonly #creating = new Map<string, Promise<Session>>();
  readonly #chains = new Map<string, Promise<void>>();
  readonly #seenSignedUrls = new Set<string>();

  constructor(deps: SessionManagerDeps) {
    this.#deps = deps;
  }

  get vendor(): Vendor {
    return this.#deps.vendor;
  }

  /** Runs `task` after every earlier task for `name`. */
  enqueue(name: string, task: () => Promise<void>): Promise<void> {
    const previous = this.#chains.get(name) ?? Promise.resolve();
    const next = previous.then(task).catch((error: unknown) => {
      this.#deps.logger.error(`session ${name}: ${(error as Error)?.message ?? String(error)}`);
    });
    this.#chains.set(name, next);
    next.then(() => {
      if (this.#chains.get(name) === next) this.#chains.delete(name);
    });
    return next;
  }

  /** Resolves once every queued task (including ones queued meanwhile) has finished. */
  async drain(): Promise<void> {
    while (this.#chains.size > 0) await Promise.all(this.#chains.values());
  }

  /**
   * The live session for `name`, creating it (and announcing it on `emit`) when needed. A cached
   * session whose browser went away is dropped and replaced.
   */
  async ensure(name: string, request: CreateRequest, emit: Emit): Promise<Session> {
    const cached = this.#sessions.get(name);
    if (cached?.alive) return cached;
    if (cached) {
      this.#deps.logger.warn(`session ${name}: browser went away; starting a new session`);
      this.#sessions.delete(name);
      await this.#deps.vendor.release(cached.allocation);
    }
    let pending = this.#creating.get(name);
    if (!pending) {
      pending = this.#create(name, request, emit);
      this.#creating.set(name, pending);
      pending.then(
        () => this.#creating.delete(name),
        () => this.#creating.delete(name),
      );
    }
    return pending;
  }

  async #create(name: string, request: CreateRequest, emit: Emit): Promise<Session> {
    const { session, timings, startedAt } = await createSession(name, request, {
      vendor: this.#deps.vendor,
      config: this.#deps.config,
      logger: this.#deps.logger,
      emit: this.#deps.emit,
      seenSignedUrls: this.#seenSignedUrls,
    });
    this.#sessions.set(name, session);
    emit({
      type: 'slice.session_started',
      session: name,
      session_id: session.allocation.sessionId,
      live_url: session.liveUrl,
      vendor: this.#deps.vendor.name,
      restored: session.restored,
      started_at: startedAt,
      timings,
    });
    this.#deps.logger.info(
      'session',
      `${name}: ${this.#deps.vendor.name} session ${session.allocation.sessionId} ready in ${timings.total_ms}ms`,
    );
    if (this.#deps.recording) session.recording = await this.#deps.recording.start(session, emit);
    return session;
  }

  /** Finalizes and uploads every session's recording (shutdown and suspend). */
  async flushRecordings(mode: 'shutdown' | 'suspend'): Promise<void> {
    await Promise.all(
      [...this.#sessions.values()].map(
        (session) => session.recording?.flush(mode) ?? Promise.resolve(),
      ),
    );
  }

  /** Closes every browser connection and releases every vendor session. */
  async closeAll(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map((session) => session.browser?.close().catch(() => {})));
    await Promise.all(sessions.map((session) => this.#deps.vendor.release(session.allocation)));
  }
}
