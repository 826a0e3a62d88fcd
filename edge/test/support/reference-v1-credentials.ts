import type { Spec } from './reference-v1.ts';

/**
 * The reference's credential binding answers (digest §11.A, §8.A `credential_bindings[]`), written
 * from the digest: every required member with its type and the enum values its clients accept.
 */
const INJECTION = ['form_fill', 'cookie_seed', 'storage_seed', 'totp_fill'] as const;
const PROVIDER = ['vault_kv_v2'] as const;

const TOTP: Spec = {
  totp: 'object?',
  'totp.period_sec': 'int>=1?',
  'totp.digits': 'int>=1?',
};

export const CREDENTIAL_BINDING: Spec = {
  id: 'uuid',
  project_id: 'uuid?',
  project: 'object?',
  name: 'string',
  provider: PROVIDER,
  external_ref: 'string',
  namespace: 'string?',
  allowed_origins: 'array',
  injection_mode: INJECTION,
  ...TOTP,
  labels: 'map',
  created_at: 'date-time',
  updated_at: 'date-time',
};

export const CREDENTIAL_BINDING_LIST: Spec = {
  credential_bindings: 'array',
  ...Object.fromEntries(
    Object.entries(CREDENTIAL_BINDING).map(([k, v]) => [`credential_bindings[].${k}`, v]),
  ),
};

/** The run resource's granted bindings (no secret; `resolve_path` names where the worker gets it). */
export const RUN_CREDENTIAL_BINDINGS: Spec = {
  credential_bindings: 'array',
  'credential_bindings[].id': 'uuid',
  'credential_bindings[].project_id': 'uuid?',
  'credential_bindings[].name': 'string',
  'credential_bindings[].provider': PROVIDER,
  'credential_bindings[].namespace': 'string?',
  'credential_bindings[].allowed_origins': 'array',
  'credential_bindings[].injection_mode': INJECTION,
  'credential_bindings[].totp': 'object?',
  'credential_bindings[].resolve_path': 'string',
};
