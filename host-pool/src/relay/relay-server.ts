import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Http2SecureServer, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log.ts';
import { Http3Listener } from './http3-listener.ts';
import {
  type AdmitResult,
  acceptSessions,
  flattenHeaders,
  type LibServer,
  libServerArgs,
  type SessionHandlers,
  stopLibServer,
} from './session-listener.ts';
import type { WtSession } from './transport-types.ts';
import { loadWebTransport } from './webtransport-lib.ts';

export type { AdmitResult } from './session-listener.ts';

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
  readonly log?: Logger | undefined;
}

/**
 * The host relay's listening side: WebTransport over HTTP/2 and WebSocket on TLS always, over
 * HTTP/3 too when the quiche transport is installed (a second library server on the same port
 * number, UDP), plus plain GETs and the CDP WebSocket on the TCP port. Applies the library fixes
 * from research/transport.md: TCP_NODELAY (bug 1), a large initial session flow-control window
 * (bug 3) and the quiche probe with a timeout (bug 4). `updateCertificate` swaps the certificate
 * while running.
 */
export class RelayServer<_T> {
  readonly port: number;
  readonly plainPort: number | undefined;
  private readonly tcp: LibServer;
  private readonly udp: Http3Listener<_T> | undefined;
  private readonly closers: Array<() => Promise<void>>;

  private constructor(
    port: number,
    plainPort: number | undefined,
    tcp: LibServer,
    udp: Http3Listener<_T> | undefined,
    closers: Array<() => Promise<void>>,
  ) {
    this.port = port;
    this.plainPort = plainPort;
    this.tcp = tcp;
    this.udp = udp;
    this.closers = closers;
  }

  /** True while WebTransport over HTTP/3 (UDP) is served. */
  get http3(): boolean {
    return this.udp?.active ?? false;
  }

  /**
   * Serves a new certificate and key. TCP: new TLS handshakes use it at once, established
   * connections (and their WebTransport sessions) carry on. HTTP/3: see `Http3Listener`
   * (a restart of the UDP listener when the transport cannot swap in place). Throws, leaving the
   * old certificate in service, when TLS refuses the pair.
   */
  async updateCertificate(cert: string, key: string): Promise<void> {
    // Http2Server#updateCert → tls.Server#setSecureContext (throws on a bad pair).
    this.tcp.updateCert(cert, key, true);
    await this.udp?.updateCertificate(cert, key);
  }

  static async start<T>(options: RelayServerOptions<T>): Promise<RelayServer<T>> {
    const { lib, http3 } = await loadWebTransport();
    const handlers: SessionHandlers<T> = { admit: options.admit, onSession: options.onSession };
    const server = new lib.Http2Server(libServerArgs(options));
    await acceptSessions(server, handlers);
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

    const udp = http3
      ? await Http3Listener.start(
          lib,
          { host: options.host, port, cert: options.cert, key: options.key },
          handlers,
          options.log,
        )
      : undefined;
    if (udp) closers.push(() => udp.close());
    closers.push(() => stopLibServer(server));
    return new RelayServer<T>(port, plainPort, server, udp, closers);
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
      headers: flattenHeaders(req.headers),
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
      headers: flattenHeaders(headers),
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
