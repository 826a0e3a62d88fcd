/** Host enrolment (a new credential per enrolment) and heartbeat authentication. */
import type { EnrollRequest } from '@browserpane/api/contract';
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { type HostRow, hosts } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { randomToken, secretsEqual, sha256Hex, uuidv7 } from '../crypto.ts';
import { lockScheduler, placePending } from '../scheduler.ts';

export type EnrollInput = z.output<typeof EnrollRequest>;

const CREDENTIAL_PREFIX = 'bph_';

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
  const hostId = await db.transaction(async (tx) => {
    await lockScheduler(tx);
    const [row] = await tx
      .insert(hosts)
      .values({
        id: uuidv7(now.getTime()),
        name: input.name,
        enrolledAt: now,
        createdAt: now,
        ...fields,
      })
      .onConflictDoUpdate({ target: hosts.name, set: fields })
      .returning({ id: hosts.id });
    await placePending(tx, now, cfg);
    return (row as { id: string }).id;
  });
  return { hostId, credential };
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
