import type { ExitInfo } from '../runtime/process-tools.ts';
import type { AudioChild } from './child.ts';

export interface SupervisedChildOptions {
  /** Starts a new helper process (and wires its output). */
  readonly spawn: () => AudioChild;
  /** It died while wanted and will be started again shortly. */
  readonly onRestart?: (exit: ExitInfo, child: AudioChild) => void;
  /** It kept dying quickly: no more attempts until the next `start()`. */
  readonly onGiveUp: (child: AudioChild) => void;
  readonly maxQuickRestarts?: number;
  readonly quickMs?: number;
}

/**
 * Keeps one long-running helper (a recorder, an event watcher) alive while it is wanted:
 * started on `start()`, restarted with a growing pause when it dies on its own, given up after
 * repeated quick deaths, stopped on `stop()`. `current` tells a child's output handlers whether
 * their child is still the one that counts.
 */
export class SupervisedChild {
  private child: AudioChild | undefined;
  private wanted = false;
  private failures: number[] = [];
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SupervisedChildOptions) {}

  get current(): AudioChild | undefined {
    return this.child;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.failures = [];
    this.launch();
  }

  async stop(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    const child = this.child;
    this.child = undefined;
    await child?.stop(1000);
  }

  /** Replaces the running child with a new one now (after the daemon came back). */
  restart(): void {
    if (!this.wanted) return;
    const old = this.child;
    this.child = undefined;
    void old?.stop(500);
    clearTimeout(this.retryTimer);
    this.launch();
  }

  private launch(): void {
    const child = this.options.spawn();
    this.child = child;
    void child.exited.then((exit) => {
      if (this.child !== child || !this.wanted || child.stopped) return;
      this.child = undefined;
      const now = Date.now();
      const quickMs = this.options.quickMs ?? 10_000;
      this.failures = this.failures.filter((t) => now - t < quickMs);
      this.failures.push(now);
      if (this.failures.length > (this.options.maxQuickRestarts ?? 5)) {
        this.wanted = false;
        this.options.onGiveUp(child);
        return;
      }
      this.options.onRestart?.(exit, child);
      this.retryTimer = setTimeout(() => {
        if (this.wanted && !this.child) this.launch();
      }, 200 * this.failures.length);
      this.retryTimer.unref();
    });
  }
}
