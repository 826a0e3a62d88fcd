// The whole BrowserPane local stack (edge + database + one in-process host agent) for the
// `browserpane` vendor's black-box cases, and the dev issuer's sign-in as a person would do it.

import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '../../../../deploy/local/stack.ts';
import { freePort } from '../../../../edge/local/index.ts';
import { seedMigratedPglite } from '../../../../edge/test/support/pglite-template.ts';

export interface BrowserPaneStack {
  stack: LocalStack;
  url: string;
  /** A person's access token from the dev issuer (Authorization Code + PKCE). */
  login(username: string, password: string): Promise<string>;
  /** A JSON call to the control-plane API. */
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/**
 * `sites`: page servers on this machine's loopback the sessions' browsers open; their ports are
 * let through the session sandbox (start them first).
 */
export async function startBrowserPaneStack(
  options: { sites?: readonly string[] } = {},
): Promise<BrowserPaneStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wb-bp-stack-'));
  // the stack's embedded database: a copy of a migrated one (saves PGlite's initdb, ≈10 s)
  await seedMigratedPglite(join(dataDir, 'pglite'));
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    relayPort: await freePort(),
    plainPort: await freePort(),
    host: 'in-process',
    hostMaxSessions: 2,
    sandboxAllowPorts: (options.sites ?? []).map((url) => Number(new URL(url).port)),
    edgeVars: { HOST_LOST_AFTER_MS: '15000' },
  });
  const url = stack.url;
  return {
    stack,
    url,
    login: (username, password) => devLogin(url, username, password),
    async api(method, path, token, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as never };
    },
    async stop() {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function devLogin(edgeUrl: string, username: string, password: string): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const params = {
    response_type: 'code',
    client_id: 'browserpane-console',
    redirect_uri: `${edgeUrl}/`,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
    scope: 'openid profile',
  };
  const form = await fetch(`${edgeUrl}/dev-oidc/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...params, username, password }),
    redirect: 'manual',
  });
  const code = new URL(form.headers.get('location') ?? 'x:/').searchParams.get('code');
  if (!code) throw new Error(`sign-in answered ${form.status}`);
  const res = await fetch(`${edgeUrl}/dev-oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: params.redirect_uri,
      client_id: params.client_id,
      code_verifier: verifier,
    }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`token exchange failed (${res.status})`);
  return body.access_token;
}
