import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paintArchive, paintFiles } from '../../../edge/test/support/extension-archives.ts';
import { loginDevUser } from '../../../edge/test/support/oidc.ts';
import { type Stack, startStack } from '../../../edge/test/support/stack.ts';
import { COMMANDS } from '../src/main.ts';
import { cli, cliProcess } from './run-cli.ts';

const MODULE = 'export default async ({ input }) => ({ echoed: input });\n';

/**
 * The CLI against a real edge (workerd, PGlite): every command's help, the saved login, exit
 * codes that tell usage, auth and API errors apart, JSON output, and the workflow and run commands
 * (runs stay pending here: no worker; the e2e suite runs them to the end).
 */
describe('browserpane CLI', () => {
  let stack: Stack;
  let token: string;
  let other: string;
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    stack = await startStack('pglite');
    token = await loginDevUser(stack.edge.url, 'demo', 'demo-demo');
    other = await loginDevUser(stack.edge.url, 'demo2', 'demo2-demo2');
    home = mkdtempSync(join(tmpdir(), 'bp-cli-'));
    env = { BROWSERPANE_CONFIG_DIR: join(home, 'config') };
  });
  afterAll(async () => {
    await stack?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('has --help on every command, and a usage error exits 2', async () => {
    for (const c of COMMANDS) {
      const res = await cli([...c.path, '--help'], {});
      expect(res.code, c.path.join(' ')).toBe(0);
      expect(res.out).toContain(`usage: browserpane ${c.path.join(' ')}`);
    }
    const top = await cli(['--help'], {});
    expect(top.code).toBe(0);
    for (const c of COMMANDS) expect(top.out).toContain(c.path.join(' '));
    const group = await cli(['run', '--help'], {});
    expect(group.out).toContain('run submit-input');
    expect(group.out).not.toContain('session create');
    expect((await cli([], {})).code).toBe(2);
    const unknown = await cli(['workflow', 'frobnicate'], {});
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.err).toContain('unknown command "workflow frobnicate"');
    const badOption = await cli(['workflow', 'list', '--nope'], {
      BROWSERPANE_API_URL: stack.edge.url,
    });
    expect(badOption.code).toBe(2);
    expect(badOption.err).toContain('unknown option --nope');
    const badJson = await cli(
      ['run', 'start', '--workflow', 'x', '--version', 'v1', '--input', '{nope'],
      { BROWSERPANE_API_URL: stack.edge.url, BROWSERPANE_TOKEN: token },
    );
    expect(badJson.code).toBe(2);
    expect(badJson.err).toContain('--input is not valid JSON');
    const noEdge = await cli(['workflow', 'list'], env);
    expect(noEdge.code).toBe(2);
    expect(noEdge.err).toContain('no edge to talk to');
  });

  it('tells auth failures apart (exit 3) and never prints the token', async () => {
    const anonymous = await cli(['workflow', 'list', '--api-url', stack.edge.url], env);
    expect(anonymous.code).toBe(3);
    expect(anonymous.err).toContain('not signed in');
    const wrong = await cli(
      ['workflow', 'list', '--api-url', stack.edge.url, '--token', 'not-a-token'],
      env,
    );
    expect(wrong.code).toBe(3);
    expect(wrong.err).toMatch(/invalid_token|unauthorized/);
    expect(wrong.err).not.toContain('not-a-token');
    const loginBad = await cli(
      ['login', '--api-url', stack.edge.url, '--token', 'not-a-token'],
      env,
    );
    expect(loginBad.code).toBe(3);
    expect(() => statSync(join(env.BROWSERPANE_CONFIG_DIR as string, 'login.json'))).toThrow();
  });

  it('saves a login (readable by the user only) that later commands use', async () => {
    const res = await cli(
      ['login', '--api-url', stack.edge.url, '--token', '-', '--json'],
      env,
      `${token}\n`,
    );
    expect(res.code, res.err).toBe(0);
    const saved = JSON.parse(res.out) as { saved_to: string };
    expect(statSync(saved.saved_to).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(saved.saved_to, 'utf8'))).toMatchObject({
      api_url: stack.edge.url,
      token,
    });
    expect(res.out).not.toContain(token);
    const list = await cli(['workflow', 'list'], env);
    expect(list).toMatchObject({ code: 0, out: 'no workflows' });
    // A saved token is not sent to another edge.
    const elsewhere = await cli(['workflow', 'list', '--api-url', 'http://127.0.0.1:9'], env);
    expect(elsewhere.code).toBe(3);
  });

  it('creates a workflow and versions, starts, lists, reads and cancels runs', async () => {
    const created = await cli(
      ['workflow', 'create', '--name', 'echo', '--label', 'team=qa', '--json'],
      env,
    );
    expect(created.code, created.err).toBe(0);
    const workflow = JSON.parse(created.out) as { id: string; labels: Record<string, string> };
    expect(workflow.labels).toEqual({ team: 'qa' });
    const dir = join(home, 'src');
    rmSync(dir, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'lib'), { recursive: true });
    writeFileSync(join(dir, 'main.mjs'), MODULE);
    writeFileSync(join(dir, 'lib', 'util.mjs'), 'export const x = 1;\n');
    writeFileSync(join(home, 'schema.json'), JSON.stringify({ type: 'object', required: ['n'] }));
    const version = await cli(
      [
        'workflow',
        'version',
        'create',
        workflow.id,
        '--version',
        'v1',
        '--entrypoint',
        'main.mjs',
        '--dir',
        dir,
        '--input-schema',
        `@${join(home, 'schema.json')}`,
      ],
      env,
    );
    expect(version.code, version.err).toBe(0);
    expect(version.out).toContain('published v1');
    expect(version.out).toContain('(2 files)');
    const again = await cli(
      [
        'workflow',
        'version',
        'create',
        workflow.id,
        '--version',
        'v1',
        '--entrypoint',
        'main.mjs',
        '--dir',
        dir,
      ],
      env,
    );
    expect(again.code).toBe(4);
    expect(again.err).toContain('workflow_version_exists');
    const noSource = await cli(
      ['workflow', 'version', 'create', workflow.id, '--version', 'v2', '--entrypoint', 'x'],
      env,
    );
    expect(noSource.code).toBe(2);
    const got = await cli(['workflow', 'get', workflow.id], env);
    expect(got.out).toMatch(/v1\s+playwright\s+main\.mjs\s+inline\s+ready/);
    const listed = await cli(['workflow', 'list'], env);
    expect(listed.out).toMatch(new RegExp(`${workflow.id}\\s+echo\\s+v1`));

    const invalid = await cli(
      ['run', 'start', '--workflow', workflow.id, '--version', 'v1', '--input', '{}'],
      env,
    );
    expect(invalid.code).toBe(4);
    expect(invalid.err).toContain('input_invalid');
    const missing = await cli(
      ['run', 'start', '--workflow', workflow.id, '--version', 'v9', '--input', '{"n":1}'],
      env,
    );
    expect(missing.code).toBe(4);
    expect(missing.err).toContain('workflow_version_not_found');

    const start = [
      'run',
      'start',
      '--workflow',
      workflow.id,
      '--version',
      'v1',
      '--input',
      '{"n":1}',
      '--client-request-id',
      'cli-1',
      '--json',
    ];
    const first = await cli(start, env);
    expect(first.code, first.err).toBe(0);
    const run = JSON.parse(first.out) as { id: string; state: string; input: unknown };
    expect(run.input).toEqual({ n: 1 });
    const retry = await cli(start, env);
    expect((JSON.parse(retry.out) as { id: string }).id).toBe(run.id);
    const conflict = await cli([...start.slice(0, 7), '{"n":2}', ...start.slice(8)], env);
    expect(conflict.code).toBe(4);
    expect(conflict.err).toContain('idempotency_conflict');

    const get = await cli(['run', 'get', run.id], env);
    expect(get.out).toContain(`run ${run.id}: ${run.state}`);
    expect((await cli(['run', 'list', '--workflow', workflow.id], env)).out).toContain(run.id);
    expect((await cli(['run', 'list', '--state', 'bogus'], env)).code).toBe(2);
    const submit = await cli(['run', 'submit-input', run.id, '--input', '{"code":"1"}'], env);
    expect(submit.code).toBe(4);
    expect(submit.err).toContain('run_state_conflict');
    // Someone else's run is not found for them.
    const foreign = await cli(['run', 'get', run.id, '--token', other], env);
    expect(foreign.code).toBe(4);
    expect(foreign.err).toContain('workflow_run_not_found');
    const cancelled = await cli(['run', 'cancel', run.id, '--json'], env);
    expect(JSON.parse(cancelled.out)).toMatchObject({ id: run.id, state: 'cancelled' });
    const logs = await cli(['run', 'logs', run.id, '--follow'], env);
    expect(logs.code).toBe(1);
    expect(logs.err).toContain(`run ${run.id}: cancelled`);
    expect((await cli(['run', 'files', run.id], env)).out).toBe('no files');
  });

  it('lists, creates and stops sessions', async () => {
    const created = await cli(['session', 'create', '--label', 'by=cli', '--json'], env);
    expect(created.code, created.err).toBe(0);
    const session = JSON.parse(created.out) as { id: string };
    expect((await cli(['session', 'list'], env)).out).toMatch(
      new RegExp(`${session.id}\\s+\\w+\\s+by=cli`),
    );
    const stopped = await cli(['session', 'stop', session.id], env);
    expect(stopped.code, stopped.err).toBe(0);
    expect(stopped.out).toMatch(new RegExp(`^${session.id} (stopping|stopped)$`));
  });

  it('stores credentials from stdin or a file, lists, reads and deletes them, never printing the secret', async () => {
    const e = { BROWSERPANE_API_URL: stack.edge.url, BROWSERPANE_TOKEN: token };
    const secret = 'cli-secret-7f3a9c';
    const created = await cli(
      [
        'credentials',
        'create',
        'cli-login',
        '--kind',
        'password',
        '--username',
        'ada',
        '--origin',
        'https://login.example.test',
      ],
      e,
      `${secret}\n`,
    );
    expect(created.code, created.err).toBe(0);
    expect(created.out).toContain('cli-login');
    expect(created.out).toContain('kind password · injection form_fill');
    const file = join(home, 'key.txt');
    writeFileSync(file, `${secret}-file\n`, { mode: 0o600 });
    const fromFile = await cli(
      ['credentials', 'create', 'cli-key', '--kind', 'secret', '--secret-file', file, '--json'],
      e,
    );
    expect(fromFile.code, fromFile.err).toBe(0);
    const keyId = JSON.parse(fromFile.out).id as string;
    const listed = await cli(['credentials', 'list'], e);
    expect(listed.out).toMatch(/cli-key\s+secret\s+read/);
    expect(listed.out).toMatch(/cli-login\s+password\s+form_fill\s+https:\/\/login\.example\.test/);
    const got = await cli(['credentials', 'get', 'cli-login', '--json'], e);
    expect(JSON.parse(got.out)).toMatchObject({ name: 'cli-login', kind: 'password' });
    for (const r of [created, fromFile, listed, got])
      expect(`${r.out}${r.err}`).not.toContain(secret);
    // Nothing to read is a usage error, not an empty secret; a secret cannot come from argv.
    const empty = await cli(['credentials', 'create', 'x', '--kind', 'secret'], e, '');
    expect([empty.code, empty.err]).toEqual([
      2,
      expect.stringContaining('never on the command line'),
    ]);
    const argv = await cli(['credentials', 'create', 'x', '--kind', 'secret', '--secret', 's'], e);
    expect(argv.code).toBe(2);
    // Another owner sees none of them.
    const theirs = await cli(['credentials', 'get', keyId], { ...e, BROWSERPANE_TOKEN: other });
    expect(theirs.code).toBe(4);
    expect(theirs.err).toContain('credential_binding_not_found');
    expect((await cli(['credentials', 'delete', 'cli-key'], e)).out).toBe(
      `deleted cli-key (${keyId})`,
    );
    expect((await cli(['credentials', 'get', keyId], e)).code).toBe(4);
  });

  it('uploads an extension folder or ZIP, approves, lists, reads and deletes it', async () => {
    const e = { BROWSERPANE_API_URL: stack.edge.url, BROWSERPANE_TOKEN: token };
    const folder = join(home, 'paint-ext');
    mkdirSync(folder);
    for (const f of paintFiles()) writeFileSync(join(folder, f.name), f.data as string);
    const up = await cli(['extension', 'upload', folder, '--json'], e);
    expect(up.code, up.err).toBe(0);
    const ext = JSON.parse(up.out);
    expect(ext).toMatchObject({ name: 'Paint the page', state: 'pending_approval', files: 2 });
    const zip = join(home, 'paint.zip');
    writeFileSync(zip, await paintArchive());
    const fromZip = await cli(['extension', 'upload', zip], e);
    expect(fromZip.out).toContain('state pending_approval');
    const approved = await cli(['extension', 'approve', ext.id], e);
    expect(approved.out).toContain('state approved');
    expect((await cli(['extension', 'list'], e)).out).toMatch(
      new RegExp(`${ext.id}\\s+Paint the page\\s+1\\.0\\.0\\s+approved`),
    );
    const bad = join(home, 'bad.zip');
    writeFileSync(bad, 'not a zip');
    const refused = await cli(['extension', 'upload', bad], e);
    expect([refused.code, refused.err]).toEqual([
      4,
      expect.stringContaining('extension_archive_invalid'),
    ]);
    const theirs = await cli(['extension', 'get', ext.id], { ...e, BROWSERPANE_TOKEN: other });
    expect([theirs.code, theirs.err]).toEqual([4, expect.stringContaining('extension_not_found')]);
    expect((await cli(['extension', 'delete', ext.id], e)).out).toBe(
      `deleted Paint the page 1.0.0 (${ext.id})`,
    );
    expect((await cli(['extension', 'get', ext.id], e)).code).toBe(4);
  });

  it('creates, lists, rotates and deletes webhooks; the secret is printed once', async () => {
    const created = await cli(
      [
        'webhook',
        'create',
        '--url',
        'https://hooks.example.com/bp',
        '--event',
        'workflow_run.succeeded',
        '--event',
        'workflow_run.failed',
      ],
      env,
    );
    expect(created.code, created.err).toBe(0);
    const [id, secret] = [
      created.out.split(' ')[0] as string,
      /shown once\): (whsec_\S+)/.exec(created.out)?.[1],
    ];
    expect(secret).toMatch(/^whsec_/);
    const list = await cli(['webhook', 'list'], env);
    expect(list.out).toMatch(
      new RegExp(
        `${id}\\s+https://hooks.example.com/bp\\s+workflow_run.succeeded,workflow_run.failed`,
      ),
    );
    expect(list.out).not.toContain('whsec_');
    const got = await cli(['webhook', 'get', id, '--json'], env);
    expect(JSON.parse(got.out)).toMatchObject({ id, has_signing_secret: true });
    expect(got.out).not.toContain('whsec_');
    expect((await cli(['webhook', 'deliveries', id], env)).out).toBe('no deliveries');
    expect((await cli(['webhook', 'deliveries', id, '--state', 'lost'], env)).code).toBe(2);
    const rotated = await cli(['webhook', 'rotate-secret', id, '--grace-sec', '60'], env);
    expect(rotated.code, rotated.err).toBe(0);
    expect(rotated.out).toMatch(/new signing secret \(shown once\): whsec_/);
    expect(rotated.out).not.toContain(secret);
    const refused = await cli(['webhook', 'create', '--url', 'http://127.0.0.1:9/x'], env);
    expect(refused.code).toBe(4);
    expect(refused.err).toContain('webhook_target_forbidden');
    expect((await cli(['webhook', 'create'], env)).code).toBe(2);
    const foreign = await cli(['webhook', 'get', id], {
      BROWSERPANE_API_URL: stack.edge.url,
      BROWSERPANE_TOKEN: other,
    });
    expect(foreign.code).toBe(4);
    expect(foreign.err).toContain('subscription_not_found');
    expect((await cli(['webhook', 'delete', id], env)).out).toBe(`${id} deleted`);
  });

  it('exits with the code the shell sees, and 5 when the edge is unreachable', async () => {
    const usage = await cliProcess(['run', 'get'], {
      BROWSERPANE_API_URL: stack.edge.url,
      BROWSERPANE_TOKEN: token,
    });
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('run get needs a run id');
    const auth = await cliProcess(['session', 'list'], {
      BROWSERPANE_API_URL: stack.edge.url,
      BROWSERPANE_TOKEN: 'x',
    });
    expect(auth.code).toBe(3);
    const ok = await cliProcess(['session', 'list', '--json'], {
      BROWSERPANE_API_URL: stack.edge.url,
      BROWSERPANE_TOKEN: token,
    });
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out)).toHaveProperty('sessions');
    const down = await cliProcess(['session', 'list'], {
      BROWSERPANE_API_URL: 'http://127.0.0.1:9',
      BROWSERPANE_TOKEN: token,
    });
    expect(down.code).toBe(5);
    expect(down.err).toContain('unreachable');
  });

  it('keeps files in a workspace, binds one to a session and downloads it intact', async () => {
    const e = { BROWSERPANE_API_URL: stack.edge.url, BROWSERPANE_TOKEN: token };
    const created = await cli(['workspace', 'create', 'cli-files', '--json'], e);
    expect(created.code, created.err).toBe(0);
    const ws = JSON.parse(created.out).id as string;
    const src = join(home, 'in.bin');
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff));
    writeFileSync(src, bytes);
    const up = await cli(['workspace', 'upload', ws, src, '--json'], e);
    expect(up.code, up.err).toBe(0);
    const fileId = JSON.parse(up.out).id as string;
    expect((await cli(['workspace', 'files', ws], e)).out).toContain('in.bin');
    const out = join(home, 'out.bin');
    const down = await cli(['workspace', 'download', ws, fileId, '--output', out], e);
    expect(down.code, down.err).toBe(0);
    expect(readFileSync(out).equals(bytes)).toBe(true);
    const session = (await stack.api.post('/api/v1/sessions', token, {})).body.id as string;
    const bound = await cli(['workspace', 'bind', session, ws, fileId, '--mount', 'in/x.bin'], e);
    expect(bound.code, bound.err).toBe(0);
    expect((await cli(['workspace', 'bindings', session], e)).out).toContain('in/x.bin');
    const wf = (await stack.api.post('/api/v1/workflows', token, { name: 'cli inputs' })).body.id;
    await stack.api.post(`/api/v1/workflows/${wf}/versions`, token, {
      version: 'v1',
      executor: 'playwright',
      entrypoint: 'main.mjs',
      source: { kind: 'inline', files: { 'main.mjs': 'export default async () => 1;' } },
    });
    const start = ['run', 'start', '--workflow', wf, '--version', 'v1'];
    const run = await cli(
      [
        ...start,
        '--workspace-input',
        `${ws}:${fileId}=inputs/x.bin`,
        '--output-workspace',
        ws,
        '--json',
      ],
      e,
    );
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out).workspace_inputs).toMatchObject([
      { file_id: fileId, mount_path: 'inputs/x.bin', file_name: 'in.bin' },
    ]);
    await cli(['run', 'cancel', JSON.parse(run.out).id], e);
    const malformed = await cli([...start, '--workspace-input', ws], e);
    expect(malformed.code).toBe(2);
    const bad = await cli(['workspace', 'bind', session, ws, fileId, '--mount', '../x'], e);
    expect(bad.code).toBe(4);
    const theirs = await cli(['workspace', 'files', ws], { ...e, BROWSERPANE_TOKEN: other });
    expect(theirs.code).toBe(4);
    expect((await cli(['workspace', 'rm', ws, fileId], e)).code).toBe(0);
    expect((await cli(['workspace', 'delete', ws], e)).code).toBe(0);
  });
});
