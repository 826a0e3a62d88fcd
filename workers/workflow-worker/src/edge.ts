/**
 * The edge as the worker talks to it: the typed client of `@browserpane/api` with the worker's
 * client-credentials token (renewed before it expires, or when the edge answers 401).
 */
import { type Api, createApi } from '@browserpane/api';
import type { WorkerConfig } from './config.ts';

export type { Api };

export function edgeApi(
  config: Pick<WorkerConfig, 'apiUrl' | 'clientId' | 'clientSecret' | 'tokenUrl'>,
): {
  api: Api;
  token: () => Promise<string>;
} {
  let cached: { value: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const plain = createApi({ baseUrl: config.apiUrl });
  const fetchToken = async (): Promise<string> => {
    const endpoint =
      config.tokenUrl ?? (await plain.getAuthConfig(undefined, { token: null })).token_endpoint;
    if (!endpoint) throw new Error('no token endpoint: set WORKFLOW_WORKER_TOKEN_URL');
    const basic = Buffer.from(
      `${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`,
    ).toString('base64');
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
    };
    if (!res.ok || !body.access_token)
      throw new Error(
        `the token endpoint refused the worker's client credentials (HTTP ${res.status})`,
      );
    cached = {
      value: body.access_token,
      renewAt: Date.now() + Math.max(10, (body.expires_in ?? 300) - 60) * 1000,
    };
    return body.access_token;
  };
  const token = async (renew = false): Promise<string> => {
    if (renew) cached = undefined;
    if (cached && Date.now() < cached.renewAt) return cached.value;
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  return { api: createApi({ baseUrl: config.apiUrl, token }), token: () => token() };
}
