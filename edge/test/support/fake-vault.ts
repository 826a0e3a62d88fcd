/**
 * A loopback stand-in for HashiCorp Vault / OpenBao's KV v2 HTTP API (a vendor we cannot reach
 * here), following its documented contract: `X-Vault-Token` checked on every request (403
 * `{"errors":["permission denied"]}` otherwise), `POST /v1/{mount}/data/{path}` with
 * `{ data, options?: { cas } }` adds a version (`cas` 0: only when none exists, 400 otherwise),
 * `GET /v1/{mount}/data/{path}` answers the latest `{ data: { data, metadata } }` (404
 * `{"errors":[]}` when there is none), `DELETE /v1/{mount}/metadata/{path}` removes every version
 * and the metadata (204, also when nothing was there). A path outside the mount is 404 as Vault's
 * "no handler for route".
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Version {
  data: Record<string, unknown>;
  created_time: string;
}

export interface SeenRequest {
  method: string;
  path: string;
  token: string | undefined;
  namespace: string | undefined;
}

export interface FakeVault {
  url: string;
  token: string;
  /** Every secret by `{mount}/{path}`: its versions, oldest first. */
  secrets: Map<string, Version[]>;
  requests: SeenRequest[];
  /** Stops answering (the port closes); `start` opens it again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

function send(res: ServerResponse, status: number, body?: unknown) {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
}

export async function startFakeVault(
  options: { token?: string; mount?: string; namespace?: string } = {},
): Promise<FakeVault> {
  const token = options.token ?? `hvs.fake-${Math.random().toString(36).slice(2)}`;
  const mount = options.mount ?? 'secret';
  const secrets = new Map<string, Version[]>();
  const requests: SeenRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://vault').pathname);
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    requests.push({
      method: req.method ?? '',
      path,
      token: header('x-vault-token'),
      namespace: header('x-vault-namespace'),
    });
    if (header('x-vault-token') !== token) return send(res, 403, { errors: ['permission denied'] });
    if (options.namespace && header('x-vault-namespace') !== options.namespace)
      return send(res, 403, { errors: ['permission denied'] });
    const m = /^\/v1\/(.+?)\/(data|metadata)\/(.+)$/.exec(path);
    if (!m || m[1] !== mount)
      return send(res, 404, { errors: [`no handler for route "${path.slice(4)}"`] });
    const [, , kind, key] = m as unknown as [string, string, string, string];
    const id = `${mount}/${key}`;
    if (kind === 'data' && req.method === 'POST') {
      const body = (await readJson(req)) as {
        data?: unknown;
        options?: { cas?: number };
      } | null;
      if (!body || typeof body.data !== 'object' || body.data === null || Array.isArray(body.data))
        return send(res, 400, { errors: ['no data provided'] });
      const versions = secrets.get(id) ?? [];
      if (body.options?.cas !== undefined && body.options.cas !== versions.length)
        return send(res, 400, {
          errors: ['check-and-set parameter did not match the current version'],
        });
      versions.push({
        data: body.data as Record<string, unknown>,
        created_time: new Date().toISOString(),
      });
      secrets.set(id, versions);
      return send(res, 200, {
        data: {
          created_time: versions.at(-1)?.created_time,
          custom_metadata: null,
          deletion_time: '',
          destroyed: false,
          version: versions.length,
        },
      });
    }
    if (kind === 'data' && req.method === 'GET') {
      const versions = secrets.get(id);
      const latest = versions?.at(-1);
      if (!versions || !latest) return send(res, 404, { errors: [] });
      return send(res, 200, {
        data: {
          data: latest.data,
          metadata: {
            created_time: latest.created_time,
            custom_metadata: null,
            deletion_time: '',
            destroyed: false,
            version: versions.length,
          },
        },
      });
    }
    if (kind === 'metadata' && req.method === 'DELETE') {
      secrets.delete(id);
      return send(res, 204);
    }
    return send(res, 405, { errors: ['unsupported operation'] });
  }

  let server: Server | null = null;
  let port = 0;
  const vault: FakeVault = {
    url: '',
    token,
    secrets,
    requests,
    async start() {
      const s = createServer((req, res) => {
        handle(req, res).catch((e) => send(res, 500, { errors: [String(e)] }));
      });
      await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
      port = (s.address() as AddressInfo).port;
      vault.url = `http://127.0.0.1:${port}`;
      server = s;
    },
    async stop() {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await vault.start();
  return vault;
}
