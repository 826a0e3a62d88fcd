/**
 * The log lines of the stack the running e2e file started (edge, host, workers), kept so a failing
 * test can show them: `print-stack-logs.ts` (an e2e setup file) prints their tail after a failed
 * test, so a failure under CI load says what the edge and host did, not only what was asserted.
 */
export const stackLogs: { current: readonly string[] | undefined } = { current: undefined };
