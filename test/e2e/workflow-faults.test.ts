import { type Api, createApi, type WorkflowRun } from '@browserpane/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginDevUser } from '../../edge/test/support/oidc.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { SLEEPER, waitForState } from './support/workflows.ts';

/**
 * Workflow runs under faults and load on a real stack with PostgreSQL (behind PgBouncer) and room
 * for one active run: 20 concurrent identical requests make one run, queued runs start in order,
 * and a run survives an edge restart and a PostgreSQL restart mid-run.
 */
describe('workflow runs under faults', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let api: Api;
  let token: string;
  let workflowId: string;
  let sessionId: string;

  const sleep = (ms: number, extra: Record<string, unknown> = {}) =>
    api.createWorkflowRun({
      body: {
        workflow_id: workflowId,
        version: 'v1',
        session: { existing_session_id: sessionId },
        input: { ms },
        ...extra,
      },
    });

  beforeAll(async () => {
    fx = await startStackFixture({
      database: 'postgres',
      workflowWorker: { env: { WORKFLOW_WORKER_HEARTBEAT_MS: '500' } },
      edgeVars: { WORKFLOW_MAX_ACTIVE_RUNS: '1', WORKFLOW_LEASE_MS: '15000' },
    });
    token = await loginDevUser(fx.stack.url, 'demo', 'demo-demo');
    api = createApi({ baseUrl: fx.stack.url, token: () => token, timeoutMs: 60_000 });
    workflowId = (await api.createWorkflowDefinition({ body: { name: 'sleeper' } })).id;
    await api.createWorkflowDefinitionVersion({
      params: { workflow_id: workflowId },
      body: {
        version: 'v1',
        executor: 'playwright',
        entrypoint: 'sleep.mjs',
        source: { kind: 'inline', files: { 'sleep.mjs': SLEEPER } },
      },
    });
    sessionId = (await api.createSession({ body: {} })).id;
  });

  afterAll(async () => {
    await fx?.stop();
  });

  it('makes one run of 20 concurrent identical requests', async () => {
    const body = JSON.stringify({
      workflow_id: workflowId,
      version: 'v1',
      session: { existing_session_id: sessionId },
      input: { ms: 10 },
      client_request_id: 'order-4711',
    });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${fx.stack.url}/api/v1/workflow-runs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        }).then(async (res) => ({ status: res.status, run: (await res.json()) as WorkflowRun })),
      ),
    );
    const statuses = answers.map((a) => a.status).sort((a, b) => a - b);
    expect(statuses).toEqual([...Array<number>(19).fill(200), 201]);
    expect(new Set(answers.map((a) => a.run.id)).size).toBe(1);
    const id = answers[0]?.run.id as string;
    const runs = await api.listWorkflowRuns({ query: { workflow_id: workflowId } });
    expect(runs.runs.filter((r) => r.client_request_id === 'order-4711').map((r) => r.id)).toEqual([
      id,
    ]);
    expect((await waitForState(api, id, ['succeeded', 'failed'], 90_000)).state).toBe('succeeded');
  });

  it('with room for one run, three runs queue and complete in order', async () => {
    const first = await sleep(1500);
    const second = await sleep(200);
    const third = await sleep(200);
    expect(first.state).toMatch(/^(pending|starting|running)$/);
    expect(second).toMatchObject({ state: 'queued', admission: { position: 1 } });
    expect(third).toMatchObject({ state: 'queued', admission: { position: 2 } });
    expect(second.admission?.reason).toBeTruthy();
    const done: WorkflowRun[] = [];
    for (const run of [first, second, third])
      done.push(await waitForState(api, run.id, ['succeeded', 'failed', 'cancelled'], 120_000));
    expect(done.map((r) => r.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const started = done.map((r) => Date.parse(r.started_at as string));
    const completed = done.map((r) => Date.parse(r.completed_at as string));
    expect(started[1]).toBeGreaterThanOrEqual(completed[0] as number);
    expect(started[2]).toBeGreaterThanOrEqual(completed[1] as number);
  });

  it('keeps a run through an edge restart mid-run', async () => {
    const run = await sleep(6000);
    await waitForState(api, run.id, ['running'], 60_000);
    await fx.stack.restartEdge();
    const done = await waitForState(api, run.id, ['succeeded', 'failed'], 120_000);
    expect(done, done.error ?? '').toMatchObject({ state: 'succeeded', output: { slept: 6000 } });
  });

  it('keeps a run through a PostgreSQL restart mid-run', async () => {
    const run = await sleep(6000);
    await waitForState(api, run.id, ['running'], 60_000);
    await fx.stack.restartDatabase();
    const done = await waitForState(api, run.id, ['succeeded', 'failed'], 120_000);
    expect(done, done.error ?? '').toMatchObject({ state: 'succeeded', output: { slept: 6000 } });
    // The queue still takes new runs after the restart.
    const after = await sleep(10);
    expect((await waitForState(api, after.id, ['succeeded', 'failed'], 90_000)).state).toBe(
      'succeeded',
    );
  });
});
