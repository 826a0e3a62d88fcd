import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from '../log.ts';
import type { ToolCatalog } from '../playwright/catalog.ts';
import type { ManagedSession } from '../sessions/managed-session.ts';
import type { SessionRegistry } from '../sessions/registry.ts';
import { createMcpServer } from './mcp-server.ts';

export interface McpRoutesDeps {
  readonly registry: SessionRegistry;
  readonly catalog: ToolCatalog;
  readonly log: Logger;
}

/** MCP connections kept per transport kind; the oldest is closed beyond this. */
const MAX_CONNECTIONS = 64;

interface Bound<T> {
  readonly transport: T;
  /** The session a session-bound endpoint drives; null = the control session. */
  readonly sessionId: string | null;
}

/**
 * The MCP transports: Streamable HTTP (`/mcp`, `/sessions/{id}/mcp`) and legacy SSE (`/sse` +
 * `/messages`, `/sessions/{id}/sse` + `/sessions/{id}/messages`). Each client connection gets its
 * own MCP server; the bridge-wide endpoints drive the control session, the session-bound ones
 * their session.
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
    sessionId: string | null,
  ): Promise<void> {
    const header = req.headers['mcp-session-id'];
    const mcpSession = Array.isArray(header) ? header[0] : header;
    if (mcpSession) {
      const bound = this.streamable.get(mcpSession);
      if (!bound || bound.sessionId !== sessionId)
        return rpcError(res, 404, -32001, 'MCP session not found; initialize again');
      return bound.transport.handleRequest(req, res);
    }
    if (req.method !== 'POST')
      return rpcError(res, 400, -32000, 'no MCP session: send an initialize request first');
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        evictOldest(this.streamable);
        this.streamable.set(id, { transport, sessionId });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.streamable.delete(transport.sessionId);
    };
    await this.server(sessionId).connect(transport);
    await transport.handleRequest(req, res);
  }

  async sseStream(req: IncomingMessage, res: ServerResponse, sessionId: string | null) {
    if (req.method !== 'GET') return rpcError(res, 405, -32000, 'open the SSE stream with GET');
    const endpoint = sessionId ? `/sessions/${sessionId}/messages` : '/messages';
    const transport = new SSEServerTransport(endpoint, res);
    const id = transport.sessionId;
    evictOldest(this.sse);
    this.sse.set(id, { transport, sessionId });
    res.on('close', () => this.sse.delete(id));
    await this.server(sessionId).connect(transport);
  }

  async sseMessage(req: IncomingMessage, res: ServerResponse, sessionId: string | null) {
    const id = new URL(req.url ?? '/', 'http://bridge').searchParams.get('sessionId') ?? '';
    const bound = this.sse.get(id);
    if (req.method !== 'POST' || !bound || bound.sessionId !== sessionId)
      return rpcError(res, 404, -32001, 'SSE session not found');
    await bound.transport.handlePostMessage(req, res);
  }

  async closeAll(): Promise<void> {
    const all = [...this.streamable.values(), ...this.sse.values()];
    this.streamable.clear();
    this.sse.clear();
    await Promise.all(all.map((b) => b.transport.close().catch(() => undefined)));
  }

  private server(sessionId: string | null) {
    const { registry, catalog, log } = this.deps;
    const target = (): Promise<ManagedSession> =>
      sessionId ? registry.existing(sessionId) : registry.control();
    return createMcpServer(target, catalog, log);
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
