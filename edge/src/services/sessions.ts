/**
 * @module
 * Sessions: who may see them (`sessions/access`), creating, stopping and restarting them
 * (`sessions/create-session`, `sessions/stop-and-restart`), their API views
 * (`sessions/session-resource`, `sessions/session-status`), owners and the idle timer
 * (`sessions/owners`), and commands for their host (`sessions/host-commands`).
 */

export {
  type Access,
  type ListFilter,
  listSessions,
  loadSession,
  notFound,
} from './sessions/access.ts';
export {
  type CreateSessionInput,
  createSession,
  insertSession,
  type RequestOrigin,
} from './sessions/create-session.ts';
export { dropConnections, queueCommand } from './sessions/host-commands.ts';
export { refreshIdle, setOwners } from './sessions/owners.ts';
export {
  queuesOf,
  resourceOf,
  resourcesOf,
  sessionResource,
  type ViewContext,
} from './sessions/session-resource.ts';
export { type ConnectionView, connectionsOf, sessionStatus } from './sessions/session-status.ts';
export {
  cancelQueued,
  releaseSession,
  restartSession,
  safeStop,
  stopSession,
} from './sessions/stop-and-restart.ts';
