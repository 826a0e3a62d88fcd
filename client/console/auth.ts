/**
 * OIDC Authorization Code + PKCE in the browser, against whatever issuer `/auth-config.json`
 * names (the built-in dev issuer locally, your IdP in production). The access token lives in
 * sessionStorage: per tab, copied into windows this tab opens, gone when the tab closes.
 */
export interface AuthConfig {
  readonly issuer: string;
  readonly client_id: string;
  readonly audience?: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
}

export interface Session {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly name: string;
}

const TOKEN_KEY = 'bp.token';
const PKCE_KEY = 'bp.pkce';

export async function loadAuthConfig(): Promise<AuthConfig> {
  const res = await fetch('/auth-config.json');
  if (!res.ok) throw new Error(`auth configuration unavailable (${res.status})`);
  return (await res.json()) as AuthConfig;
}

export function currentSession(): Session | undefined {
  const raw = sessionStorage.getItem(TOKEN_KEY);
  if (!raw) return undefined;
  const session = JSON.parse(raw) as Session;
  if (session.expiresAt < Date.now() + 10_000) {
    sessionStorage.removeItem(TOKEN_KEY);
    return undefined;
  }
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

function redirectUri(): string {
  return `${location.origin}/`;
}

/** Sends the browser to the issuer's login page, remembering where to come back to. */
export async function signIn(config: AuthConfig): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, back: location.search }));
  const url = new URL(config.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.client_id,
    redirect_uri: redirectUri(),
    scope: 'openid profile',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    ...(config.audience ? { audience: config.audience } : {}),
  }).toString();
  location.assign(url.toString());
}

/** Completes a login when the page was opened with ?code&state; returns true if it did. */
export async function completeSignIn(config: AuthConfig): Promise<boolean> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (!code) return false;
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as {
    verifier: string;
    state: string;
    back: string;
  } | null;
  sessionStorage.removeItem(PKCE_KEY);
  if (!saved || saved.state !== params.get('state'))
    throw new Error('login state did not match; please sign in again');
  const res = await fetch(config.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: config.client_id,
      code_verifier: saved.verifier,
    }),
  });
  if (!res.ok) throw new Error(`sign-in failed (${res.status})`);
  const body = (await res.json()) as { access_token: string; expires_in?: number };
  const claims = decodeJwtPayload(body.access_token);
  const session: Session = {
    accessToken: body.access_token,
    expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000,
    name: String(claims.name ?? claims.preferred_username ?? claims.sub ?? 'you'),
  };
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session));
  history.replaceState(null, '', `/${saved.back}`);
  return true;
}

function decodeJwtPayload(token: string): Record<string, unknown> {
  try {
    const part = token.split('.')[1] ?? '';
    return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
