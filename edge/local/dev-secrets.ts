import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';

/** Secrets the edge needs, generated for local runs (never for production). */
export interface DevSecrets {
  TICKET_SIGNING_KEY: string;
  DEV_OIDC_SIGNING_KEY: string;
  CREDENTIALS_KEK: string;
  HOST_ENROLLMENT_TOKEN: string;
  OPERATOR_TOKEN: string;
  /** JSON: service principal client id → secret, for the dev issuer's client-credentials grant. */
  DEV_OIDC_CLIENT_SECRETS: string;
}

export const DEV_SERVICE_CLIENTS = ['mcp-bridge', 'workflow-worker', 'recording-worker'] as const;

const FILE = 'edge-dev-secrets.json';

/** A fresh Ed25519 private JWK (with its RFC 7638 thumbprint as kid), as a JSON string. */
export async function generateEd25519Jwk(): Promise<string> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x } as JWK);
  return JSON.stringify({ ...jwk, kid, alg: 'EdDSA' });
}

function token(): string {
  return randomBytes(32).toString('base64url');
}

async function generate(): Promise<DevSecrets> {
  return {
    TICKET_SIGNING_KEY: await generateEd25519Jwk(),
    DEV_OIDC_SIGNING_KEY: await generateEd25519Jwk(),
    CREDENTIALS_KEK: token(),
    HOST_ENROLLMENT_TOKEN: `bpe_${token()}`,
    OPERATOR_TOKEN: `bpo_${token()}`,
    DEV_OIDC_CLIENT_SECRETS: JSON.stringify(
      Object.fromEntries(DEV_SERVICE_CLIENTS.map((id) => [id, `bps_${token()}`])),
    ),
  };
}

/**
 * Dev secrets for a local edge: read from `<dataDir>/edge-dev-secrets.json` when present (so
 * tickets and tokens survive restarts), else generated and written there (mode 0600).
 * Without a dataDir they are generated in memory.
 */
export async function devSecrets(dataDir?: string): Promise<DevSecrets> {
  if (!dataDir) return generate();
  const path = join(dataDir, FILE);
  if (existsSync(path)) {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Partial<DevSecrets>;
    const fresh = await generate();
    const merged = { ...fresh, ...stored };
    if (Object.keys(stored).length !== Object.keys(merged).length)
      writeFileSync(path, JSON.stringify(merged, null, 2), { mode: 0o600 });
    return merged;
  }
  mkdirSync(dataDir, { recursive: true });
  const secrets = await generate();
  writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
