/**
 * How a host moves profile archives: the edge's profile routes (host credential), or the
 * presigned store URLs the edge hands out where its store signs them.
 */

import { createReadStream, createWriteStream } from 'node:fs';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SessionProfileAccess } from '@browserpane/api';
import type { EdgeClient } from '../control/edge-client.ts';
import { ProfileArchiveError } from './archive-cipher.ts';

type Transfer = NonNullable<SessionProfileAccess['download']>;
type Upload = SessionProfileAccess['upload'];

export interface ProfileEdge {
  access(sessionId: string): Promise<SessionProfileAccess>;
  /** Writes the archive at `target` to `file`, through `meter` (size-capped at `size`). */
  download(
    sessionId: string,
    target: Transfer,
    file: string,
    meter: Transform,
    size: number,
  ): Promise<void>;
  upload(
    sessionId: string,
    target: Upload,
    file: string,
    size: number,
    sha256: string,
  ): Promise<void>;
}

/** The edge of this agent (its identity comes from enrolment, once it happened). */
export function edgeProfiles(
  edge: EdgeClient,
  baseUrl: string,
  identity: () => { host_id: string; host_credential: string } | undefined,
): ProfileEdge {
  const who = () => {
    const id = identity();
    if (!id) throw new ProfileArchiveError('transfer_failed', 'the host is not enrolled yet');
    return id;
  };
  const resolve = (t: Transfer) => (t.presigned ? t.url : `${baseUrl}${t.url}`);
  const auth = (t: Transfer): Record<string, string> =>
    t.presigned ? {} : { authorization: `Bearer ${who().host_credential}` };
  return {
    access(sessionId) {
      const id = who();
      return edge.profileAccess(id.host_id, id.host_credential, sessionId);
    },
    async download(_sessionId, target, file, meter, size) {
      const res = await fetch(resolve(target), {
        headers: auth(target),
        signal: AbortSignal.timeout(120_000 + Math.ceil(size / 1e6) * 1000),
      });
      if (!res.ok || !res.body)
        throw new ProfileArchiveError('transfer_failed', `profile download answered ${res.status}`);
      await pipeline(
        Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
        meter,
        createWriteStream(file, { mode: 0o600 }),
      );
    },
    async upload(sessionId, target, file, size, sha256) {
      const res = await fetch(resolve(target), {
        method: 'PUT',
        headers: {
          ...auth(target),
          'content-type': 'application/octet-stream',
          'content-length': String(size),
          ...(target.presigned ? {} : { 'x-content-sha256': sha256 }),
        },
        body: Readable.toWeb(createReadStream(file)) as ReadableStream,
        duplex: 'half',
        signal: AbortSignal.timeout(120_000 + Math.ceil(size / 1e6) * 1000),
      } as RequestInit);
      if (!res.ok) {
        const text = await res.text().catch(() => '');
        throw new ProfileArchiveError(
          'transfer_failed',
          `profile upload answered ${res.status} ${text.slice(0, 200)}`,
        );
      }
      await res.arrayBuffer().catch(() => undefined);
      if (target.presigned) {
        const id = who();
        await edge.commitProfile(id.host_id, id.host_credential, sessionId, target.revision, {
          size,
          sha256,
        });
      }
    },
  };
}
