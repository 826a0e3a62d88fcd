/** Health, keys, sign-in settings and the development OIDC issuer. */
import { z } from '../fields.ts';
import { named } from '../registry.ts';

export const Health = named('Health', z.object({ status: z.literal('ok') }));

export const Readiness = named(
  'Readiness',
  z.object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({
      database: z.enum(['ok', 'unreachable']),
      migrations: z.enum(['current', 'pending', 'unknown']),
    }),
    expected_migration: z.string().nullable(),
  }),
);

export const Jwks = named(
  'Jwks',
  z.object({
    keys: z.array(
      z.object({
        kty: z.literal('OKP'),
        crv: z.literal('Ed25519'),
        x: z.string(),
        kid: z.string(),
        alg: z.literal('EdDSA'),
        use: z.literal('sig'),
      }),
    ),
  }),
);

export const AuthConfig = named(
  'AuthConfig',
  z.object({
    issuer: z.string(),
    client_id: z.string(),
    audience: z.string(),
    authorization_endpoint: z.string().nullable(),
    token_endpoint: z.string().nullable(),
    mcp_bridge_url: z.string().optional().meta({
      description:
        'The MCP bridge the console can delegate a session to (`MCP_BRIDGE_URL`); absent when none is configured.',
    }),
  }),
);

export const OidcDiscovery = named(
  'OidcDiscovery',
  z.looseObject({
    issuer: z.string(),
    authorization_endpoint: z.string(),
    token_endpoint: z.string(),
    jwks_uri: z.string(),
    grant_types_supported: z.array(z.string()).optional(),
    code_challenge_methods_supported: z.array(z.string()).optional(),
  }),
);

export const TokenResponse = named(
  'TokenResponse',
  z.object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.int(),
    scope: z.string(),
    id_token: z.string().optional(),
  }),
);

export const OAuthError = named(
  'OAuthError',
  z.object({
    error: z.enum(['invalid_request', 'invalid_client', 'invalid_grant', 'unsupported_grant_type']),
    error_description: z.string(),
  }),
);

export const AuthorizeQuery = z.object({
  response_type: z.literal('code'),
  client_id: z.string(),
  redirect_uri: z.string().meta({ description: "on the edge's own origin" }),
  code_challenge: z.string(),
  code_challenge_method: z.literal('S256'),
  state: z.string().optional(),
  scope: z.string().optional(),
  nonce: z.string().optional(),
});

export const SignInForm = AuthorizeQuery.extend({ username: z.string(), password: z.string() });

export const TokenForm = z.object({
  grant_type: z.enum(['authorization_code', 'client_credentials']),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  client_id: z.string().optional(),
  code_verifier: z.string().optional(),
  client_secret: z.string().optional().meta({ description: 'or HTTP Basic' }),
});
