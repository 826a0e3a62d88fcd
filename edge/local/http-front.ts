import { randomBytes } from 'node:crypto';
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type ErrorCode, routes, SESSION_FILE_MAX_BYTES } from '@browserpane/api/contract';
import { DRAIN_LIMIT as WORKER_DRAIN_LIMIT } from '../src/http/body-limits.ts';

/** Headers that describe one hop, not the message: never forwarded as they are. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);
/** The one route that takes bodies over the worker's drain limit: a host's session file upload. */
const FILE_UPLOAD = {
  method: routes.hostRecordSessionFile.method.toUpperCase(),
  path: new RegExp(
    `^${routes.hostRecordSessionFile.path.replace(/\{[a-z_]+\}/g, '[^/?]+')}(\\?|$)`,
  ),
};
/** What is read and thrown away of a body answered without being read, before the connection goes. */
const DRAIN_LIMIT = 1024 * 1024 * 1024;

/**
 * The largest body the worker may get for this request; larger declared bodies are answered here.
 * The worker drains unread bodies only up to its drain limit and answers larger ones without
 * reading them, and workerd closes the connection under that answer: only the session file upload
 * (which reads its body) gets more.
 */
function bodyLimit(method: string | undefined, url: string): number {
  return method === FILE_UPLOAD.method && FILE_UPLOAD.path.test(url)
    ? SESSION_FILE_MAX_BYTES
    : WORKER_DRAIN_LIMIT;
}

export interface HttpFrontOptions {
  /** Where the front listens (the edge's public address). */
  readonly host: string;
  readonly port: number;
  /** The workerd socket behind it. */
  readonly target: { readonly host: string; readonly port: number };
}

export interface RunningHttpFront {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The local edge's front door: a plain HTTP/1.1 proxy in front of workerd that answers what
 * workerd's own HTTP layer would turn into a plain-text 500 before the worker runs — request
 * targets that are not a path (`OPTIONS *`, absolute-form `GET http://host/…`) and malformed
 * requests — with a 400 in the edge's JSON error shape, and forwards everything else unchanged
 * (method, path, headers, streamed bodies both ways). In production the platform (Cloudflare) or
 * the TLS proxy in front of a self-hosted workerd does this job.
 */
export async function startHttpFront(options: HttpFrontOptions): Promise<RunningHttpFront> {
  // A connection per request to workerd (loopback): reusing one that workerd is closing would
  // turn a request into a spurious error.
  const agent = new Agent({ keepAlive: false });
  /** Requests in progress per connection: until both the answer and the request body are done. */
  const busy = new WeakMap<Socket, number>();
  // Headers as large as workerd takes (a 20 kB bearer token is the worker's to refuse).
  const server: Server = createServer({ maxHeaderSize: 128 * 1024 }, (req, res) => {
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    let open = 2;
    const done = () => {
      if (--open === 0) busy.set(socket, (busy.get(socket) ?? 1) - 1);
    };
    res.once('close', done);
    // The body read to its end (piped on, or drained): not 'close', which comes with the answer.
    let bodyDone = false;
    const body = () => {
      if (bodyDone) return;
      bodyDone = true;
      done();
    };
    req.once('end', body);
    req.once('error', body);
    forward(req, res, options.target, agent);
  });
  // Idle keep-alive connections last a minute (announced in `Keep-Alive: timeout=65`): a client
  // reuses one until shortly before that, so a request rarely meets a connection being closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Node arms the keep-alive idle timer when a response finishes, which can be before the request
  // body is in (an early 413) or after the next request started (a fast client, a busy process):
  // that timer must not cut a request in progress. Idle connections still go.
  server.on('timeout', (socket: Socket) => {
    if (!busy.get(socket)) socket.destroy();
  });
  // A client that half-closes after its request (`printf … | nc -N`) still gets the answer, then
  // the connection ends (Node's own switch; without it the pending request is aborted).
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  const refuse = (socket: Socket, message: string) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const { id, body } = errorJson('bad_request', message);
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: application/json\r\nx-request-id: ${id}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };
  server.on('clientError', (_err, socket: Socket) =>
    refuse(socket, 'the request is not valid HTTP/1.1'),
  );
  // The edge has no tunnels and no WebSockets.
  server.on('connect', (_req, socket: Socket) => refuse(socket, 'CONNECT is not served here'));
  server.on('upgrade', (_req, socket: Socket) =>
    refuse(socket, 'protocol upgrades are not served here'),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve())); // (an error: already closed)
    },
  };
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  target: HttpFrontOptions['target'],
  agent: Agent,
): void {
  const url = req.url ?? '';
  if (!url.startsWith('/')) {
    req.resume();
    return sendError(
      res,
      400,
      'bad_request',
      'the request target must be a path (origin-form, e.g. GET /api/v1/sessions); "*" and absolute URLs are not served',
    );
  }
  const limit = bodyLimit(req.method, url);
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    // workerd would answer without reading it and close the connection under the answer.
    sendError(res, 413, 'payload_too_large', `the request body must be at most ${limit} bytes`);
    return drain(req);
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  const upstream = request(
    { host: target.host, port: target.port, method: req.method, path: url, headers, agent },
    (answer) => {
      const out: string[] = [];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        const name = answer.rawHeaders[i] as string;
        if (!HOP_BY_HOP.has(name.toLowerCase())) out.push(name, answer.rawHeaders[i + 1] as string);
      }
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    },
  );
  upstream.on('error', () => {
    // workerd may close its side once it answered without reading the whole body: that is fine.
    if (!res.headersSent) sendError(res, 502, 'bad_gateway', 'the edge worker is not reachable');
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  res.on('finish', () => {
    if (req.complete) return;
    // Answered before the body was read: read the rest (bounded) so the client gets the answer
    // instead of a reset, as the worker does.
    req.unpipe(upstream);
    drain(req);
  });
  // Headers go at once: a request whose body comes later (or never) is answered on its headers.
  upstream.flushHeaders();
  req.pipe(upstream);
}

/** Reads and throws away the rest of a request body, up to DRAIN_LIMIT (then the connection goes). */
function drain(req: IncomingMessage): void {
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.byteLength;
    if (drained > DRAIN_LIMIT) req.socket.destroy();
  });
  req.resume();
}

function sendError(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  if (res.headersSent) return void res.end();
  const { id, body } = errorJson(code, message);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'x-request-id': id,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** The edge's one error shape, with a request id as the worker would give it. */
function errorJson(code: ErrorCode, message: string): { id: string; body: string } {
  const id = `req_${randomBytes(9).toString('base64url')}`;
  return { id, body: JSON.stringify({ error: message, code, request_id: id }) };
}
