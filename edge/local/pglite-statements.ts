/**
 * Per-connection names for prepared statements and portals on the one shared PGlite backend.
 * Every client connection of the socket front talks to the same backend session, so two
 * connections that prepare a statement under the same name (postgres.js and node-postgres name
 * them after the query; graphile-worker names its own) would collide
 * (`42P05 prepared statement … already exists`). Each connection's names get a prefix of its own
 * in the extended-protocol messages that carry one; unnamed statements and portals stay unnamed.
 */

const PARSE = 0x50; // 'P': name, query, parameter types
const BIND = 0x42; // 'B': portal, statement, …
const DESCRIBE = 0x44; // 'D': 'S' | 'P', name
const CLOSE = 0x43; // 'C': 'S' | 'P', name
const EXECUTE = 0x45; // 'E': portal, row limit

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function cString(message: Uint8Array, at: number): { value: string; next: number } {
  const end = message.indexOf(0, at);
  if (end < 0) throw new Error('unterminated string in a protocol message');
  return { value: decoder.decode(message.subarray(at, end)), next: end + 1 };
}

function frame(type: number, parts: readonly Uint8Array[]): Uint8Array {
  const length = 4 + parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(1 + length);
  out[0] = type;
  new DataView(out.buffer).setInt32(1, length);
  let offset = 5;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

const terminated = (s: string) => encoder.encode(`${s}\0`);

/**
 * `message` with its statement and portal names prefixed by `tag`; `onPrepared` hears each named
 * statement a Parse creates (so it can be closed when the connection goes away). Messages without
 * names come back unchanged.
 */
export function scopeStatementNames(
  message: Uint8Array,
  tag: string,
  onPrepared?: (scopedName: string) => void,
): Uint8Array {
  const scoped = (name: string) => (name === '' ? '' : `${tag}${name}`);
  switch (message[0]) {
    case PARSE: {
      const name = cString(message, 5);
      if (!name.value) return message;
      onPrepared?.(scoped(name.value));
      return frame(PARSE, [terminated(scoped(name.value)), message.subarray(name.next)]);
    }
    case BIND: {
      const portal = cString(message, 5);
      const statement = cString(message, portal.next);
      if (!portal.value && !statement.value) return message;
      return frame(BIND, [
        terminated(scoped(portal.value)),
        terminated(scoped(statement.value)),
        message.subarray(statement.next),
      ]);
    }
    case DESCRIBE:
    case CLOSE: {
      const name = cString(message, 6);
      if (!name.value) return message;
      return frame(message[0], [
        message.subarray(5, 6),
        terminated(scoped(name.value)),
        message.subarray(name.next),
      ]);
    }
    case EXECUTE: {
      const portal = cString(message, 5);
      if (!portal.value) return message;
      return frame(EXECUTE, [terminated(scoped(portal.value)), message.subarray(portal.next)]);
    }
    default:
      return message;
  }
}

/** Close (statement) messages and a Sync that drop a departed connection's prepared statements. */
export function closeStatements(names: Iterable<string>): Uint8Array[] {
  const messages: Uint8Array[] = [];
  for (const name of names) messages.push(frame(CLOSE, [Uint8Array.of(0x53), terminated(name)]));
  if (messages.length > 0) messages.push(frame(0x53, []));
  return messages;
}
