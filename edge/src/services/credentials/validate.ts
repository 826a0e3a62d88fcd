/**
 * What a credential binding may hold: the secret's shape per kind, the kind/injection-mode pairs
 * that make sense, and allowed origins (absolute http(s) origins, nothing else).
 */
import {
  type CreateCredentialBindingRequest,
  describeIssue,
  errorMap,
  integer,
  text,
  z,
} from '@browserpane/api/contract';
import type { CredentialKind, InjectionMode } from '../../db/schema/index.ts';
import { AppError } from '../../errors.ts';

export type CreateInput = z.output<typeof CreateCredentialBindingRequest>;

const PAYLOAD_LIMIT = 32 * 1024;

const cookie = z.strictObject({
  name: text({ min: 1, max: 256, pattern: /^[^\s;=,]+$/, hint: 'a cookie name' }),
  value: text({ max: 4096 }),
  path: text({ min: 1, max: 1024, pattern: /^\//, hint: 'a path starting with /' }).optional(),
  domain: text({ min: 1, max: 253 }).optional(),
  secure: z.boolean().optional(),
  http_only: z.boolean().optional(),
  same_site: z.enum(['Strict', 'Lax', 'None']).optional(),
  expires: integer(0, 32_503_680_000).optional(),
});

const storage = z.record(text({ min: 1, max: 1024 }), text({ max: 64 * 1024 }), {
  error: 'must be an object of string → string',
});

const BASE32 = /^[A-Z2-7]+=*$/;

export const PAYLOADS: Record<CredentialKind, z.ZodType> = {
  password: z.strictObject({
    username: text({ max: 1024 }),
    password: text({ min: 1, max: 4096 }),
  }),
  secret: z.strictObject({ value: text({ min: 1, max: 16 * 1024 }) }),
  cookies: z.strictObject({ cookies: z.array(cookie).min(1).max(100) }),
  storage: z
    .strictObject({ local_storage: storage.optional(), session_storage: storage.optional() })
    .refine((s) => s.local_storage || s.session_storage, {
      error: 'needs local_storage or session_storage',
    }),
  totp: z.strictObject({
    seed: z
      .string()
      .transform((s) => s.replace(/[\s-]/g, '').toUpperCase())
      .pipe(
        text({ min: 16, max: 256, pattern: BASE32, hint: 'a base32 seed (RFC 4648, A–Z 2–7)' }),
      ),
  }),
};

const MODE_OF: Record<CredentialKind, InjectionMode> = {
  password: 'form_fill',
  secret: 'read',
  cookies: 'cookie_seed',
  storage: 'storage_seed',
  totp: 'totp_fill',
};
const KIND_OF: Record<InjectionMode, CredentialKind> = {
  form_fill: 'password',
  read: 'secret',
  cookie_seed: 'cookies',
  storage_seed: 'storage',
  totp_fill: 'totp',
};

function invalid(message: string): AppError {
  return new AppError('validation_failed', message);
}

/** `https://Example.com:443/` → `https://example.com`; anything but a bare http(s) origin is refused. */
export function normalizeOrigin(raw: string, where: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`${where} must be an absolute URL such as https://login.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(`${where} must be an http or https origin`);
  if (url.username || url.password) throw invalid(`${where} must not carry credentials`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash)
    throw invalid(`${where} must be an origin only (scheme://host[:port]), without path or query`);
  return url.origin;
}

export interface CheckedInput {
  kind: CredentialKind;
  injectionMode: InjectionMode;
  origins: string[];
  payload: unknown;
}

/** Checks a create request beyond its schema; answers the secret as it will be stored. */
export function checkCreate(input: CreateInput): CheckedInput {
  if (input.external_ref)
    throw new AppError(
      'credential_provider_unsupported',
      'external_ref names an existing secret in an external provider, which this edge does not read; send secret_payload instead (with the Vault backend the edge writes it to Vault itself)',
    );
  const kind = input.kind ?? (input.injection_mode ? KIND_OF[input.injection_mode] : undefined);
  if (!kind) throw invalid('body needs kind or injection_mode (what the secret is for)');
  const injectionMode = input.injection_mode ?? MODE_OF[kind];
  if (injectionMode !== 'read' && MODE_OF[kind] !== injectionMode)
    throw invalid(
      `body.injection_mode ${injectionMode} does not fit a ${kind} secret (use ${MODE_OF[kind]} or read)`,
    );
  const origins = [
    ...new Set(
      (input.allowed_origins ?? []).map((o, i) => normalizeOrigin(o, `body.allowed_origins[${i}]`)),
    ),
  ];
  if (injectionMode !== 'read' && origins.length === 0)
    throw invalid(
      `body.allowed_origins needs at least one origin: ${injectionMode} uses the secret only on pages of those origins`,
    );
  if (input.secret_payload === undefined || input.secret_payload === null)
    throw invalid(`body.secret_payload is required (a ${kind} secret)`);
  if (new TextEncoder().encode(JSON.stringify(input.secret_payload)).byteLength > PAYLOAD_LIMIT)
    throw new AppError(
      'payload_too_large',
      `body.secret_payload must be at most ${PAYLOAD_LIMIT} bytes as JSON`,
    );
  const parsed = (PAYLOADS[kind] as z.ZodType).safeParse(input.secret_payload, { error: errorMap });
  if (!parsed.success)
    throw invalid(describeIssue('body.secret_payload', parsed.error.issues, input.secret_payload));
  if (kind === 'cookies')
    for (const c of (parsed.data as { cookies: { domain?: string }[] }).cookies)
      if (c.domain && !origins.some((o) => domainMatches(new URL(o).hostname, c.domain as string)))
        throw invalid(
          `body.secret_payload cookie domain ${c.domain} matches none of allowed_origins`,
        );
  return { kind, injectionMode, origins, payload: parsed.data };
}

/** RFC 6265 domain-match of a host against a cookie's Domain attribute. */
export function domainMatches(host: string, domain: string): boolean {
  const d = domain.replace(/^\./, '').toLowerCase();
  return host === d || host.endsWith(`.${d}`);
}
