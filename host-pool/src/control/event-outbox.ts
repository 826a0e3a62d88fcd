import type { HeartbeatRequest } from './edge-client.ts';

type HostEvent = HeartbeatRequest['events'][number];

/** The most events one heartbeat carries (the edge's limit). */
export const EVENTS_PER_HEARTBEAT = 1000;

/**
 * Session events waiting for the edge. A heartbeat takes a batch (oldest first); the batch leaves
 * the outbox only when that heartbeat succeeded, so an event drained into a heartbeat that failed
 * goes out with the next one instead of being lost. Bounded: while the edge is unreachable for a
 * long time the oldest events beyond `capacity` are dropped, and counted.
 */
export class EventOutbox {
  private readonly queue: HostEvent[] = [];
  private inFlight = 0;
  /** Events dropped because the outbox was full. */
  dropped = 0;

  constructor(private readonly capacity = 10 * EVENTS_PER_HEARTBEAT) {}

  get size(): number {
    return this.queue.length;
  }

  add(events: readonly HostEvent[]): void {
    this.queue.push(...events);
    const over = this.queue.length - this.capacity;
    if (over > 0) {
      // Keep the batch in flight intact (it is being sent); drop the oldest after it.
      const from = Math.min(this.inFlight, this.queue.length - over);
      this.queue.splice(from, over);
      this.dropped += over;
    }
  }

  /** The next batch to send (the same events again until {@link sent} confirms them). */
  batch(): HostEvent[] {
    this.inFlight = Math.min(this.queue.length, EVENTS_PER_HEARTBEAT);
    return this.queue.slice(0, this.inFlight);
  }

  /** The heartbeat carrying the last batch succeeded. */
  sent(): void {
    this.queue.splice(0, this.inFlight);
    this.inFlight = 0;
  }

  /** The heartbeat carrying the last batch failed: it stays first in line. */
  failed(): void {
    this.inFlight = 0;
  }
}
