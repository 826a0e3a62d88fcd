/** A new session: queued under the scheduler lock, then placed if a host has room. */
import type { CreateSessionRequest } from '@browserpane/api/contract';
import { DEFAULT_SESSION_CAPABILITIES, type SessionCapabilities } from '@browserpane/protocol';
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Database, Queryable } from '../../db/client.ts';
import { type SessionRow, sessions } from '../../db/schema/index.ts';
import { uuidv7 } from '../crypto.ts';
import { resolveSessionExtensions } from '../extensions/session-extensions.ts';
import type { Principal } from '../oidc/principal.ts';
import { addEvents, lockScheduler, placePending } from '../scheduler.ts';
import { checkSessionQuota } from './quota.ts';

export type CreateSessionInput = z.output<typeof CreateSessionRequest>;

/** Capability switches of a request, the reference's names mapped to ours. */
export function requestedCapabilities(
  caps: CreateSessionInput['capabilities'],
): Partial<Record<keyof SessionCapabilities, boolean>> {
  if (!caps) return {};
  const { browser_input, file_transfer, input, files, ...rest } = caps;
  const out: Partial<Record<keyof SessionCapabilities, boolean>> = { ...rest };
  const inputOn = input ?? browser_input;
  const filesOn = files ?? file_transfer;
  if (inputOn !== undefined) out.input = inputOn;
  if (filesOn !== undefined) out.files = filesOn;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** The session's recording policy: the request's, else the server default. */
function recordingPolicy(requested: CreateSessionInput['recording'], cfg: Config) {
  const mode = requested?.mode ?? cfg.defaultRecordingMode;
  return {
    recordingMode: mode,
    recordingRetentionSec:
      requested?.retention_sec === undefined ? cfg.recordingRetentionSec : requested.retention_sec,
    recordingAudio: requested?.include_audio ?? false,
    recordingRrweb: requested?.rrweb ?? false,
    recordingWanted: mode === 'always',
  };
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
  const id = await db.transaction((tx) => insertSession(tx, principal, input, origin, now, cfg));
  const [row] = await db.select().from(sessions).where(eq(sessions.id, id));
  return row as SessionRow;
}

/** The new session inside the caller's transaction (queued, then placed if a host has room). */
export async function insertSession(
  tx: Queryable,
  principal: Principal,
  input: CreateSessionInput,
  origin: RequestOrigin,
  now: Date,
  cfg: Config,
): Promise<string> {
  const id = uuidv7(now.getTime());
  await lockScheduler(tx);
  await checkSessionQuota(tx, principal.id, cfg);
  const chosen = await resolveSessionExtensions(tx, principal.id, input.extension_ids);
  await tx.insert(sessions).values({
    id,
    ownerId: principal.id,
    ownerName: principal.name,
    ownerIssuer: principal.issuer,
    state: 'queued',
    ownerMode:
      input.owner_mode === undefined || input.owner_mode === 'collaborative'
        ? 'collaborative'
        : 'exclusive',
    videoMode: input.video_mode ?? 'roi',
    viewport: input.viewport ?? { width: 1280, height: 720 },
    capabilities: {
      ...DEFAULT_SESSION_CAPABILITIES,
      ...requestedCapabilities(input.capabilities),
    },
    idleTimeoutSec: input.idle_timeout_sec ?? cfg.defaultIdleTimeoutSec,
    labels: input.labels ?? {},
    displayName: input.display_name?.trim() || null,
    integrationContext: input.integration_context ?? null,
    regionHint: input.region ?? null,
    ...recordingPolicy(input.recording, cfg),
    extensions: chosen,
    originLatitude: origin.latitude,
    originLongitude: origin.longitude,
    queuedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  await addEvents(tx, [{ sessionId: id, type: 'created', at: now }]);
  await placePending(tx, now, cfg);
  return id;
}
