import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startWorkflowWorkerProcess,
  type WorkflowWorkerProcess,
} from '../../../deploy/local/workflow-worker-process.ts';
import { loginDevUser, serviceToken } from '../../../edge/test/support/oidc.ts';
import { type DbKind, type Stack, startStack } from '../../../edge/test/support/stack.ts';

/** What the receiver does with the n-th request (1-based) on a path. */
type Behaviour = (n: number) => number | 'hang';

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A webhook receiver on loopback: records every request, answers per path. */
class Receiver {
  readonly received: Received[] = [];
  readonly behaviours = new Map<string, Behaviour>();
  private readonly counts = new Map<string, number>();
  private readonly hanging = new Set<ServerResponse>();
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({
          path,
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const n = (this.counts.get(path) ?? 0) + 1;
        this.counts.set(path, n);
        const answer = (this.behaviours.get(path) ?? (() => 200))(n);
        if (answer === 'hang') {
          this.hanging.add(res);
          return;
        }
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const MODULE = 'export default async () => ({ ok: true });\n';

/**
 * Signed webhooks end to end: the edge under workerd on PGlite, the real workflow worker process
 * (webhook jobs only: no browser), a receiver on loopback that verifies every delivery with the
 * `standardwebhooks` library. Backoff and limits are set small so the retries take a second.
 */
export function webhooksSuite(kind: DbKind) {
  describe(`workflow event webhooks (${kind})`, () => {
    let stack: Stack;
    let worker: WorkflowWorkerProcess;
    const receiver = new Receiver();
    const workerLog: string[] = [];
    let demo: string;
    let demo2: string;
    let workerToken: string;
    let workflowId: string;
    const api = () => stack.api;

    /** A run taken through the worker routes to `succeeded` (its events feed the outbox). */
    async function succeededRun(): Promise<string> {
      const created = await api().post('/api/v1/workflow-runs', demo, {
        workflow_id: workflowId,
        version: 'v1',
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const claimed = await api().post(`/api/v1/workflow-runs/${id}/claim`, workerToken, {
        worker_id: 'stand-in',
      });
      expect(claimed.status).toBe(200);
      const state = (body: Record<string, unknown>) =>
        api().post(`/api/v1/workflow-runs/${id}/state`, workerToken, body);
      expect((await state({ state: 'running', attempt: 1 })).body.state).toBe('running');
      expect(
        (await state({ state: 'succeeded', attempt: 1, output: { ok: true } })).body.state,
      ).toBe('succeeded');
      return id;
    }

    async function subscribe(path: string, extra: Record<string, unknown> = {}) {
      const created = await api().post('/api/v1/workflow-event-subscriptions', demo, {
        name: `hook ${path}`,
        target_url: receiver.url(path),
        event_types: ['workflow_run.succeeded'],
        ...extra,
      });
      expect(created.status).toBe(201);
      return created.body as { id: string; signing_secret: string; deliveries_path: string };
    }

    const deliveries = async (subscriptionId: string) =>
      (await api().get(`/api/v1/workflow-event-subscriptions/${subscriptionId}/deliveries`, demo))
        .body.deliveries as {
        id: string;
        run_id: string;
        state: string;
        attempt_count: number;
        attempt_limit: number;
        attempts: {
          attempt_number: number;
          response_status: number | null;
          error: string | null;
        }[];
      }[];

    const stateOf = async (subscriptionId: string, runId: string) =>
      (await deliveries(subscriptionId)).find((d) => d.run_id === runId)?.state;

    beforeAll(async () => {
      await receiver.start();
      stack = await startStack(kind, {
        vars: {
          WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
          WEBHOOK_MAX_ATTEMPTS: '3',
          WEBHOOK_BACKOFF_BASE_MS: '200',
          WEBHOOK_BACKOFF_MAX_MS: '1000',
          WEBHOOK_TIMEOUT_MS: '1500',
          WEBHOOK_LOST_AFTER_MS: '1000',
        },
      });
      demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
      demo2 = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
      const workerSecret = stack.edge.secrets.serviceClients['workflow-worker'] as string;
      workerToken = await serviceToken(stack.edge.url, 'workflow-worker', workerSecret);
      workflowId = (await api().post('/api/v1/workflows', demo, { name: 'hooked' })).body.id;
      const version = await api().post(`/api/v1/workflows/${workflowId}/versions`, demo, {
        version: 'v1',
        executor: 'playwright',
        entrypoint: 'main.mjs',
        source: { kind: 'inline', files: { 'main.mjs': MODULE } },
      });
      expect(version.status).toBe(201);
      worker = startWorkflowWorkerProcess(
        {
          BROWSERPANE_API_URL: stack.edge.url,
          WORKFLOW_WORKER_CLIENT_SECRET: workerSecret,
          DATABASE_URL: stack.directUrl,
          WORKFLOW_WORKER_JOBS: 'webhooks',
          WORKFLOW_WORKER_POLL_MS: '100',
          WORKFLOW_WORKER_DATA_DIR: `${stack.dataDir}/worker`,
        },
        (line) => workerLog.push(line),
      );
      await worker.ready;
    });

    afterAll(async () => {
      await worker?.stop();
      await stack?.stop();
      await receiver.stop();
    });

    it('signs per Standard Webhooks; two 500s then a 200, and the log shows all three attempts', async () => {
      receiver.behaviours.set('/flaky', (n) => (n <= 2 ? 500 : 204));
      const sub = await subscribe('/flaky');
      expect(sub.signing_secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      const got = await api().get(`/api/v1/workflow-event-subscriptions/${sub.id}`, demo);
      expect(got.body).toMatchObject({
        has_signing_secret: true,
        event_types: ['workflow_run.succeeded'],
      });
      expect(got.body).not.toHaveProperty('signing_secret');

      const runId = await succeededRun();
      await expect.poll(() => stateOf(sub.id, runId), { timeout: 20_000 }).toBe('delivered');
      const [delivery] = (await deliveries(sub.id)).filter((d) => d.run_id === runId);
      expect(delivery?.attempt_count).toBe(3);
      expect(delivery?.attempts.map((a) => [a.attempt_number, a.response_status])).toEqual([
        [1, 500],
        [2, 500],
        [3, 204],
      ]);
      expect(delivery?.attempts[0]?.error).toBe('the target answered HTTP 500');

      const seen = receiver.on('/flaky');
      expect(seen).toHaveLength(3);
      const hook = new Webhook(sub.signing_secret);
      for (const r of seen) {
        const payload = hook.verify(r.body, r.headers) as {
          type: string;
          data: { run: { id: string }; event_type: string };
        };
        expect(payload.type).toBe('workflow_run.succeeded');
        expect(payload.data.run.id).toBe(runId);
        expect(r.headers['webhook-id']).toBe(delivery?.id);
      }
      // A wrong secret does not verify.
      expect(() =>
        new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(
          seen[0]?.body ?? '',
          seen[0]?.headers ?? {},
        ),
      ).toThrow();
    });

    it('ends a delivery whose receiver never answers in the dead state, and redelivers it', async () => {
      let answering = false;
      receiver.behaviours.set('/silent', () => (answering ? 200 : 'hang'));
      const sub = await subscribe('/silent');
      const runId = await succeededRun();
      await expect.poll(() => stateOf(sub.id, runId), { timeout: 30_000 }).toBe('failed');
      const [dead] = (await deliveries(sub.id)).filter((d) => d.run_id === runId);
      expect(dead?.attempt_count).toBe(3);
      expect(dead?.attempts.map((a) => a.response_status)).toEqual([null, null, null]);
      expect(dead?.attempts[2]?.error).toContain('no answer within 1500 ms');

      answering = true;
      const again = await api().post(
        `/api/v1/workflow-event-subscriptions/${sub.id}/deliveries/${dead?.id}/redeliver`,
        demo,
      );
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ state: 'pending', attempt_limit: 6 });
      await expect.poll(() => stateOf(sub.id, runId), { timeout: 20_000 }).toBe('delivered');
      const [done] = (await deliveries(sub.id)).filter((d) => d.run_id === runId);
      expect(done?.attempts.map((a) => a.response_status)).toEqual([null, null, null, 200]);
      // Another owner sees none of it; a delivered one can be sent again.
      expect(
        (
          await api().post(
            `/api/v1/workflow-event-subscriptions/${sub.id}/deliveries/${dead?.id}/redeliver`,
            demo2,
          )
        ).body.code,
      ).toBe('subscription_not_found');
    });

    it('sends again a delivery whose worker was killed mid-attempt, once the sweep finds it lost', async () => {
      let answering = false;
      receiver.behaviours.set('/killed', () => (answering ? 200 : 'hang'));
      const sub = await subscribe('/killed');
      const runId = await succeededRun();
      await expect.poll(() => receiver.on('/killed').length, { timeout: 20_000 }).toBe(1);
      await worker.kill();
      answering = true;
      await worker.start();
      // The killed worker's job stays locked for hours; the delivery must not wait for that.
      const sweep = () => api().post('/api/v1/maintenance/sweep', stack.edge.secrets.operatorToken);
      await expect
        .poll(
          async () => {
            expect((await sweep()).status).toBe(200);
            return stateOf(sub.id, runId);
          },
          { timeout: 20_000, interval: 500 },
        )
        .toBe('delivered');
      const [done] = (await deliveries(sub.id)).filter((d) => d.run_id === runId);
      expect(done?.attempts.map((a) => [a.attempt_number, a.response_status, a.error])).toEqual([
        [1, null, 'the worker making this attempt was lost before it reported'],
        [2, 200, null],
      ]);
      expect(receiver.on('/killed')).toHaveLength(2);
    });

    it('signs with the old and the new secret during a rotation grace period', async () => {
      const sub = await subscribe('/rotating');
      const rotated = await api().post(
        `/api/v1/workflow-event-subscriptions/${sub.id}/rotate-secret`,
        demo,
        { grace_period_sec: 3600 },
      );
      expect(rotated.status).toBe(200);
      expect(rotated.body.signing_secret).not.toBe(sub.signing_secret);
      expect(rotated.body.previous_secret_expires_at).not.toBeNull();
      const runId = await succeededRun();
      await expect.poll(() => stateOf(sub.id, runId), { timeout: 20_000 }).toBe('delivered');
      const [r] = receiver.on('/rotating');
      expect(r?.headers['webhook-signature']?.split(' ')).toHaveLength(2);
      for (const secret of [sub.signing_secret, rotated.body.signing_secret as string])
        expect(() => new Webhook(secret).verify(r?.body ?? '', r?.headers ?? {})).not.toThrow();

      // Without a grace period only the newest secret signs.
      const cut = await api().post(
        `/api/v1/workflow-event-subscriptions/${sub.id}/rotate-secret`,
        demo,
        { grace_period_sec: 0 },
      );
      const second = await succeededRun();
      await expect.poll(() => stateOf(sub.id, second), { timeout: 20_000 }).toBe('delivered');
      const last = receiver.on('/rotating').at(-1) as Received;
      expect(last.headers['webhook-signature']?.split(' ')).toHaveLength(1);
      expect(() =>
        new Webhook(cut.body.signing_secret).verify(last.body, last.headers),
      ).not.toThrow();
      expect(() =>
        new Webhook(rotated.body.signing_secret).verify(last.body, last.headers),
      ).toThrow();
    });

    it('loses no event across an edge restart: the outbox holds them until a worker sends them', async () => {
      const sub = await subscribe('/restart', { event_types: ['workflow_run.*'] });
      await worker.stop();
      const runId = await succeededRun();
      const pending = (await deliveries(sub.id)).filter((d) => d.run_id === runId);
      // created, admitted, starting, running, succeeded — all waiting in the outbox.
      expect(pending.map((d) => d.state)).toEqual(Array(pending.length).fill('pending'));
      expect(pending.length).toBeGreaterThanOrEqual(5);
      await stack.restartEdge();
      await worker.start();
      await expect
        .poll(
          async () =>
            (await deliveries(sub.id)).filter((d) => d.run_id === runId && d.state === 'delivered')
              .length,
          { timeout: 30_000 },
        )
        .toBe(pending.length);
      const types = receiver.on('/restart').map((r) => JSON.parse(r.body).type as string);
      expect(types).toEqual(
        expect.arrayContaining([
          'workflow_run.created',
          'workflow_run.starting',
          'workflow_run.running',
          'workflow_run.succeeded',
        ]),
      );
    });

    it('keeps the signing secret out of the database, the API and the worker log', async () => {
      const sub = await subscribe('/secretive');
      const sql = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
      try {
        const rows = await sql`select * from workflow_event_subscriptions`;
        const dump = JSON.stringify(rows);
        expect(dump).toContain(sub.id);
        expect(dump).not.toContain(sub.signing_secret);
        expect(dump).not.toContain(sub.signing_secret.slice('whsec_'.length));
      } finally {
        await sql.end();
      }
      const list = await api().get('/api/v1/workflow-event-subscriptions', demo);
      expect(list.text).not.toContain('whsec_');
      expect(workerLog.join('\n')).not.toContain('whsec_');
    });

    it('refuses private targets unless the operator allows them, at creation and at delivery', async () => {
      // Created while allowed; the operator then turns private targets off.
      const sub = await subscribe('/guarded');
      await stack.restartEdge({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
      try {
        for (const target of [
          'http://127.0.0.1:9/x',
          'http://localhost/x',
          'http://10.1.2.3/x',
          'http://192.168.0.1/x',
          'http://169.254.169.254/latest/meta-data',
          'http://[::1]/x',
          'http://[fd00::1]/x',
          'http://[::ffff:127.0.0.1]/x',
          'http://0x7f.1/x',
          'ftp://example.com/x',
          'https://user:pw@example.com/x',
        ]) {
          const refused = await api().post('/api/v1/workflow-event-subscriptions', demo, {
            name: 'private',
            target_url: target,
            event_types: ['*'],
          });
          expect([target, refused.status, refused.body.code]).toEqual([
            target,
            400,
            'webhook_target_forbidden',
          ]);
        }
        const runId = await succeededRun();
        await expect.poll(() => stateOf(sub.id, runId), { timeout: 30_000 }).toBe('failed');
        const [refused] = (await deliveries(sub.id)).filter((d) => d.run_id === runId);
        expect(refused?.attempts[0]?.error).toContain(
          'refused: the target resolves to a non-public address (127.0.0.1)',
        );
        expect(receiver.on('/guarded')).toHaveLength(0);
      } finally {
        await stack.restartEdge({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
      }
    });

    it('answers only the owner: anonymous 401, another user 404, the worker routes only workers', async () => {
      const sub = await subscribe('/owned');
      const base = `/api/v1/workflow-event-subscriptions/${sub.id}`;
      const any = '01900000-0000-7000-8000-000000000000';
      const owned: [string, string][] = [
        ['GET', base],
        ['DELETE', base],
        ['GET', `${base}/deliveries`],
        ['POST', `${base}/rotate-secret`],
        ['POST', `${base}/deliveries/${any}/redeliver`],
      ];
      for (const [method, path] of owned) {
        const anonymous = await api().request(method, path, { token: null });
        expect([method, path, anonymous.status]).toEqual([method, path, 401]);
        const other = await api().request(method, path, { token: demo2 });
        expect([method, path, other.body.code]).toEqual([method, path, 'subscription_not_found']);
      }
      expect((await api().get('/api/v1/workflow-event-subscriptions', null)).status).toBe(401);
      expect(
        (await api().get('/api/v1/workflow-event-subscriptions', demo2)).body.subscriptions,
      ).toEqual([]);
      for (const path of [
        `/api/v1/workflow-event-deliveries/${any}/claim`,
        `/api/v1/workflow-event-deliveries/${any}/attempts`,
      ]) {
        const body = path.endsWith('claim')
          ? { worker_id: 'me' }
          : { attempt_number: 1, response_status: 200, error: null, duration_ms: 1 };
        expect((await api().post(path, demo, body)).body.code).toBe('workflow_worker_required');
        expect((await api().post(path, null, body)).status).toBe(401);
        expect((await api().post(path, workerToken, body)).body.code).toBe('delivery_not_found');
      }
      // A workflow filter names one of the caller's workflows.
      const foreign = await api().post('/api/v1/workflow-event-subscriptions', demo2, {
        name: 'x',
        target_url: receiver.url('/x'),
        event_types: ['*'],
        workflow_id: workflowId,
      });
      expect(foreign.body.code).toBe('workflow_not_found');
      const deleted = await api().delete(base, demo);
      expect(deleted.status).toBe(200);
      expect((await api().get(base, demo)).body.code).toBe('subscription_not_found');
    });
  });
}
