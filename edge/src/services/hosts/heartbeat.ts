import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { type HostRow, hostCommands, hosts } from '../../db/schema/index.ts';
import type { Env } from '../../env.ts';
import { heartbeatRecordings } from '../recordings/desired.ts';
import { lockScheduler, markLostHosts, placePending } from '../scheduler.ts';
import { applyReports } from './apply-reports.ts';
import { desiredState } from './desired-state.ts';
import type { DesiredState, HeartbeatInput } from './heartbeat-messages.ts';

/** What signing the recording worker's tokens needs: the bindings and this edge's issuer. */
export interface Signer {
  readonly env: Env;
  readonly issuer: string;
}

/**
 * One heartbeat: record the host's capacity and load, apply its runtime and connection reports
 * to the sessions placed on it, place waiting sessions if it has room, start or end their
 * recording segments, and answer its desired state. One transaction under the scheduler lock (so
 * two heartbeats never interleave).
 */
export async function heartbeat(
  db: Database,
  host: HostRow,
  input: HeartbeatInput,
  now: Date,
  cfg: Config,
  signer: Signer,
): Promise<DesiredState> {
  await markLostHosts(db, now, cfg);
  return db.transaction(async (tx) => {
    await lockScheduler(tx);
    await tx
      .update(hosts)
      .set({
        status: 'healthy',
        lostAt: null,
        region: input.region,
        latitude: input.coordinates?.lat ?? host.latitude,
        longitude: input.coordinates?.lon ?? host.longitude,
        maxSessions: input.capacity.max_sessions,
        freeSessions: input.capacity.free_sessions,
        cpuPercent: input.load.cpu_percent,
        memoryAvailableMb: input.load.memory_available_mb,
        relayUrl: input.relay_url,
        certSha256: input.cert_sha256?.toLowerCase() ?? null,
        lastHeartbeatAt: now,
        updatedAt: now,
      })
      .where(eq(hosts.id, host.id));
    if (input.acked_commands.length > 0) {
      await tx
        .update(hostCommands)
        .set({ ackedAt: now })
        .where(
          and(
            eq(hostCommands.hostId, host.id),
            inArray(hostCommands.id, input.acked_commands),
            isNull(hostCommands.ackedAt),
          ),
        );
    }
    await applyReports(tx, host, input, now);
    await placePending(tx, now, cfg);
    const recording = await heartbeatRecordings(
      tx,
      signer.env,
      signer.issuer,
      host,
      input.recorder,
      now,
    );
    return { ...(await desiredState(tx, host, input, cfg)), ...recording };
  });
}
