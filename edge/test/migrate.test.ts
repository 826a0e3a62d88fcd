import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEdge, startEdge } from '../local/edge.ts';
import { MIGRATIONS_DIR, migrate } from '../local/migrate.ts';
import { type RunningDatabase, startPglite } from '../local/pglite.ts';

const EDGE = join(import.meta.dirname, '..');

describe('migrations and readiness', () => {
  let db: RunningDatabase;
  let edge: RunningEdge;
  const logs: string[] = [];
  beforeAll(async () => {
    db = await startPglite({ dataDir: 'memory://' });
    edge = await startEdge({
      databaseUrl: db.url,
      cronIntervalMs: 0,
      log: (line) => logs.push(line),
    });
  });
  afterAll(async () => {
    await edge?.stop();
    await db?.stop();
  });

  it('is live but not ready before migrations, ready after', async () => {
    expect((await fetch(`${edge.url}/healthz`)).status).toBe(200);
    const before = await fetch(`${edge.url}/readyz`);
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({
      status: 'not_ready',
      checks: { database: 'ok', migrations: 'pending' },
    });
    const lines: string[] = [];
    const journal = JSON.parse(
      readFileSync(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8'),
    ) as {
      entries: Array<{ tag: string }>;
    };
    const tags = journal.entries.map((e) => e.tag);
    expect(tags[0]).toBe('0000_init');
    expect((await migrate(db.url, { log: (l) => lines.push(l) })).applied).toEqual(tags);
    expect(lines).toEqual([
      ...tags.map((t) => `[migrate] applying ${t}`),
      `[migrate] applied ${tags.length} migration(s); schema is current`,
    ]);
    expect((await migrate(db.url, { log: () => {} })).applied).toEqual([]);
    const after = await fetch(`${edge.url}/readyz`);
    expect(after.status).toBe(200);
  });

  it('runs the sweep from the scheduled handler and from the JOBS queue', async () => {
    await edge.triggerScheduled();
    await edge.sendJob({ type: 'sweep' });
    const deadline = Date.now() + 15_000;
    while (!logs.some((l) => l.includes('"trigger":"queue"')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const sweeps = logs
      .filter((l) => l.includes('"msg":"sweep"'))
      .map((l) => JSON.parse(l.slice(l.indexOf('{'))));
    expect(sweeps.map((s) => s.trigger)).toEqual(['cron * * * * *', 'queue']);
    expect(sweeps[0]).toMatchObject({ lost_hosts: 0, idle_stopped: 0, placed: 0 });
  });

  it('has a CLI with --help that needs DATABASE_URL', async () => {
    // Asynchronously: the PGlite server lives in this process and must keep answering.
    const cli = (args: string[], env: NodeJS.ProcessEnv) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        const tsx = join(EDGE, '..', 'node_modules', '.bin', 'tsx');
        execFile(
          tsx,
          ['local/migrate-cli.ts', ...args],
          { cwd: EDGE, env },
          (error, stdout, stderr) =>
            resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const help = await cli(['--help'], env);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('DATABASE_URL');
    const missing = await cli([], env);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('DATABASE_URL is not set');
    const ok = await cli([], { ...env, DATABASE_URL: db.url });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('schema is current');
    expect(ok.stdout + ok.stderr).not.toContain(db.url);
  });

  it('answers 503 database_unavailable (not 500) when the database is gone', async () => {
    // A "database" that refuses every session the way Postgres does while it starts up
    // (SQLSTATE 57P03). A refused TCP connection would instead crash Miniflare's local Hyperdrive
    // proxy, which has no socket error handler.
    const sockets = new Set<import('node:net').Socket>();
    const gone = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.once('data', () => {
        const fields = 'SFATAL\0VFATAL\0C57P03\0Mthe database system is starting up\0\0';
        const header = Buffer.alloc(5);
        header.write('E', 0);
        header.writeInt32BE(4 + Buffer.byteLength(fields), 1);
        socket.write(Buffer.concat([header, Buffer.from(fields)]));
      });
    });
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as { port: number }).port;
    const down = await startEdge({
      databaseUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
      cronIntervalMs: 0,
      log: () => {},
    });
    try {
      const ready = await fetch(`${down.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { database: 'unreachable' } });
      const token = await fetch(`${down.url}/dev-oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'mcp-bridge',
          client_secret: down.secrets.serviceClients['mcp-bridge'] as string,
        }),
      });
      const { access_token } = (await token.json()) as { access_token: string };
      const res = await fetch(`${down.url}/api/v1/sessions`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe('database_unavailable');
    } finally {
      await down.stop();
      for (const socket of sockets) socket.destroy();
      gone.close();
    }
  });
});
