// Entry point: configuration, wiring, stdio loop, signals.

import { readFileSync } from 'node:fs';
import { handleFlags } from './cli.ts';
import { ConfigError, readConfig } from './config.ts';
import { readMessages } from './protocol/input.ts';
import { createLogger } from './protocol/log.ts';
import { Output } from './protocol/output.ts';
import { RecordingManager } from './recording/manager.ts';
import { Runtime } from './runtime/runtime.ts';
import { SessionManager } from './session/manager.ts';
import { HostDownloads } from './session/vendors/host-downloads.ts';
import { createVendor } from './session/vendors/index.ts';
import { Redactor } from './substitution/redactor.ts';

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

function main(): void {
  if (handleFlags(process.argv.slice(2), version, (text) => process.stdout.write(text))) return;

  let config: ReturnType<typeof readConfig>;
  try {
    config = readConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`wb-browser-runtime: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }

  // When wb goes away, stdio breaks: never let a failed write raise (or loop through the logger).
  let stderrOpen = true;
  process.stderr.on('error', () => {
    stderrOpen = false;
  });
  process.stdin.on('error', () => {});
  const redactor = new Redactor();
  const logger = createLogger({
    level: config.logLevel,
    scrub: (text) => redactor.scrub(text),
    write: (line) => {
      if (stderrOpen) process.stderr.write(line);
    },
  });
  if (config.logLevelWarning) logger.warn(config.logLevelWarning);
  if (config.recordingNote) logger.info('recording', config.recordingNote);
  const output = new Output(process.stdout, redactor);
  const emit = output.frame.bind(output);
  const hostDownloads = new HostDownloads(emit);
  const sessions = new SessionManager({
    vendor: createVendor(config, logger, hostDownloads),
    config,
    logger,
    emit,
    recording: config.recording
      ? new RecordingManager(config.recording, logger, (value) => redactor.scrubDeep(value))
      : null,
  });
  const runtime = new Runtime(
    { config, env: process.env, logger, redactor, output, sessions, hostDownloads },
    { version, exit: (code) => process.exit(code) },
  );

  output.onBroken(() => {
    logger.info('shutdown', 'stdout closed');
    void runtime.stop('shutdown');
  });
  readMessages(
    process.stdin,
    logger,
    (message) => runtime.handle(message),
    () => void runtime.stop('shutdown'),
  );
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => {
      logger.info('shutdown', `received ${signal}`);
      void runtime.stop('shutdown');
    });
  }
  // Nothing the browser or a page does may take the sidecar down.
  process.on('uncaughtException', (error) =>
    logger.error(`uncaught: ${error.stack ?? error.message}`),
  );
  process.on('unhandledRejection', (reason) =>
    logger.error(`unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`),
  );
}

main();
