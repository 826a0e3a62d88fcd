/** Health, keys, the documents, the console and the development OIDC issuer. */
import { z } from '../fields.ts';
import { route } from '../route.ts';
import {
  AuthConfig,
  AuthorizeQuery,
  Health,
  Jwks,
  OAuthError,
  OidcDiscovery,
  Readiness,
  SignInForm,
  TokenForm,
  TokenResponse,
} from '../schemas/platform.ts';

const platform = 'platform';
const identity = 'identity';
const html = (description: string) => ({ description, contentType: 'text/html' });

export const healthz = route({
  operationId: 'healthz',
  method: 'get',
  path: '/healthz',
  tag: platform,
  summary: 'Liveness',
  auth: 'none',
  responses: { 200: { description: 'The worker runs.', schema: Health } },
  errors: [],
});

export const readyz = route({
  operationId: 'readyz',
  method: 'get',
  path: '/readyz',
  tag: platform,
  summary: 'Readiness (database reachable, migrations current)',
  auth: 'none',
  responses: {
    200: { description: 'Ready.', schema: Readiness },
    503: {
      description: 'Not ready (database unreachable or migrations pending).',
      schema: Readiness,
    },
  },
  errors: [],
});

export const getMetrics = route({
  operationId: 'getMetrics',
  method: 'get',
  path: '/metrics',
  tag: platform,
  summary: 'Metrics (Prometheus text format)',
  description:
    'Requests by route pattern and their latency, connect tickets minted by role, placements, and the queue depth, for `Authorization: Bearer <METRICS_TOKEN>` or the operator token. Counted per isolate (each isolate reports what it served).',
  auth: 'operator',
  responses: {
    200: {
      description: 'The Prometheus text exposition (version 0.0.4).',
      contentType: 'text/plain',
    },
  },
  errors: ['unauthorized'],
});

export const getTicketJwks = route({
  operationId: 'getTicketJwks',
  method: 'get',
  path: '/.well-known/jwks.json',
  tag: platform,
  summary: 'Public keys of connect tickets',
  description:
    'The current signing key and previous keys still in rotation (kept until tickets signed with them have expired).',
  auth: 'none',
  responses: { 200: { description: 'A JWK set.', schema: Jwks } },
  errors: [],
});

export const getOpenApi = route({
  operationId: 'getOpenApi',
  method: 'get',
  path: '/openapi.yaml',
  tag: platform,
  summary: 'This document',
  auth: 'none',
  responses: { 200: { description: 'The OpenAPI document.', contentType: 'application/yaml' } },
  errors: [],
});

export const getApiDocs = route({
  operationId: 'getApiDocs',
  method: 'get',
  path: '/api/docs',
  tag: platform,
  summary: 'API reference page (rendered from this document)',
  auth: 'none',
  responses: { 200: html('A self-contained HTML page.') },
  errors: [],
});

export const getAuthConfig = route({
  operationId: 'getAuthConfig',
  method: 'get',
  path: '/auth-config.json',
  tag: identity,
  summary: 'OIDC settings for browser apps (Authorization Code + PKCE, public client)',
  auth: 'none',
  responses: { 200: { description: "The console's sign-in configuration.", schema: AuthConfig } },
  errors: [],
});

export const getConsoleRoot = route({
  operationId: 'getConsoleRoot',
  method: 'get',
  path: '/',
  tag: platform,
  summary: 'The console (static files from the ASSETS binding)',
  description: 'Without an ASSETS binding, a small page saying the console is not built.',
  auth: 'none',
  responses: { 200: html('HTML.') },
  errors: [],
});

export const getConsole = route({
  operationId: 'getConsole',
  method: 'get',
  path: '/console',
  tag: platform,
  summary: 'The console',
  auth: 'none',
  responses: { 200: html('HTML.') },
  errors: [],
});

export const getConsoleFile = route({
  operationId: 'getConsoleFile',
  method: 'get',
  path: '/console/{path}',
  tag: platform,
  summary: 'Console static files',
  auth: 'none',
  params: z.object({
    path: z.string().meta({ description: 'Any path below /console/ (static files).' }),
  }),
  responses: {
    200: { description: 'The file (or the not-built page without ASSETS).', contentType: '*/*' },
  },
  errors: ['not_found'],
});

export const devOidcDiscovery = route({
  operationId: 'devOidcDiscovery',
  method: 'get',
  path: '/dev-oidc/.well-known/openid-configuration',
  tag: identity,
  summary: 'Development issuer discovery (DEV_OIDC=1 only; 404 otherwise)',
  auth: 'none',
  responses: { 200: { description: 'OpenID provider metadata.', schema: OidcDiscovery } },
  errors: ['not_found'],
});

export const devOidcJwks = route({
  operationId: 'devOidcJwks',
  method: 'get',
  path: '/dev-oidc/jwks.json',
  tag: identity,
  summary: 'Development issuer keys',
  auth: 'none',
  responses: { 200: { description: 'A JWK set.', schema: Jwks } },
  errors: ['not_found'],
});

export const devOidcAuthorize = route({
  operationId: 'devOidcAuthorize',
  method: 'get',
  path: '/dev-oidc/authorize',
  tag: identity,
  summary: 'Sign-in page (Authorization Code + PKCE S256)',
  auth: 'none',
  query: AuthorizeQuery,
  responses: {
    200: html('The sign-in form.'),
    400: html('An invalid authorization request (HTML page; never redirects to an unchecked URI).'),
  },
  errors: ['not_found'],
});

export const devOidcSignIn = route({
  operationId: 'devOidcSignIn',
  method: 'post',
  path: '/dev-oidc/authorize',
  tag: identity,
  summary: 'Submit the sign-in form',
  auth: 'none',
  body: {
    raw: true,
    contentType: 'application/x-www-form-urlencoded',
    description: 'The sign-in form.',
    schema: SignInForm,
  },
  responses: {
    302: { description: 'Redirect to `redirect_uri` with `code`, `state` and `iss`.' },
    400: html('An invalid request (HTML page).'),
    401: html('Wrong username or password (the form again).'),
  },
  errors: ['not_found'],
});

export const devOidcToken = route({
  operationId: 'devOidcToken',
  method: 'post',
  path: '/dev-oidc/token',
  tag: identity,
  summary:
    'Token endpoint (authorization_code with PKCE; client_credentials for service principals)',
  description:
    'Errors follow RFC 6749 §5.2 (`{ error, error_description }`), as OAuth clients expect.',
  auth: 'none',
  body: {
    raw: true,
    contentType: 'application/x-www-form-urlencoded',
    description: 'The token request.',
    schema: TokenForm,
  },
  responses: {
    200: { description: 'Tokens.', schema: TokenResponse },
    400: { description: 'An OAuth error.', schema: OAuthError },
    401: { description: 'Client authentication failed.', schema: OAuthError },
  },
  errors: ['not_found'],
});
