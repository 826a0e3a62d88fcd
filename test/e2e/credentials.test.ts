import { randomBytes } from 'node:crypto';
import { type Api, createApi } from '@browserpane/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginDevUser } from '../../edge/test/support/oidc.ts';
import { startLoginSite } from './support/login-site.ts';
import { expectNoSecret as expectNoLeak, runTraces } from './support/secret-leaks.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { waitForState } from './support/workflows.ts';

const PASSWORD = `pw-${randomBytes(9).toString('hex')}`;
const API_KEY = `key-${randomBytes(9).toString('hex')}`;
const COOKIE = `ck-${randomBytes(9).toString('hex')}`;
const STORED = `st-${randomBytes(9).toString('hex')}`;
const SECRETS = [PASSWORD, API_KEY, COOKIE, STORED];

/**
 * An entrypoint that uses every credential path and tries to leak what it can reach: it reads a
 * `read` secret and logs, prints, writes to a file and returns it; has the worker fill the login form (and reads the
 * filled field back from the page); is refused a fill on an origin the binding does not allow and
 * a `get` of a form-fill secret; seeds a cookie and web storage; then signs in.
 */
const FLOW = `
export default async ({ page, input, log, files, credentials }) => {
  const { value } = await credentials.get('api-key');
  files.write('leak.txt', 'key=' + value + '\\n');
  log('the key is ' + value);
  console.log(JSON.stringify({ key: value }));
  console.error('base64', Buffer.from(value).toString('base64'));
  await page.goto(input.site + '/login');
  const refusal = (p) => p.then(() => 'allowed', (e) => e.message);
  const wrongOrigin = await refusal(credentials.fill('elsewhere-login', { username: '#user', password: '#password' }));
  const notReadable = await refusal(credentials.get('site-login'));
  const notGranted = await refusal(credentials.get('never-granted'));
  await credentials.fill('site-login', { username: '#user', password: '#password' });
  const typed = await page.inputValue('#password');
  log('the field holds ' + typed);
  await credentials.seedCookies('site-cookie');
  const cookie = (await page.context().cookies(input.site)).find((c) => c.name === 'pref');
  await credentials.seedStorage('site-storage');
  const stored = await page.evaluate(() => localStorage.getItem('token'));
  await Promise.all([page.waitForURL('**/otp'), page.click('#go')]);
  if (input.fail) throw new Error('giving up with ' + value + ' and ' + typed);
  return { url: page.url(), key: value, typed, cookie: cookie?.value ?? null, stored, wrongOrigin, notReadable, notGranted };
};
`;

describe('credentials in a workflow run, end to end', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let site: Awaited<ReturnType<typeof startLoginSite>>;
  let api: Api;
  let workflowId: string;
  const granted: string[] = [];

  beforeAll(async () => {
    site = await startLoginSite({ name: 'ada', password: PASSWORD });
    fx = await startStackFixture({
      sites: [site.url],
      workflowWorker: { env: { WORKFLOW_WORKER_HEARTBEAT_MS: '500' } },
    });
    const token = await loginDevUser(fx.stack.url, 'demo', 'demo-demo');
    api = createApi({ baseUrl: fx.stack.url, token: () => token, timeoutMs: 90_000 });
    const bind = async (body: Parameters<Api['createCredentialBinding']>[0]['body']) => {
      const b = await api.createCredentialBinding({ body });
      granted.push(b.id);
      return b;
    };
    await bind({
      name: 'site-login',
      kind: 'password',
      allowed_origins: [site.url],
      secret_payload: { username: 'ada', password: PASSWORD },
    });
    await bind({ name: 'api-key', kind: 'secret', secret_payload: { value: API_KEY } });
    await bind({
      name: 'elsewhere-login',
      kind: 'password',
      allowed_origins: ['https://elsewhere.example.test'],
      secret_payload: { username: 'ada', password: PASSWORD },
    });
    await bind({
      name: 'site-cookie',
      kind: 'cookies',
      allowed_origins: [site.url],
      secret_payload: { cookies: [{ name: 'pref', value: COOKIE }] },
    });
    await bind({
      name: 'site-storage',
      kind: 'storage',
      allowed_origins: [site.url],
      secret_payload: { local_storage: { token: STORED } },
    });
    await api.createCredentialBinding({
      body: { name: 'never-granted', kind: 'secret', secret_payload: { value: 'never-granted-x' } },
    });
    workflowId = (await api.createWorkflowDefinition({ body: { name: 'sign in with secrets' } }))
      .id;
    await api.createWorkflowDefinitionVersion({
      params: { workflow_id: workflowId },
      body: {
        version: 'v1',
        executor: 'playwright',
        entrypoint: 'login.mjs',
        source: { kind: 'inline', files: { 'login.mjs': FLOW } },
      },
    });
  });

  afterAll(async () => {
    await fx?.stop();
    await site?.close();
  });

  const expectNoSecret = (text: string, where: string) => expectNoLeak(SECRETS, text, where);

  it('reads a secret, fills the login by injection, seeds cookie and storage, and leaks nothing', async () => {
    const created = await api.createWorkflowRun({
      body: {
        workflow_id: workflowId,
        version: 'v1',
        input: { site: site.url },
        credential_binding_ids: granted,
      },
    });
    expect(created.credential_bindings.map((b) => b.name).sort()).toEqual([
      'api-key',
      'elsewhere-login',
      'site-cookie',
      'site-login',
      'site-storage',
    ]);
    const run = await waitForState(api, created.id, ['succeeded', 'failed'], 120_000);
    expect(run.error).toBeNull();
    expect(run.state).toBe('succeeded');
    const output = run.output as Record<string, string>;
    // Signed in with the injected password: the site moved on to its one-time code page.
    expect(output.url).toBe(`${site.url}/otp`);
    // What the entrypoint got hold of reaches the edge only redacted.
    expect(output.key).toBe('[redacted:api-key]');
    expect(output.typed).toBe('[redacted:site-login]');
    expect(output.cookie).toBe('[redacted:site-cookie]');
    expect(output.stored).toBe('[redacted:site-storage]');
    expect(output.wrongOrigin).toMatch(/origin http:\/\/127\.0\.0\.1:\d+ is not among/);
    expect(output.notReadable).toMatch(/site-login is for form_fill; credentials\.get needs read/);
    expect(output.notGranted).toMatch(/no credential named "never-granted" was granted/);
    const text = await runTraces(api, run);
    expectNoSecret(text, 'the run, its logs and events');
    expect(text).toContain('the key is [redacted:api-key]');
    expect(text).toContain('the field holds [redacted:site-login]');
    const events = await api.getWorkflowRunEvents({ params: { run_id: run.id } });
    expect(
      events.events
        .filter((e) => e.event_type === 'workflow_run.credential_binding_resolved')
        .map((e) => (e.data as { name: string }).name)
        .sort(),
    ).toEqual(['api-key', 'site-cookie', 'site-login', 'site-storage']);
    expectNoSecret(fx.logs.join('\n'), "the edge's, host's and worker's own logs");
    // A file the entrypoint wrote with the secret in it arrives redacted too.
    const leak = run.produced_files.find((f) => f.file_name === 'leak.txt');
    const content = await (
      await api.getWorkflowRunProducedFileContent({
        params: { run_id: run.id, file_id: leak?.file_id as string },
      })
    ).text();
    expect(content).toBe('key=[redacted:api-key]\n');
  });

  it('redacts a secret from the error of a run that fails with it', async () => {
    const created = await api.createWorkflowRun({
      body: {
        workflow_id: workflowId,
        version: 'v1',
        input: { site: site.url, fail: true },
        credential_binding_ids: granted,
      },
    });
    const run = await waitForState(api, created.id, ['succeeded', 'failed'], 120_000);
    expect(run.state).toBe('failed');
    expect(run.error).toContain('giving up with [redacted:api-key] and [redacted:site-login]');
    expectNoSecret(await runTraces(api, run), 'the failed run');
    expectNoSecret(fx.logs.join('\n'), 'the logs');
  });
});
