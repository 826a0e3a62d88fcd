/**
 * The optional HashiCorp Vault / OpenBao KV v2 backend's settings, from the edge's bindings:
 * `VAULT_ADDR` turns it on (new bindings keep their secret there), `VAULT_TOKEN` (a secret) is
 * what the edge presents, `VAULT_KV_MOUNT` the KV v2 engine's mount (default `secret`),
 * `VAULT_NAMESPACE` the namespace header (Vault Enterprise / OpenBao namespaces; unset: none) and
 * `VAULT_PATH_PREFIX` the path under the mount that holds one secret per binding (default
 * `browserpane/credentials`).
 */
import { AppError } from '../../../errors.ts';

export interface VaultEnv {
  VAULT_ADDR?: string;
  VAULT_TOKEN?: string;
  VAULT_KV_MOUNT?: string;
  VAULT_NAMESPACE?: string;
  VAULT_PATH_PREFIX?: string;
}

export interface VaultSettings {
  /** Base URL without trailing slash, e.g. `https://vault.example.com:8200`. */
  addr: string;
  token: string;
  mount: string;
  namespace: string | null;
  prefix: string;
}

const SEGMENTS = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

function value(raw: unknown): string {
  return raw === undefined || raw === null ? '' : String(raw).trim();
}

function path(raw: unknown, name: string, fallback: string): string {
  const v = value(raw).replace(/^\/+|\/+$/g, '') || fallback;
  if (!SEGMENTS.test(v) || v.split('/').some((s) => s === '.' || s === '..'))
    throw new AppError(
      'config_invalid',
      `configuration variable ${name} must be a path of letters, digits and . _ - separated by /`,
    );
  return v;
}

/** The Vault backend's settings; null when `VAULT_ADDR` is unset (secrets stay in Postgres). */
export function vaultSettings(env: VaultEnv): VaultSettings | null {
  const addr = value(env.VAULT_ADDR);
  if (!addr) return null;
  let url: URL;
  try {
    url = new URL(addr);
  } catch {
    throw new AppError(
      'config_invalid',
      'configuration variable VAULT_ADDR must be an absolute URL',
    );
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password)
    throw new AppError(
      'config_invalid',
      'configuration variable VAULT_ADDR must be an http(s) URL without credentials',
    );
  const token = value(env.VAULT_TOKEN);
  if (!token)
    throw new AppError(
      'credential_store_unavailable',
      'VAULT_ADDR is set but the VAULT_TOKEN secret is not: the edge cannot reach the credential store',
    );
  return {
    addr: url.href.replace(/\/+$/, ''),
    token,
    mount: path(env.VAULT_KV_MOUNT, 'VAULT_KV_MOUNT', 'secret'),
    namespace: value(env.VAULT_NAMESPACE) || null,
    prefix: path(env.VAULT_PATH_PREFIX, 'VAULT_PATH_PREFIX', 'browserpane/credentials'),
  };
}
