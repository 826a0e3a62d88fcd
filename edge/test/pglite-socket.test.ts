/**
 * The embedded database front (edge/local/pglite.ts): many client connections share one PGlite
 * backend. Named prepared statements of different connections must not collide (postgres.js names
 * them after the query text, so two connections running the same query prepare the same name),
 * and a connection's statements go with it.
 */
import type { Socket } from 'node:net';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDatabase, startPglite } from '../local/pglite.ts';

describe('PGlite socket front', () => {
  let db: RunningDatabase;
  beforeAll(async () => {
    db = await startPglite({ dataDir: 'memory://' });
  });
  afterAll(() => db?.stop());

  it('lets two connections prepare a statement under the same name', async () => {
    // node-postgres with a named query, as graphile-worker prepares `get_job/graphile_worker`
    const clients = [new pg.Client(db.url), new pg.Client(db.url)];
    try {
      for (const c of clients) await c.connect();
      const answers = [];
      for (const [i, c] of clients.entries())
        answers.push(
          (await c.query({ name: 'next_job', text: 'select $1::int * 10 as n', values: [i + 1] }))
            .rows[0]?.n,
        );
      expect(answers).toEqual([10, 20]);
    } finally {
      for (const c of clients) await c.end().catch(() => {});
    }
  });

  it('runs the same prepared query on several connections at once', async () => {
    const sql = postgres(db.url, { max: 4, onnotice: () => {} });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) => sql`select ${i}::int + 1 as n`),
      );
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      expect(failures).toEqual([]);
      const values = results.map((r) => (r.status === 'fulfilled' ? r.value[0]?.n : null));
      expect(values).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    } finally {
      await sql.end();
    }
  });

  it("drops a connection's prepared statements when it goes away", async () => {
    const client = postgres(db.url, { max: 1, onnotice: () => {} });
    await client`select 41 + ${1}::int as answer`;
    const observer = postgres(db.url, { max: 1, prepare: false, onnotice: () => {} });
    try {
      const during = await observer`select count(*)::int as n from pg_prepared_statements`;
      expect(during[0]?.n).toBeGreaterThan(0);
      await client.end();
      await expect
        .poll(async () =>
          (await observer`select name from pg_prepared_statements`).map((r) => r.name),
        )
        .toEqual([]);
    } finally {
      await observer.end();
    }
  });

  it('survives a client that drops mid-query while another holds the backend', async () => {
    // What a killed worker does: its connection goes away (a reset: pglite-socket sees an error,
    // then a close, and cleans the connection up twice) while its query waits for the backend.
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const holder = new pg.Client(db.url);
    const dropped = new pg.Client(db.url);
    dropped.on('error', () => {});
    try {
      await dropped.connect();
      await dropped.query({ name: 'kept', text: 'select $1::int as n', values: [1] });
      await holder.connect();
      await holder.query('begin');
      const waiting = dropped.query('select 2 as n').catch((e: Error) => e.message);
      await new Promise((r) => setTimeout(r, 100));
      (
        dropped as unknown as { connection: { stream: Socket } }
      ).connection.stream.resetAndDestroy();
      await new Promise((r) => setTimeout(r, 300));
      await holder.query('commit');
      expect(typeof (await waiting)).toBe('string');
      // The backend is free again and the dropped connection's statement is gone.
      await expect
        .poll(
          async () =>
            (await holder.query('select count(*)::int as n from pg_prepared_statements')).rows[0]
              ?.n,
        )
        .toBe(0);
      const fresh = new pg.Client(db.url);
      await fresh.connect();
      expect((await fresh.query('select 3 as n')).rows[0]?.n).toBe(3);
      await fresh.end();
      await new Promise((r) => setTimeout(r, 100));
      expect(rejections.map(String)).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await holder.end().catch(() => {});
    }
  });
});
