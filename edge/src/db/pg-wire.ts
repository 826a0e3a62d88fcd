/**
 * @module
 * A minimal PostgreSQL wire-protocol client for one statement on a connection of its own, straight
 * on `cloudflare:sockets`: connect, start up (trust, cleartext, MD5 or SCRAM-SHA-256), run one
 * parameterised statement (extended protocol, unnamed statement, text format, so it works through
 * transaction poolers — PgBouncer, Hyperdrive), terminate, close.
 *
 * Why it exists: a Worker cannot keep a database socket across requests, so the ticket hot path
 * opens a connection per request. With postgres.js that costs more CPU than everything else in the
 * request together (its Node `net.Socket` emulation over `cloudflare:sockets`, Buffer and
 * EventEmitter polyfills, option parsing, an Error with a stack trace on every close). This does
 * the same work in a few message encoders and one read loop; once a server has let a connection
 * string in without a password exchange (a pooler, trust), the startup and the statement go in one
 * write. Everything else uses postgres.js and
 * drizzle; connection strings this client does not handle (TLS, unix sockets, several hosts,
 * driver options) make `wireConfig` answer null and the caller use postgres.js.
 *
 * Errors are `PgWireError` with `code` set to the SQLSTATE for server errors, or to
 * `CONNECTION_*` / `CONNECT_TIMEOUT` for transport failures; messages never carry credentials.
 *
 * The modules under `pg-wire/`: `wire-config` (connection strings, cached per isolate),
 * `frontend-messages` (encoders), `inbox` (backend message framing), `startup` (authentication
 * until ReadyForQuery, with `auth-crypto` for MD5 and SCRAM), `result` (rows), `query` (one
 * statement on its own connection), `errors`, `bytes`.
 */

export { PgWireError } from './pg-wire/errors.ts';
export { queryOnce } from './pg-wire/query.ts';
export type { WireRow, WireValue } from './pg-wire/result.ts';
export { type WireConfig, wireConfig } from './pg-wire/wire-config.ts';
