/**
 * `npm start`: the whole local stack on one machine — embedded PostgreSQL (PGlite) unless
 * DATABASE_URL is set, migrations, the edge under workerd with the console, one host agent and the
 * workflow worker (unless WORKFLOW_WORKER=off).
 * Ctrl-C stops everything. `npm start -- --help` lists the settings.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalStack } from './stack.ts';
import { START_HELP } from './start-help.mjs';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.browserpane');

const started = Date.now();
function say(msg: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  process.stdout.write(`[start ${t}s] ${msg}\n`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(START_HELP);
    return;
  }
  mkdirSync(join(DATA, 'logs'), { recursive: true });
  const edgeLog = createWriteStream(join(DATA, 'logs', 'edge.log'), { flags: 'a' });
  const hostLog = createWriteStream(join(DATA, 'logs', 'host.log'), { flags: 'a' });
  const bridgeLog = createWriteStream(join(DATA, 'logs', 'mcp-bridge.log'), { flags: 'a' });
  const workerLog = createWriteStream(join(DATA, 'logs', 'workflow-worker.log'), { flags: 'a' });
  const port = Number(process.env.BROWSERPANE_PORT ?? 8787);
  const bridgePort =
    process.env.MCP_BRIDGE_PORT === 'off' ? undefined : Number(process.env.MCP_BRIDGE_PORT ?? 8931);
  const stack = await startLocalStack({
    dataDir: DATA,
    port,
    relayPort: Number(process.env.RELAY_PORT ?? 4443),
    plainPort: Number(process.env.RELAY_PLAIN_PORT ?? 4480),
    database: process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : 'pglite',
    host: 'child',
    // The optional Vault / OpenBao credential store, passed on to the edge as its bindings.
    edgeVars: Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] => e[0].startsWith('VAULT_') && typeof e[1] === 'string',
      ),
    ),
    hostMaxSessions: process.env.HOST_MAX_SESSIONS
      ? Number(process.env.HOST_MAX_SESSIONS)
      : undefined,
    say,
    edgeLog: (line) => edgeLog.write(`${line}\n`),
    hostLog: (line) => hostLog.write(`${line}\n`),
    ...(bridgePort !== undefined
      ? { mcpBridge: { port: bridgePort, log: (line: string) => bridgeLog.write(`${line}\n`) } }
      : {}),
    ...(process.env.WORKFLOW_WORKER === 'off'
      ? {}
      : { workflowWorker: { log: (line: string) => workerLog.write(`${line}\n`) } }),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      say('forced exit');
      process.exit(1);
    }
    stopping = true;
    say(`${signal}: stopping the host agent, the edge and the database…`);
    await stack.stop();
    edgeLog.end();
    hostLog.end();
    bridgeLog.end();
    workerLog.end();
    say('stopped');
    process.exit(0);
  };
  // Libraries (miniflare's exit hook) exit on these signals before async cleanup could run;
  // this launcher owns shutdown, so it replaces their handlers with its own orderly one.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(signal === 'SIGINT' ? 'Ctrl-C' : signal));
  }
  if (stack.mcpBridge)
    say(
      `mcp bridge: MCP clients connect to ${stack.mcpBridge.url}/mcp (Streamable HTTP) or ${stack.mcpBridge.url}/sse; "Delegate to MCP" in the console hands it a session`,
    );
  if (stack.workflowWorker)
    say('workflow worker: running workflow runs (npx browserpane --help drives them from a shell)');
  say(
    `ready — open http://localhost:${port} and sign in as demo / demo-demo. Ctrl-C stops everything.`,
  );
}

main().catch((err: Error) => {
  console.error(`[start] failed: ${err.message}`);
  process.exit(1);
});
