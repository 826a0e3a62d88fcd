/**
 * Ticket-minting benchmark: real HTTP on loopback to the edge as it is self-hosted (plain
 * `workerd serve deploy/workerd/edge.capnp`), the load generator in its own process, increasing
 * concurrency. Each request is the whole path: bearer check, the owner check in Postgres (a
 * connection per request, as a Worker must), signing. Against PostgreSQL behind PgBouncer (what
 * Hyperdrive is in production; the headline), PostgreSQL directly (a backend fork per request)
 * and PGlite. Reports tickets/s, p50/p99 and the workerd CPU per ticket (from /proc: it holds on
 * a busy machine where throughput does not). Writes test/bench/results/edge.json.
 *
 *   npm run bench -w @browserpane/edge -- --help
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { percentile, RESULTS_DIR, writeBenchResult } from '../../test/bench/results.ts';
import { buildWorker } from '../local/build.ts';
import { startEdge } from '../local/edge.ts';
import { migrate } from '../local/migrate.ts';
import { startPglite } from '../local/pglite.ts';
import { freePort } from '../local/ports.ts';
import { startPostgres } from '../local/postgres.ts';
import { startWorkerd } from '../local/workerd.ts';
import type { LoadJob, LoadResult } from './load.ts';
import {
  childPid,
  descendantsCpuMs,
  formatSummary,
  processCpuMs,
  startCpuProfile,
  summarizeProfile,
} from './profile.ts';
import { HostDriverLite, login } from './support.ts';

const HELP = `Ticket-minting benchmark (edge under workerd, real HTTP on loopback).

  npm run bench -w @browserpane/edge -- [options]

  --quick                 short run: levels 1,16,64 at 1500 ms each
  --levels=1,4,16,32,64   concurrency levels (default)
  --duration=4000         ms per level
  --only=pgbouncer,postgres,pglite
                          databases to run (default: all three; results are written only when
                          pgbouncer, the headline, is among them)
  --runtime=workerd       workerd: plain \`workerd serve deploy/workerd/edge.capnp\` (default, the
                          self-hosted product path); miniflare: through Miniflare's entry worker
                          (for comparison; dev and tests run the edge this way)
  --profile[=16]          also record a V8 CPU profile of the worker at this concurrency on the
                          first database; prints the summary, writes test/bench/tmp/edge-tickets.cpuprofile
                          (open it in Chrome DevTools or VS Code)
  --no-write              do not write test/bench/results/edge.json
  --help

Target: >= 1000 tickets/s with p99 <= 25 ms (PostgreSQL behind PgBouncer). On a busy machine
(see load average) compare "workerd CPU per ticket" rather than throughput.`;

const args = process.argv.slice(2);
function option(name: string): string | undefined {
  const hit = args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return undefined;
  return hit.includes('=') ? hit.slice(hit.indexOf('=') + 1) : '';
}
if (option('help') !== undefined) {
  console.log(HELP);
  process.exit(0);
}
const known = ['quick', 'levels', 'duration', 'only', 'runtime', 'profile', 'no-write', 'help'];
for (const a of args) {
  if (!known.includes(a.replace(/^--/, '').split('=')[0] as string)) {
    console.error(`unknown option ${a}\n\n${HELP}`);
    process.exit(2);
  }
}
const QUICK = option('quick') !== undefined;
const LEVELS = (option('levels') ?? (QUICK ? '1,16,64' : '1,4,16,32,64'))
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const DURATION_MS = Number(option('duration') ?? (QUICK ? 1500 : 4000));
const DATABASES = (option('only') ?? 'pgbouncer,postgres,pglite').split(',') as Db[];
const RUNTIME = option('runtime') ?? 'workerd';
const PROFILE = option('profile') === undefined ? 0 : Number(option('profile') || 16);
const WRITE = option('no-write') === undefined;
const MAX_REQUESTS = 50_000;
const SESSIONS = 16;
/** One user owns all the benchmark's sessions: more than the default per-user quota. */
const QUOTA = { MAX_SESSIONS_PER_USER: String(SESSIONS) };
const TARGET_RPS = 1000;
const TARGET_P99_MS = 25;

type Db = 'pgbouncer' | 'postgres' | 'pglite';
if (
  LEVELS.length === 0 ||
  !(DURATION_MS > 0) ||
  !['workerd', 'miniflare'].includes(RUNTIME) ||
  DATABASES.some((d) => !['pgbouncer', 'postgres', 'pglite'].includes(d))
) {
  console.error(HELP);
  process.exit(2);
}

interface Level {
  concurrency: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** workerd CPU ms per request. */
  workerdCpuMs: number;
  /** Load generator CPU ms per request. */
  loadgenCpuMs: number;
  /** PostgreSQL (all backends) and PgBouncer CPU ms per request (0 for PGlite, which runs in this process). */
  postgresCpuMs: number;
  pgbouncerCpuMs: number;
  load1m: number;
}

interface Edge {
  url: string;
  /** The workerd process (CPU accounting). */
  pid: number;
  hostEnrollmentToken: string;
  stop(): Promise<void>;
}

/** Things to stop on exit or Ctrl-C (databases, workerd), newest first. */
const cleanups: (() => Promise<void>)[] = [];
async function cleanupAll() {
  while (cleanups.length)
    await cleanups
      .pop()?.()
      .catch(() => {});
}
process.once('SIGINT', () => {
  console.error('\ninterrupted; stopping databases and workerd …');
  void cleanupAll().then(() => process.exit(130));
});

async function startRuntime(databaseUrl: string, inspectorPort?: number): Promise<Edge> {
  if (RUNTIME === 'miniflare') {
    const edge = await startEdge({
      databaseUrl,
      cronIntervalMs: 0,
      log: () => {},
      inspectorPort,
      vars: QUOTA,
    });
    const pid = childPid('workerd');
    if (pid === null) throw new Error('cannot find the workerd process under Miniflare');
    return {
      url: edge.url,
      pid,
      hostEnrollmentToken: edge.secrets.hostEnrollmentToken,
      stop: () => edge.stop(),
    };
  }
  const edge = await startWorkerd({
    databaseUrl,
    inspectorPort,
    vars: QUOTA,
    log: (line) => console.error(`  [workerd] ${line}`),
  });
  return {
    url: edge.url,
    pid: edge.pid,
    hostEnrollmentToken: edge.secrets.hostEnrollmentToken,
    stop: () => edge.stop(),
  };
}

async function setup(edge: Edge) {
  const token = await login(edge.url);
  const host = new HostDriverLite(edge.url);
  await host.enroll(edge.hostEnrollmentToken, SESSIONS);
  const ids: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const res = await fetch(`${edge.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(`creating a session answered ${res.status}: ${await res.text()}`);
    }
    ids.push(((await res.json()) as { id: string }).id);
  }
  await host.beat(ids);
  return { token, ids, host };
}

async function runLoad(job: LoadJob): Promise<LoadResult> {
  const child = fork(new URL('./load.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'] });
  child.send(job);
  return new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
  });
}

async function measure(edge: Edge, job: LoadJob): Promise<Level> {
  const cpu0 = processCpuMs(edge.pid);
  const pg0 = descendantsCpuMs(['postgres']);
  const pgb0 = descendantsCpuMs(['pgbouncer']);
  const r = await runLoad(job);
  const cpu = processCpuMs(edge.pid) - cpu0;
  const pg = descendantsCpuMs(['postgres']) - pg0;
  const pgb = descendantsCpuMs(['pgbouncer']) - pgb0;
  const n = r.latencies.length;
  if (r.errors > 0) {
    throw new Error(
      `${r.errors} of ${n} requests failed at concurrency ${job.concurrency}; first: ${r.firstError}`,
    );
  }
  return {
    concurrency: job.concurrency,
    requests: n,
    rps: n / r.seconds,
    p50: percentile(r.latencies, 50),
    p99: percentile(r.latencies, 99),
    errors: r.errors,
    workerdCpuMs: cpu / n,
    loadgenCpuMs: r.cpuMs / n,
    postgresCpuMs: pg / n,
    pgbouncerCpuMs: pgb / n,
    load1m: loadavg()[0] ?? 0,
  };
}

function line(name: string, kind: string, l: Level): string {
  return [
    `${name.padEnd(10)} ${kind.padEnd(7)} c=${String(l.concurrency).padStart(2)}`,
    `${l.rps.toFixed(0).padStart(6)}/s`,
    `p50 ${l.p50.toFixed(2).padStart(6)} ms`,
    `p99 ${l.p99.toFixed(2).padStart(7)} ms`,
    `workerd ${l.workerdCpuMs.toFixed(3)} ms CPU/req`,
    `loadgen ${l.loadgenCpuMs.toFixed(3)}`,
    `pg ${l.postgresCpuMs.toFixed(3)}`,
    `pgbouncer ${l.pgbouncerCpuMs.toFixed(3)}`,
    `(${l.requests} req, load ${l.load1m.toFixed(1)})`,
  ].join('  ');
}

interface Run {
  levels: Level[];
  healthz?: Level;
  profile?: string;
}

async function run(name: Db, databaseUrl: string, profileAt: number): Promise<Run> {
  const inspectorPort = profileAt ? await freePort() : undefined;
  const edge = await startRuntime(databaseUrl, inspectorPort);
  cleanups.push(() => edge.stop());
  try {
    console.log(`${name}: edge up at ${edge.url} (${RUNTIME}, pid ${edge.pid}); setting up …`);
    const { token, ids, host } = await setup(edge);
    const job = (concurrency: number, kind: LoadJob['kind'] = 'mint'): LoadJob => ({
      url: edge.url,
      token,
      ids,
      concurrency,
      durationMs: DURATION_MS,
      maxRequests: MAX_REQUESTS,
      kind,
    });
    await runLoad({ ...job(4), durationMs: Math.min(DURATION_MS, 2000) }); // warm-up (JIT)
    const out: Run = { levels: [] };
    if (name === 'pgbouncer') {
      out.healthz = await measure(edge, { ...job(16, 'healthz'), durationMs: 2000 });
      console.log(line(name, 'healthz', out.healthz));
    }
    for (const c of LEVELS) {
      await host.beat(ids); // hosts stay fresh (a late host would take the slow path)
      const level = await measure(edge, job(c));
      out.levels.push(level);
      console.log(line(name, 'mint', level));
    }
    if (profileAt && inspectorPort) {
      await host.beat(ids);
      const profiler = await startCpuProfile(inspectorPort);
      const level = await measure(edge, job(profileAt));
      const profile = await profiler.stop();
      const dir = join(RESULTS_DIR, '..', 'tmp');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'edge-tickets.cpuprofile');
      writeFileSync(file, JSON.stringify(profile));
      console.log(line(name, 'profile', level));
      out.profile = `${formatSummary(summarizeProfile(profile, await buildWorker(), level.requests))}\n(workerd CPU per ticket while profiling: ${level.workerdCpuMs.toFixed(3)} ms; profile: ${file})`;
    }
    return out;
  } finally {
    cleanups.pop();
    await edge.stop();
  }
}

/** A fresh, migrated database on the server for each run (runs must not see each other's hosts). */
async function freshDatabase(directUrl: string, name: string): Promise<(base: string) => string> {
  const admin = postgres(directUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name}`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const withDb = (base: string) => {
    const u = new URL(base);
    u.pathname = `/${name}`;
    return u.href;
  };
  await migrate(withDb(directUrl), { log: () => {} });
  return withDb;
}

/** The best throughput whose p99 meets the target (else the best throughput overall). */
function best(levels: Level[]): Level {
  const ok = levels.filter((l) => l.p99 <= TARGET_P99_MS);
  const pool = ok.length > 0 ? ok : levels;
  return pool.reduce((a, b) => (b.rps > a.rps ? b : a));
}

async function main() {
  const load0 = loadavg()[0] ?? 0;
  console.log(
    `ticket minting over loopback HTTP to ${RUNTIME}; levels ${LEVELS.join(',')}; ${DURATION_MS} ms each; load average ${load0.toFixed(2)} on ${cpus().length} cores\n`,
  );
  const runs: Partial<Record<Db, Run>> = {};
  let profileAt = PROFILE;
  const sql = DATABASES.filter((d) => d !== 'pglite');
  if (sql.length) {
    console.log('starting PostgreSQL and PgBouncer …');
    const pg = await startPostgres({ pooler: true });
    cleanups.push(() => pg.stop());
    for (const name of sql) {
      const db = await freshDatabase(pg.directUrl, `bench_${name}`);
      runs[name] = await run(name, db(name === 'pgbouncer' ? pg.url : pg.directUrl), profileAt);
      profileAt = 0;
    }
    cleanups.pop();
    await pg.stop();
  }
  if (DATABASES.includes('pglite')) {
    console.log('starting PGlite …');
    const lite = await startPglite({ dataDir: 'memory://' });
    cleanups.push(() => lite.stop());
    await migrate(lite.url, { log: () => {} });
    runs.pglite = await run('pglite', lite.url, profileAt);
    cleanups.pop();
    await lite.stop();
  }
  for (const r of Object.values(runs)) if (r?.profile) console.log(`\n${r.profile}`);

  const headline = runs.pgbouncer;
  if (!headline) {
    console.log('\nno PgBouncer run: results not written');
    return;
  }
  const b = best(headline.levels);
  const values: Record<string, number> = {
    tickets_per_s: Math.round(b.rps),
    ticket_p99_ms: Number(b.p99.toFixed(2)),
    ticket_p50_ms: Number(b.p50.toFixed(2)),
    ticket_concurrency: b.concurrency,
    ticket_workerd_cpu_ms: Number(b.workerdCpuMs.toFixed(3)),
    ticket_loadgen_cpu_ms: Number(b.loadgenCpuMs.toFixed(3)),
    ticket_postgres_cpu_ms: Number(b.postgresCpuMs.toFixed(3)),
    ticket_pgbouncer_cpu_ms: Number(b.pgbouncerCpuMs.toFixed(3)),
    tickets_per_s_max: Math.round(Math.max(...headline.levels.map((l) => l.rps))),
  };
  if (headline.healthz) {
    values.healthz_per_s = Math.round(headline.healthz.rps);
    values.healthz_workerd_cpu_ms = Number(headline.healthz.workerdCpuMs.toFixed(3));
  }
  for (const [key, name] of [
    ['no_pooler', 'postgres'],
    ['pglite', 'pglite'],
  ] as const) {
    const r = runs[name];
    if (!r) continue;
    values[`tickets_per_s_${key}`] = Math.round(best(r.levels).rps);
    values[`ticket_p99_ms_${key}`] = Number(best(r.levels).p99.toFixed(2));
    values[`ticket_workerd_cpu_ms_${key}`] = Number(best(r.levels).workerdCpuMs.toFixed(3));
  }
  for (const r of headline.levels) {
    values[`tickets_per_s_c${r.concurrency}`] = Math.round(r.rps);
    values[`ticket_p99_ms_c${r.concurrency}`] = Number(r.p99.toFixed(2));
  }
  // What the CPU cost alone allows on 2 cores: workerd runs the worker on one thread; the load
  // generator, PostgreSQL and PgBouncer share the other core. Holds on a busy machine.
  const others = b.loadgenCpuMs + b.postgresCpuMs + b.pgbouncerCpuMs;
  values.tickets_per_s_cpu_bound = Math.round(1000 / Math.max(b.workerdCpuMs, others));
  values.duration_ms_per_level = DURATION_MS;
  values.runtime_miniflare = RUNTIME === 'miniflare' ? 1 : 0;
  values.load_average_1m_start = Number(load0.toFixed(2));
  values.load_average_1m = Number((loadavg()[0] ?? 0).toFixed(2));

  const met = b.rps >= TARGET_RPS && b.p99 <= TARGET_P99_MS;
  console.log(
    `\nbest within p99 <= ${TARGET_P99_MS} ms (or best overall): ${values.tickets_per_s} tickets/s, p99 ${values.ticket_p99_ms} ms at c=${b.concurrency}; workerd ${values.ticket_workerd_cpu_ms} ms CPU per ticket`,
  );
  console.log(
    `CPU per ticket: workerd ${b.workerdCpuMs.toFixed(3)} ms | load generator ${b.loadgenCpuMs.toFixed(3)} + PostgreSQL ${b.postgresCpuMs.toFixed(3)} + PgBouncer ${b.pgbouncerCpuMs.toFixed(3)} ms → CPU-bound capacity ≈ ${values.tickets_per_s_cpu_bound} tickets/s (one core each)`,
  );
  console.log(
    `target >= ${TARGET_RPS} tickets/s with p99 <= ${TARGET_P99_MS} ms: ${met ? 'met' : 'NOT met'} (load average ${values.load_average_1m} on ${cpus().length} cores)`,
  );
  if (WRITE && DATABASES.includes('pgbouncer'))
    console.log(`wrote ${writeBenchResult('edge', values)}`);
}

try {
  await main();
} catch (error) {
  console.error(`\nbenchmark failed: ${(error as Error).message}`);
  await cleanupAll();
  process.exit(1);
}
