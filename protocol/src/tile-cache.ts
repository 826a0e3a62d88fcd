/** Entries in a client's tile cache; the host mirrors each client's cache with the same size. */
export const TILE_CACHE_ENTRIES = 4096;

/**
 * Least-recently-used map keyed by tile hash. Host (mirror of what a client holds) and client
 * (the decoded tiles) apply the same operations in the same message order, so they evict the same
 * entries: `set` on `tileEncoded`, `get` on `tileCached`.
 */
export class HashLru<V> {
  private readonly map = new Map<number, V>();
  readonly capacity: number;

  constructor(capacity = TILE_CACHE_ENTRIES) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.map.size;
  }

  has(hash: number): boolean {
    return this.map.has(hash);
  }

  /** The value for `hash`, marking it most recently used. */
  get(hash: number): V | undefined {
    const value = this.map.get(hash);
    if (value === undefined) return undefined;
    this.map.delete(hash);
    this.map.set(hash, value);
    return value;
  }

  /** Stores `value` as most recently used; returns the evicted hash, if any. */
  set(hash: number, value: V): number | undefined {
    if (this.map.has(hash)) this.map.delete(hash);
    this.map.set(hash, value);
    if (this.map.size <= this.capacity) return undefined;
    const oldest = this.map.keys().next().value as number;
    this.map.delete(oldest);
    return oldest;
  }

  delete(hash: number): boolean {
    return this.map.delete(hash);
  }

  clear(): void {
    this.map.clear();
  }
}
