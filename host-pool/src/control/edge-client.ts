/**
 * The host ↔ edge contract (`/api/v1/hosts/*`), through the typed client of `@browserpane/api`:
 * the bodies and answers are the declared ones. Hosts call out; the edge never calls in.
 */
import {
  type Api,
  ApiError,
  createApi,
  type DesiredSession,
  type DesiredState,
  type EnrollRequest,
  type EnrollResponse,
  type HeartbeatRequest,
  type HostCommand,
  type SessionOptions,
  type SessionProfileAccess,
} from '@browserpane/api';

export type {
  DesiredSession,
  DesiredState,
  EnrollRequest,
  HeartbeatRequest,
  HostCommand,
  SessionOptions,
};
export type EnrollAnswer = EnrollResponse;
export type RuntimeReportState = HeartbeatRequest['runtimes'][number]['state'];

/** A failed call to the edge: `status` (0 when unreachable) and the edge's stable `code`. */
export const EdgeError = ApiError;
export type EdgeError = ApiError;

/** A file a session produced, as the host uploads it to the edge's files API. */
export interface SessionFileUpload {
  fileId: string;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  body: ReadableStream<Uint8Array>;
}

/** Calls the edge's host endpoints with a timeout; never logs credentials. */
export class EdgeClient {
  private readonly api: Api;

  constructor(baseUrl: string, timeoutMs = 10_000) {
    this.api = createApi({ baseUrl, timeoutMs });
  }

  enroll(token: string, body: EnrollRequest): Promise<EnrollAnswer> {
    return this.api.enrollHost({ body }, { token });
  }

  heartbeat(hostId: string, credential: string, body: HeartbeatRequest): Promise<DesiredState> {
    return this.api.hostHeartbeat({ params: { host_id: hostId }, body }, { token: credential });
  }

  /** A session's profile key, saved archive and next upload target (portable profiles). */
  profileAccess(
    hostId: string,
    credential: string,
    sessionId: string,
  ): Promise<SessionProfileAccess> {
    return this.api.hostGetSessionProfile(
      { params: { host_id: hostId, session_id: sessionId } },
      { token: credential },
    );
  }

  /** Makes an archive PUT to a presigned URL the session's saved profile. */
  commitProfile(
    hostId: string,
    credential: string,
    sessionId: string,
    revision: string,
    body: { size: number; sha256: string },
  ): Promise<unknown> {
    return this.api.hostCommitSessionProfile(
      { params: { host_id: hostId, session_id: sessionId, revision }, body },
      { token: credential },
    );
  }

  /**
   * Records a file a session produced (`PUT …/sessions/{id}/files/{file_id}`), streaming its
   * content; idempotent per `fileId`.
   */
  putSessionFile(
    hostId: string,
    credential: string,
    sessionId: string,
    file: SessionFileUpload,
  ): Promise<unknown> {
    return this.api.hostRecordSessionFile(
      {
        params: { host_id: hostId, session_id: sessionId, file_id: file.fileId },
        body: file.body,
        contentType: file.mime,
      },
      {
        token: credential,
        headers: {
          'content-length': String(file.size),
          'x-file-name': encodeURIComponent(file.name),
          'x-file-sha256': file.sha256,
        },
        // Content takes longer than a heartbeat: a minute plus a second per MB.
        timeoutMs: 60_000 + Math.ceil(file.size / 1e6) * 1000,
      },
    );
  }

  /** The bytes of a file bound to one of this host's sessions (a `Response` to stream). */
  fileBindingContent(
    hostId: string,
    credential: string,
    sessionId: string,
    bindingId: string,
    byteCount: number,
  ): Promise<Response> {
    return this.api.hostGetFileBindingContent(
      { params: { host_id: hostId, session_id: sessionId, binding_id: bindingId } },
      { token: credential, timeoutMs: 60_000 + Math.ceil(byteCount / 1e6) * 1000 },
    );
  }

  /** Tells the edge a binding was placed in the session's files, or why it was not. */
  reportFileBinding(
    hostId: string,
    credential: string,
    sessionId: string,
    bindingId: string,
    body: { state: 'materialized' | 'failed'; error?: string | null },
  ): Promise<unknown> {
    return this.api.hostReportFileBinding(
      { params: { host_id: hostId, session_id: sessionId, binding_id: bindingId }, body },
      { token: credential },
    );
  }
}
