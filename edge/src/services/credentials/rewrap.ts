/**
 * The second step of a key-encryption key rotation: every stored key still wrapped by an older
 * key (credential data keys, session profile keys, webhook signing secrets) is unwrapped with it and wrapped again with the
 * current one. The encrypted secrets and archives themselves do not change. Idempotent; a row no
 * configured key opens is reported and left as it is.
 */
import { and, count, eq, ne } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  credentialBindings,
  sessionProfiles,
  workflowEventSubscriptions,
} from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { unwrapKey, wrapKey } from '../keys/envelope.ts';
import { type KekSettings, type KeyRing, keyRing } from '../keys/kek.ts';
import { PROFILE_KEY_PURPOSE } from '../profiles/key-wrap.ts';
import { SIGNING_SECRET_PURPOSE } from '../webhooks/secret-box.ts';
import { associatedData, DATA_KEY_PURPOSE } from './local-store.ts';

interface Tally {
  rewrapped: number;
  current: number;
  failed: string[];
}

export async function rewrapAll(db: Queryable, env: KekSettings) {
  const ring = await keyRing(env);
  const kid = ring.current.id;
  const bindings: Tally = { rewrapped: 0, current: 0, failed: [] };
  const profiles: Tally = { rewrapped: 0, current: 0, failed: [] };

  const [{ n } = { n: 0 }] = await db
    .select({ n: count() })
    .from(credentialBindings)
    .where(eq(credentialBindings.kekId, kid));
  bindings.current = Number(n);
  // Only `local` rows hold a wrapped key (a Vault row's kek_id is null, so `<>` skips it).
  const stale = await db.select().from(credentialBindings).where(ne(credentialBindings.kekId, kid));
  for (const row of stale) {
    if (!row.wrappedKey || !row.kekId) continue;
    const aad = associatedData(row);
    try {
      const { raw } = await unwrapKey(ring, DATA_KEY_PURPOSE, row.wrappedKey, aad, 'a data key');
      const wrappedKey = await wrapKey(ring, DATA_KEY_PURPOSE, raw, aad);
      raw.fill(0);
      await db
        .update(credentialBindings)
        .set({ wrappedKey, kekId: kid })
        .where(and(eq(credentialBindings.id, row.id), eq(credentialBindings.kekId, row.kekId)));
      bindings.rewrapped++;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      bindings.failed.push(row.id);
    }
  }

  for (const row of await db
    .select({ sessionId: sessionProfiles.sessionId, wrappedKey: sessionProfiles.wrappedKey })
    .from(sessionProfiles)) {
    if (sealedKid(row.wrappedKey) === kid) {
      profiles.current++;
      continue;
    }
    try {
      const { raw } = await unwrapKey(
        ring,
        PROFILE_KEY_PURPOSE,
        row.wrappedKey,
        row.sessionId,
        'a profile key',
      );
      const wrappedKey = await wrapKey(ring, PROFILE_KEY_PURPOSE, raw, row.sessionId);
      await db
        .update(sessionProfiles)
        .set({ wrappedKey })
        .where(
          and(
            eq(sessionProfiles.sessionId, row.sessionId),
            eq(sessionProfiles.wrappedKey, row.wrappedKey),
          ),
        );
      profiles.rewrapped++;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      profiles.failed.push(row.sessionId);
    }
  }
  const webhooks = await rewrapSigningSecrets(db, ring);
  return {
    key_id: kid,
    credential_bindings: bindings,
    session_profiles: profiles,
    webhook_subscriptions: webhooks,
  };
}

/** A sealed value's key id (`v1.<kid>.<iv>.<ct>`); null for the older form without one. */
function sealedKid(sealed: string): string | null {
  const parts = sealed.split('.');
  return parts.length === 4 ? (parts[1] as string) : null;
}

/** Webhook signing secrets (the current one and a rotated-out one in its grace period). */
async function rewrapSigningSecrets(db: Queryable, ring: KeyRing): Promise<Tally> {
  const tally: Tally = { rewrapped: 0, current: 0, failed: [] };
  const rows = await db
    .select({
      id: workflowEventSubscriptions.id,
      secretSealed: workflowEventSubscriptions.secretSealed,
      previousSecretSealed: workflowEventSubscriptions.previousSecretSealed,
    })
    .from(workflowEventSubscriptions);
  const again = async (id: string, sealed: string) => {
    const { raw } = await unwrapKey(ring, SIGNING_SECRET_PURPOSE, sealed, id, 'a signing secret');
    return wrapKey(ring, SIGNING_SECRET_PURPOSE, raw, id);
  };
  for (const row of rows) {
    const stale = (s: string | null) => s !== null && sealedKid(s) !== ring.current.id;
    if (!stale(row.secretSealed) && !stale(row.previousSecretSealed)) {
      tally.current++;
      continue;
    }
    try {
      const secretSealed = stale(row.secretSealed)
        ? await again(row.id, row.secretSealed)
        : row.secretSealed;
      const previousSecretSealed =
        row.previousSecretSealed !== null && stale(row.previousSecretSealed)
          ? await again(row.id, row.previousSecretSealed)
          : row.previousSecretSealed;
      await db
        .update(workflowEventSubscriptions)
        .set({ secretSealed, previousSecretSealed })
        .where(
          and(
            eq(workflowEventSubscriptions.id, row.id),
            eq(workflowEventSubscriptions.secretSealed, row.secretSealed),
          ),
        );
      tally.rewrapped++;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      tally.failed.push(row.id);
    }
  }
  return tally;
}
