/**
 * A thin KV v2 client over `fetch` (Vault's and OpenBao's documented HTTP API): write a version
 * (`POST /v1/{mount}/data/{path}` with `{ data }`), read the latest
 * (`GET /v1/{mount}/data/{path}` → `{ data: { data, metadata } }`), delete every version and the
 * metadata (`DELETE /v1/{mount}/metadata/{path}`). The token travels only in `X-Vault-Token`;
 * no error this module raises names it.
 */
import { AppError } from '../../../errors.ts';
import type { VaultSettings } from './settings.ts';

const TIMEOUT_MS = 10_000;

function segments(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Vault's `{ "errors": [...] }`, shortened, or the status alone. */
async function vaultErrors(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const errors = (JSON.parse(text) as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0)
      return errors.map(String).join('; ').slice(0, 300);
  } catch {}
  return `HTTP ${res.status}`;
}

export class Kv2Client {
  constructor(private readonly settings: VaultSettings) {}

  /** `{mount}/{path}`, as the API shows it and an operator finds it (`vault kv get`). */
  where(path: string): string {
    return `${this.settings.mount}/${path}`;
  }

  private async call(
    method: 'GET' | 'POST' | 'DELETE',
    kind: 'data' | 'metadata',
    path: string,
    body?: unknown,
  ): Promise<Response> {
    const { addr, token, mount, namespace } = this.settings;
    const headers: Record<string, string> = { 'x-vault-token': token };
    if (namespace) headers['x-vault-namespace'] = namespace;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${addr}/v1/${segments(mount)}/${kind}/${segments(path)}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (cause) {
      const reason =
        cause instanceof Error && cause.name === 'TimeoutError'
          ? `no answer within ${TIMEOUT_MS / 1000} s`
          : 'the connection failed';
      throw new AppError(
        'credential_store_unavailable',
        `the credential store (Vault at ${addr}) could not be reached: ${reason}; try again shortly`,
      );
    }
    if (res.status === 401 || res.status === 403)
      throw new AppError(
        'credential_store_forbidden',
        `the credential store (Vault at ${addr}) refused the edge's token (${await vaultErrors(res)}): an operator checks VAULT_TOKEN and its policy on ${mount}/${kind}/${this.settings.prefix}/*`,
      );
    if (res.status >= 500 || res.status === 429)
      throw new AppError(
        'credential_store_unavailable',
        `the credential store (Vault at ${addr}) is unavailable (${await vaultErrors(res)}); try again shortly`,
      );
    return res;
  }

  private async refused(res: Response, what: string, path: string): Promise<AppError> {
    return new AppError(
      'credential_store_unavailable',
      `the credential store (Vault at ${this.settings.addr}) refused to ${what} ${this.where(path)}: ${await vaultErrors(res)} (is ${this.settings.mount} a KV v2 mount?)`,
    );
  }

  /** Writes the first version; an existing secret at `path` is not overwritten (`cas: 0`). */
  async create(path: string, data: Record<string, unknown>): Promise<number> {
    const res = await this.call('POST', 'data', path, { options: { cas: 0 }, data });
    if (!res.ok) throw await this.refused(res, 'store a secret at', path);
    const body = (await res.json().catch(() => null)) as { data?: { version?: number } } | null;
    return body?.data?.version ?? 1;
  }

  /** The latest version's data; null when there is none (never written, deleted or destroyed). */
  async read(path: string): Promise<Record<string, unknown> | null> {
    const res = await this.call('GET', 'data', path);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) throw await this.refused(res, 'read the secret at', path);
    const body = (await res.json().catch(() => null)) as {
      data?: { data?: Record<string, unknown> | null };
    } | null;
    return body?.data?.data ?? null;
  }

  /** Removes every version and the metadata; a path that holds nothing is fine. */
  async destroyAll(path: string): Promise<void> {
    const res = await this.call('DELETE', 'metadata', path);
    if (!res.ok && res.status !== 404) throw await this.refused(res, 'delete the secret at', path);
    await res.body?.cancel();
  }
}
