/**
 * The host agent process: `node --import tsx host-pool/src/main.ts [--help]`. Starts the relay,
 * enrols with the edge, heartbeats, and runs the sessions the edge places here.
 */
import { CONFIG_HELP, ConfigError, parseHostConfig } from './config.ts';
import { startHostAgent } from './host.ts';
import { createLogger } from './log.ts';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(CONFIG_HELP);
    return;
  }
  let config: ReturnType<typeof parseHostConfig>;
  try {
    config = parseHostConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n\nRun with --help for the settings.\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger({ module: 'host' });
  const host = await startHostAgent(config, log);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    await host.stop();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
    process.on(signal, () => void shutdown(signal));
}

main().catch((err: Error) => {
  // Settings that only prove wrong at start (e.g. a RELAY_CERT that RELAY_CERT_PIN cannot pin).
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n\nRun with --help for the settings.\n`);
    process.exit(2);
  }
  const line = {
    time: new Date().toISOString(),
    level: 'error',
    module: 'host',
    msg: 'host agent failed',
    err: { name: err.name, message: err.message },
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
  process.exit(1);
});
