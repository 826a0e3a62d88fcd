import type { Env } from '../../env.ts';
import { AppError } from '../../errors.ts';
import { diskStore } from './disk-store.ts';
import { r2Store } from './r2-store.ts';
import { s3Store } from './s3-store.ts';
import type { ArtifactStore } from './store.ts';

const stores = new WeakMap<Env, ArtifactStore | null>();

function setting(value: string | undefined | null): string | null {
  return value === undefined || value === null || value === '' ? null : value;
}

function s3FromEnv(env: Env): ArtifactStore | null {
  const bucketUrl = setting(env.ARTIFACTS_S3_URL);
  if (!bucketUrl) return null;
  const accessKeyId = setting(env.ARTIFACTS_S3_ACCESS_KEY_ID);
  const secretAccessKey = setting(env.ARTIFACTS_S3_SECRET_ACCESS_KEY);
  if (!accessKeyId || !secretAccessKey)
    throw new AppError(
      'config_invalid',
      'ARTIFACTS_S3_URL is set but ARTIFACTS_S3_ACCESS_KEY_ID or ARTIFACTS_S3_SECRET_ACCESS_KEY is not',
    );
  try {
    new URL(bucketUrl);
  } catch {
    throw new AppError(
      'config_invalid',
      'configuration variable ARTIFACTS_S3_URL must be an absolute URL',
    );
  }
  return s3Store({
    bucketUrl,
    region: setting(env.ARTIFACTS_S3_REGION) ?? 'us-east-1',
    accessKeyId,
    secretAccessKey,
  });
}

/**
 * The deployment's artifact store, chosen once per isolate: an S3-compatible bucket when
 * `ARTIFACTS_S3_URL` is set, else the R2 binding `ARTIFACTS`, else the workerd disk service
 * `ARTIFACTS_DISK`; null when the edge has none.
 */
export function artifactStore(env: Env): ArtifactStore | null {
  if (stores.has(env)) return stores.get(env) ?? null;
  const store =
    s3FromEnv(env) ??
    (env.ARTIFACTS ? r2Store(env.ARTIFACTS) : null) ??
    (env.ARTIFACTS_DISK ? diskStore(env.ARTIFACTS_DISK) : null);
  stores.set(env, store);
  return store;
}

/** The store, or a clear 503 for routes that need one on an edge configured without. */
export function requireArtifactStore(env: Env): ArtifactStore {
  const store = artifactStore(env);
  if (!store)
    throw new AppError(
      'artifact_store_unavailable',
      'this edge has no artifact store: bind ARTIFACTS (R2), ARTIFACTS_DISK (workerd) or set ARTIFACTS_S3_URL',
    );
  return store;
}
