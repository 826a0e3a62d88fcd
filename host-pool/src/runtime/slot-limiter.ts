import { RuntimeError } from './errors.ts';
import { freeMemory, usableMemory } from './memory.ts';

const MIB = 1024 * 1024;

/**
 * Measured cost of one session (research/capture-bench.md §6): Chromium 238–378 MiB PSS plus
 * Xvfb 70–95 MiB, rounded up.
 */
export const SESSION_MEMORY_BYTES = 450 * MIB;

/** Caps and memory assumptions of a slot limiter. */
export interface SlotLimiterOptions {
  /** Hard cap on concurrent runtimes. Default: what memory allows (see `defaultSlotCount`). */
  readonly maxSlots?: number;
  /** Memory one session is expected to use (default 450 MiB). */
  readonly sessionBytes?: number;
  /** Memory kept for the agent and the OS (default 1 GiB). */
  readonly reserveBytes?: number;
  /** Also refuse a slot while free memory is below one session's worth (default true). */
  readonly checkFreeMemory?: boolean;
  /** Injected for tests; default: the machine's memory, or the container's limit if smaller. */
  readonly totalMemory?: () => number;
  readonly freeMemory?: () => number;
}

/** Slots that fit in `total` bytes after the reserve; at least 1. */
export function defaultSlotCount(
  total = usableMemory(),
  sessionBytes = SESSION_MEMORY_BYTES,
  reserveBytes = 1024 * MIB,
): number {
  return Math.max(1, Math.floor((total - reserveBytes) / sessionBytes));
}

/** A held runtime slot; `release` is idempotent. */
export interface RuntimeSlot {
  readonly sessionId: string;
  release(): void;
}

/**
 * Caps how many session runtimes run at once. The default cap comes from total memory; with
 * `checkFreeMemory` a new slot is also refused while the host is short of free memory right now.
 */
export class SlotLimiter {
  readonly capacity: number;
  readonly #held = new Map<string, RuntimeSlot>();
  readonly #sessionBytes: number;
  readonly #checkFree: boolean;
  readonly #freeMemory: () => number;

  constructor(options: SlotLimiterOptions = {}) {
    this.#sessionBytes = options.sessionBytes ?? SESSION_MEMORY_BYTES;
    const total = (options.totalMemory ?? (() => usableMemory()))();
    const byMemory = defaultSlotCount(
      total,
      this.#sessionBytes,
      options.reserveBytes ?? 1024 * MIB,
    );
    if (
      options.maxSlots !== undefined &&
      (!Number.isInteger(options.maxSlots) || options.maxSlots < 0)
    )
      throw new RuntimeError('invalid_options', 'maxSlots must be a non-negative integer');
    this.capacity = options.maxSlots ?? byMemory;
    this.#checkFree = options.checkFreeMemory ?? true;
    this.#freeMemory = options.freeMemory ?? (() => freeMemory());
  }

  get inUse(): number {
    return this.#held.size;
  }

  get available(): number {
    return Math.max(0, this.capacity - this.#held.size);
  }

  /** Whether `sessionId` holds a slot. */
  holds(sessionId: string): boolean {
    return this.#held.has(sessionId);
  }

  /**
   * Takes a slot for `sessionId` (the same id again returns its existing slot). Throws
   * `no_capacity` when the cap is reached or free memory is short.
   */
  acquire(sessionId: string): RuntimeSlot {
    const existing = this.#held.get(sessionId);
    if (existing) return existing;
    if (this.#held.size >= this.capacity)
      throw new RuntimeError('no_capacity', `all ${this.capacity} runtime slots are in use`);
    if (this.#checkFree && this.#freeMemory() < this.#sessionBytes)
      throw new RuntimeError('no_capacity', 'not enough free memory for another session');
    let released = false;
    const slot: RuntimeSlot = {
      sessionId,
      release: () => {
        if (released) return;
        released = true;
        this.#held.delete(sessionId);
      },
    };
    this.#held.set(sessionId, slot);
    return slot;
  }
}
