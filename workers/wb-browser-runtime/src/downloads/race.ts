// The small concurrency helpers behind the `download` verb's capture race.

/** A capture source failure that ends the race at once (e.g. an extension the allowlist rejects). */
export class DecisiveError extends Error {}

/** Only the first capture source to call `take()` gets to save its file. */
export class CaptureLock {
  #taken = false;
  take(): boolean {
    if (this.#taken) return false;
    this.#taken = true;
    return true;
  }
  get taken(): boolean {
    return this.#taken;
  }
}

/**
 * Resolves with the first source that fulfils; rejects with the first DecisiveError, or with all
 * reasons once every source has rejected.
 */
export function firstSuccess<T>(sources: Promise<T>[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const reasons: unknown[] = [];
    let pending = sources.length;
    if (pending === 0) reject(new AggregateError([], 'no capture source'));
    sources.forEach((source, i) => {
      source.then(resolve, (error: unknown) => {
        if (error instanceof DecisiveError) return reject(error);
        reasons[i] = error;
        if (--pending === 0) reject(new AggregateError(reasons, 'all capture sources failed'));
      });
    });
  });
}

/** Rejects with `message` after `ms` unless `promise` settles first. */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  message: string,
  timers: Set<NodeJS.Timeout>,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    timers.add(timer);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
