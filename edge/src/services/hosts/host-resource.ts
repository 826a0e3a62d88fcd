/** A host as the API shows it (`status` reads `lost` once heartbeats are overdue). */
import type { Config } from '../../config.ts';
import type { HostRow } from '../../db/schema/index.ts';

export function hostResource(host: HostRow, assigned: number, now: Date, cfg: Config) {
  const late = now.getTime() - host.lastHeartbeatAt.getTime() > cfg.hostLostAfterMs;
  return {
    host_id: host.id,
    name: host.name,
    status: host.status === 'healthy' && late ? 'lost' : host.status,
    region: host.region,
    coordinates:
      host.latitude !== null && host.longitude !== null
        ? { lat: host.latitude, lon: host.longitude }
        : null,
    capacity: {
      max_sessions: host.maxSessions,
      free_sessions: host.freeSessions,
      assigned_sessions: assigned,
    },
    load: { cpu_percent: host.cpuPercent, memory_available_mb: host.memoryAvailableMb },
    relay_url: host.relayUrl,
    cert_sha256: host.certSha256,
    agent_version: host.agentVersion,
    enrolled_at: host.enrolledAt.toISOString(),
    last_heartbeat_at: host.lastHeartbeatAt.toISOString(),
    lost_at: host.lostAt ? host.lostAt.toISOString() : null,
  };
}
