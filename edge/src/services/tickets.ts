import {
  type CapabilityName,
  capabilityList,
  type Role,
  roleCapabilities,
  type SessionCapabilities,
} from '@browserpane/protocol';
import { eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { type Config, TICKET_AUDIENCE } from '../config.ts';
import type { Database } from '../db/client.ts';
import { type SessionRow, sessions } from '../db/schema/index.ts';
import type { Env } from '../env.ts';
import { AppError } from '../errors.ts';
import { randomToken } from './crypto.ts';
import type { Principal } from './oidc/principal.ts';
import { markLostHosts } from './scheduler.ts';
import { isRunningState } from './session-view.ts';
import { admissionOf, notFound, restartSession } from './sessions.ts';
import { loadSigningKey } from './signing-keys.ts';

export interface ConnectTicket {
  token_type: 'connect_ticket';
  token: string;
  expires_at: string;
  session_id: string;
  role: Role;
  capabilities: CapabilityName[];
  host_id: string;
  relay_url: string;
  cert_sha256: string;
}

/** What minting needs: the session's access and placement fields, and its host's relay. */
interface Placed {
  id: string;
  ownerId: string;
  state: SessionRow['state'];
  ownerMode: SessionRow['ownerMode'];
  capabilities: Record<string, boolean>;
  hostId: string | null;
  automationOwnerId: string | null;
  mcpOwnerId: string | null;
  relayUrl: string | null;
  certSha256: string | null;
  hostHeartbeat: Date | null;
  hostStatus: string | null;
}

/**
 * The hot path's one query: the session, if the caller may see it, joined with its host. Plain SQL
 * on the driver rather than the query builder: this runs for every ticket, and building a query
 * with drizzle costs more CPU than the query itself.
 */
async function loadWithHost(
  db: Database,
  sessionId: string,
  principal: Principal,
): Promise<Placed | null> {
  const rows = await db.$client<
    (Omit<Placed, 'hostHeartbeat'> & { hostHeartbeat: string | null })[]
  >`
    select s.id as "id", s.owner_id as "ownerId", s.state as "state", s.owner_mode as "ownerMode",
           s.capabilities as "capabilities", s.host_id as "hostId",
           s.automation_owner_id as "automationOwnerId", s.mcp_owner_id as "mcpOwnerId",
           h.relay_url as "relayUrl", h.cert_sha256 as "certSha256",
           h.last_heartbeat_at as "hostHeartbeat", h.status as "hostStatus"
      from sessions s left join hosts h on h.id = s.host_id
     where s.id = ${sessionId}::uuid
       and (s.owner_id = ${principal.id} or s.automation_owner_id = ${principal.id} or s.mcp_owner_id = ${principal.id})`;
  const row = rows[0];
  // drizzle leaves timestamps to itself (as strings) on the shared driver.
  return row
    ? { ...row, hostHeartbeat: row.hostHeartbeat === null ? null : new Date(row.hostHeartbeat) }
    : null;
}

async function fullRow(db: Database, sessionId: string): Promise<SessionRow> {
  const [row] = await db.select().from(sessions).where(eq(sessions.id, sessionId));
  if (!row) throw notFound();
  return row;
}

function authorize(session: Placed, principal: Principal, role: Role): void {
  if (role === 'automation') {
    if (principal.id !== session.automationOwnerId && principal.id !== session.mcpOwnerId) {
      throw new AppError(
        'automation_owner_required',
        'automation tickets are minted only for the session’s automation owner or MCP owner',
      );
    }
  } else if (principal.id !== session.ownerId) {
    throw new AppError('forbidden', `only the session owner may mint ${role} tickets`);
  }
}

async function sign(
  env: Env,
  cfg: Config,
  issuer: string,
  principal: Principal,
  placed: Placed,
  role: Role,
  now: Date,
): Promise<ConnectTicket> {
  const key = await loadSigningKey(env.TICKET_SIGNING_KEY, 'TICKET_SIGNING_KEY');
  const session = placed;
  const caps = capabilityList(
    roleCapabilities(session.capabilities as unknown as SessionCapabilities, role),
  );
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + cfg.ticketTtlSec;
  const token = await new SignJWT({
    name: principal.name,
    sid: session.id,
    hid: session.hostId,
    role,
    caps,
    mode: session.ownerMode,
  })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(TICKET_AUDIENCE)
    .setSubject(principal.id)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomToken(16))
    .sign(key.privateKey);
  return {
    token_type: 'connect_ticket',
    token,
    expires_at: new Date(exp * 1000).toISOString(),
    session_id: session.id,
    role,
    capabilities: caps,
    host_id: session.hostId as string,
    relay_url: placed.relayUrl as string,
    cert_sha256: placed.certSha256 as string,
  };
}

/**
 * Mints a connect ticket. The common case is one query and one signature; a stopped session is
 * restarted first when its owner (or automation owner) reconnects; a late host is marked lost.
 */
export async function mintTicket(
  db: Database,
  env: Env,
  cfg: Config,
  issuer: string,
  principal: Principal,
  sessionId: string,
  role: Role,
  now: Date,
): Promise<ConnectTicket> {
  let placed = await loadWithHost(db, sessionId, principal);
  if (!placed) throw notFound();
  authorize(placed, principal, role);

  const stale = (p: Placed) =>
    p.hostHeartbeat !== null &&
    (p.hostStatus !== 'healthy' || now.getTime() - p.hostHeartbeat.getTime() > cfg.hostLostAfterMs);
  if (isRunningState(placed.state) && stale(placed)) {
    await markLostHosts(db, now, cfg);
    placed = (await loadWithHost(db, sessionId, principal)) ?? placed;
  }
  if (
    (placed.state === 'stopped' || placed.state === 'failed') &&
    (role === 'owner' || role === 'automation')
  ) {
    await restartSession(db, await fullRow(db, sessionId), now, cfg);
    placed = (await loadWithHost(db, sessionId, principal)) ?? placed;
  }

  const session = placed;
  if (isRunningState(session.state) && session.hostId !== null && placed.relayUrl !== null) {
    return sign(env, cfg, issuer, principal, placed, role, now);
  }
  switch (session.state) {
    case 'queued':
    case 'runtime_lost':
      throw new AppError(
        'session_queued',
        'the session is waiting for a host with free capacity; retry shortly',
        {
          details: { admission: await admissionOf(db, await fullRow(db, sessionId)) },
        },
      );
    case 'stopping':
      throw new AppError(
        'session_not_running',
        'the session is stopping; reconnect once it has stopped',
      );
    case 'stopped':
    case 'failed':
      throw new AppError(
        'session_stopped',
        `the session is ${session.state}; its owner reconnecting restarts it`,
      );
    default:
      throw new AppError('session_not_running', `the session is ${session.state}`);
  }
}
