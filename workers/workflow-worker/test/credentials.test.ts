import { type Api, createApi } from '@browserpane/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginDevUser, serviceToken } from '../../../edge/test/support/oidc.ts';
import { type Stack, startStack } from '../../../edge/test/support/stack.ts';
import { CredentialBroker } from '../src/credentials/broker.ts';
import { Redactor } from '../src/credentials/redactor.ts';
import { totp } from '../src/credentials/totp.ts';

const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/**
 * The worker's credential broker against a real edge (workerd, PGlite): it resolves what the run
 * was granted as the worker holding the run, answers `read` secrets and TOTP codes, registers every
 * resolved secret with the redactor first, and refuses what a binding's mode does not allow or the
 * run was not granted — with messages that carry no secret. (Injections need a browser: the e2e
 * suite's credentials test does those.)
 */
describe('credential broker', () => {
  let stack: Stack;
  let owner: Api;
  let worker: Api;
  let runId: string;
  let attempt: number;
  let lease: string;
  /** The lease of another run this worker holds (its session, its credentials: not this run's). */
  let otherLease: string;
  let bindings: Awaited<ReturnType<Api['getWorkflowRun']>>['credential_bindings'];

  beforeAll(async () => {
    stack = await startStack('pglite', { vars: { WORKFLOW_LEASE_MS: '60000' } });
    const demo = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    const workerToken = await serviceToken(
      stack.edge.url,
      'workflow-worker',
      stack.edge.secrets.serviceClients['workflow-worker'] as string,
    );
    owner = createApi({ baseUrl: stack.edge.url, token: () => demo });
    worker = createApi({ baseUrl: stack.edge.url, token: () => workerToken });
    const ids = [
      await owner.createCredentialBinding({
        body: { name: 'key', kind: 'secret', secret_payload: { value: 'broker-secret-1' } },
      }),
      await owner.createCredentialBinding({
        body: {
          name: 'login',
          kind: 'password',
          allowed_origins: ['https://login.example.test'],
          secret_payload: { username: 'ada', password: 'broker-password-2' },
        },
      }),
      await owner.createCredentialBinding({
        body: {
          name: 'otp',
          kind: 'totp',
          allowed_origins: ['https://login.example.test'],
          totp: { digits: 8 },
          secret_payload: { seed: SEED },
        },
      }),
    ].map((b) => b.id);
    const wf = await owner.createWorkflowDefinition({ body: { name: 'broker' } });
    await owner.createWorkflowDefinitionVersion({
      params: { workflow_id: wf.id },
      body: {
        version: 'v1',
        executor: 'playwright',
        entrypoint: 'm.mjs',
        source: { kind: 'inline', files: { 'm.mjs': 'export default async () => 1;\n' } },
      },
    });
    const run = await owner.createWorkflowRun({
      body: { workflow_id: wf.id, version: 'v1', credential_binding_ids: ids },
    });
    runId = run.id;
    bindings = run.credential_bindings;
    const claimed = await worker.claimWorkflowRun({
      params: { run_id: runId },
      body: { worker_id: 'broker-test' },
    });
    attempt = claimed.attempt;
    lease = claimed.lease_token;
    const other = await owner.createWorkflowRun({ body: { workflow_id: wf.id, version: 'v1' } });
    otherLease = (
      await worker.claimWorkflowRun({
        params: { run_id: other.id },
        body: { worker_id: 'broker-test' },
      })
    ).lease_token;
  });
  afterAll(() => stack?.stop());

  const broker = (redactor: Redactor, workerId = 'broker-test', shown = lease) =>
    new CredentialBroker({
      api: worker,
      runId,
      attempt,
      workerId,
      lease: shown,
      bindings,
      redactor,
      cdpUrl: () => Promise.reject(new Error('no browser in this test')),
    });

  it('answers read secrets and TOTP codes, registering each secret with the redactor', async () => {
    const redactor = new Redactor();
    const b = broker(redactor);
    expect(await b.handle({ op: 'get', name: 'key' })).toEqual({ value: 'broker-secret-1' });
    expect(redactor.redact('x broker-secret-1 y')).toBe('x [redacted:key] y');
    const code = (await b.handle({ op: 'totp', name: 'otp' })) as string;
    expect(code).toMatch(/^\d{8}$/);
    // The code is the RFC 6238 one of the seed now (or of the step just before, at a boundary).
    const now = Date.now() / 1000;
    expect([
      totp(SEED, { digits: 8, time: now }),
      totp(SEED, { digits: 8, time: now - 30 }),
    ]).toContain(code);
    expect(redactor.redact(`seed ${SEED}`)).toBe('seed [redacted:otp]');
  });

  it('refuses what the binding or the grant does not allow, without the secret in the message', async () => {
    const redactor = new Redactor();
    const b = broker(redactor);
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'allowed',
        (e: Error) => e.message,
      );
    expect(await refusal(b.handle({ op: 'get', name: 'login' }))).toBe(
      'credential login is for form_fill; credentials.get needs read',
    );
    expect(await refusal(b.handle({ op: 'fill', name: 'key', options: { password: '#p' } }))).toBe(
      'credential key is for read; credentials.fill needs form_fill',
    );
    expect(await refusal(b.handle({ op: 'get', name: 'other' }))).toMatch(
      /no credential named "other" was granted to this run \(granted: key, login, otp\)/,
    );
    expect(await refusal(b.handle({ op: 'fill', name: 'login', options: {} }))).toBe(
      'credentials.fill needs { password: <selector> }',
    );
    // Nothing was resolved for any of those.
    expect(redactor.size).toBe(0);
    // Another worker (a different worker id) gets nothing from the edge.
    const stranger = await refusal(
      broker(new Redactor(), 'someone-else').handle({ op: 'get', name: 'key' }),
    );
    expect(stranger).toMatch(/credential key could not be resolved: stale_attempt/);
    expect(stranger).not.toContain('broker-secret-1');
    // The right worker id and attempt with another run's lease (or a made-up one) get nothing
    // either: the lease, not the body, proves the worker holds this run.
    for (const shown of [otherLease, `${lease}x`]) {
      const borrowed = await refusal(
        broker(new Redactor(), 'broker-test', shown).handle({ op: 'get', name: 'key' }),
      );
      expect(borrowed).toMatch(/credential key could not be resolved: stale_attempt/);
      expect(borrowed).not.toContain('broker-secret-1');
    }
  });
});
