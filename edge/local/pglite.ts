import { mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import { closeStatements, scopeStatementNames } from './pglite-statements.ts';

export interface StartPgliteOptions {
  /** Where PGlite keeps its files (created if missing); `memory://` for a throwaway database. */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 or absent = any free port. */
  port?: number;
  host?: string;
}

export interface RunningDatabase {
  /** A postgres:// URL any Postgres client (and miniflare's Hyperdrive) can use. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);
const PROTOCOL_3 = 196608;

/** Does this frontend message end a unit of work (after which another connection may go)? */
function endsUnit(message: Uint8Array): boolean {
  const type = message[0];
  if (type === 0x53 /* Sync */ || type === 0x51 /* Query */ || type === 0x58 /* Terminate */)
    return true;
  // StartupMessage: int32 length, int32 protocol version.
  if (message.length >= 8) {
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
    if (view.getInt32(4) === PROTOCOL_3) return true;
  }
  return false;
}

/**
 * Lets several client connections share one PGlite session safely. PGlite is a single backend:
 * pglite-socket's own queue interleaves messages of different connections one by one, which
 * breaks the extended query protocol (connection B's Parse lands between A's Parse and Bind) and
 * transactions. This queue hands the backend to one connection for a whole unit of work — up to
 * Sync or a simple Query, and for as long as that connection has a transaction open. Statement and
 * portal names are made per connection (`pglite-statements.ts`): the backend is shared, names
 * from different clients would collide.
 */
class SessionQueue {
  #owner: number | null = null;
  /** Named statements each connection prepared (scoped names), closed when it goes away. */
  #prepared = new Map<number, Set<string>>();
  #ownerMidUnit = false;
  #waiting: {
    handlerId: number;
    /** The connection's own clean-up waiting for the backend (not dropped with its queries). */
    closing: boolean;
    resolve: () => void;
    reject: (e: Error) => void;
  }[] = [];
  /** Clean-ups in progress, per connection: pglite-socket may detach a connection twice. */
  #closing = new Map<number, Promise<void>>();

  constructor(private readonly db: PGlite) {}

  #acquire(handlerId: number, closing = false): Promise<void> {
    if (this.#owner === null || this.#owner === handlerId) {
      this.#owner = handlerId;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) =>
      this.#waiting.push({ handlerId, closing, resolve, reject }),
    );
  }

  #release(): void {
    this.#owner = null;
    this.#ownerMidUnit = false;
    const next = this.#waiting.shift();
    if (next) {
      this.#owner = next.handlerId;
      next.resolve();
    }
  }

  async enqueue(
    handlerId: number,
    message: Uint8Array,
    onData: (data: Uint8Array) => void,
  ): Promise<number> {
    await this.#acquire(handlerId);
    let bytes = 0;
    try {
      const scoped = scopeStatementNames(message, `c${handlerId}_`, (name) => {
        const names = this.#prepared.get(handlerId) ?? new Set<string>();
        names.add(name);
        this.#prepared.set(handlerId, names);
      });
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(scoped, {
          onRawData: (data) => {
            bytes += data.length;
            onData(data);
          },
        }),
      );
    } finally {
      const done = endsUnit(message);
      this.#ownerMidUnit = !done;
      if (done && !this.db.isInTransaction()) this.#release();
    }
    return bytes;
  }

  getQueueLength(): number {
    return this.#waiting.length;
  }

  /** A connection went away: its queries still waiting fail (their caller handles that). */
  clearQueueForHandler(handlerId: number): void {
    const mine = this.#waiting.filter((w) => w.handlerId === handlerId && !w.closing);
    this.#waiting = this.#waiting.filter((w) => w.handlerId !== handlerId || w.closing);
    for (const w of mine) w.reject(new Error('connection closed'));
  }

  /**
   * A connection went away: if it held the backend, end its unit and transaction; then drop the
   * statements it prepared, and move on. pglite-socket calls this without awaiting it (and twice
   * when a socket errors, then closes): it never rejects, and a second call joins the first.
   */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    const running = this.#closing.get(handlerId);
    if (running) return running;
    const done = this.#cleanUp(handlerId)
      .catch(() => {
        // The backend refused the clean-up (it is being closed): nothing is left to undo.
      })
      .finally(() => this.#closing.delete(handlerId));
    this.#closing.set(handlerId, done);
    return done;
  }

  async #cleanUp(handlerId: number): Promise<void> {
    const prepared = this.#prepared.get(handlerId);
    this.#prepared.delete(handlerId);
    if (this.#owner !== handlerId) {
      if (!prepared?.size) return;
      await this.#acquire(handlerId, true);
    }
    try {
      if (this.#ownerMidUnit)
        await this.db.runExclusive(() =>
          this.db.execProtocolRawStream(SYNC, { onRawData: () => {} }),
        );
      if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
      for (const message of closeStatements(prepared ?? []))
        await this.db.runExclusive(() =>
          this.db.execProtocolRawStream(message, { onRawData: () => {} }),
        );
    } finally {
      this.#release();
    }
  }
}

/**
 * The embedded default database: PGlite (Postgres compiled to WASM) served on a local TCP port
 * through pglite-socket, so the edge connects to it exactly as to a real Postgres.
 */
export async function startPglite(options: StartPgliteOptions): Promise<RunningDatabase> {
  if (!options.dataDir.startsWith('memory://')) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: options.dataDir });
  const queue = new SessionQueue(db);
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    const handler = new PGLiteSocketHandler({
      // Structurally the queue pglite-socket expects (its class has private fields, hence the cast).
      queryQueue: queue as unknown as ConstructorParameters<
        typeof PGLiteSocketHandler
      >[0]['queryQueue'],
      closeOnDetach: true,
    });
    handler.addEventListener('error', () => {});
    handler.attach(socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `postgres://postgres:postgres@${host}:${port}/postgres`,
    port,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await db.close();
    },
  };
}
