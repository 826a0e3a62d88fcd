import { createHash } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginDevUser, serviceToken } from './support/oidc.ts';
import { type DbKind, type Stack, startStack } from './support/stack.ts';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

const MODULE = 'export default async ({ input }) => ({ echoed: input });\n';

/**
 * Workflow definitions, versions and runs against the edge under workerd, with a stand-in for the
 * workflow worker (its service principal, calling the worker routes as the real one does): the
 * state machine, idempotency, admission, intervention, leases, and who may do what.
 */
export function workflowRunsSuite(kind: DbKind) {
  describe(`workflow runs (${kind})`, () => {
    let stack: Stack;
    let demo: string;
    let demo2: string;
    let worker: string;
    let bridge: string;
    let workflowId: string;
    const api = () => stack.api;
    const sweep = () => api().post('/api/v1/maintenance/sweep', stack.edge.secrets.operatorToken);
    const claim = (id: string) =>
      api().post(`/api/v1/workflow-runs/${id}/claim`, worker, { worker_id: 'stand-in' });
    const report = (id: string, body: Record<string, unknown>) =>
      api().post(`/api/v1/workflow-runs/${id}/state`, worker, body);
    const run = async (body: Record<string, unknown> = {}, token = demo) =>
      api().post('/api/v1/workflow-runs', token, {
        workflow_id: workflowId,
        version: 'v1',
        ...body,
      });
    const jobs = async (runId: string) => {
      const sql = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
      try {
        const rows =
          await sql`select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'workflow_run' and j.payload->>'run_id' = ${runId}`;
        return rows[0]?.n as number;
      } finally {
        await sql.end();
      }
    };

    beforeAll(async () => {
      stack = await startStack(kind, {
        vars: { WORKFLOW_MAX_ACTIVE_RUNS: '2', WORKFLOW_LEASE_MS: '1000' },
      });
      demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
      demo2 = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
      worker = await serviceToken(
        stack.edge.url,
        'workflow-worker',
        stack.edge.secrets.serviceClients['workflow-worker'] as string,
      );
      bridge = await serviceToken(
        stack.edge.url,
        'mcp-bridge',
        stack.edge.secrets.serviceClients['mcp-bridge'] as string,
      );
    });
    afterAll(() => stack?.stop());

    it('creates a definition and publishes an immutable inline version', async () => {
      const def = await api().post('/api/v1/workflows', demo, {
        name: 'echo',
        labels: { team: 'qa' },
      });
      expect(def.status).toBe(201);
      expect(def.body.latest_version).toBeNull();
      workflowId = def.body.id;
      const body = {
        version: 'v1',
        executor: 'playwright',
        entrypoint: 'main.mjs',
        source: { kind: 'inline', files: { 'main.mjs': MODULE } },
        input_schema: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' } },
        },
      };
      const v = await api().post(`/api/v1/workflows/${workflowId}/versions`, demo, body);
      expect(v.status).toBe(201);
      expect(v.body).toMatchObject({
        version: 'v1',
        source: null,
        compatibility: { state: 'legacy' },
        snapshot: { kind: 'inline', state: 'ready', file_count: 1 },
      });
      expect(
        (await api().post(`/api/v1/workflows/${workflowId}/versions`, demo, body)).status,
      ).toBe(200);
      const other = await api().post(`/api/v1/workflows/${workflowId}/versions`, demo, {
        ...body,
        entrypoint: 'x.mjs',
        source: { kind: 'inline', files: { 'x.mjs': MODULE } },
      });
      expect(other.body.code).toBe('workflow_version_exists');
      expect((await api().get(`/api/v1/workflows/${workflowId}`, demo)).body.latest_version).toBe(
        'v1',
      );
      expect(
        (await api().get(`/api/v1/workflows/${workflowId}/versions`, demo)).body.versions,
      ).toHaveLength(1);
      expect((await api().get(`/api/v1/workflows/${workflowId}/versions/v1`, demo)).status).toBe(
        200,
      );
      expect((await api().get(`/api/v1/workflows/${workflowId}`, demo2)).body.code).toBe(
        'workflow_not_found',
      );
      expect((await api().get('/api/v1/workflows', demo2)).body.workflows).toEqual([]);
    });

    it('refuses input that fails the schema, unknown versions and someone else’s session', async () => {
      expect((await run({ input: { name: 7 } })).body.code).toBe('input_invalid');
      expect((await run({ version: 'v9', input: { name: 'a' } })).body.code).toBe(
        'workflow_version_not_found',
      );
      const foreign = await api().post('/api/v1/sessions', demo2, {});
      expect(
        (await run({ input: { name: 'a' }, session: { existing_session_id: foreign.body.id } }))
          .body.code,
      ).toBe('session_not_found');
      expect((await run({ input: { name: 'a' } }, demo2)).body.code).toBe('workflow_not_found');
    });

    it('walks a run through the worker: claim, pause for a person, answer, produce a file, succeed', async () => {
      const created = await run({
        input: { name: 'Ada' },
        source_system: 'crm',
        source_reference: 'T-1',
        labels: { case: '1' },
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect(created.body).toMatchObject({
        state: 'pending',
        reason: 'created',
        attempt: 0,
        admission: null,
        executor: 'playwright',
        source_system: 'crm',
      });
      expect(await jobs(id)).toBe(1);
      // Only workflow workers take runs; other principals get 403, other owners 404 on reads.
      expect(
        (await api().post(`/api/v1/workflow-runs/${id}/claim`, demo, { worker_id: 'me' })).body
          .code,
      ).toBe('workflow_worker_required');
      expect(
        (await api().post(`/api/v1/workflow-runs/${id}/claim`, bridge, { worker_id: 'me' })).body
          .code,
      ).toBe('workflow_worker_required');
      expect((await api().get(`/api/v1/workflow-runs/${id}`, demo2)).body.code).toBe(
        'workflow_run_not_found',
      );
      expect((await api().get(`/api/v1/workflow-runs/${id}`, null)).status).toBe(401);

      const claimed = await claim(id);
      expect(claimed.status).toBe(200);
      expect(claimed.body).toMatchObject({
        attempt: 1,
        version: { executor: 'playwright', entrypoint: 'main.mjs' },
        resolutions: [],
      });
      expect((await claim(id)).body.code).toBe('run_state_conflict');
      const snapshot = await api().get(claimed.body.version.snapshot_path, worker, {
        unchecked: true,
      });
      expect(snapshot.status).toBe(200);
      expect(snapshot.headers.get('content-type')).toBe('application/gzip');
      expect((await report(id, { state: 'running', attempt: 1 })).body.state).toBe('running');
      // The worker reads the files of the session it drives (its browser's downloads), shown by
      // the attempt's lease; no other session's — not even that of another run under way — nor
      // without the lease; nor may another service principal, nor anyone anonymous.
      const runSession = created.body.session_id as string;
      const lease = claimed.body.lease_token as string;
      expect(lease).toMatch(/^[\w-]{43}$/);
      const sessionFiles = (sid: string, token: string | null, shown?: string) =>
        api().get(`/api/v1/sessions/${sid}/files`, token, {
          headers: shown ? { 'x-bpane-run-lease': shown } : {},
        });
      expect((await sessionFiles(runSession, worker, lease)).body).toEqual({
        files: [],
        next_cursor: null,
      });
      expect((await sessionFiles(runSession, worker)).body.code).toBe('session_not_found');
      expect((await sessionFiles(runSession, worker, `${lease}x`)).body.code).toBe(
        'session_not_found',
      );
      expect((await sessionFiles(runSession, bridge, lease)).body.code).toBe('session_not_found');
      expect((await sessionFiles(runSession, null, lease)).status).toBe(401);
      const unrelated = await api().post('/api/v1/sessions', demo2, {});
      expect((await sessionFiles(unrelated.body.id, worker, lease)).body.code).toBe(
        'session_not_found',
      );
      const other = await run({ input: { name: 'Bea' } });
      const otherLease = (await claim(other.body.id)).body.lease_token as string;
      const otherSession = other.body.session_id as string;
      expect((await sessionFiles(otherSession, worker, otherLease)).status).toBe(200);
      expect((await sessionFiles(otherSession, worker, lease)).body.code).toBe('session_not_found');
      expect((await sessionFiles(runSession, worker, otherLease)).body.code).toBe(
        'session_not_found',
      );
      expect(
        (
          await api().get(
            `/api/v1/sessions/${otherSession}/files/${otherSession}/content`,
            worker,
            {
              headers: { 'x-bpane-run-lease': lease },
            },
          )
        ).body.code,
      ).toBe('session_not_found');
      expect(
        (
          await api().get(`/api/v1/sessions/${runSession}/files/${runSession}/content`, worker, {
            headers: { 'x-bpane-run-lease': lease },
          })
        ).body.code,
      ).toBe('not_found');
      // Automation access to a run's session too: only with that attempt's lease.
      const access = (id: string, shown?: string) =>
        api().post(
          `/api/v1/workflow-runs/${id}/automation-access`,
          worker,
          { attempt: 1 },
          { headers: shown ? { 'x-bpane-run-lease': shown } : {} },
        );
      expect((await access(other.body.id)).body.code).toBe('stale_attempt');
      expect((await access(other.body.id, lease)).body.code).toBe('stale_attempt');
      expect((await access(other.body.id, otherLease)).body.code).not.toBe('stale_attempt');
      expect(
        (
          await report(other.body.id, {
            state: 'failed',
            attempt: 1,
            reason: 'entrypoint_failed',
            error: 'done with it',
          })
        ).body.state,
      ).toBe('failed');
      expect((await report(id, { state: 'running', attempt: 1 })).body.code).toBe(
        'run_state_conflict',
      );
      expect((await report(id, { state: 'succeeded', attempt: 2 })).body.code).toBe(
        'stale_attempt',
      );

      const log = await api().post(`/api/v1/workflow-runs/${id}/logs`, worker, {
        stream: 'stdout',
        message: 'hello',
      });
      expect(log.body).toMatchObject({ stream: 'stdout', message: 'hello', source: 'run' });
      // Several lines in one request, stored in order; the last one answers.
      const batch = await api().post(`/api/v1/workflow-runs/${id}/logs`, worker, {
        lines: [
          { stream: 'stderr', message: 'one' },
          { stream: 'system', message: 'two' },
        ],
      });
      expect(batch.body).toMatchObject({ stream: 'system', message: 'two' });
      expect(batch.body.sequence).toBe((log.body.sequence as number) + 2);
      const logged = await api().get(
        `/api/v1/workflow-runs/${id}/logs?after=${log.body.sequence}`,
        demo,
      );
      expect(logged.body.logs.map((l: { message: string }) => l.message)).toEqual(['one', 'two']);
      for (const bad of [{ lines: [] }, { lines: [{ stream: 'stdout' }] }, { lines: 'x' }])
        expect(
          (
            await api().post(`/api/v1/workflow-runs/${id}/logs`, worker, bad, {
              unchecked: true,
            })
          ).body.code,
          JSON.stringify(bad),
        ).toBe('validation_failed');
      const paused = await report(id, {
        state: 'awaiting_input',
        attempt: 1,
        data: {
          intervention_request: {
            kind: 'one_time_code',
            prompt: 'Enter the code',
            input_schema: {
              type: 'object',
              required: ['code'],
              properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } },
            },
          },
          runtime_hold: { mode: 'live', timeout_sec: 600 },
        },
      });
      expect(paused.body).toMatchObject({
        state: 'awaiting_input',
        intervention: {
          pending_request: {
            kind: 'one_time_code',
            prompt: 'Enter the code',
            hold: { mode: 'live_runtime', timeout_sec: 600 },
          },
        },
        runtime: { resume_mode: 'profile_restart', exact_runtime_available: false },
      });
      expect(
        (
          await api().post(`/api/v1/workflow-runs/${id}/submit-input`, demo, {
            input: { code: 'abc' },
          })
        ).body.code,
      ).toBe('input_invalid');
      expect(
        (
          await api().post(`/api/v1/workflow-runs/${id}/submit-input`, demo2, {
            input: { code: '123456' },
          })
        ).body.code,
      ).toBe('workflow_run_not_found');
      expect(
        (await api().post(`/api/v1/workflow-runs/${id}/heartbeat`, worker, { attempt: 1 })).body.run
          .state,
      ).toBe('awaiting_input');
      const answered = await api().post(`/api/v1/workflow-runs/${id}/submit-input`, demo, {
        input: { code: '123456' },
        comment: 'from my phone',
      });
      expect(answered.body).toMatchObject({
        state: 'running',
        intervention: {
          pending_request: null,
          last_resolution: {
            action: 'submit_input',
            input: { code: '123456' },
            actor_subject: 'demo',
            reason: 'from my phone',
          },
        },
      });
      expect((await api().post(`/api/v1/workflow-runs/${id}/resume`, demo, {})).body.code).toBe(
        'run_state_conflict',
      );

      const content = 'col1,col2\n1,2\n';
      const upload = await api().request('POST', `/api/v1/workflow-runs/${id}/produced-files`, {
        token: worker,
        raw: content,
        headers: {
          'content-type': 'text/csv',
          'x-bpane-file-name': encodeURIComponent('Bericht März.csv'),
          'x-bpane-file-provenance': JSON.stringify({ source: 'download' }),
        },
      });
      expect(upload.status).toBe(201);
      expect(upload.body).toMatchObject({
        file_name: 'Bericht März.csv',
        byte_count: content.length,
        sha256_hex: sha256(content),
        media_type: 'text/csv',
        provenance: { source: 'download' },
      });
      const bytes = await api().get(upload.body.content_path, demo, { unchecked: true });
      expect(bytes.text).toBe(content);
      expect(bytes.headers.get('etag')).toBe(`"${sha256(content)}"`);
      expect((await api().get(upload.body.content_path, demo2)).status).toBe(404);

      const done = await report(id, {
        state: 'succeeded',
        attempt: 1,
        output: { greeting: 'hi Ada' },
      });
      expect(done.body).toMatchObject({
        state: 'succeeded',
        output: { greeting: 'hi Ada' },
        outcome: { category: 'success' },
        produced_files: [{ file_name: 'Bericht März.csv' }],
      });
      expect(done.body.completed_at).not.toBeNull();
      // The run is over: its session's files are no longer the worker's to read.
      expect((await sessionFiles(runSession, worker, lease)).body.code).toBe('session_not_found');
      // Its session stays: the run's history refers to it.
      const purge = await api().delete(`/api/v1/sessions/${runSession}?purge=true`, demo);
      expect(purge.status).toBe(409);
      expect(purge.body.code).toBe('session_has_runs');
      expect((await report(id, { state: 'failed', attempt: 1 })).body.code).toBe(
        'run_state_conflict',
      );
      expect((await api().post(`/api/v1/workflow-runs/${id}/cancel`, demo)).body.code).toBe(
        'run_state_conflict',
      );

      const events = await api().get(`/api/v1/workflow-runs/${id}/events`, demo);
      expect(events.body.events.map((e: { event_type: string }) => e.event_type)).toEqual([
        'workflow_run.created',
        'workflow_run.admitted',
        'workflow_run.starting',
        'workflow_run.running',
        'workflow_run.awaiting_input',
        'workflow_run.runtime_held',
        'workflow_run.input_submitted',
        'workflow_run.produced_file_added',
        'workflow_run.succeeded',
      ]);
      const logs = await api().get(`/api/v1/workflow-runs/${id}/logs?after=0&limit=10`, demo);
      expect(logs.body).toMatchObject({
        logs: [{ message: 'hello' }, { message: 'one' }, { message: 'two' }],
        run_state: 'succeeded',
      });
      const after = await api().get(
        `/api/v1/workflow-runs/${id}/logs?after=${logs.body.next_after}&wait_sec=2`,
        demo,
      );
      expect(after.body.logs).toEqual([]);
      expect(
        (
          await api().post(`/api/v1/workflow-runs/${id}/logs`, worker, {
            stream: 'stdout',
            message: 'late',
          })
        ).body.code,
      ).toBe('run_state_conflict');
    });

    it('answers 20 concurrent identical requests with one run, and a different body with 409', async () => {
      const body = { input: { name: 'same' }, client_request_id: 'order-42' };
      const answers = await Promise.all(Array.from({ length: 20 }, () => run(body)));
      const ids = new Set(answers.map((a) => a.body.id));
      expect(answers.map((a) => a.body.code).filter(Boolean)).toEqual([]);
      expect(ids.size).toBe(1);
      expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(19);
      const conflict = await run({ input: { name: 'other' }, client_request_id: 'order-42' });
      expect(conflict.status).toBe(409);
      expect(conflict.body.code).toBe('idempotency_conflict');
      // Another owner may use the same key.
      const id = [...ids][0] as string;
      expect((await api().post(`/api/v1/workflow-runs/${id}/cancel`, demo)).body.state).toBe(
        'cancelled',
      );
    });

    it('queues runs over capacity in order and admits them as capacity frees', async () => {
      // Capacity 2: fill it, then three more wait.
      const active = [await run({ input: { name: 'a' } }), await run({ input: { name: 'b' } })];
      const waiting = [
        await run({ input: { name: 'c' } }),
        await run({ input: { name: 'd' } }),
        await run({ input: { name: 'e' } }),
      ];
      expect(active.map((r) => r.body.state)).toEqual(['pending', 'pending']);
      expect(waiting.map((r) => r.body.state)).toEqual(['queued', 'queued', 'queued']);
      expect(waiting.map((r) => r.body.admission.position)).toEqual([1, 2, 3]);
      expect(waiting[0]?.body.admission).toMatchObject({
        state: 'queued',
        reason: 'workflow_worker_capacity',
      });
      expect(await jobs(waiting[0]?.body.id)).toBe(0);
      // Cancelling a queued run moves the others up; ending an active run admits the first.
      expect(
        (await api().post(`/api/v1/workflow-runs/${waiting[1]?.body.id}/cancel`, demo)).body.state,
      ).toBe('cancelled');
      expect(
        (await api().get(`/api/v1/workflow-runs/${waiting[2]?.body.id}`, demo)).body.admission
          .position,
      ).toBe(2);
      await api().post(`/api/v1/workflow-runs/${active[0]?.body.id}/cancel`, demo);
      const first = await api().get(`/api/v1/workflow-runs/${waiting[0]?.body.id}`, demo);
      expect(first.body).toMatchObject({ state: 'pending', admission: null, reason: 'admitted' });
      expect(await jobs(waiting[0]?.body.id)).toBe(1);
      expect(
        (await api().get(`/api/v1/workflow-runs/${waiting[2]?.body.id}`, demo)).body.admission
          .position,
      ).toBe(1);
      const list = await api().get('/api/v1/workflow-runs?state=queued', demo);
      expect(list.body.runs.map((r: { id: string }) => r.id)).toEqual([waiting[2]?.body.id]);
      for (const r of [active[1], waiting[0], waiting[2]])
        await api().post(`/api/v1/workflow-runs/${r?.body.id}/cancel`, demo);
    });

    it('cancels a running run through its worker, and retries then fails a run whose worker went silent', async () => {
      const a = (await run({ input: { name: 'x' } })).body.id as string;
      await claim(a);
      await report(a, { state: 'running', attempt: 1 });
      const asked = await api().post(`/api/v1/workflow-runs/${a}/cancel`, demo);
      expect(asked.body).toMatchObject({ state: 'running', reason: 'cancel_requested' });
      const beat = await api().post(`/api/v1/workflow-runs/${a}/heartbeat`, worker, { attempt: 1 });
      expect(beat.body.cancel_requested).toBe(true);
      expect((await report(a, { state: 'cancelled', attempt: 1 })).body).toMatchObject({
        state: 'cancelled',
        outcome: { category: 'cancellation' },
      });

      const b = (await run({ input: { name: 'y' } })).body.id as string;
      await claim(b);
      await report(b, { state: 'running', attempt: 1 });
      await new Promise((r) => setTimeout(r, 1300));
      await sweep();
      const retried = await api().get(`/api/v1/workflow-runs/${b}`, demo);
      expect(retried.body).toMatchObject({ state: 'pending', reason: 'worker_lost', attempt: 1 });
      expect((await report(b, { state: 'succeeded', attempt: 1 })).body.code).toBe(
        'run_state_conflict',
      );
      expect((await claim(b)).body.attempt).toBe(2);
      await new Promise((r) => setTimeout(r, 1300));
      await sweep();
      const failed = await api().get(`/api/v1/workflow-runs/${b}`, demo);
      expect(failed.body).toMatchObject({
        state: 'failed',
        reason: 'worker_lost',
        outcome: { category: 'retryable_technical_failure' },
      });
    });

    it('fails a paused run whose hold ran out, and one a person rejects', async () => {
      const pause = async (timeout: number) => {
        const id = (await run({ input: { name: 'p' } })).body.id as string;
        await claim(id);
        await report(id, { state: 'running', attempt: 1 });
        await report(id, {
          state: 'awaiting_input',
          attempt: 1,
          data: {
            intervention_request: { prompt: 'ok?' },
            runtime_hold: { mode: 'profile_restart', timeout_sec: timeout },
          },
        });
        return id;
      };
      const a = await pause(1);
      expect((await api().get(`/api/v1/workflow-runs/${a}`, demo)).body.runtime.resume_mode).toBe(
        'profile_restart',
      );
      await new Promise((r) => setTimeout(r, 1300));
      await sweep();
      expect((await api().get(`/api/v1/workflow-runs/${a}`, demo)).body).toMatchObject({
        state: 'failed',
        reason: 'intervention_timeout',
      });
      const b = await pause(600);
      const rejected = await api().post(`/api/v1/workflow-runs/${b}/reject`, demo, {
        reason: 'wrong account',
      });
      expect(rejected.body).toMatchObject({
        state: 'failed',
        reason: 'rejected',
        error: 'rejected: wrong account',
        intervention: { last_resolution: { action: 'reject', reason: 'wrong account' } },
      });
      // A profile_restart pause resumes on a worker again (pending, a new job), with the answers.
      const c = await pause(600);
      const resumed = await api().post(`/api/v1/workflow-runs/${c}/resume`, demo, {
        comment: 'fixed it',
      });
      expect(resumed.body).toMatchObject({ state: 'pending', reason: 'resumed' });
      const again = await claim(c);
      expect(again.body).toMatchObject({
        attempt: 2,
        resolutions: [{ action: 'resume', reason: 'fixed it' }],
      });
      await report(c, { state: 'failed', attempt: 2, error: 'boom' });
    });
  });
}
