import { createHash, randomBytes } from 'node:crypto';

/** Signs in as `demo` through the dev issuer (Authorization Code + PKCE). */
export async function login(edgeUrl: string): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const params = {
    response_type: 'code',
    client_id: 'browserpane-console',
    redirect_uri: `${edgeUrl}/console/callback`,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  };
  const form = await fetch(`${edgeUrl}/dev-oidc/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...params, username: 'demo', password: 'demo-demo' }),
    redirect: 'manual',
  });
  const code = new URL(form.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const res = await fetch(`${edgeUrl}/dev-oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: params.redirect_uri,
      client_id: 'browserpane-console',
      code_verifier: verifier,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Just enough of a host to have sessions placed and running. */
export class HostDriverLite {
  id = '';
  credential = '';
  constructor(private readonly url: string) {}

  async enroll(token: string, maxSessions: number) {
    const res = await fetch(`${this.url}/api/v1/hosts/enroll`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'bench-host',
        region: 'local',
        capacity: { max_sessions: maxSessions },
        relay_url: 'https://127.0.0.1:4433',
        cert_sha256: 'ab'.repeat(32),
        agent_version: 'bench',
      }),
    });
    const body = (await res.json()) as { host_id: string; host_credential: string };
    this.id = body.host_id;
    this.credential = body.host_credential;
  }

  async beat(sessionIds: string[]) {
    const res = await fetch(`${this.url}/api/v1/hosts/${this.id}/heartbeat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        capacity: { max_sessions: sessionIds.length, free_sessions: 0 },
        load: { cpu_percent: 0, memory_available_mb: 1024 },
        region: 'local',
        relay_url: 'https://127.0.0.1:4433',
        cert_sha256: 'ab'.repeat(32),
        runtimes: sessionIds.map((session_id) => ({
          session_id,
          state: 'running',
          restarts: 0,
          display: { width: 1280, height: 720 },
        })),
        connections: [],
        events: [],
        acked_commands: [],
      }),
    });
    if (res.status !== 200) throw new Error(`heartbeat answered ${res.status}`);
  }
}
