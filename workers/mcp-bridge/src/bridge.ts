import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BridgeConfig } from './config.ts';
import { EdgeClient } from './edge/edge-client.ts';
import { PersonVerifier } from './edge/person-verifier.ts';
import { BridgeError } from './errors.ts';
import { createLogger, type Logger } from './log.ts';
import { ToolCatalog } from './playwright/catalog.ts';
import { CallerAuth } from './server/caller-auth.ts';
import { startHttpServer } from './server/http-server.ts';
import { McpRoutes } from './server/mcp-routes.ts';
import { SessionRegistry } from './sessions/registry.ts';

/** A running bridge. */
export interface RunningBridge {
  /** `http://<host>:<port>`; MCP clients use `<url>/mcp` (Streamable HTTP) or `<url>/sse`. */
  readonly url: string;
  readonly port: number;
  /** The bridge's service principal at the edge (what a session owner delegates to). */
  readonly principalId: string;
  readonly registry: SessionRegistry;
  /** Stops listening, closes MCP connections and gives back what it claimed. */
  close(): Promise<void>;
}

const EDGE_WAIT_MS = 20_000;

/**
 * Starts the MCP bridge: authenticates to the edge with client credentials (waiting a little for
 * an edge that is still starting), then serves MCP over Streamable HTTP and SSE.
 */
export async function startBridge(
  config: BridgeConfig,
  log: Logger = createLogger(config.logLevel),
): Promise<RunningBridge> {
  const edge = new EdgeClient(config);
  const principalId = await whoAmI(edge);
  const registry = new SessionRegistry({ edge, config, log, principalId });
  const catalog = new ToolCatalog(log);
  const auth = new CallerAuth({ config, edge, verifier: new PersonVerifier(edge) });
  const mcp = new McpRoutes({ registry, catalog, auth, log });
  const server: Server = await startHttpServer({
    config,
    edge,
    auth,
    registry,
    mcp,
    principalId,
    log,
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  log.info('listening', { url: `http://${host}:${port}`, principalId });
  return {
    url: `http://${host}:${port}`,
    port,
    principalId,
    registry,
    async close() {
      await mcp.closeAll();
      await registry.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function whoAmI(edge: EdgeClient): Promise<string> {
  const deadline = Date.now() + EDGE_WAIT_MS;
  for (;;) {
    try {
      return await edge.principalId();
    } catch (err) {
      if (!(err instanceof BridgeError) || err.code !== 'edge_unavailable' || Date.now() > deadline)
        throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
