import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BridgeConfig } from '../config.ts';
import { asBridgeError, BridgeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { SessionRegistry } from '../sessions/registry.ts';
import { type ControlDeps, controlSession } from './control-routes.ts';
import { applyCors, sendError, sendJson } from './http-util.ts';
import type { McpRoutes } from './mcp-routes.ts';
import { BRIDGE_VERSION } from './mcp-server.ts';

export interface HttpDeps extends ControlDeps {
  readonly mcp: McpRoutes;
  readonly registry: SessionRegistry;
  readonly principalId: string;
  readonly log: Logger;
}

const BOUND = /^\/sessions\/([A-Za-z0-9_-]{1,64})\/(mcp|sse|messages)$/;

/**
 * The bridge's HTTP listener. Every request must name an allowed Host (DNS-rebinding guard); a
 * browser page must come from an allowed origin; every route but `/health` needs a bearer token
 * (`CallerAuth`: the caller's OIDC token, or the operator's MCP_BRIDGE_AUTH_TOKEN) and drives or
 * shows only sessions the caller may use. Bad input is answered, never thrown.
 */
export async function startHttpServer(deps: HttpDeps): Promise<Server> {
  const server = createServer((req, res) => {
    void route(req, res, deps, server).catch((err: unknown) => {
      const e = asBridgeError(err);
      if (e.code === 'internal_error') deps.log.error('request failed', { error: e.message });
      sendError(res, e);
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.config.port, deps.config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  server: Server,
): Promise<void> {
  const port = (server.address() as AddressInfo).port;
  const host = req.headers.host ?? '';
  if (!allowedHost(host, port, deps.config))
    throw new BridgeError('forbidden', 'this Host is not allowed (MCP_BRIDGE_ALLOWED_HOSTS)');
  if (!applyCors(req, res, deps.config.allowedOrigins)) return;
  const path = new URL(req.url ?? '/', 'http://bridge').pathname;
  const baseUrl = `http://${host}`;

  if (path === '/health' && req.method === 'GET') {
    // Public: nothing about sessions or callers. The console reads the principal to delegate to.
    sendJson(res, 200, { ok: true, version: BRIDGE_VERSION, principal_id: deps.principalId });
    return;
  }
  if (path === '/control-session') return controlSession(req, res, deps, baseUrl);

  const bound = BOUND.exec(path);
  const kind = bound ? bound[2] : path.slice(1);
  const sessionId = bound ? (bound[1] as string) : null;
  if (kind !== 'mcp' && kind !== 'sse' && kind !== 'messages')
    throw new BridgeError('route_not_found', `no route ${req.method} ${path}`);
  const caller = await deps.auth.identify(req);
  if (kind === 'mcp') return deps.mcp.streamableHttp(req, res, caller, sessionId);
  if (kind === 'sse') return deps.mcp.sseStream(req, res, caller, sessionId);
  return deps.mcp.sseMessage(req, res, caller, sessionId);
}

function allowedHost(host: string, port: number, config: BridgeConfig): boolean {
  const own = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${config.host}:${port}`];
  return own.includes(host) || config.allowedHosts.includes(host);
}
