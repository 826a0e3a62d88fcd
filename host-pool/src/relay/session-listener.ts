/**
 * Wiring shared by the relay's two WebTransport listeners (HTTP/2 + WebSocket on TCP, HTTP/3 on
 * UDP): the library server's arguments, the admission callback, and handing admitted sessions on.
 */
import type { IncomingHttpHeaders } from 'node:http2';
import type { WtSession } from './transport-types.ts';
import type { LoadedWebTransport } from './webtransport-lib.ts';

export type LibServer = InstanceType<LoadedWebTransport['lib']['HttpServer']>;

export type AdmitResult<T> =
  | { ok: true; data: T }
  | { ok: false; status: 401 | 403 | 404 | 429 | 503 };

export interface SessionHandlers<T> {
  /** Admission check on the WebTransport request (path includes the query string). */
  readonly admit: (
    path: string,
    headers: Record<string, string | undefined>,
  ) => Promise<AdmitResult<T>>;
  readonly onSession: (session: WtSession, data: T) => void;
}

const SESSION_PATH = '/wt';

/** The library server's arguments, with the flow-control fix (transport.md bug 3). */
export function libServerArgs(listen: { host: string; port: number; cert: string; key: string }) {
  return {
    port: listen.port,
    host: listen.host,
    secret: 'browserpane-relay', // required by the constructor, unused by HTTP/2
    cert: listen.cert,
    privKey: listen.key,
    initialSessionFlowControlWindow: 15 * 1024 * 1024,
    initialStreamFlowControlWindow: 256 * 1024,
    defaultDatagramsReadableMode: 'bytes' as const,
  };
}

/**
 * Installs the admission callback and the session stream on a library server, starts it and
 * waits until it listens (with a timeout: transport.md bug 4), then hands admitted sessions on.
 */
export async function acceptSessions<T>(
  server: LibServer,
  handlers: SessionHandlers<T>,
): Promise<void> {
  server.setRequestCallback(async ({ header }: { header: IncomingHttpHeaders }) => {
    const path = String(header[':path'] ?? '');
    const result = await handlers
      .admit(path, flattenHeaders(header))
      .catch(() => ({ ok: false, status: 403 }) as const);
    return result.ok
      ? { status: 200, path: SESSION_PATH, userData: result.data }
      : { status: result.status, path: SESSION_PATH };
  });
  const sessions = server.sessionStream(SESSION_PATH);
  server.startServer();
  await withTimeout(server.ready, 10_000, 'relay did not start listening');
  const reader = sessions.getReader();
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const session = value as unknown as WtSession;
      handlers.onSession(session, session.userData as T);
    }
  })();
}

/** Stops a library server listening (sessions on HTTP/3 end with it; TCP ones stay). */
export async function stopLibServer(server: LibServer): Promise<void> {
  server.stopServer();
  await withTimeout(server.closed, 5_000, 'relay close').catch(() => undefined);
}

export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function withTimeout<V>(promise: Promise<V>, ms: number, what: string): Promise<V> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<V>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
