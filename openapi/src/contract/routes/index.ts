/** Every route of API v1, by operation id (the client's method names). */
import * as credentials from './credentials.ts';
import * as extensions from './extensions.ts';
import * as fileBindings from './file-bindings.ts';
import * as fileWorkspaces from './file-workspaces.ts';
import * as files from './files.ts';
import * as hosts from './hosts.ts';
import * as identity from './identity.ts';
import * as platform from './platform.ts';
import * as profiles from './profiles.ts';
import * as recordingWorker from './recording-worker.ts';
import * as recordings from './recordings.ts';
import * as sessionControl from './session-control.ts';
import * as sessions from './sessions.ts';
import * as shares from './shares.ts';
import * as webhooks from './webhooks.ts';
import * as workflowRuns from './workflow-runs.ts';
import * as workflowWorker from './workflow-worker.ts';
import * as workflows from './workflows.ts';

const { HEARTBEAT_BODY_LIMIT: _limit, ...hostRoutes } = hosts;

export const routes = {
  ...identity,
  ...sessions,
  ...sessionControl,
  ...shares,
  ...files,
  ...recordings,
  ...recordingWorker,
  ...hostRoutes,
  ...profiles,
  ...platform,
  ...workflows,
  ...workflowRuns,
  ...workflowWorker,
  ...credentials,
  ...webhooks,
  ...extensions,
  ...fileWorkspaces,
  ...fileBindings,
} as const;

export type Routes = typeof routes;
export type OperationId = keyof Routes;
export { HEARTBEAT_BODY_LIMIT } from './hosts.ts';
