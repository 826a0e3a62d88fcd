/** The heartbeat's answer: the desired state of every session on the host, and pending commands. */
import { DEFAULT_SESSION_CAPABILITIES } from '@browserpane/protocol';
import { and, asc, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Tx } from '../../db/client.ts';
import {
  type HostRow,
  hostCommands,
  type SessionRow,
  sessionProfiles,
  sessions,
} from '../../db/schema/index.ts';
import { activeBindingsOf } from '../file-workspaces/bindings.ts';
import { isRunningState } from '../session-view.ts';
import type { Desired, DesiredState, HeartbeatInput } from './heartbeat-messages.ts';

function options(
  row: SessionRow,
  profileSaved?: boolean,
): DesiredState['sessions'][number]['options'] {
  return {
    ...(profileSaved === undefined ? {} : { profile_saved: profileSaved }),
    viewport: row.viewport,
    capabilities: row.capabilities,
    owner_mode: row.ownerMode,
    video_mode: row.videoMode,
    idle_timeout_sec: row.idleTimeoutSec,
    labels: row.labels,
    extensions: row.extensions.map((e) => ({
      extension_id: e.id,
      name: e.name,
      version: e.version,
      size: e.size,
      sha256: e.sha256,
    })),
  };
}

export async function desiredState(
  tx: Tx,
  host: HostRow,
  input: HeartbeatInput,
  cfg: Config,
): Promise<Omit<DesiredState, 'recordings' | 'exports'>> {
  const assigned = await tx.select().from(sessions).where(eq(sessions.hostId, host.id));
  const out: DesiredState['sessions'] = [];
  const listed = new Set<string>();
  const runningIds = assigned.filter((s) => isRunningState(s.state)).map((s) => s.id);
  const bindings = await activeBindingsOf(tx, runningIds);
  // which running sessions have a saved profile: the host then starts them cold, without asking
  const saved = new Set(
    runningIds.length === 0
      ? []
      : (
          await tx
            .select({ sessionId: sessionProfiles.sessionId })
            .from(sessionProfiles)
            .where(
              and(
                inArray(sessionProfiles.sessionId, runningIds),
                isNotNull(sessionProfiles.revision),
              ),
            )
        ).map((r) => r.sessionId),
  );
  for (const row of assigned) {
    const desired: Desired = isRunningState(row.state)
      ? 'running'
      : row.state === 'stopping'
        ? (row.stopMode ?? 'stopped')
        : 'stopped';
    out.push({
      session_id: row.id,
      desired,
      grant_generation: row.grantGeneration,
      options: options(row, desired === 'running' ? saved.has(row.id) : undefined),
      ...(desired === 'running'
        ? {
            file_bindings: (bindings.get(row.id) ?? []).map((b) => ({
              binding_id: b.id,
              mount_path: b.mountPath,
              byte_count: b.byteCount,
              sha256_hex: b.sha256,
              state: b.state,
            })),
          }
        : {}),
    });
    listed.add(row.id);
  }
  // Runtimes the host still has for sessions that are no longer placed on it: stop them.
  const foreign = input.runtimes.filter((r) => !listed.has(r.session_id) && r.state !== 'stopped');
  if (foreign.length > 0) {
    const rows = await tx
      .select()
      .from(sessions)
      .where(
        inArray(
          sessions.id,
          foreign.map((r) => r.session_id),
        ),
      );
    const known = new Map(rows.map((r) => [r.id, r]));
    for (const r of foreign) {
      const row = known.get(r.session_id);
      out.push({
        session_id: r.session_id,
        desired: row ? 'stopped' : 'killed',
        grant_generation: row?.grantGeneration ?? 0,
        options: row
          ? options(row)
          : {
              viewport: r.display,
              capabilities: { ...DEFAULT_SESSION_CAPABILITIES },
              owner_mode: 'collaborative',
              video_mode: 'roi',
              idle_timeout_sec: cfg.defaultIdleTimeoutSec,
              labels: {},
            },
      });
    }
  }
  const pending =
    runningIds.length === 0
      ? []
      : await tx
          .select()
          .from(hostCommands)
          .where(
            and(
              eq(hostCommands.hostId, host.id),
              isNull(hostCommands.ackedAt),
              inArray(hostCommands.sessionId, runningIds),
            ),
          )
          .orderBy(asc(hostCommands.createdAt), asc(hostCommands.id));
  return {
    heartbeat_interval_ms: cfg.heartbeatIntervalMs,
    sessions: out,
    commands: pending.map((c) => ({
      command_id: c.id,
      type: c.type,
      session_id: c.sessionId,
      ...(c.connectionId ? { connection_id: c.connectionId } : {}),
    })),
  };
}
