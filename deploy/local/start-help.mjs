// `npm start -- --help`: the local stack's settings. Plain JavaScript, so the launcher
// (bootstrap.mjs) can print it before any dependency is installed; start.ts reads it too.
export const START_HELP = `npm start — the BrowserPane local stack

Settings (environment):
  DATABASE_URL        use this PostgreSQL instead of the embedded PGlite (data in .browserpane/pglite)
  BROWSERPANE_PORT    edge and console port                 (default 8787)
  RELAY_PORT          host relay TLS port                   (default 4443)
  RELAY_PLAIN_PORT    host relay loopback ws:// port        (default 4480; what local browsers use)
  HOST_MAX_SESSIONS   browser sessions this machine may run (default: by memory)
  HOST_WARM_RUNTIMES  browsers kept started ahead for new sessions (default 1; 0 = off)
  HOST_METRICS_TOKEN  bearer token of the host agent's GET /metrics (default: none, off)
  MCP_BRIDGE_PORT     MCP bridge port                       (default 8931; "off" runs none)
  HOST_SANDBOX…       the host agent's session sandbox settings, passed on to it
                      (npx tsx host-pool/src/main.ts --help; SECURITY.md)
  WORKFLOW_WORKER     "off" runs no workflow worker (runs then wait in pending)
  WORKFLOW_WORKER_*, WORKFLOW_GIT_*   passed to the workflow worker (npx workflow-worker --help)
  VAULT_ADDR, VAULT_TOKEN, VAULT_KV_MOUNT, VAULT_NAMESPACE, VAULT_PATH_PREFIX
                      passed to the edge: credential secrets in Vault / OpenBao KV v2 (README)
Logs: .browserpane/logs/edge.log, host.log, mcp-bridge.log and workflow-worker.log`;
