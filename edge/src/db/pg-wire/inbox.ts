/** Backend (server → client) messages as they arrive on the socket. */
import { PgWireError } from './errors.ts';

/** Backend messages from the socket, parsed in place; `take()` is synchronous when data is there. */
export class Inbox {
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;
  /** The current message: type byte and body bounds in `buf` (no view unless asked for). */
  type = 0;
  start = 0;
  end = 0;
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  take(): boolean {
    const avail = this.#buf.length - this.#pos;
    if (avail < 5) return false;
    const b = this.#buf;
    const p = this.#pos;
    const len =
      (((b[p + 1] as number) << 24) |
        ((b[p + 2] as number) << 16) |
        ((b[p + 3] as number) << 8) |
        (b[p + 4] as number)) >>>
      0;
    if (len < 4) throw new PgWireError('malformed message from the database', 'PROTOCOL');
    if (avail < 1 + len) return false;
    this.type = b[p] as number;
    this.start = p + 5;
    this.end = p + 1 + len;
    this.#pos = this.end;
    return true;
  }

  /** The buffer the current message's bounds refer to. */
  get buf(): Uint8Array {
    return this.#buf;
  }

  /** The current message's body as a view (allocates: only for messages that are read). */
  get body(): Uint8Array {
    return this.#buf.subarray(this.start, this.end);
  }

  async fill(): Promise<void> {
    const { value, done } = await this.reader.read();
    if (done || !value) {
      throw new PgWireError('the database closed the connection unexpectedly', 'CONNECTION_CLOSED');
    }
    const rest = this.#buf.length - this.#pos;
    if (rest === 0) this.#buf = value;
    else {
      const merged = new Uint8Array(rest + value.length);
      merged.set(this.#buf.subarray(this.#pos));
      merged.set(value, rest);
      this.#buf = merged;
    }
    this.#pos = 0;
  }

  /** The next message (waits for data only when the buffer has no complete one). */
  async next(): Promise<void> {
    while (!this.take()) await this.fill();
  }
}
