/** A new session: queued under the scheduler lock, then placed if a host has room. */
import { DEFAULT_SESSION_CAPABILITIES, type SessionCapabilities } from '@browserpane/protocol';
import { eq } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { type SessionRow, sessions, type Viewport } from '../../db/schema/index.ts';
import { uuidv7 } from '../crypto.ts';
import type { Principal } from '../oidc/principal.ts';
import { addEvents, lockScheduler, markLostHosts, placePending } from '../scheduler.ts';
import { checkSessionQuota } from './quota.ts';

export interface CreateSessionInput {
  viewport?: Viewport;
  idle_timeout_sec?: number;
  capabilities?: Partial<Record<keyof SessionCapabilities, boolean>>;
  owner_mode?: 'collaborative' | 'exclusive';
  video_mode?: 'roi' | 'full' | 'off';
  labels?: Record<string, string>;
  region?: string;
}

export interface RequestOrigin {
  latitude: number | null;
  longitude: number | null;
}

export async function createSession(
  db: Database,
  principal: Principal,
  input: CreateSessionInput,
  origin: RequestOrigin,
  now: Date,
  cfg: Config,
): Promise<SessionRow> {
  const id = uuidv7(now.getTime());
  await markLostHosts(db, now, cfg);
  await db.transaction(async (tx) => {
    await lockScheduler(tx);
    await checkSessionQuota(tx, principal.id, cfg);
    await tx.insert(sessions).values({
      id,
      ownerId: principal.id,
      ownerName: principal.name,
      state: 'queued',
      ownerMode: input.owner_mode ?? 'collaborative',
      videoMode: input.video_mode ?? 'roi',
      viewport: input.viewport ?? { width: 1280, height: 720 },
      capabilities: { ...DEFAULT_SESSION_CAPABILITIES, ...input.capabilities },
      idleTimeoutSec: input.idle_timeout_sec ?? cfg.defaultIdleTimeoutSec,
      labels: input.labels ?? {},
      regionHint: input.region ?? null,
      originLatitude: origin.latitude,
      originLongitude: origin.longitude,
      queuedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    await addEvents(tx, [{ sessionId: id, type: 'created', at: now }]);
    await placePending(tx, now, cfg);
  });
  const [row] = await db.select().from(sessions).where(eq(sessions.id, id));
  return row as SessionRow;
}
