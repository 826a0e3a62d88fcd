/**
 * @module
 * Workflows: definitions (`definitions`), immutable versions with pinned source snapshots
 * (`versions`, `snapshot`, `git-url`), and runs (`runs/*`: creation with idempotency and
 * admission, the state machine, the worker's lease, the sweep, logs and events). Dispatch goes
 * through graphile-worker jobs enqueued in the same transaction (`job-queue`).
 */
export * from './definitions.ts';
export { answerRun, cancelRun, loadOwnRun } from './runs/actions.ts';
export { createRun } from './runs/create-run.ts';
export { addRunEvents, appendLog, eventPage, logLine, logPage } from './runs/journal.ts';
export { lockRun, runNotFound, transition } from './runs/lifecycle.ts';
export {
  isTerminal,
  producedFileResource,
  runResourceOf,
  runResources,
} from './runs/run-resource.ts';
export { sweepRuns } from './runs/sweep.ts';
export { claimRun, heartbeat, loadRun, reportState } from './runs/worker-side.ts';
export { snapshotKey } from './snapshot.ts';
export * from './versions.ts';
export { isWorkflowWorker, requireWorkflowWorker } from './worker-principal.ts';
