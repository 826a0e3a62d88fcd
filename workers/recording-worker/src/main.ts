/**
 * `recording-worker` (started by the host agent, one process per recording or export): reads its
 * job from stdin, records or builds it, reports to the edge, exits. SIGTERM stops a recording
 * cleanly (the file is closed and stored); a kill loses at most the last part interval.
 */
import { CONFIG_HELP, ConfigError, parseWorkerConfig } from './config.ts';
import { buildExport } from './export.ts';
import { readJob } from './job.ts';
import { createLog } from './log.ts';
import { record } from './record.ts';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(CONFIG_HELP);
    return;
  }
  const config = parseWorkerConfig();
  const log = createLog();
  let stop!: () => void;
  const stopSignal = new Promise<void>((resolve) => {
    stop = resolve;
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stop());
  const { job, token } = await readJob();
  if (job.kind === 'record') await record({ config, job, token, log, stopSignal });
  else await buildExport({ config, job, token, log });
  process.exit(0);
}

main().catch((err: Error) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n\n${CONFIG_HELP}`);
    process.exit(2);
  }
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'error', module: 'recording-worker', msg: 'recording worker failed', err: { name: err.name, message: err.message } })}\n`,
  );
  process.exit(1);
});
