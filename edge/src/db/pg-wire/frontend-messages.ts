/** Frontend (client → server) messages: a byte buffer for them and the encoders the client sends. */
import { encoder } from './bytes.ts';

const PROTOCOL_3 = 196608;

/** A growable byte buffer for frontend messages (type byte, int32 length, body). */
export class Out {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #len = 0;
  #start = -1;

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** Starts a message; `null` = no type byte (StartupMessage). */
  begin(type: string | null): this {
    if (type !== null) this.byte(type.charCodeAt(0));
    this.#start = this.#len;
    return this.i32(0);
  }

  end(): this {
    this.#view.setInt32(this.#start, this.#len - this.#start);
    return this;
  }

  byte(b: number): this {
    this.#ensure(1);
    this.#buf[this.#len++] = b;
    return this;
  }

  i16(n: number): this {
    this.#ensure(2);
    this.#view.setInt16(this.#len, n);
    this.#len += 2;
    return this;
  }

  i32(n: number): this {
    this.#ensure(4);
    this.#view.setInt32(this.#len, n);
    this.#len += 4;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    return this;
  }

  cstr(s: string): this {
    return this.raw(encoder.encode(s)).byte(0);
  }

  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** StartupMessage (protocol 3.0) with these parameters; encoded once per connection string. */
export function startupMessage(params: readonly [string, string][]): Uint8Array {
  const out = new Out();
  out.begin(null).i32(PROTOCOL_3);
  for (const [k, v] of params) out.cstr(k).cstr(v);
  out.byte(0).end();
  return out.bytes();
}

/** Parse (unnamed statement, parameter types left to the server), cached per SQL text. */
const parseMessages = new Map<string, Uint8Array>();
function parseMessage(text: string): Uint8Array {
  let hit = parseMessages.get(text);
  if (!hit) {
    hit = new Out().begin('P').cstr('').cstr(text).i16(0).end().bytes();
    if (parseMessages.size > 64) parseMessages.clear();
    parseMessages.set(text, hit);
  }
  return hit;
}

/**
 * Describe portal, Execute (no row limit), Sync: the tail of every batch. Terminate goes only after
 * ReadyForQuery: PgBouncer drops a client on Terminate before relaying results still in flight.
 */
const TAIL = new Out()
  .begin('D')
  .byte(0x50 /* P */)
  .byte(0)
  .end()
  .begin('E')
  .byte(0)
  .i32(0)
  .end()
  .begin('S')
  .end()
  .bytes();
export const TERMINATE = new Out().begin('X').end().bytes();

/** Parse, Bind (text parameters, text results) and the tail: one statement, ready to write. */
export function queryBatch(text: string, params: readonly (string | null)[]): Uint8Array {
  const out = new Out().raw(parseMessage(text));
  out.begin('B').byte(0).byte(0).i16(0).i16(params.length);
  for (const p of params) {
    if (p === null) out.i32(-1);
    else {
      const bytes = encoder.encode(p);
      out.i32(bytes.length).raw(bytes);
    }
  }
  return out.i16(0).end().raw(TAIL).bytes();
}

export function passwordMessage(body: Uint8Array): Uint8Array {
  return new Out().begin('p').raw(body).end().bytes();
}
