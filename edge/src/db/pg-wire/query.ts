/**
 * One statement on a connection of its own: connect, start up (pipelined with the statement when
 * the server allows it), read the result, terminate, close.
 */
import { concat } from './bytes.ts';
import { PgWireError, StartupRejected } from './errors.ts';
import { queryBatch, TERMINATE } from './frontend-messages.ts';
import { Inbox } from './inbox.ts';
import { readResult, type WireRow } from './result.ts';
import { startUp } from './startup.ts';
import type { WireConfig } from './wire-config.ts';

// Imported on first use, not statically: Node (tests, tooling) loads the app without this module.
let sockets: typeof import('cloudflare:sockets') | undefined;

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Runs one statement (`$1`… parameters, as text; cast in SQL where the type matters) on a fresh
 * connection and closes it. Rows are objects keyed by column name.
 */
export async function queryOnce<T = WireRow>(
  cfg: WireConfig,
  text: string,
  params: readonly (string | null)[] = [],
): Promise<T[]> {
  const batch = queryBatch(text, params);
  if (cfg.pipeline) {
    try {
      return (await attempt(cfg, batch, true)) as T[];
    } catch (error) {
      if (!(error instanceof StartupRejected)) throw error;
      cfg.pipeline = false;
    }
  }
  return (await attempt(cfg, batch, false)) as T[];
}

async function attempt(cfg: WireConfig, batch: Uint8Array, pipelined: boolean): Promise<WireRow[]> {
  sockets ??= await import('cloudflare:sockets');
  const socket = sockets.connect(
    { hostname: cfg.hostname, port: cfg.port },
    { allowHalfOpen: false },
  );
  const writer = socket.writable.getWriter();
  const inbox = new Inbox(socket.readable.getReader());
  const write = (bytes: Uint8Array) => writer.write(bytes);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const ready = (async () => {
      await socket.opened.catch((error: unknown) => {
        throw new PgWireError(
          `could not connect to the database: ${(error as Error)?.message ?? String(error)}`,
          'CONNECTION_FAILED',
        );
      });
      await write(pipelined ? concat(cfg.startup, batch) : cfg.startup);
      await startUp(cfg, inbox, write, pipelined);
    })();
    await Promise.race([
      ready,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new PgWireError(
                `database connect_timeout: no session within ${CONNECT_TIMEOUT_MS / 1000} s`,
                'CONNECT_TIMEOUT',
              ),
            ),
          CONNECT_TIMEOUT_MS,
        );
      }),
    ]);
    if (timer !== undefined) clearTimeout(timer);
    if (!pipelined) await write(batch);
    const rows = await readResult(inbox);
    await write(TERMINATE);
    return rows;
  } catch (error) {
    if (error instanceof PgWireError || error instanceof StartupRejected) throw error;
    // A socket error mid-stream (reset, lost connection).
    throw new PgWireError(
      `database connection lost: ${(error as Error)?.message ?? String(error)}`,
      'CONNECTION_CLOSED',
    );
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    socket.close().catch(() => {});
  }
}
