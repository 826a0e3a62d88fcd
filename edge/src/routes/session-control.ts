import { routes } from '@browserpane/api/contract';
import type { Context, Hono } from 'hono';
import { config, edgeOrigin } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { implement } from '../http/route.ts';
import { applyMcpViewport, cutRevokedAutomation } from '../services/automation.ts';
import { isRunningState } from '../services/session-view.ts';
import {
  connectionsOf,
  dropConnections,
  loadSession,
  queueCommand,
  resourceOf,
  sessionStatus,
  setOwners,
} from '../services/sessions.ts';
import { cdpGatewayUrl, mintTicket } from '../services/tickets.ts';
import { viewContext } from './sessions.ts';

const NO_STORE = { 'cache-control': 'no-store' };

function mint(
  c: Context<AppEnv>,
  sessionId: string,
  role: Parameters<typeof mintTicket>[6],
  ownerMayAutomate = false,
) {
  const cfg = config(c.env);
  return mintTicket(
    c.var,
    c.env,
    cfg,
    edgeOrigin(cfg, c.req.url),
    c.var.principal,
    sessionId,
    role,
    new Date(),
    { ownerMayAutomate },
  );
}

/** Live control of a session: tickets, automation access, dropping connections, owners. */
export function sessionControlRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.issueSessionAccessToken, async (c, { params, body }) => {
    const ticket = await mint(c, params.session_id, body?.role ?? 'owner');
    return { status: 200, body: ticket, headers: NO_STORE };
  });

  implement(app, routes.issueSessionAutomationAccess, async (c, { params }) => {
    const ticket = await mint(c, params.session_id, 'automation', true);
    const path = `/api/v1/sessions/${params.session_id}`;
    return {
      status: 200,
      headers: NO_STORE,
      body: {
        session_id: ticket.session_id,
        token_type: 'session_automation_access_token' as const,
        token: ticket.token,
        expires_at: ticket.expires_at,
        automation: {
          endpoint_url:
            ticket.cdp_url ?? cdpGatewayUrl(ticket.relay_url, ticket.session_id, ticket.token),
          protocol: 'chrome_devtools_protocol',
          auth_type: 'session_automation_access_token',
          auth_header: 'x-bpane-automation-access-token',
          status_path: `${path}/status`,
          mcp_owner_path: `${path}/mcp-owner`,
          compatibility_mode: 'session_runtime_pool',
        } as const,
        host_id: ticket.host_id,
        relay_url: ticket.relay_url,
        cert_sha256: ticket.cert_sha256,
      },
    };
  });

  implement(app, routes.disconnectAllSessionConnections, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadSession(db, params.session_id, c.var.principal, 'owner');
    const now = new Date();
    // Nothing runs, nothing is attached: the answer is the status as it is.
    let commandId: string | undefined;
    if (row.hostId !== null && isRunningState(row.state)) {
      commandId = await queueCommand(db, row, 'disconnect_all', null, now);
      await dropConnections(db, row.id, null);
    }
    const status = await sessionStatus(db, row, viewContext(c));
    return { status: 200, body: commandId ? { ...status, command_id: commandId } : status };
  });

  implement(app, routes.disconnectSessionConnection, async (c, { params }) => {
    const db = c.var.db();
    const row = await loadSession(db, params.session_id, c.var.principal, 'owner');
    const wanted = params.connection_id;
    const live = (await connectionsOf(db, row.id)).find(
      (conn) => String(conn.connection_id) === wanted || conn.host_connection_id === wanted,
    );
    if (!live) {
      throw new AppError('connection_not_found', 'the session has no live connection with this id');
    }
    const commandId = await queueCommand(
      db,
      row,
      'disconnect',
      live.host_connection_id,
      new Date(),
    );
    await dropConnections(db, row.id, live.host_connection_id);
    const status = await sessionStatus(db, row, viewContext(c));
    return { status: 200, body: { ...status, command_id: commandId } };
  });

  implement(app, routes.setAutomationOwner, async (c, { params, body }) => {
    const db = c.var.db();
    const row = await loadSession(db, params.session_id, c.var.principal, 'owner');
    const now = new Date();
    const delegate = (body.client_id ?? body.principal_id) as string;
    const updated = await setOwners(
      db,
      row,
      {
        automationOwnerId: delegate,
        automationOwnerName: body.display_name ?? delegate,
        automationOwnerIssuer: body.issuer ?? null,
      },
      'automation_owner_set',
      now,
    );
    await cutRevokedAutomation(db, row, updated, now);
    return { status: 200, body: await resourceOf(db, updated, viewContext(c)) };
  });

  implement(app, routes.clearAutomationOwner, async (c, { params }) => {
    const db = c.var.db();
    const me = c.var.principal;
    const row = await loadSession(db, params.session_id, me, 'delegate');
    if (me.id !== row.ownerId && me.id !== row.automationOwnerId) {
      throw new AppError(
        'forbidden',
        'only the session owner or its automation owner may clear automation ownership',
      );
    }
    const now = new Date();
    const updated = await setOwners(
      db,
      row,
      { automationOwnerId: null, automationOwnerName: null, automationOwnerIssuer: null },
      'automation_owner_cleared',
      now,
    );
    await cutRevokedAutomation(db, row, updated, now);
    return { status: 200, body: await resourceOf(db, updated, viewContext(c)) };
  });

  implement(app, routes.setSessionMcpOwner, async (c, { params, body = {} }) => {
    const db = c.var.db();
    const me = c.var.principal;
    const id = params.session_id;
    const row = await loadSession(db, id, me, 'delegate');
    const isOwner = me.id === row.ownerId;
    // The current MCP owner may claim again (idempotent; e.g. to ask for a viewport).
    if (!isOwner && me.id !== row.automationOwnerId && me.id !== row.mcpOwnerId) {
      throw new AppError(
        'automation_owner_required',
        'only the session owner or its automation owner may claim MCP ownership',
      );
    }
    const principalId = body.principal_id ?? me.id;
    if (!isOwner && principalId !== me.id) {
      throw new AppError(
        'forbidden',
        'an automation owner may claim MCP ownership only for itself',
      );
    }
    const name =
      body.display_name ??
      (principalId === row.mcpOwnerId && row.mcpOwnerName
        ? row.mcpOwnerName
        : principalId === me.id
          ? me.name
          : principalId);
    const now = new Date();
    let updated = await setOwners(
      db,
      row,
      { mcpOwnerId: principalId, mcpOwnerName: name },
      'mcp_owner_set',
      now,
    );
    await cutRevokedAutomation(db, row, updated, now);
    const viewport =
      body.viewport ??
      (body.width !== undefined && body.height !== undefined
        ? { width: body.width, height: body.height }
        : undefined);
    if (viewport && (await applyMcpViewport(db, updated, viewport, now)))
      updated = await loadSession(db, id, me, 'delegate');
    return {
      status: 200,
      body: { ...(await resourceOf(db, updated, viewContext(c))), ok: true as const },
    };
  });

  implement(app, routes.clearSessionMcpOwner, async (c, { params }) => {
    const db = c.var.db();
    const me = c.var.principal;
    const row = await loadSession(db, params.session_id, me, 'delegate');
    if (me.id !== row.ownerId && me.id !== row.mcpOwnerId && me.id !== row.automationOwnerId) {
      throw new AppError(
        'forbidden',
        'only the session owner or its automation owners may release MCP ownership',
      );
    }
    const now = new Date();
    const updated = await setOwners(
      db,
      row,
      { mcpOwnerId: null, mcpOwnerName: null },
      'mcp_owner_cleared',
      now,
    );
    await cutRevokedAutomation(db, row, updated, now);
    return {
      status: 200,
      body: { ...(await resourceOf(db, updated, viewContext(c))), ok: true as const },
    };
  });
}
