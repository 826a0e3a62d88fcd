/**
 * The recording worker's credential (`x-bpane-recording-worker-token`): an EdDSA JWT this edge
 * signs with its ticket key for one recording (`rid`) or one export (`xid`) of one session and
 * hands to the host in its desired state. Short-lived and renewed in every heartbeat answer; it is
 * never stored, logged or put in a URL. It grants that recording's or export's worker routes only.
 */
import { jwtVerify } from 'jose';
import { type Config, edgeOrigin } from '../../config.ts';
import type { Env } from '../../env.ts';
import { AppError } from '../../errors.ts';
import { loadSigningKey, signJwt } from '../signing-keys.ts';
import type { WorkerGrant } from './grant.ts';

export const WORKER_TOKEN_AUDIENCE = 'browserpane-recording-worker';
/** Long enough to outlive a few missed heartbeats; renewed in each answer. */
export const WORKER_TOKEN_TTL_SEC = 15 * 60;

export type { WorkerGrant };

export async function signWorkerToken(
  env: Env,
  issuer: string,
  grant: WorkerGrant,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const key = await loadSigningKey(env.TICKET_SIGNING_KEY, 'TICKET_SIGNING_KEY');
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + WORKER_TOKEN_TTL_SEC;
  const token = await signJwt(key, {
    iss: issuer,
    aud: WORKER_TOKEN_AUDIENCE,
    iat,
    exp,
    sid: grant.sessionId,
    hid: grant.hostId,
    ...(grant.kind === 'recording' ? { rid: grant.recordingId } : { xid: grant.exportId }),
  });
  return { token, expiresAt: new Date(exp * 1000) };
}

function refused(): AppError {
  return new AppError(
    'recording_worker_unauthorized',
    'missing, invalid or expired recording worker token',
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Verifies a worker token; throws 401 `recording_worker_unauthorized`. */
export async function verifyWorkerToken(
  token: string | undefined,
  env: Env,
  cfg: Config,
  requestUrl: string,
): Promise<WorkerGrant> {
  if (
    !token ||
    token.length > 4096 ||
    !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)
  )
    throw refused();
  const key = await loadSigningKey(env.TICKET_SIGNING_KEY, 'TICKET_SIGNING_KEY');
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(token, key.publicKey, {
      issuer: edgeOrigin(cfg, requestUrl),
      audience: WORKER_TOKEN_AUDIENCE,
      algorithms: ['EdDSA'],
      clockTolerance: 5,
    }));
  } catch {
    throw refused();
  }
  const { sid, hid, rid, xid } = claims;
  const id = (v: unknown) => typeof v === 'string' && UUID.test(v);
  if (!id(sid) || !id(hid)) throw refused();
  if (id(rid))
    return {
      kind: 'recording',
      sessionId: sid as string,
      recordingId: rid as string,
      hostId: hid as string,
    };
  if (id(xid))
    return {
      kind: 'export',
      sessionId: sid as string,
      exportId: xid as string,
      hostId: hid as string,
    };
  throw refused();
}
