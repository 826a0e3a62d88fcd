/**
 * The lean wire client (src/db/pg-wire.ts) under workerd on real sockets, against PostgreSQL
 * (trust, SCRAM-SHA-256, MD5, cleartext password), PostgreSQL behind PgBouncer, and PGlite.
 */
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPATIBILITY_DATE, COMPATIBILITY_FLAGS } from '../local/build.ts';
import { type RunningDatabase, startPglite } from '../local/pglite.ts';
import { freePort } from '../local/ports.ts';
import { type RunningPostgres, startPostgres } from '../local/postgres.ts';
import { wireConfig } from '../src/db/pg-wire.ts';

type Answer = {
  rows?: Record<string, unknown>[];
  error?: { name: string; code?: string; message: string };
  unsupported?: boolean;
};

let mf: Miniflare;

async function query(url: string, text: string, params: (string | null)[] = []): Promise<Answer> {
  const res = await mf.dispatchFetch('http://wire.test/', {
    method: 'POST',
    body: JSON.stringify({ url, text, params }),
  });
  return (await res.json()) as Answer;
}

function withUser(url: string, user: string, password: string | null, db?: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password ?? '';
  if (db) u.pathname = `/${db}`;
  return u.href;
}

/** Rewrites pg_hba.conf (first match wins) and waits until `probeUser` needs a password. */
async function setHba(directUrl: string, lines: string[], probeUser: string): Promise<void> {
  const admin = postgres(directUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ hba }] = (await admin.unsafe(
      "select current_setting('hba_file') as hba",
    )) as unknown as [{ hba: string }];
    const all = [...lines, 'host all all 127.0.0.1/32 trust', 'local all all trust'];
    await admin.unsafe(
      `copy (select unnest(array[${all.map((l) => `'${l}'`).join(',')}])) to '${hba}'`,
    );
    await admin.unsafe('select pg_reload_conf()');
  } finally {
    await admin.end();
  }
  // The postmaster reloads asynchronously: poll (a password-less URL of its own) until it applies.
  const probe = withUser(directUrl, probeUser, null);
  for (let i = 0; i < 200; i++) {
    if ((await query(probe, 'select 1')).error?.code === '28P01') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pg_hba.conf change for ${probeUser} did not apply`);
}

const HBA = [
  'host all wire_scram 127.0.0.1/32 scram-sha-256',
  'host all wire_md5 127.0.0.1/32 md5',
  'host all wire_plain 127.0.0.1/32 password',
];

beforeAll(async () => {
  const out = await build({
    entryPoints: [new URL('./support/wire-worker.ts', import.meta.url).pathname],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'silent',
  });
  mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'wire.js', contents: out.outputFiles[0]?.text ?? '' }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: COMPATIBILITY_FLAGS,
  });
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
});

describe('wireConfig (connection strings)', () => {
  it('takes plain postgres:// URLs, with defaults', () => {
    const cfg = wireConfig('postgresql://app:s%40cret@db.internal/browserpane?sslmode=disable');
    expect(cfg).toMatchObject({
      hostname: 'db.internal',
      port: 5432,
      user: 'app',
      password: 's@cret',
      database: 'browserpane',
    });
    expect(wireConfig('postgres://app@[::1]:6432')).toMatchObject({
      hostname: '::1',
      port: 6432,
      database: 'app',
      password: '',
    });
    expect(
      wireConfig('postgres://app:x@127.0.0.1:5432/db?application_name=edge&options=-c%20x%3D1'),
    ).not.toBeNull();
  });

  it('leaves to postgres.js what it does not do (TLS, sockets, several hosts, driver options)', () => {
    for (const url of [
      'postgres://app:x@db.example.com/db?sslmode=require',
      'postgres://app:x@db.example.com/db?ssl=true',
      'postgres://app:x@h1,h2/db',
      'postgres://app:x@%2Fvar%2Frun%2Fpostgresql/db',
      'postgres://app:x@127.0.0.1/db?connect_timeout=5',
      'postgres://127.0.0.1/db',
      'mysql://app:x@127.0.0.1/db',
      'not a url',
      'postgres://app:50%@127.0.0.1/db', // a malformed %-escape in the password
      'postgres://app@127.0.0.1/%E0%A4%A',
    ]) {
      expect(wireConfig(url), url).toBeNull();
    }
  });
});

describe('lean wire client against PostgreSQL', () => {
  let pg: RunningPostgres;

  beforeAll(async () => {
    pg = await startPostgres({ pooler: true });
    const admin = postgres(pg.directUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`set password_encryption = 'scram-sha-256'`);
    await admin.unsafe(`create role wire_scram login password 'scr@m pass'`);
    await admin.unsafe(`create role wire_plain login password 'plain-pass'`);
    await admin.unsafe(`create role wire_flip login password 'flip-pass'`);
    await admin.unsafe(`set password_encryption = 'md5'`);
    await admin.unsafe(`create role wire_md5 login password 'md5-pass'`);
    await admin.end();
    // Password methods for these roles, ahead of the trust lines.
    await setHba(pg.directUrl, HBA, 'wire_plain');
  });

  afterAll(async () => {
    await pg?.stop();
  });

  const TYPES_SQL = `select 1::int4 as i, 2.5::float8 as f, 9007199254740993::int8 as big,
    true as t, false as ff, null::text as n, '{"view":true,"n":[1,2]}'::jsonb as j,
    '00000000-0000-7000-8000-000000000001'::uuid as u, $1::text as p, $2::text as q,
    'grüße ✓'::text as utf`;

  it('runs a statement and decodes values like the edge’s postgres.js setup', async () => {
    const answer = await query(pg.directUrl, TYPES_SQL, ['Bärbel “quoted”', null]);
    expect(answer.error).toBeUndefined();
    expect(answer.rows).toEqual([
      {
        i: 1,
        f: 2.5,
        big: '9007199254740993',
        t: true,
        ff: false,
        n: null,
        j: { view: true, n: [1, 2] },
        u: '00000000-0000-7000-8000-000000000001',
        p: 'Bärbel “quoted”',
        q: null,
        utf: 'grüße ✓',
      },
    ]);
  });

  it('returns zero or many rows, and keeps working connection after connection', async () => {
    expect((await query(pg.directUrl, 'select 1 where false')).rows).toEqual([]);
    const many = await query(pg.directUrl, 'select g as n from generate_series(1, 500) g');
    expect(many.rows).toHaveLength(500);
    expect(many.rows?.[499]).toEqual({ n: 500 });
    // Repeated one-shot connections (pipelined once the server is known to trust this URL).
    for (let i = 0; i < 5; i++) {
      expect((await query(pg.directUrl, 'select $1::int4 as n', [String(i)])).rows).toEqual([
        { n: i },
      ]);
    }
  });

  it('reports server errors with their SQLSTATE, without credentials', async () => {
    const bad = await query(pg.directUrl, 'select $1::uuid as id', ['not-a-uuid']);
    expect(bad.error).toMatchObject({ name: 'PgWireError', code: '22P02' });
    const missing = await query(pg.directUrl, 'select * from no_such_table');
    expect(missing.error).toMatchObject({ code: '42P01' });
    const noDb = await query(withUser(pg.directUrl, 'postgres', 'postgres', 'nope'), 'select 1');
    expect(noDb.error).toMatchObject({ code: '3D000' });
    // And the next statement on the same URL is fine.
    expect((await query(pg.directUrl, 'select 1 as ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('authenticates with SCRAM-SHA-256, MD5 and cleartext passwords', async () => {
    for (const [user, password] of [
      ['wire_scram', 'scr@m pass'],
      ['wire_md5', 'md5-pass'],
      ['wire_plain', 'plain-pass'],
    ] as const) {
      const url = withUser(pg.directUrl, user, password);
      for (let i = 0; i < 2; i++) {
        const answer = await query(url, 'select current_user as who');
        expect(answer.error, user).toBeUndefined();
        expect(answer.rows).toEqual([{ who: user }]);
      }
    }
  });

  it('refuses wrong or missing passwords with a clear error that leaks no secret', async () => {
    const wrong = await query(withUser(pg.directUrl, 'wire_scram', 'not-it'), 'select 1');
    expect(wrong.error).toMatchObject({ code: '28P01' });
    expect(wrong.error?.message).not.toContain('not-it');
    const wrongMd5 = await query(withUser(pg.directUrl, 'wire_md5', 'nope-secret'), 'select 1');
    expect(wrongMd5.error).toMatchObject({ code: '28P01' });
    expect(wrongMd5.error?.message).not.toContain('nope-secret');
    const none = await query(withUser(pg.directUrl, 'wire_scram', null), 'select 1');
    expect(none.error).toMatchObject({ code: '28P01' });
    expect(none.error?.message).toMatch(/asks for a password/);
  });

  it('notices when a trusted URL starts needing a password (pipelined attempt redone)', async () => {
    const url = withUser(pg.directUrl, 'wire_flip', 'flip-pass');
    expect((await query(url, 'select 1 as n')).rows).toEqual([{ n: 1 }]);
    expect((await query(url, 'select 2 as n')).rows).toEqual([{ n: 2 }]); // pipelined
    await setHba(
      pg.directUrl,
      ['host all wire_flip 127.0.0.1/32 scram-sha-256', ...HBA],
      'wire_flip',
    );
    const after = await query(url, 'select 3 as n');
    expect(after.error).toBeUndefined();
    expect(after.rows).toEqual([{ n: 3 }]);
  });

  it('works through PgBouncer (transaction pooling), many times over', async () => {
    const answer = await query(pg.url, TYPES_SQL, ['x', 'y']);
    expect(answer.rows?.[0]).toMatchObject({ i: 1, j: { view: true, n: [1, 2] }, p: 'x', q: 'y' });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => query(pg.url, 'select $1::int4 * 2 as n', [String(i)])),
    );
    expect(results.map((r) => r.rows?.[0]?.n)).toEqual(Array.from({ length: 40 }, (_, i) => i * 2));
    const bad = await query(pg.url, 'select $1::uuid', ['nope']);
    expect(bad.error).toMatchObject({ code: '22P02' });
    expect((await query(pg.url, 'select 1 as ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('says the database is unreachable when nothing listens', async () => {
    const port = await freePort();
    const answer = await query(
      `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
      'select 1',
    );
    expect(answer.error).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(answer.error?.message).toMatch(/could not connect/);
  });
});

describe('lean wire client against PGlite', () => {
  let lite: RunningDatabase;

  beforeAll(async () => {
    lite = await startPglite({ dataDir: 'memory://' });
  });

  afterAll(async () => {
    await lite?.stop();
  });

  it('runs statements over pglite-socket, concurrently and in sequence', async () => {
    const answer = await query(lite.url, `select $1::text as p, '{"a":1}'::jsonb as j`, ['v']);
    expect(answer.rows).toEqual([{ p: 'v', j: { a: 1 } }]);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => query(lite.url, 'select $1::int4 as n', [String(i)])),
    );
    expect(results.map((r) => r.rows?.[0]?.n)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect((await query(lite.url, 'select $1::uuid', ['x'])).error).toMatchObject({
      code: '22P02',
    });
    expect((await query(lite.url, 'select 1 as ok')).rows).toEqual([{ ok: 1 }]);
  });
});
