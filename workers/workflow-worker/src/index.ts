/**
 * @module
 * The workflow worker as a library (`npm start`, the e2e stack and the benchmark start it).
 */
export { HELP, readConfig, type WorkerConfig } from './config.ts';
export { type RunningWorker, startWorkflowWorker } from './worker.ts';
