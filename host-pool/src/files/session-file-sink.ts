import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { SessionFileUpload } from '../control/edge-client.ts';

/** A file the session produced (a download), as recorded with the edge. */
export interface SessionFileRecord {
  /** A UUID the host chooses, so a retried upload is the same record. */
  readonly fileId: string;
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  /** Hex SHA-256 of the content. */
  readonly sha256: string;
  /** Where the content is on this host. */
  readonly path: string;
}

/** Where session files are recorded (the edge's files API; a stand-in in tests). */
export interface SessionFileSink {
  record(sessionId: string, file: SessionFileRecord): Promise<void>;
}

/** The slice of the edge client the sink uses (host credential calls). */
export interface SessionFileUploader {
  putSessionFile(
    hostId: string,
    credential: string,
    sessionId: string,
    file: SessionFileUpload,
  ): Promise<unknown>;
}

/**
 * Records session files with the edge, streaming the content from disk with the host
 * credential; `identity` is read at call time because the host may re-enrol.
 */
export function edgeFileSink(
  edge: SessionFileUploader,
  identity: () => { host_id: string; host_credential: string } | undefined,
): SessionFileSink {
  return {
    async record(sessionId, file) {
      const id = identity();
      if (!id) throw new Error('the host is not enrolled');
      await edge.putSessionFile(id.host_id, id.host_credential, sessionId, {
        fileId: file.fileId,
        name: file.name,
        mime: file.mime,
        size: file.size,
        sha256: file.sha256,
        body: Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>,
      });
    },
  };
}
