/**
 * The recording part of a heartbeat: start and end segments of the host's sessions, and answer
 * what its recording worker should run (recordings to record or finish, exports to build), each
 * with a fresh worker token.
 */
import type { DesiredExport, DesiredRecording } from '@browserpane/api/contract';
import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { type HostRow, sessionRecordings, sessions } from '../../db/schema/index.ts';
import type { Env } from '../../env.ts';
import { claimExports } from './exports.ts';
import { failUnrecordable, syncSessionRecordings } from './lifecycle.ts';
import { signWorkerToken } from './worker-token.ts';

export interface RecorderReport {
  readonly available: boolean;
}

export async function heartbeatRecordings(
  tx: Tx,
  env: Env,
  issuer: string,
  host: HostRow,
  recorder: RecorderReport | undefined,
  now: Date,
): Promise<{ recordings: DesiredRecording[]; exports: DesiredExport[] }> {
  const available = recorder?.available === true;
  const placed = await tx.select().from(sessions).where(eq(sessions.hostId, host.id));
  await syncSessionRecordings(tx, placed, available, now);
  if (!available) {
    await failUnrecordable(tx, host.id, now);
    return { recordings: [], exports: [] };
  }
  const rows = await tx
    .select()
    .from(sessionRecordings)
    .where(
      and(
        eq(sessionRecordings.hostId, host.id),
        inArray(sessionRecordings.state, ['starting', 'recording', 'finalizing']),
      ),
    );
  const recordings: DesiredRecording[] = [];
  for (const r of rows) {
    const { token, expiresAt } = await signWorkerToken(
      env,
      issuer,
      { kind: 'recording', sessionId: r.sessionId, recordingId: r.id, hostId: host.id },
      now,
    );
    recordings.push({
      recording_id: r.id,
      session_id: r.sessionId,
      state: r.state,
      include_audio: r.includeAudio,
      rrweb: r.rrweb,
      worker_token: token,
      token_expires_at: expiresAt.toISOString(),
    });
  }
  const exports: DesiredExport[] = [];
  for (const x of await claimExports(tx, host.id, now)) {
    const { token, expiresAt } = await signWorkerToken(
      env,
      issuer,
      { kind: 'export', sessionId: x.sessionId, exportId: x.id, hostId: host.id },
      now,
    );
    exports.push({
      export_id: x.id,
      session_id: x.sessionId,
      format: x.format,
      worker_token: token,
      token_expires_at: expiresAt.toISOString(),
    });
  }
  return { recordings, exports };
}
