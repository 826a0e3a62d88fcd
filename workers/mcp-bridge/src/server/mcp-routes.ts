import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { BridgeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ToolCatalog } from '../playwright/catalog.ts';
import type { ManagedSession } from '../sessions/managed-session.ts';
import type { SessionRegistry } from '../sessions/registry.ts';
import type { Caller, CallerAuth } from './caller-auth.ts';
import { createMcpServer } from './mcp-server.ts';

export interface McpRoutesDeps {
  readonly registry: SessionRegistry;
  readonly catalog: ToolCatalog;
  readonly auth: CallerAuth;
  readonly log: Logger;
}

/** MCP connections kept per transport kind; the oldest is closed beyond this. */
const MAX_CONNECTIONS = 64;

interface Bound<T> {
  readonly transport: T;
  /** The session a session-bound endpoint drives; null = the control session. */
  readonly sessionId: string | null;
  /** The session it drives: the bound one, or the control session when it connected. */
  readonly target: string;
  /** Who opened it: only they may use it. */
  readonly principal: string;
}

/**
 * The MCP transports: Streamable HTTP (`/mcp`, `/sessions/{id}/mcp`) and legacy SSE (`/sse` +
 * `/messages`, `/sessions/{id}/sse` + `/sessions/{id}/messages`). Each client connection gets its
 * own MCP server; the bridge-wide endpoints drive the control session as of when they connected,
 * the session-bound ones their session. Every request is checked: the caller may use that
 * session (`CallerAuth.entitle`, else 404), and a connection is used only by whoever opened it.
 */
export class McpRoutes {
  private readonly streamable = new Map<string, Bound<StreamableHTTPServerTransport>>();
  private readonly sse = new Map<string, Bound<SSEServerTransport>>();

  constructor(private readonly deps: McpRoutesDeps) {}

  get connections(): number {
    return this.streamable.size + this.sse.size;
  }

  async streamableHttp(
    req: IncomingMessage,
    res: ServerResponse,
    caller: Caller,
    sessionId: string | null,
  ): Promise<void> {
    const header = req.headers['mcp-session-id'];
    const mcpSession = Array.isArray(header) ? header[0] : header;
    if (mcpSession) {
      const bound = this.streamable.get(mcpSession);
      if (!bound || !(await this.mayUse(bound, caller, sessionId)))
        return rpcError(res, 404, -32001, 'MCP session not found; initialize again');
      return bound.transport.handleRequest(req, res);
    }
    if (req.method !== 'POST')
      return rpcError(res, 400, -32000, 'no MCP session: send an initialize request first');
    const target = await this.open(caller, sessionId, 'streamable');
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        evictOldest(this.streamable);
        this.streamable.set(id, { transport, sessionId, target, principal: caller.principal });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.streamable.delete(transport.sessionId);
    };
    await this.server(sessionId, target, caller).connect(transport);
    await transport.handleRequest(req, res);
  }

  async sseStream(
    req: IncomingMessage,
    res: ServerResponse,
    caller: Caller,
    sessionId: string | null,
  ) {
    if (req.method !== 'GET') return rpcError(res, 405, -32000, 'open the SSE stream with GET');
    const target = await this.open(caller, sessionId, 'sse');
    const endpoint = sessionId ? `/sessions/${sessionId}/messages` : '/messages';
    const transport = new SSEServerTransport(endpoint, res);
    const id = transport.sessionId;
    evictOldest(this.sse);
    this.sse.set(id, { transport, sessionId, target, principal: caller.principal });
    res.on('close', () => this.sse.delete(id));
    await this.server(sessionId, target, caller).connect(transport);
  }

  async sseMessage(
    req: IncomingMessage,
    res: ServerResponse,
    caller: Caller,
    sessionId: string | null,
  ) {
    const id = new URL(req.url ?? '/', 'http://bridge').searchParams.get('sessionId') ?? '';
    const bound = this.sse.get(id);
    if (req.method !== 'POST' || !bound || !(await this.mayUse(bound, caller, sessionId)))
      return rpcError(res, 404, -32001, 'SSE session not found');
    await bound.transport.handlePostMessage(req, res);
  }

  /**
   * A new MCP connection: the session it will drive (the bound one, or the control session now)
   * if the caller may use it; throws `no_control_session` or `session_not_found` otherwise.
   */
  private async open(caller: Caller, sessionId: string | null, transport: string): Promise<string> {
    const target = sessionId ?? this.deps.registry.controlSessionId;
    if (!target) {
      throw new BridgeError(
        'no_control_session',
        'no BrowserPane session is under this bridge’s control: delegate one from the console (“Delegate to MCP”) or PUT /control-session',
      );
    }
    await this.deps.auth.entitle(caller, target);
    this.deps.log.info('mcp client connected', {
      principal: caller.principal,
      sessionId: target,
      transport,
    });
    return target;
  }

  /**
   * Whether `caller` may go on using connection `bound` on this endpoint: whoever opened it, while
   * they may still use its session — or once the session's delegation to the bridge ended, so the
   * session itself answers `session_revoked`.
   */
  private async mayUse(
    bound: Bound<unknown>,
    caller: Caller,
    sessionId: string | null,
  ): Promise<boolean> {
    if (bound.sessionId !== sessionId || bound.principal !== caller.principal) return false;
    return (await this.deps.auth.check(caller, bound.target)) !== 'no';
  }

  async closeAll(): Promise<void> {
    const all = [...this.streamable.values(), ...this.sse.values()];
    this.streamable.clear();
    this.sse.clear();
    await Promise.all(all.map((b) => b.transport.close().catch(() => undefined)));
  }

  private server(sessionId: string | null, target: string, caller: Caller) {
    const { registry, catalog, log } = this.deps;
    const session = async (): Promise<ManagedSession> => {
      if (sessionId) return registry.existing(sessionId);
      const control = await registry.control();
      if (control.sessionId !== target)
        throw new BridgeError(
          'no_control_session',
          'the bridge’s control session changed since this client connected: connect again',
        );
      return control;
    };
    return createMcpServer(session, catalog, log, caller.principal);
  }
}

/** Keeps memory bounded when clients never close their MCP sessions. */
function evictOldest(map: Map<string, Bound<{ close(): Promise<void> }>>): void {
  if (map.size < MAX_CONNECTIONS) return;
  const [oldest, bound] = map.entries().next().value as [string, Bound<{ close(): Promise<void> }>];
  map.delete(oldest);
  void bound.transport.close().catch(() => undefined);
}

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
