import { startBridge } from './bridge.ts';
import { readConfig } from './config.ts';
import { BridgeError } from './errors.ts';
import { BRIDGE_VERSION } from './server/mcp-server.ts';

export const USAGE = `mcp-bridge — MCP server that drives delegated BrowserPane sessions

usage: mcp-bridge [--help | --version]

Serves MCP over Streamable HTTP (/mcp) and legacy SSE (/sse); browser tools (Playwright MCP)
drive the session a person delegated to the bridge, through the host's CDP gateway. Callers send
an OIDC bearer token of the session's owner or of the principal it was delegated to.

environment:
  BROWSERPANE_API_URL            the edge, e.g. http://127.0.0.1:8787 (required)
  MCP_BRIDGE_CLIENT_ID           service principal client id (default mcp-bridge)
  MCP_BRIDGE_CLIENT_SECRET       its client secret (required; never logged)
  MCP_BRIDGE_TOKEN_URL           token endpoint (default: the edge's /auth-config.json)
  MCP_BRIDGE_AUDIENCE            audience for the client-credentials grant (optional)
  MCP_BRIDGE_HOST / _PORT        listen address (default 127.0.0.1:8931)
  MCP_BRIDGE_ALLOWED_HOSTS       extra Host header values accepted (comma-separated)
  MCP_BRIDGE_ALLOWED_ORIGINS     browser origins allowed (default: the edge's origin)
  MCP_BRIDGE_SUPERVISED_DELAY_MS wait before each tool call while people watch (default 1500)
  MCP_BRIDGE_STATUS_POLL_MS      how often session status is refreshed (default 2000)
  MCP_BRIDGE_VIEWPORT            e.g. 1600x900: asked for when nobody watches (optional)
  MCP_BRIDGE_AUTH_TOKEN          operator token that may use every delegated session (optional;
                                 everyone else sends their own OIDC bearer token)
  MCP_BRIDGE_LOG_LEVEL           debug | info (default) | warn | error
`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`mcp-bridge ${BRIDGE_VERSION}\n`);
    return;
  }
  const bridge = await startBridge(readConfig());
  process.stdout.write(
    `mcp-bridge: MCP at ${bridge.url}/mcp (Streamable HTTP) and ${bridge.url}/sse (SSE) as ${bridge.principalId}\n`,
  );
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      void bridge.close().then(() => process.exit(0));
    });
  }
}

main().catch((err: unknown) => {
  const message = err instanceof BridgeError ? `${err.code}: ${err.message}` : String(err);
  process.stderr.write(`mcp-bridge: ${message}\n`);
  process.exit(1);
});
