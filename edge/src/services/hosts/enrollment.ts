/** Host enrolment (a new credential per enrolment) and heartbeat authentication. */
import type { EnrollRequest } from '@browserpane/api/contract';
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { type HostRow, hosts } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { randomToken, secretsEqual, sha256Hex, uuidv7 } from '../crypto.ts';
import { lockScheduler, markLostHosts, placePending } from '../scheduler.ts';

export type EnrollInput = z.output<typeof EnrollRequest>;

const CREDENTIAL_PREFIX = 'bph_';

/**
 * Enrols a host, or re-enrols a known name with a fresh credential. A name is bound to the
 * credential of its enrolment: while its host is alive (not `lost`), only a request that presents
 * that credential may re-enrol it — the enrolment token alone cannot take over an existing host
 * (its sessions, their clients' tickets). A host marked lost (no heartbeat for
 * HOST_LOST_AFTER_MS; its sessions already went back to the queue) may be re-claimed without it,
 * which is how an agent that lost its data directory comes back.
 */
export async function enrollHost(db: Database, input: EnrollInput, now: Date, cfg: Config) {
  const credential = `${CREDENTIAL_PREFIX}${randomToken(32)}`;
  const credentialHash = await sha256Hex(credential);
  const fields = {
    credentialHash,
    status: 'healthy' as const,
    region: input.region,
    latitude: input.coordinates?.lat ?? null,
    longitude: input.coordinates?.lon ?? null,
    maxSessions: input.capacity.max_sessions,
    freeSessions: input.capacity.max_sessions,
    relayUrl: input.relay_url,
    certSha256: input.cert_sha256?.toLowerCase() ?? null,
    agentVersion: input.agent_version,
    lastHeartbeatAt: now,
    lostAt: null,
    updatedAt: now,
  };
  // A late host that is not marked yet: mark it (and re-queue its sessions) before deciding.
  await markLostHosts(db, now, cfg);
  const hostId = await db.transaction(async (tx) => {
    await lockScheduler(tx);
    const [existing] = await tx
      .select({ id: hosts.id, status: hosts.status, credentialHash: hosts.credentialHash })
      .from(hosts)
      .where(eq(hosts.name, input.name))
      .for('update');
    let id: string;
    if (existing) {
      if (existing.status !== 'lost' && !(await presents(input.host_credential, existing))) {
        throw new AppError(
          'host_name_taken',
          `a live host is enrolled as "${input.name}": present its host_credential to re-enrol it, wait until it is lost, or choose another name`,
        );
      }
      await tx.update(hosts).set(fields).where(eq(hosts.id, existing.id));
      id = existing.id;
    } else {
      id = uuidv7(now.getTime());
      await tx
        .insert(hosts)
        .values({ id, name: input.name, enrolledAt: now, createdAt: now, ...fields });
    }
    await placePending(tx, now, cfg);
    return id;
  });
  return { hostId, credential };
}

async function presents(
  credential: string | undefined,
  host: { credentialHash: string },
): Promise<boolean> {
  if (!credential) return false;
  return secretsEqual(await sha256Hex(credential), host.credentialHash);
}

/** The host behind a heartbeat, or 401 (unknown host and wrong credential look the same). */
export async function authenticateHost(
  db: Database,
  hostId: string,
  credential: string | null,
): Promise<HostRow> {
  const [host] = await db.select().from(hosts).where(eq(hosts.id, hostId));
  const expected = host?.credentialHash ?? '0'.repeat(64);
  const ok = credential !== null && (await secretsEqual(await sha256Hex(credential), expected));
  if (!host || !ok)
    throw new AppError('host_unauthorized', 'unknown host or wrong host credential');
  return host;
}
