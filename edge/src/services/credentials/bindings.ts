/**
 * Credential bindings: create (the secret kept at once by its store), list, load, delete — owner-scoped, a
 * binding of another owner is a 404 like one that does not exist. The secret leaves this module
 * only through `openSecret`, which the worker's resolution route alone calls.
 */
import type { CredentialBinding } from '@browserpane/api/contract';
import { and, desc, eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { type CredentialBindingRow, credentialBindings } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';
import { base64url, uuidv7 } from '../crypto.ts';
import { hmacKey, type KeyRing, keyRing } from '../keys/kek.ts';
import type { Principal } from '../oidc/principal.ts';
import { chosenProvider, type StoreSettings, secretStore, storeFor } from './store.ts';
import { type CreateInput, checkCreate } from './validate.ts';

const FINGERPRINT_PURPOSE = 'browserpane/credential-fingerprint/v1';

export function bindingNotFound(): AppError {
  return new AppError(
    'credential_binding_not_found',
    'no credential binding with this id exists for the caller',
  );
}

export function bindingResource(row: CredentialBindingRow): CredentialBinding {
  return {
    id: row.id,
    project_id: null,
    project: null,
    name: row.name,
    provider: 'vault_kv_v2',
    secret_store: secretStore(row.provider),
    external_ref: row.vaultRef
      ? `${row.vaultRef.mount}/${row.vaultRef.path}`
      : `browserpane:credential-bindings/${row.id}`,
    namespace: row.namespace,
    allowed_origins: row.allowedOrigins,
    injection_mode: row.injectionMode,
    totp: row.totp ?? null,
    labels: row.labels,
    kind: row.kind,
    fingerprint: row.fingerprint,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

async function fingerprint(ring: KeyRing, plaintext: Uint8Array<ArrayBuffer>): Promise<string> {
  const mac = await crypto.subtle.sign(
    'HMAC',
    await hmacKey(ring.current, FINGERPRINT_PURPOSE),
    plaintext,
  );
  return `hmac-sha256:${base64url(new Uint8Array(mac).slice(0, 16))}`;
}

export async function createBinding(
  db: Queryable,
  env: StoreSettings,
  principal: Principal,
  input: CreateInput,
  now: Date,
): Promise<CredentialBindingRow> {
  const checked = checkCreate(input);
  const store = storeFor(env, chosenProvider(env, input.provider));
  const ring = await keyRing(env);
  const id = uuidv7(now.getTime());
  const owner = { id, ownerId: principal.id, ownerIssuer: principal.issuer };
  const plaintext = new Uint8Array(new TextEncoder().encode(JSON.stringify(checked.payload)));
  const print = await fingerprint(ring, plaintext);
  plaintext.fill(0);
  const stored = await store.put(owner, checked.payload);
  const totp =
    checked.kind === 'totp' || input.totp
      ? {
          issuer: input.totp?.issuer ?? null,
          account_name: input.totp?.account_name ?? null,
          period_sec: input.totp?.period_sec ?? 30,
          digits: input.totp?.digits ?? 6,
          algorithm: input.totp?.algorithm ?? 'SHA1',
        }
      : null;
  try {
    const [row] = await db
      .insert(credentialBindings)
      .values({
        ...owner,
        name: input.name,
        kind: checked.kind,
        namespace: input.namespace ?? null,
        injectionMode: checked.injectionMode,
        allowedOrigins: checked.origins,
        totp,
        labels: input.labels ?? {},
        ...stored,
        fingerprint: print,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return row as CredentialBindingRow;
  } catch (error) {
    // The row was not written: its secret must not outlive it in an external store.
    await store.remove({ id, vaultRef: stored.vaultRef }).catch(() => {});
    const e = error as { message?: string; cause?: { message?: string; constraint_name?: string } };
    const text = `${e.message} ${e.cause?.message} ${e.cause?.constraint_name}`;
    if (/credential_bindings_owner_name_idx|duplicate key/.test(text))
      throw new AppError(
        'credential_binding_exists',
        `you already have a credential binding named ${input.name}; delete it first or pick another name`,
      );
    throw error;
  }
}

export function listBindings(db: Queryable, principal: Principal) {
  return db
    .select()
    .from(credentialBindings)
    .where(eq(credentialBindings.ownerId, principal.id))
    .orderBy(desc(credentialBindings.id))
    .limit(1000);
}

export async function loadBinding(
  db: Queryable,
  id: string,
  ownerId: string,
): Promise<CredentialBindingRow> {
  const [row] = await db
    .select()
    .from(credentialBindings)
    .where(and(eq(credentialBindings.id, id), eq(credentialBindings.ownerId, ownerId)));
  if (!row) throw bindingNotFound();
  return row;
}

/**
 * Deletes a binding and its secret. The secret goes first: a store that cannot be reached keeps
 * the binding (and the answer says so) rather than leaving a secret behind nobody can find.
 */
export async function deleteBinding(
  db: Queryable,
  env: StoreSettings,
  id: string,
  principal: Principal,
): Promise<CredentialBindingRow> {
  const found = await loadBinding(db, id, principal.id);
  await storeFor(env, found.provider).remove(found);
  const [row] = await db
    .delete(credentialBindings)
    .where(and(eq(credentialBindings.id, id), eq(credentialBindings.ownerId, principal.id)))
    .returning();
  if (!row) throw bindingNotFound();
  return row;
}

/** The binding's secret, from its store (the worker's resolution only). */
export function openSecret(env: StoreSettings, row: CredentialBindingRow): Promise<unknown> {
  return storeFor(env, row.provider).get(row);
}
