import { Hono } from 'hono';
import { config, edgeOrigin } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { jsonBody, uuidParam } from '../http/request.ts';
import { requireUser } from '../middleware/auth.ts';
import { applyMcpViewport, cutRevokedAutomation } from '../services/automation.ts';
import {
  connectionsOf,
  loadSession,
  queueCommand,
  resourceOf,
  setOwners,
} from '../services/sessions.ts';
import { mintTicket } from '../services/tickets.ts';
import { accessTokenBody, automationOwnerBody, CONNECTION_ID, mcpOwnerBody } from './schemas.ts';

/** Live control of a session: connect tickets, dropping connections, automation ownership. */
export const sessionControlRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .post('/:session_id/access-tokens', async (c) => {
    const id = uuidParam(c, 'session_id');
    const body = await jsonBody(c, accessTokenBody, { optional: true });
    const cfg = config(c.env);
    const ticket = await mintTicket(
      c.var,
      c.env,
      cfg,
      edgeOrigin(cfg, c.req.url),
      c.var.principal,
      id,
      body?.role ?? 'owner',
      new Date(),
    );
    return c.json(ticket, 200, { 'cache-control': 'no-store' });
  })
  .post('/:session_id/connections/disconnect-all', async (c) => {
    const id = uuidParam(c, 'session_id');
    const db = c.var.db();
    const row = await loadSession(db, id, c.var.principal, 'owner');
    const commandId = await queueCommand(db, row, 'disconnect_all', null, new Date());
    return c.json(
      {
        command_id: commandId,
        session_id: id,
        type: 'disconnect_all' as const,
        connection_id: null,
      },
      202,
    );
  })
  .post('/:session_id/connections/:connection_id/disconnect', async (c) => {
    const id = uuidParam(c, 'session_id');
    const connectionId = c.req.param('connection_id');
    if (!CONNECTION_ID.test(connectionId)) {
      throw new AppError(
        'invalid_id',
        'path parameter connection_id must be 1-128 characters of letters, digits, . _ : -',
      );
    }
    const db = c.var.db();
    const row = await loadSession(db, id, c.var.principal, 'owner');
    const live = await connectionsOf(db, id);
    if (!live.some((conn) => conn.connection_id === connectionId)) {
      throw new AppError('connection_not_found', 'the session has no live connection with this id');
    }
    const commandId = await queueCommand(db, row, 'disconnect', connectionId, new Date());
    return c.json(
      {
        command_id: commandId,
        session_id: id,
        type: 'disconnect' as const,
        connection_id: connectionId,
      },
      202,
    );
  })
  .post('/:session_id/automation-owner', async (c) => {
    const id = uuidParam(c, 'session_id');
    const body = await jsonBody(c, automationOwnerBody);
    const db = c.var.db();
    const row = await loadSession(db, id, c.var.principal, 'owner');
    const now = new Date();
    const updated = await setOwners(
      db,
      row,
      {
        automationOwnerId: body.principal_id,
        automationOwnerName: body.display_name ?? body.principal_id,
      },
      'automation_owner_set',
      now,
    );
    await cutRevokedAutomation(db, row, updated, now);
    return c.json(await resourceOf(db, updated));
  })
  .delete('/:session_id/automation-owner', async (c) => {
    const id = uuidParam(c, 'session_id');
    const db = c.var.db();
    const me = c.var.principal;
    const row = await loadSession(db, id, me, 'delegate');
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
      { automationOwnerId: null, automationOwnerName: null },
      'automation_owner_cleared',
      now,
    );
    await cutRevokedAutomation(db, row, updated, now);
    return c.json(await resourceOf(db, updated));
  })
  .post('/:session_id/mcp-owner', async (c) => {
    const id = uuidParam(c, 'session_id');
    const body = (await jsonBody(c, mcpOwnerBody, { optional: true })) ?? {};
    const db = c.var.db();
    const me = c.var.principal;
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
    if (body.viewport && (await applyMcpViewport(db, updated, body.viewport, now)))
      updated = await loadSession(db, id, me, 'delegate');
    return c.json(await resourceOf(db, updated));
  })
  .delete('/:session_id/mcp-owner', async (c) => {
    const id = uuidParam(c, 'session_id');
    const db = c.var.db();
    const me = c.var.principal;
    const row = await loadSession(db, id, me, 'delegate');
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
    return c.json(await resourceOf(db, updated));
  });
