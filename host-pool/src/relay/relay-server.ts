import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Http2SecureServer, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WtSession } from './transport-types.ts';
import { loadWebTransport } from './webtransport-lib.ts';

/** A plain GET handler on the relay port (health, certificate hash, CDP discovery). */
export type HttpHandler = (req: {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** True on the TLS port, false on the loopback plain port. */
  secure: boolean;
}) => Promise<{ status: number; headers?: Record<string, string>; body: string | Uint8Array }>;

/** Takes over a non-WebTransport WebSocket upgrade (the CDP gateway); false = not mine. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

export type AdmitResult<T> =
  | { ok: true; data: T }
  | { ok: false; status: 401 | 403 | 404 | 429 | 503 };

export interface RelayServerOptions<T> {
  readonly host: string;
  readonly port: number;
  readonly cert: string;
  readonly key: string;
  /** Loopback plain-WebSocket port for local development (browsers cannot trust a dev cert). */
  readonly plainPort?: number | undefined;
  readonly plainHost?: string | undefined;
  /** Admission check on the WebTransport request (path includes the query string). */
  readonly admit: (
    path: string,
    headers: Record<string, string | undefined>,
  ) => Promise<AdmitResult<T>>;
  readonly onSession: (session: WtSession, data: T) => void;
  readonly http: HttpHandler;
  readonly upgrade?: UpgradeHandler | undefined;
}

const SESSION_PATH = '/wt';

/**
 * The host relay's listening side: WebTransport over HTTP/2 and WebSocket on TLS always, over
 * HTTP/3 too when the quiche transport is installed, plus plain GETs and the CDP WebSocket on the
 * same port. Applies the library fixes from research/transport.md: TCP_NODELAY (bug 1), a large
 * initial session flow-control window (bug 3) and the quiche probe with a timeout (bug 4).
 */
export class RelayServer<_T> {
  readonly port: number;
  readonly plainPort: number | undefined;
  readonly http3: boolean;
  private readonly closers: Array<() => Promise<void>>;

  private constructor(
    port: number,
    plainPort: number | undefined,
    http3: boolean,
    closers: Array<() => Promise<void>>,
  ) {
    this.port = port;
    this.plainPort = plainPort;
    this.http3 = http3;
    this.closers = closers;
  }

  static async start<T>(options: RelayServerOptions<T>): Promise<RelayServer<T>> {
    const { lib, http3 } = await loadWebTransport();
    const args = {
      port: options.port,
      host: options.host,
      secret: 'browserpane-relay', // required by the constructor, unused by HTTP/2
      cert: options.cert,
      privKey: options.key,
      initialSessionFlowControlWindow: 15 * 1024 * 1024,
      initialStreamFlowControlWindow: 256 * 1024,
      defaultDatagramsReadableMode: 'bytes' as const,
    };
    const server = http3
      ? new lib.HttpServer({ ...args, reliability: 'both' })
      : new lib.Http2Server(args);
    server.setRequestCallback(async ({ header }: { header: IncomingHttpHeaders }) => {
      const path = String(header[':path'] ?? '');
      const result = await options
        .admit(path, flatten(header))
        .catch(() => ({ ok: false, status: 403 }) as const);
      return result.ok
        ? { status: 200, path: SESSION_PATH, userData: result.data }
        : { status: result.status, path: SESSION_PATH };
    });
    const sessions = server.sessionStream(SESSION_PATH);
    server.startServer();
    await withTimeout(server.ready, 10_000, 'relay did not start listening');
    const port = server.address()?.port ?? options.port;

    const h2 = findHttp2Server(server);
    const libUpgrade = h2.listeners('upgrade') as Array<
      (req: IncomingMessage, socket: Duplex, head: Buffer) => void
    >;
    const libStream = h2.listeners('stream') as Array<
      (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void
    >;
    h2.on('secureConnection', (socket: Socket) => socket.setNoDelay(true));
    h2.removeAllListeners('upgrade');
    h2.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      routeUpgrade(req, socket, head, libUpgrade, options.upgrade),
    );
    // Adding a 'request' listener makes Node attach its compat 'stream' handler; drop it again so
    // HTTP/2 streams reach only our dispatcher (CONNECT → library, anything else → handler).
    h2.on(
      'request',
      (req: IncomingMessage, res: ServerResponse) => void serveHttp1(req, res, options.http, true),
    );
    h2.removeAllListeners('stream');
    h2.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      if (headers[':method'] === 'CONNECT') for (const l of libStream) l.call(h2, stream, headers);
      else void serveHttp2(stream, headers, options.http);
    });

    const closers: Array<() => Promise<void>> = [];
    let plainPort: number | undefined;
    if (options.plainPort !== undefined) {
      const plain = createHttpServer((req, res) => void serveHttp1(req, res, options.http, false));
      plain.on('connection', (socket: Socket) => socket.setNoDelay(true));
      plain.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
        routeUpgrade(req, socket, head, libUpgrade, options.upgrade),
      );
      plainPort = await listen(plain, options.plainPort, options.plainHost ?? '127.0.0.1');
      closers.push(() => closeServer(plain));
    }

    const reader = sessions.getReader();
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const session = value as unknown as WtSession;
        options.onSession(session, session.userData as T);
      }
    })();
    closers.push(async () => {
      server.stopServer();
      await withTimeout(server.closed, 5_000, 'relay close').catch(() => undefined);
    });
    return new RelayServer<T>(port, plainPort, http3, closers);
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close();
  }
}

function routeUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  libUpgrade: Array<(req: IncomingMessage, socket: Duplex, head: Buffer) => void>,
  ours: UpgradeHandler | undefined,
): void {
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '');
  if (/\bwebtransport_/.test(protocols)) {
    for (const l of libUpgrade) l(req, socket, head);
    return;
  }
  if (ours?.(req, socket, head)) return;
  socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}

function flatten(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function splitPath(raw: string): { path: string; query: URLSearchParams } {
  const url = new URL(raw.replace(/^\/+/, '/'), 'http://relay');
  return { path: url.pathname, query: url.searchParams };
}

async function serveHttp1(
  req: IncomingMessage,
  res: ServerResponse,
  handler: HttpHandler,
  secure: boolean,
): Promise<void> {
  try {
    const { path, query } = splitPath(req.url ?? '/');
    const out = await handler({
      method: req.method ?? 'GET',
      path,
      query,
      headers: flatten(req.headers),
      secure,
    });
    res.writeHead(out.status, out.headers);
    res.end(out.body);
  } catch {
    res.writeHead(500).end();
  }
}

async function serveHttp2(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  handler: HttpHandler,
): Promise<void> {
  stream.on('error', () => {});
  try {
    const { path, query } = splitPath(String(headers[':path'] ?? '/'));
    const out = await handler({
      method: String(headers[':method'] ?? 'GET'),
      path,
      query,
      headers: flatten(headers),
      secure: true,
    });
    if (stream.destroyed) return;
    stream.respond({ ':status': out.status, ...out.headers });
    stream.end(out.body);
  } catch {
    if (!stream.destroyed) {
      stream.respond({ ':status': 500 });
      stream.end();
    }
  }
}

interface LibServerLike {
  transportInt?: {
    serverInt?: Http2SecureServer;
    transportsInts?: Set<{ serverInt?: Http2SecureServer }>;
  };
}

function findHttp2Server(server: unknown): Http2SecureServer {
  const t = (server as LibServerLike).transportInt;
  if (t?.serverInt) return t.serverInt;
  for (const inner of t?.transportsInts ?? []) if (inner.serverInt) return inner.serverInt;
  throw new Error('WebTransport library layout changed: no HTTP/2 server found');
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function withTimeout<V>(promise: Promise<V>, ms: number, what: string): Promise<V> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<V>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
