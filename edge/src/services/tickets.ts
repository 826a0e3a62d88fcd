import type { ConnectTicket } from '@browserpane/api/contract';
import {
  capabilityList,
  type Role,
  roleCapabilities,
  type SessionCapabilities,
} from '@browserpane/protocol';
import { eq } from 'drizzle-orm';
import { type Config, TICKET_AUDIENCE } from '../config.ts';
import type { Database, QueryOnce } from '../db/client.ts';
import { type SessionRow, sessions } from '../db/schema/index.ts';
import type { Env, Variables } from '../env.ts';
import { AppError } from '../errors.ts';
import { randomToken } from './crypto.ts';
import { countTicket } from './metrics/edge-metrics.ts';
import type { Principal } from './oidc/principal.ts';
import { markLostHosts } from './scheduler.ts';
import { isRunningState } from './session-view.ts';
import { connectPoint } from './sessions/connect-point.ts';
import { recordUse, sharesUsedBy } from './sessions/shares.ts';
import { notFound, queuesOf, restartSession } from './sessions.ts';
import { loadSigningKey, signJwt } from './signing-keys.ts';

export type { ConnectTicket };

/**
 * The CDP gateway endpoint of a session on a relay: `http(s)://<relay>/sessions/{id}/cdp?ticket=`.
 * An http(s) URL, so `connectOverCDP` runs the `/json/version` discovery (which consumes the
 * ticket and answers a one-time WebSocket URL); `ws(s)` relay URLs map to `http(s)`.
 */
export function cdpGatewayUrl(relayUrl: string, sessionId: string, ticket: string): string {
  const relay = new URL(relayUrl);
  const secure = relay.protocol === 'https:' || relay.protocol === 'wss:';
  const base = relay.pathname.replace(/\/+$/, '');
  return `${secure ? 'https' : 'http'}://${relay.host}${base}/sessions/${sessionId}/cdp?ticket=${encodeURIComponent(ticket)}`;
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
  /** The session's grant generation now; the ticket carries it as `gen`. */
  grantGeneration: number;
  /** The strongest live share the caller holds on the session (null: none). */
  shareRole: 'viewer' | 'collaborator' | null;
  relayUrl: string | null;
  certSha256: string | null;
  hostHeartbeat: Date | null;
  hostStatus: string | null;
}

/**
 * The hot path's one query: the session, if the caller may see it, joined with its host. Plain SQL
 * (not the query builder: building a drizzle query costs more CPU than running it) on a
 * connection of its own through the lean wire client (`c.var.query`); the heartbeat comes as
 * epoch milliseconds so the result does not depend on the session's DateStyle or TimeZone.
 */
const LOAD_WITH_HOST = `
select s.id as "id", s.owner_id as "ownerId", s.state as "state", s.owner_mode as "ownerMode",
       s.capabilities as "capabilities", s.host_id as "hostId",
       s.automation_owner_id as "automationOwnerId", s.mcp_owner_id as "mcpOwnerId",
       s.grant_generation as "grantGeneration",
       case when s.owner_id = $2 then null else (
         select case when bool_or(sh.role = 'collaborator') then 'collaborator' else 'viewer' end
           from session_shares sh
          where sh.session_id = s.id and (sh.expires_at is null or sh.expires_at > now())
            and (sh.subject = $2 or ($3::text is not null and sh.email = $3::text)
                 or exists (select 1 from share_redemptions r
                             where r.share_id = sh.id and r.principal_id = $2))
         having count(*) > 0) end as "shareRole",
       h.relay_url as "relayUrl", h.cert_sha256 as "certSha256",
       (extract(epoch from h.last_heartbeat_at) * 1000)::float8 as "hostHeartbeatMs",
       h.status as "hostStatus"
  from sessions s left join hosts h on h.id = s.host_id
 where s.id = $1::uuid`;

async function loadWithHost(
  query: QueryOnce,
  sessionId: string,
  principal: Principal,
): Promise<Placed | null> {
  const rows = await query<Omit<Placed, 'hostHeartbeat'> & { hostHeartbeatMs: number | null }>(
    LOAD_WITH_HOST,
    [sessionId, principal.id, principal.email ?? null],
  );
  const row = rows[0];
  const id = principal.id;
  if (
    !row ||
    (row.ownerId !== id &&
      row.automationOwnerId !== id &&
      row.mcpOwnerId !== id &&
      row.shareRole === null)
  )
    return null;
  const { hostHeartbeatMs, ...rest } = row;
  return { ...rest, hostHeartbeat: hostHeartbeatMs === null ? null : new Date(hostHeartbeatMs) };
}

async function fullRow(db: Database, sessionId: string): Promise<SessionRow> {
  const [row] = await db.select().from(sessions).where(eq(sessions.id, sessionId));
  if (!row) throw notFound();
  return row;
}

function authorize(
  session: Placed,
  principal: Principal,
  role: Role,
  ownerMayAutomate: boolean,
): void {
  if (role === 'automation') {
    if (ownerMayAutomate && principal.id === session.ownerId) return;
    if (principal.id !== session.automationOwnerId && principal.id !== session.mcpOwnerId) {
      throw new AppError(
        'automation_owner_required',
        'automation tickets are minted only for the session’s automation owner or MCP owner',
      );
    }
  } else if (principal.id !== session.ownerId) {
    // people it is shared with: viewers watch, collaborators also drive
    if (role === 'viewer' && session.shareRole !== null) return;
    if (role === 'owner' && session.shareRole === 'collaborator') return;
    throw new AppError(
      'forbidden',
      session.shareRole === 'viewer'
        ? 'the session is shared with you as a viewer: mint viewer tickets'
        : `only the session owner may mint ${role} tickets`,
    );
  }
}

/** Whether the ticket is a share's grant: a person the session is shared with, not a delegate. */
function viaShare(session: Placed, principal: Principal, role: Role): boolean {
  return (role === 'owner' || role === 'viewer') && principal.id !== session.ownerId;
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
  const token = await signJwt(key, {
    iss: issuer,
    aud: TICKET_AUDIENCE,
    sub: principal.id,
    iat,
    exp,
    jti: randomToken(16),
    name: principal.name,
    sid: session.id,
    hid: session.hostId,
    role,
    caps,
    mode: session.ownerMode,
    gen: Number(session.grantGeneration),
    ...(viaShare(session, principal, role) ? { via: 'share' } : {}),
  });
  countTicket(role);
  return {
    token_type: 'session_connect_ticket',
    token,
    expires_at: new Date(exp * 1000).toISOString(),
    session_id: session.id,
    connect: connectPoint(session.id, placed.relayUrl, issuer),
    role,
    capabilities: caps,
    host_id: session.hostId as string,
    relay_url: placed.relayUrl as string,
    cert_sha256: placed.certSha256,
    ...(role === 'automation' || role === 'recorder'
      ? { cdp_url: cdpGatewayUrl(placed.relayUrl as string, session.id, token) }
      : {}),
  };
}

/**
 * Mints a connect ticket. The common case is one query and one signature; a stopped session is
 * restarted first when its owner (or automation owner) reconnects; a late host is marked lost.
 */
export async function mintTicket(
  conn: Pick<Variables, 'query' | 'db'>,
  env: Env,
  cfg: Config,
  issuer: string,
  principal: Principal,
  sessionId: string,
  role: Role,
  now: Date,
  options: { ownerMayAutomate?: boolean } = {},
): Promise<ConnectTicket> {
  let placed = await loadWithHost(conn.query, sessionId, principal);
  if (!placed) throw notFound();
  authorize(placed, principal, role, options.ownerMayAutomate ?? false);

  const stale = (p: Placed) =>
    p.hostHeartbeat !== null &&
    (p.hostStatus !== 'healthy' || now.getTime() - p.hostHeartbeat.getTime() > cfg.hostLostAfterMs);
  // Rare paths (a late host, a restart, a queued session) use the request's drizzle connection.
  if (isRunningState(placed.state) && stale(placed)) {
    await markLostHosts(conn.db(), now, cfg);
    placed = (await loadWithHost(conn.query, sessionId, principal)) ?? placed;
  }
  // only the owner (or its automation) restarts a session; people it is shared with wait for it
  if (
    (placed.state === 'stopped' || placed.state === 'failed' || placed.state === 'released') &&
    ((role === 'owner' && principal.id === placed.ownerId) || role === 'automation')
  ) {
    const db = conn.db();
    await restartSession(db, await fullRow(db, sessionId), now, cfg);
    placed = (await loadWithHost(conn.query, sessionId, principal)) ?? placed;
  }

  const session = placed;
  // remember who used a personal share, so revoking it disconnects them at once
  if (viaShare(session, principal, role))
    await recordShareUse(conn.db(), principal, session.id, now);
  if (isRunningState(session.state) && session.hostId !== null && placed.relayUrl !== null) {
    return sign(env, cfg, issuer, principal, placed, role, now);
  }
  switch (session.state) {
    case 'queued':
    case 'runtime_lost': {
      const row = await fullRow(conn.db(), sessionId);
      const queue = (await queuesOf(conn.db(), [row], now)).get(row.id) ?? null;
      throw new AppError(
        'session_queued',
        'the session is waiting for a host with free capacity; retry shortly',
        { details: { queue } },
      );
    }
    case 'stopping':
      throw new AppError(
        'session_not_running',
        'the session is stopping; reconnect once it has stopped',
      );
    case 'stopped':
    case 'failed':
    case 'released':
      throw new AppError(
        'session_stopped',
        `the session is ${session.state}; its owner reconnecting restarts it`,
      );
    default:
      throw new AppError('session_not_running', `the session is ${session.state}`);
  }
}

async function recordShareUse(
  db: Database,
  principal: Principal,
  sessionId: string,
  now: Date,
): Promise<void> {
  for (const shareId of await sharesUsedBy(db, principal, sessionId))
    await recordUse(db, shareId, principal, now);
}

/**
 * A `recorder` ticket for a recording worker (its token names the session): the picture, the
 * cursor and the session's audio, never input. Only while the session runs on a host; it never
 * restarts one.
 */
export async function mintRecorderTicket(
  conn: Pick<Variables, 'query' | 'db'>,
  env: Env,
  cfg: Config,
  issuer: string,
  sessionId: string,
  recordingId: string,
  now: Date,
): Promise<ConnectTicket> {
  const principal: Principal = {
    id: `recorder:${recordingId}`,
    name: 'Recorder',
    kind: 'service',
    issuer,
  };
  // the recorder's subject holds no share: the row comes back whoever owns the session
  const rows = await conn.query<Omit<Placed, 'hostHeartbeat'> & { hostHeartbeatMs: number | null }>(
    LOAD_WITH_HOST,
    [sessionId, principal.id, null],
  );
  const row = rows[0];
  if (!row) throw notFound();
  const { hostHeartbeatMs, ...rest } = row;
  const placed: Placed = {
    ...rest,
    hostHeartbeat: hostHeartbeatMs === null ? null : new Date(hostHeartbeatMs),
  };
  if (!isRunningState(placed.state) || placed.hostId === null || placed.relayUrl === null)
    throw new AppError('session_not_running', `the session is ${placed.state}; nothing to record`);
  return sign(env, cfg, issuer, principal, placed, 'recorder', now);
}
