/**
 * @module
 * `@browserpane/api`: the typed client of the BrowserPane control plane API v1 and the types of
 * its resources, all derived from the route declarations (`@browserpane/api/contract`).
 *
 * ```ts
 * import { createApi, ApiError } from '@browserpane/api';
 * const api = createApi({ baseUrl: 'https://edge.example.com', token: () => accessToken });
 * const session = await api.createSession({ body: { labels: { team: 'support' } } });
 * const ticket = await api.issueSessionAccessToken({ params: { session_id: session.id } });
 * ```
 */
import type { z } from 'zod';
import type * as contract from './contract/index.ts';

export { ApiError } from './client/api-error.ts';
export {
  type Api,
  type ApiOptions,
  type CallOptions,
  createApi,
  type TokenSource,
} from './client/client.ts';
export type { OperationId, RequestOf, ResponseOf, Routes } from './contract/index.ts';
export {
  AUTOMATION_TOKEN_HEADER,
  ERROR_CODES,
  type ErrorCode,
  RECORDING_WORKER_HEADER,
} from './contract/index.ts';

type Out<T extends z.ZodType> = z.output<T>;
type In<T extends z.ZodType> = z.input<T>;

export type Session = Out<typeof contract.Session>;
export type SessionStatus = Out<typeof contract.SessionStatus>;
export type SessionConnection = Out<typeof contract.Connection>;
export type ConnectTicket = Out<typeof contract.ConnectTicket>;
export type AutomationAccess = Out<typeof contract.AutomationAccess>;
export type Identity = Out<typeof contract.Identity>;
export type Me = Out<typeof contract.Me>;
export type SessionFile = Out<typeof contract.SessionFile>;
export type SessionProfileAccess = Out<typeof contract.SessionProfileAccess>;
export type SavedProfile = Out<typeof contract.SavedProfile>;
export type SessionRecording = Out<typeof contract.SessionRecording>;
export type PlaybackSummary = Out<typeof contract.PlaybackSummary>;
export type PlaybackManifest = Out<typeof contract.PlaybackManifest>;
export type PlaybackExport = Out<typeof contract.PlaybackExport>;
export type UploadTarget = Out<typeof contract.UploadTarget>;
export type UploadTargetRequest = In<typeof contract.UploadTargetRequest>;
export type RecordingExportSources = Out<typeof contract.DownloadSources>;
export type DesiredRecording = Out<typeof contract.DesiredRecording>;
export type DesiredExport = Out<typeof contract.DesiredExport>;
export type ErrorBody = Out<typeof contract.ErrorBody>;
export type AuthConfig = Out<typeof contract.AuthConfig>;
export type CreateSessionRequest = In<typeof contract.CreateSessionRequest>;
export type AutomationOwnerRequest = In<typeof contract.AutomationOwnerRequest>;
export type McpOwnerRequest = In<typeof contract.McpOwnerRequest>;
export type EnrollRequest = In<typeof contract.EnrollRequest>;
export type EnrollResponse = Out<typeof contract.EnrollResponse>;
export type HeartbeatRequest = In<typeof contract.HeartbeatRequest>;
export type DesiredState = Out<typeof contract.DesiredState>;
export type SessionOptions = Out<typeof contract.SessionOptions>;
export type HostCommand = DesiredState['commands'][number];
export type DesiredSession = DesiredState['sessions'][number];
export type WorkflowDefinition = Out<typeof contract.WorkflowDefinition>;
export type WorkflowVersion = Out<typeof contract.WorkflowVersion>;
export type WorkflowRun = Out<typeof contract.WorkflowRun>;
export type WorkflowRunLog = Out<typeof contract.RunLogLine>;
export type WorkflowRunEvent = Out<typeof contract.RunEvent>;
export type WorkflowRunProducedFile = Out<typeof contract.ProducedFile>;
export type ClaimedWorkflowRun = Out<typeof contract.ClaimedRun>;
export type CreateWorkflowRunRequest = In<typeof contract.CreateRunRequest>;
export type CreateWorkflowVersionRequest = In<typeof contract.CreateVersionRequest>;
export type CredentialBinding = Out<typeof contract.CredentialBinding>;
export type Extension = Out<typeof contract.Extension>;
export type CreateCredentialBindingRequest = In<typeof contract.CreateCredentialBindingRequest>;
export type WorkflowRunCredentialBinding = Out<typeof contract.RunCredentialBinding>;
