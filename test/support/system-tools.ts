import { spawnSync } from 'node:child_process';

/**
 * Whether a suite's system tools are installed. A suite that needs a system package runs only
 * where it is: elsewhere it is skipped, and says so loudly in the run's output (a skipped suite
 * must never pass for a tested one). In CI (`CI=true`), which installs every package
 * (deploy/local/system-packages.sh), a missing tool fails the run instead.
 */
export function hasSystemTools(suite: string, tools: readonly string[]): boolean {
  const missing = tools.filter(
    (t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length === 0) return true;
  skipLoudly(
    suite,
    `missing ${missing.join(', ')}; install with: bash deploy/local/system-packages.sh`,
  );
  return false;
}

/** Says in the run's output that `suite` is skipped and why; in CI that is a failure. */
export function skipLoudly(suite: string, why: string): void {
  const message = `SKIPPED: ${suite} (${why})`;
  if (process.env.CI === 'true') throw new Error(`${message}: CI must run it`);
  const bar = '!'.repeat(Math.min(100, message.length));
  process.stderr.write(`\n${bar}\n${message}\n${bar}\n\n`);
}
