/** The heartbeat's bodies: what a host reports (`HeartbeatInput`) and what the edge answers. */
import type { ConnectionRole, Viewport } from '../../db/schema/index.ts';

export interface RuntimeReport {
  session_id: string;
  state: 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';
  restarts: number;
  display: Viewport;
  error?: string;
}

export interface ConnectionReport {
  connection_id: string;
  session_id: string;
  role: ConnectionRole;
  principal: string;
  display_name: string;
  connected_at: string;
  client?: string;
}

export interface HeartbeatInput {
  capacity: { max_sessions: number; free_sessions: number };
  load: { cpu_percent: number; memory_available_mb: number };
  region: string;
  coordinates?: { lat: number; lon: number };
  relay_url: string;
  /** Absent or null: the relay has a CA certificate (clients do not pin). */
  cert_sha256?: string | null;
  runtimes: RuntimeReport[];
  connections: ConnectionReport[];
  events: { session_id: string; type: string; at: string; data?: Record<string, unknown> }[];
  acked_commands: string[];
}

export type Desired = 'running' | 'stopped' | 'killed';

export interface DesiredState {
  heartbeat_interval_ms: number;
  sessions: {
    session_id: string;
    desired: Desired;
    /**
     * The session's grant generation: automation attachments admitted with an older `gen` are
     * cut, and automation tickets of an older `gen` refused (a delegate was revoked).
     */
    grant_generation: number;
    options: {
      viewport: Viewport;
      capabilities: Record<string, boolean>;
      owner_mode: 'collaborative' | 'exclusive';
      video_mode: 'roi' | 'full' | 'off';
      idle_timeout_sec: number;
      labels: Record<string, string>;
    };
  }[];
  commands: {
    command_id: string;
    type: 'disconnect' | 'disconnect_all';
    session_id: string;
    connection_id?: string;
  }[];
}
