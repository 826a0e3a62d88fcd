/** e2e setup file: after a failed test, the last log lines of the stack its file started. */
import { afterEach } from 'vitest';
import { stackLogs } from './stack-logs.ts';

const TAIL = 300;

afterEach((ctx) => {
  const lines = stackLogs.current;
  if (ctx.task.result?.state !== 'fail' || !lines?.length) return;
  process.stderr.write(
    `--- last ${Math.min(TAIL, lines.length)} stack log lines after "${ctx.task.name}" failed ---\n${lines.slice(-TAIL).join('\n')}\n--- end of stack log ---\n`,
  );
});
