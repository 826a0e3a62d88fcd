/**
 * @module
 * The HTTP contract v1, declared once: every route (method, path, parameters, bodies, answers,
 * error codes, who may call) and every schema. The edge validates and types its handlers from it;
 * the OpenAPI document and the typed client derive from it.
 */
export {
  COMMON_ERRORS,
  ERROR_CODE_NAMES,
  ERROR_CODES,
  type ErrorCode,
  STATUS_MEANINGS,
} from './errors.ts';
export * from './fields.ts';
export { describeIssue, errorMap } from './issues.ts';
export { named } from './registry.ts';
export * from './route.ts';
export { HEARTBEAT_BODY_LIMIT, type OperationId, type Routes, routes } from './routes/index.ts';
export * from './schemas/common.ts';
export * from './schemas/credentials.ts';
export * from './schemas/error.ts';
export * from './schemas/extensions.ts';
export * from './schemas/file-workspaces.ts';
export * from './schemas/files.ts';
export * from './schemas/hosts.ts';
export * from './schemas/identity.ts';
export * from './schemas/platform.ts';
export * from './schemas/profiles.ts';
export * from './schemas/recordings.ts';
export * from './schemas/session.ts';
export * from './schemas/session-parts.ts';
export * from './schemas/session-requests.ts';
export * from './schemas/session-status.ts';
export * from './schemas/shares.ts';
export * from './schemas/tickets.ts';
export * from './schemas/webhooks.ts';
export * from './schemas/workflow-runs.ts';
export * from './schemas/workflow-worker.ts';
export * from './schemas/workflows.ts';
