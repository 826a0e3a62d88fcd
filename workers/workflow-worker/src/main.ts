/** `workflow-worker`: settings from the environment, `--help`, SIGTERM/SIGINT stop it cleanly. */
import { ConfigError, HELP, readConfig } from './config.ts';
import { startWorkflowWorker } from './worker.ts';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  if (args.length > 0) {
    console.error(`unknown argument: ${args[0]}\n\n${HELP}`);
    return 2;
  }
  let config: ReturnType<typeof readConfig>;
  try {
    config = readConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`workflow-worker: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const worker = await startWorkflowWorker(config, log);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const)
      process.once(signal, () => {
        log(`${signal}: stopping`);
        void worker.stop().finally(resolve);
      });
  });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`workflow-worker failed: ${error.message}`);
    process.exit(1);
  },
);
