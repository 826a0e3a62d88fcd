import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BridgeConfig } from '../config.ts';
import { type EdgeClient, EdgeError } from '../edge/edge-client.ts';
import { BridgeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { SessionRegistry } from '../sessions/registry.ts';
import type { Caller, CallerAuth } from './caller-auth.ts';
import { readJsonObject, sendJson } from './http-util.ts';

export interface ControlDeps {
  readonly config: BridgeConfig;
  readonly edge: EdgeClient;
  readonly auth: CallerAuth;
  readonly registry: SessionRegistry;
  readonly log: Logger;
}

const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `/control-session`: which session the bridge-wide MCP endpoints drive. Every method needs a
 * bearer token (`CallerAuth`).
 * - `GET`: the control session and its supervision state — to a caller who may use it (its
 *   owner, automation owner or MCP owner); anyone else sees none.
 * - `PUT {session_id}`: adopt a session delegated to the bridge. Only the session's owner (proven
 *   by their own OIDC bearer token, verified here, never forwarded) or the operator's
 *   MCP_BRIDGE_AUTH_TOKEN.
 * - `DELETE`: give the control session up (a caller who may use it, or the operator).
 */
export async function controlSession(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ControlDeps,
  baseUrl: string,
): Promise<void> {
  const { registry, auth } = deps;
  const caller = await auth.identify(req);
  if (req.method === 'GET') {
    const id = registry.controlSessionId;
    const mine = id
      ? await auth.entitle(caller, id).then(
          () => true,
          () => false,
        )
      : false;
    const info = mine ? (await registry.list()).find((s) => s.session_id === id) : undefined;
    sendJson(res, 200, { session_id: mine ? id : null, ...(info ?? {}), ...links(baseUrl) });
    return;
  }
  if (req.method === 'PUT') {
    const body = await readJsonObject(req);
    const id = body.session_id;
    if (typeof id !== 'string' || !SESSION_ID.test(id))
      throw new BridgeError('bad_request', 'session_id must be a session id');
    await ownerOnly(caller, deps, id);
    const session = await registry.setControl(id);
    deps.log.info('control session set', { sessionId: id, caller: caller.principal });
    sendJson(res, 200, { ...session.info(), ...links(baseUrl) });
    return;
  }
  if (req.method === 'DELETE') {
    const id = registry.controlSessionId;
    if (id) await auth.entitle(caller, id);
    await registry.clearControl();
    deps.log.info('control session cleared', { sessionId: id, caller: caller.principal });
    sendJson(res, 200, { session_id: null, ...links(baseUrl) });
    return;
  }
  throw new BridgeError('bad_request', 'use GET, PUT or DELETE');
}

function links(baseUrl: string) {
  return { mcp_url: `${baseUrl}/mcp`, sse_url: `${baseUrl}/sse` };
}

/** The session's owner (by their verified token) or the operator; anyone else: 404. */
async function ownerOnly(caller: Caller, deps: ControlDeps, sessionId: string) {
  if (caller.via === 'auth_token') return;
  const session = await deps.edge.session(sessionId).catch((err: unknown) => {
    if (err instanceof EdgeError && err.httpStatus === 404) {
      throw new BridgeError(
        'not_delegated',
        `session ${sessionId} is not delegated to this bridge: make it the session's MCP owner first`,
      );
    }
    throw err;
  });
  if (session.owner.principal_id !== caller.principal)
    throw new BridgeError(
      'session_not_found',
      `no session ${sessionId} of yours is delegated to this bridge`,
    );
}
