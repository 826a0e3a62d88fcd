import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BridgeConfig } from '../config.ts';
import { type EdgeClient, EdgeError } from '../edge/edge-client.ts';
import type { PersonVerifier } from '../edge/person-verifier.ts';
import { BridgeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { SessionRegistry } from '../sessions/registry.ts';
import { bearerToken, readJsonObject, sameSecret, sendJson } from './http-util.ts';

export interface ControlDeps {
  readonly config: BridgeConfig;
  readonly edge: EdgeClient;
  readonly verifier: PersonVerifier;
  readonly registry: SessionRegistry;
  readonly log: Logger;
}

const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `/control-session`: which session the bridge-wide MCP endpoints drive.
 * - `GET`: the control session and its supervision state.
 * - `PUT {session_id}`: adopt a session delegated to the bridge. The caller is the session's owner,
 *   proven by their own OIDC bearer token (verified here, never forwarded), or holds
 *   `MCP_BRIDGE_AUTH_TOKEN`.
 * - `DELETE`: give the control session up (its owner or the auth token).
 */
export async function controlSession(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ControlDeps,
  baseUrl: string,
): Promise<void> {
  const { registry } = deps;
  if (req.method === 'GET') {
    const id = registry.controlSessionId;
    const info = id ? (await registry.list()).find((s) => s.session_id === id) : undefined;
    sendJson(res, 200, { session_id: id, ...(info ?? {}), ...links(baseUrl) });
    return;
  }
  if (req.method === 'PUT') {
    const body = await readJsonObject(req);
    const id = body.session_id;
    if (typeof id !== 'string' || !SESSION_ID.test(id))
      throw new BridgeError('bad_request', 'session_id must be a session id');
    await authorize(req, deps, id);
    const session = await registry.setControl(id);
    deps.log.info('control session set', { sessionId: id });
    sendJson(res, 200, { ...session.info(), ...links(baseUrl) });
    return;
  }
  if (req.method === 'DELETE') {
    const id = registry.controlSessionId;
    if (id) await authorize(req, deps, id);
    await registry.clearControl();
    sendJson(res, 200, { session_id: null, ...links(baseUrl) });
    return;
  }
  throw new BridgeError('bad_request', 'use GET, PUT or DELETE');
}

function links(baseUrl: string) {
  return { mcp_url: `${baseUrl}/mcp`, sse_url: `${baseUrl}/sse` };
}

/** The session's owner (by their verified token) or a holder of the bridge's auth token. */
async function authorize(req: IncomingMessage, deps: ControlDeps, sessionId: string) {
  const token = bearerToken(req);
  if (!token) throw new BridgeError('unauthorized', 'a bearer token is required');
  if (deps.config.authToken && sameSecret(token, deps.config.authToken)) return;
  const subject = await deps.verifier.subject(token);
  const session = await deps.edge.session(sessionId).catch((err: unknown) => {
    if (err instanceof EdgeError && err.httpStatus === 404) {
      throw new BridgeError(
        'not_delegated',
        `session ${sessionId} is not delegated to this bridge: make it the session's MCP owner first`,
      );
    }
    throw err;
  });
  if (session.owner.principal_id !== subject)
    throw new BridgeError('forbidden', 'only the session’s owner may hand it to the bridge');
}
