/**
 * Keeps the self-host manifests (deploy/) true to the code: every variable they set is one the
 * component reads, every required one is set, names, images, ports and secrets agree across
 * files, every path a Dockerfile copies or runs exists, and the tools that can check a manifest
 * without a Docker engine or a cluster (docker compose config, systemd-analyze verify) accept it.
 */
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  COMPOSE_ENV_EXAMPLE,
  fillTemplate,
  generateSecrets,
  kubernetesSecret,
} from '../../deploy/secrets.ts';
import { CONFIG_HELP } from '../../host-pool/src/config.ts';
import { loadCertificate } from '../../host-pool/src/relay/dev-cert.ts';
import { hasSystemTools, skipLoudly } from '../support/system-tools.ts';

const root = join(import.meta.dirname, '..', '..');
const deploy = join(root, 'deploy');
const read = (rel: string) => readFileSync(join(root, rel), 'utf8');
const temps: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: parsed manifests are walked structurally
type Json = any;

// ---------------------------------------------------------------------------------------------
// What the components read.

/** Host agent settings, from the help text the agent prints (`main.ts --help`). */
function hostSettings(): { names: Set<string>; required: string[] } {
  const names = new Set<string>();
  const required: string[] = [];
  for (const line of CONFIG_HELP.split('\n')) {
    const m = /^ {2}([A-Z][A-Z0-9_]*(?:, [A-Z][A-Z0-9_]*)*)\s{2,}(.*)$/.exec(line);
    if (!m) continue;
    const listed = (m[1] as string).split(', ');
    for (const n of listed) names.add(n);
    if (/\(required/.test(m[2] as string)) required.push(...listed);
  }
  return { names, required };
}

/** The edge's string bindings: the `NAME?: string` members of `interface Env` (edge/src/env.ts). */
function edgeEnvNames(): Set<string> {
  const text = read('edge/src/env.ts');
  const body = /export interface Env \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? '';
  return new Set(
    [...body.matchAll(/^\s+([A-Z][A-Z0-9_]*)\?: string;/gm)].map((m) => m[1] as string),
  );
}

/** What plain workerd passes to the worker: `fromEnvironment` bindings of edge.capnp. */
function capnpBindings(): Set<string> {
  const text = read('deploy/workerd/edge.capnp');
  return new Set(
    [...text.matchAll(/\(name = "([A-Z0-9_]+)", fromEnvironment = "\1"\)/g)].map(
      (m) => m[1] as string,
    ),
  );
}

/** Variables a shell script or the sweeper reads besides the edge's own. */
function scriptVars(rel: string): Set<string> {
  return new Set(
    [...read(rel).matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)]
      .map((m) => m[1] as string)
      .filter((n) => !n.startsWith('BASH')),
  );
}

function sweepVars(): Set<string> {
  const help = spawnSync(process.execPath, [join(deploy, 'sweep.mjs'), '--help'], {
    encoding: 'utf8',
  });
  expect(help.status).toBe(0);
  return new Set(
    [...help.stdout.matchAll(/^ {2}([A-Z][A-Z0-9_]*)\s/gm)].map((m) => m[1] as string),
  );
}

const HOST = hostSettings();
const EDGE_ENV = edgeEnvNames();
const CAPNP = capnpBindings();
const ENTRYPOINT_VARS = new Set(
  [...scriptVars('deploy/images/edge-entrypoint.sh')].filter((n) => !EDGE_ENV.has(n)),
);
const SWEEP_VARS = sweepVars();
/** What a production edge cannot run without (an identity provider is checked separately). */
const EDGE_REQUIRED = [
  'DATABASE_URL',
  'EDGE_URL',
  'TICKET_SIGNING_KEY',
  'CREDENTIALS_KEK',
  'HOST_ENROLLMENT_TOKEN',
  'OPERATOR_TOKEN',
];

/** Problems with a host agent's environment (names only). */
function hostEnvProblems(names: string[], helpers: string[] = []): string[] {
  const problems = names
    .filter((n) => !HOST.names.has(n) && !helpers.includes(n))
    .map((n) => `${n} is not a host agent setting`);
  for (const r of HOST.required)
    if (!names.includes(r)) problems.push(`${r} (required) is not set`);
  return problems;
}

/** Problems with the edge's environment when it runs `serve` under plain workerd. */
function edgeEnvProblems(names: string[]): string[] {
  const problems: string[] = [];
  for (const n of names) {
    if (ENTRYPOINT_VARS.has(n)) continue;
    if (!EDGE_ENV.has(n)) problems.push(`${n} is not an edge binding (edge/src/env.ts)`);
    else if (!CAPNP.has(n)) problems.push(`${n} is not bound in deploy/workerd/edge.capnp`);
  }
  for (const r of EDGE_REQUIRED)
    if (!names.includes(r)) problems.push(`${r} (required) is not set`);
  if (!names.includes('OIDC_ISSUER') && !names.includes('DEV_OIDC'))
    problems.push('neither OIDC_ISSUER nor DEV_OIDC is set');
  return problems;
}

describe('what the manifests are checked against', () => {
  it('reads the settings of each component', () => {
    expect(HOST.required.sort()).toEqual(['EDGE_URL', 'HOST_ENROLLMENT_TOKEN']);
    expect([...HOST.names]).toEqual(
      expect.arrayContaining(['RELAY_PORT', 'RELAY_CERT', 'RELAY_KEY', 'HOST_LAT', 'HOST_LON']),
    );
    expect([...EDGE_ENV]).toEqual(expect.arrayContaining([...EDGE_REQUIRED, 'OIDC_ISSUER']));
    expect(EDGE_ENV.has('DB')).toBe(false); // a binding, not a string setting
    // workerd binds every string setting of the worker.
    expect([...EDGE_ENV].filter((n) => !CAPNP.has(n))).toEqual([]);
    expect([...ENTRYPOINT_VARS].sort()).toEqual([
      'BROWSERPANE_MIGRATE',
      'EDGE_LISTEN',
      'MIGRATE_DATABASE_URL',
      'WORKERD_PATH',
    ]);
    expect([...SWEEP_VARS].sort()).toEqual([
      'OPERATOR_TOKEN',
      'SWEEP_EVERY',
      'SWEEP_TIMEOUT',
      'SWEEP_URL',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Compose.

/** KEY=VALUE lines of an env file (compose, systemd); quotes removed, comments skipped. */
function parseEnvFile(text: string, { commented = false } = {}): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = (commented ? /^#?([A-Z][A-Z0-9_]*)=(.*)$/ : /^([A-Z][A-Z0-9_]*)=(.*)$/).exec(line);
    if (!m) continue;
    let value = m[2] as string;
    if (/^'.*'$/.test(value) || /^".*"$/.test(value)) value = value.slice(1, -1);
    out.set(m[1] as string, value);
  }
  return out;
}

/** Compose interpolation: ${V}, ${V:-d}, ${V-d}, ${V:?e}, ${V?e}. Throws for a failed `?`. */
function interpolate(value: unknown, env: Map<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\{([A-Z][A-Z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g,
      (_all, name: string, colon: string, op: string, arg: string) => {
        const set = env.has(name) && (colon ? env.get(name) !== '' : true);
        if (set) return env.get(name) as string;
        if (op === '?') throw new Error(`${name}: ${arg}`);
        if (op === '-') return interpolate(arg, env) as string;
        return '';
      },
    );
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, interpolate(v, env)]),
    );
  return value;
}

const COMPOSE_TEXT = read('deploy/compose.yaml');
const COMPOSE_EXAMPLE = parseEnvFile(readFileSync(COMPOSE_ENV_EXAMPLE, 'utf8'));
const COMPOSE: Json = interpolate(parse(COMPOSE_TEXT, { merge: true }), COMPOSE_EXAMPLE);
const SERVICES = ['edge', 'host', 'mcp-bridge', 'migrate', 'pgbouncer', 'postgres', 'sweeper'];

/** `docker compose` (v2 plugin) or `docker-compose` (v1), whichever this machine has. */
function composeCommand(): { cmd: string; args: string[] } | { skip: string } {
  const has = (cmd: string, args: string[]) =>
    spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  if (!has('docker', ['--version'])) return { skip: 'the docker CLI is not installed' };
  if (has('docker', ['compose', 'version'])) return { cmd: 'docker', args: ['compose'] };
  if (has('docker-compose', ['version'])) return { cmd: 'docker-compose', args: [] };
  return {
    skip: 'the docker CLI has no compose plugin and docker-compose is not installed (apt-get install docker-compose)',
  };
}
const COMPOSE_CLI = composeCommand();
const composeSkip = 'skip' in COMPOSE_CLI ? COMPOSE_CLI.skip : '';
if (composeSkip) skipLoudly('the compose manifest checks (docker compose config)', composeSkip);

function composeConfig(envFile: string): SpawnSyncReturns<string> {
  if ('skip' in COMPOSE_CLI) throw new Error(COMPOSE_CLI.skip);
  return spawnSync(
    COMPOSE_CLI.cmd,
    [
      ...COMPOSE_CLI.args,
      '-f',
      join(deploy, 'compose.yaml'),
      '--env-file',
      envFile,
      '--profile',
      'mcp',
      'config',
    ],
    // Only what the CLI needs: variables of this process would override the env file's.
    { encoding: 'utf8', cwd: root, env: { PATH: process.env.PATH ?? '', HOME: tmpdir() } },
  );
}

/** `environment:` of a service as name → value (map or list form). */
function envOf(service: Json): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env))
    return Object.fromEntries(
      env.map((e: string) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]),
    );
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

describe('deploy/compose.yaml', () => {
  it.skipIf(composeSkip)(
    `passes \`docker compose config\` with the example env file${composeSkip ? ` (skipped: ${composeSkip})` : ''}`,
    () => {
      const res = composeConfig(COMPOSE_ENV_EXAMPLE);
      expect(res.stderr.replace(/^.*(warn|WARN).*$/gm, '').trim()).toBe('');
      expect(res.status).toBe(0);
      const config = parse(res.stdout);
      expect(Object.keys(config.services).sort()).toEqual(SERVICES);
      // The CLI's interpolation agrees with the one the checks below use.
      for (const name of SERVICES)
        expect(envOf(config.services[name])).toEqual(envOf(COMPOSE.services[name]));
    },
  );

  it.skipIf(composeSkip)('accepts a generated env file, keeping JSON secrets intact', async () => {
    const file = join(tempDir('bp-compose-'), 'compose.env');
    writeFileSync(
      file,
      fillTemplate(readFileSync(COMPOSE_ENV_EXAMPLE, 'utf8'), await generateSecrets()),
    );
    const res = composeConfig(file);
    expect(res.status, res.stderr).toBe(0);
    const edge = envOf(parse(res.stdout).services.edge);
    expect(JSON.parse(edge.TICKET_SIGNING_KEY as string)).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
    });
    expect(Object.keys(JSON.parse(edge.DEV_OIDC_CLIENT_SECRETS as string))).toContain('mcp-bridge');
  });

  it.skipIf(composeSkip)('refuses to start without a required secret', () => {
    const file = join(tempDir('bp-compose-'), 'compose.env');
    writeFileSync(
      file,
      readFileSync(COMPOSE_ENV_EXAMPLE, 'utf8').replace(/^OPERATOR_TOKEN=.*$/m, ''),
    );
    const res = composeConfig(file);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('OPERATOR_TOKEN');
  });

  it('defines the services, and every variable it uses is in the example env file', () => {
    expect(Object.keys(COMPOSE.services).sort()).toEqual(SERVICES);
    const used = new Set([...COMPOSE_TEXT.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]));
    const defined = new Set(COMPOSE_EXAMPLE.keys());
    expect([...used].filter((n) => !defined.has(n as string))).toEqual([]);
    expect([...defined].filter((n) => !used.has(n) && n !== 'COMPOSE_PROJECT_NAME')).toEqual([]);
    // The example refuses nothing: every `:?` guard is satisfied.
    expect(() => interpolate(parse(COMPOSE_TEXT, { merge: true }), COMPOSE_EXAMPLE)).not.toThrow();
    expect(() =>
      interpolate(
        parse(COMPOSE_TEXT, { merge: true }),
        new Map([...COMPOSE_EXAMPLE].filter(([k]) => k !== 'HOST_ENROLLMENT_TOKEN')),
      ),
    ).toThrow(/HOST_ENROLLMENT_TOKEN/);
  });

  it('gives the host agent only settings it knows, and the required ones', () => {
    const host = COMPOSE.services.host;
    const env = envOf(host);
    expect(hostEnvProblems(Object.keys(env))).toEqual([]);
    expect(env.EDGE_URL).toBe('http://edge:8787');
    expect(host.shm_size).toMatch(/^\d+[kmg]?b?$/i);
    // the session sandbox: namespaces and mounts, a fresh /proc, and /dev/net/tun for pasta
    expect([...host.security_opt].sort()).toEqual([
      'apparmor=unconfined',
      'seccomp=unconfined',
      'systempaths=unconfined',
    ]);
    expect(JSON.stringify(host.devices)).toContain('/dev/net/tun');
    const port = env.RELAY_PORT as string;
    expect(host.ports).toEqual([`${port}:${port}/tcp`, `${port}:${port}/udp`]);
    expect(new URL(env.RELAY_PUBLIC_URL as string).port).toBe(port);
    expect(host.volumes).toContain(`host-data:${env.HOST_DATA_DIR}`);
    // The public name resolves to this machine inside the container (the JWKS is on EDGE_URL).
    const publicHost = COMPOSE_EXAMPLE.get('BROWSERPANE_PUBLIC_HOST');
    expect(host.extra_hosts).toEqual([`${publicHost}:host-gateway`]);
    expect(new URL(COMPOSE_EXAMPLE.get('EDGE_URL') as string).hostname).toBe(publicHost);
    expect(new URL(env.RELAY_PUBLIC_URL as string).hostname).toBe(publicHost);
  });

  it('gives the edge only its bindings (as workerd passes them) and the required ones', () => {
    const edge = COMPOSE.services.edge;
    const env = envOf(edge);
    expect(edgeEnvProblems(Object.keys(env))).toEqual([]);
    expect(edge.command).toEqual(['serve']);
    expect(edge.ports).toEqual([`${COMPOSE_EXAMPLE.get('EDGE_PORT')}:8787`]);
    expect(new URL(COMPOSE_EXAMPLE.get('EDGE_URL') as string).port).toBe(
      COMPOSE_EXAMPLE.get('EDGE_PORT'),
    );
    // Through the pooler; the migrations straight to PostgreSQL.
    const pgb = envOf(COMPOSE.services.pgbouncer);
    expect(new URL(env.DATABASE_URL as string).host).toBe(`pgbouncer:${pgb.LISTEN_PORT}`);
    expect(pgb.DB_HOST).toBe('postgres');
    for (const k of Object.keys(pgb))
      expect(scriptVars('deploy/images/pgbouncer-entrypoint.sh')).toContain(k);
    const migrate = COMPOSE.services.migrate;
    expect(migrate.command).toEqual(['migrate']);
    expect(Object.keys(envOf(migrate))).toEqual(['MIGRATE_DATABASE_URL']);
    expect(new URL(envOf(migrate).MIGRATE_DATABASE_URL as string).host).toBe('postgres:5432');
    expect(edge.depends_on.migrate.condition).toBe('service_completed_successfully');
    const db = envOf(COMPOSE.services.postgres);
    for (const url of [env.DATABASE_URL, envOf(migrate).MIGRATE_DATABASE_URL]) {
      const u = new URL(url as string);
      expect([u.username, u.password, u.pathname.slice(1)]).toEqual([
        db.POSTGRES_USER,
        db.POSTGRES_PASSWORD,
        db.POSTGRES_DB,
      ]);
    }
  });

  it('runs the sweep every minute against the edge, with the operator token', () => {
    const sweeper = COMPOSE.services.sweeper;
    const env = envOf(sweeper);
    expect(sweeper.command).toEqual(['sweep', '--every', '60']);
    expect(Object.keys(env).filter((n) => !SWEEP_VARS.has(n))).toEqual([]);
    expect(env.SWEEP_URL).toBe('http://edge:8787');
    expect(env.OPERATOR_TOKEN).toBe(envOf(COMPOSE.services.edge).OPERATOR_TOKEN);
    expect(sweeper.depends_on.edge.condition).toBe('service_healthy');
  });

  it('builds each image from a Dockerfile in the repository, one image per Dockerfile', () => {
    const byDockerfile = new Map<string, Set<string>>();
    for (const [name, service] of Object.entries<Json>(COMPOSE.services)) {
      if (!service.build) {
        expect(name).toBe('postgres');
        continue;
      }
      expect(service.build.context).toBe('..');
      expect(existsSync(join(root, service.build.dockerfile)), service.build.dockerfile).toBe(true);
      const set = byDockerfile.get(service.build.dockerfile) ?? new Set<string>();
      set.add(service.image);
      byDockerfile.set(service.build.dockerfile, set);
    }
    expect(Object.fromEntries([...byDockerfile].map(([k, v]) => [k, [...v]]))).toEqual({
      'deploy/images/edge.Dockerfile': ['browserpane/edge:local'],
      'deploy/images/host.Dockerfile': ['browserpane/host:local'],
      'deploy/images/pgbouncer.Dockerfile': ['browserpane/pgbouncer:local'],
      'deploy/images/mcp-bridge.Dockerfile': ['browserpane/mcp-bridge:local'],
    });
  });

  it('gives the MCP bridge settings it reads', () => {
    const env = envOf(COMPOSE.services['mcp-bridge']);
    const readme = read('workers/mcp-bridge/README.md');
    for (const name of Object.keys(env)) {
      if (name === 'NODE_EXTRA_CA_CERTS') continue; // Node's own
      expect(readme, name).toContain(`\`${name}\``);
    }
    expect(env.BROWSERPANE_API_URL).toBe(COMPOSE_EXAMPLE.get('EDGE_URL'));
    expect(COMPOSE.services['mcp-bridge'].profiles).toEqual(['mcp']);
  });
});

// ---------------------------------------------------------------------------------------------
// Secrets and certificates.

describe('deploy/secrets.ts', () => {
  it('fills every secret of the example env file with a fresh value', async () => {
    const secrets = await generateSecrets();
    const filled = parseEnvFile(fillTemplate(readFileSync(COMPOSE_ENV_EXAMPLE, 'utf8'), secrets));
    expect([...filled].filter(([, v]) => v.includes('REPLACE'))).toEqual([]);
    expect([...filled.keys()]).toEqual([...COMPOSE_EXAMPLE.keys()]);
    for (const key of ['TICKET_SIGNING_KEY', 'DEV_OIDC_SIGNING_KEY']) {
      const jwk = JSON.parse(filled.get(key) as string);
      expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
      expect(jwk.d).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(jwk.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    expect(Buffer.from(filled.get('CREDENTIALS_KEK') as string, 'base64url')).toHaveLength(32);
    expect(filled.get('HOST_ENROLLMENT_TOKEN')).toMatch(/^bpe_[A-Za-z0-9_-]{43}$/);
    expect(filled.get('OPERATOR_TOKEN')).toMatch(/^bpo_[A-Za-z0-9_-]{43}$/);
    expect(filled.get('MCP_BRIDGE_CLIENT_SECRET')).toBe(
      JSON.parse(filled.get('DEV_OIDC_CLIENT_SECRETS') as string)['mcp-bridge'],
    );
    // Fresh each time.
    const again = await generateSecrets();
    expect(again.OPERATOR_TOKEN).not.toBe(secrets.OPERATOR_TOKEN);
  });

  it('has a --help and fills other templates (systemd)', () => {
    const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const help = spawnSync(process.execPath, [tsx, join(deploy, 'secrets.ts'), '--help'], {
      encoding: 'utf8',
    });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: npx tsx deploy/secrets.ts');
    const bad = spawnSync(process.execPath, [tsx, join(deploy, 'secrets.ts'), '--bogus'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    const edgeEnv = spawnSync(
      process.execPath,
      [tsx, join(deploy, 'secrets.ts'), '--template', join(deploy, 'systemd', 'edge.env.example')],
      { encoding: 'utf8' },
    );
    expect(edgeEnv.status).toBe(0);
    const filled = parseEnvFile(edgeEnv.stdout);
    expect(filled.get('OPERATOR_TOKEN')).toMatch(/^bpo_/);
    expect(filled.get('DATABASE_URL')).toContain('REPLACE'); // the operator's, not generated
  });
});

describe('deploy/certs/make-dev-cert.sh', () => {
  it('makes a certificate the relay loads and browsers pin: ECDSA P-256, at most 14 days', () => {
    const out = tempDir('bp-cert-');
    const res = spawnSync(
      'bash',
      [join(deploy, 'certs', 'make-dev-cert.sh'), 'relay.example.test', '192.0.2.7'],
      {
        encoding: 'utf8',
        env: { ...process.env, OUT_DIR: out },
      },
    );
    expect(res.status, res.stderr).toBe(0);
    const cert = loadCertificate(join(out, 'relay-cert.pem'), join(out, 'relay-key.pem'));
    expect(res.stdout).toContain(`sha-256:  ${cert.sha256Hex}`);
    const days = (cert.validTo.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(12);
    expect(days).toBeLessThanOrEqual(14);
    const x509 = new X509Certificate(cert.cert);
    expect(x509.publicKey.asymmetricKeyType).toBe('ec');
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x509.subjectAltName).toContain('DNS:relay.example.test');
    expect(x509.subjectAltName).toContain('IP Address:192.0.2.7');
    const tooLong = spawnSync('bash', [join(deploy, 'certs', 'make-dev-cert.sh')], {
      encoding: 'utf8',
      env: { ...process.env, OUT_DIR: out, DAYS: '30' },
    });
    expect(tooLong.status).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------
// The sweeper.

describe('deploy/sweep.mjs', () => {
  async function fakeEdge(answer: (req: IncomingMessage) => [number, unknown]) {
    const seen: { method: string; url: string; auth: string }[] = [];
    const server = createServer((req, res) => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        auth: req.headers.authorization ?? '',
      });
      const [status, body] = answer(req);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, seen, close: () => new Promise((r) => server.close(r)) };
  }

  function run(args: string[], env: Record<string, string>) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(deploy, 'sweep.mjs'), ...args], {
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('posts to the sweep endpoint with the operator token, once', async () => {
    const edge = await fakeEdge(() => [200, { lost_hosts: 1, idle_stopped: 2, placed: 0 }]);
    try {
      const res = await run([], { SWEEP_URL: `${edge.url}/`, OPERATOR_TOKEN: 'bpo_test-token' });
      expect(res.code).toBe(0);
      expect(edge.seen).toEqual([
        { method: 'POST', url: '/api/v1/maintenance/sweep', auth: 'Bearer bpo_test-token' },
      ]);
      expect(JSON.parse(res.stdout)).toMatchObject({
        msg: 'sweep',
        lost_hosts: 1,
        idle_stopped: 2,
        placed: 0,
      });
    } finally {
      await edge.close();
    }
  });

  it('fails (exit 1) when the edge refuses, and (exit 2) without a token', async () => {
    const edge = await fakeEdge(() => [
      401,
      { error: { code: 'unauthorized', message: 'no', request_id: 'r' } },
    ]);
    try {
      const refused = await run(['--url', edge.url], { OPERATOR_TOKEN: 'bpo_wrong-token' });
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stderr)).toMatchObject({
        msg: 'sweep refused',
        status: 401,
        code: 'unauthorized',
      });
      const unset = await run(['--url', edge.url], {});
      expect(unset.code).toBe(2);
      expect(unset.stderr).toContain('OPERATOR_TOKEN');
    } finally {
      await edge.close();
    }
  });

  it('loops with --every and stops on SIGTERM', async () => {
    const edge = await fakeEdge(() => [200, { lost_hosts: 0, idle_stopped: 0, placed: 0 }]);
    try {
      const child = spawn(process.execPath, [join(deploy, 'sweep.mjs'), '--every', '0.05'], {
        env: {
          PATH: process.env.PATH ?? '',
          SWEEP_URL: edge.url,
          OPERATOR_TOKEN: 'bpo_test-token',
        },
      });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      for (let i = 0; i < 100 && edge.seen.length < 3; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(edge.seen.length).toBeGreaterThanOrEqual(3);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await edge.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Kubernetes.

const K8S_DIR = join(deploy, 'kubernetes');
// Cluster objects (the kustomization is kustomize's, not the cluster's).
const K8S_FILES = readdirSync(K8S_DIR).filter(
  (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml',
);
const K8S: { file: string; doc: Json }[] = K8S_FILES.flatMap((file) =>
  parseAllDocuments(readFileSync(join(K8S_DIR, file), 'utf8')).map((d) => {
    expect(d.errors, file).toEqual([]);
    return { file, doc: d.toJS() };
  }),
);
const objects = (kind: string) => K8S.filter((o) => o.doc.kind === kind).map((o) => o.doc);
const one = (kind: string, name: string) =>
  K8S.find((o) => o.doc.kind === kind && o.doc.metadata?.name === name)?.doc;
const podSpec = (doc: Json) =>
  doc.kind === 'CronJob' ? doc.spec.jobTemplate.spec.template.spec : doc.spec.template.spec;
const workloads = () =>
  K8S.filter((o) =>
    ['Deployment', 'StatefulSet', 'Job', 'CronJob', 'DaemonSet'].includes(o.doc.kind),
  );

describe('deploy/kubernetes', () => {
  it('parses, and every object has apiVersion, kind and a name but no namespace', () => {
    expect(K8S.length).toBeGreaterThanOrEqual(10);
    for (const { file, doc } of K8S) {
      expect(doc.apiVersion, file).toMatch(/^[a-z.]*\/?v\d/);
      expect(doc.kind, file).toMatch(/^[A-Z]\w+$/);
      expect(doc.metadata?.name, file).toMatch(/^[a-z0-9][a-z0-9-]*$/);
      expect(doc.metadata?.namespace, `${file}: namespace-agnostic`).toBeUndefined();
    }
    const kinds = K8S.map((o) => `${o.doc.kind}/${o.doc.metadata.name}`).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ConfigMap/browserpane-edge-config',
        'CronJob/browserpane-sweep',
        'Deployment/browserpane-edge',
        'Job/browserpane-migrate',
        'Secret/browserpane',
        'Secret/browserpane-relay-tls',
        'Service/browserpane-edge',
        'Service/browserpane-host',
        'Service/browserpane-host-0',
        'StatefulSet/browserpane-host',
      ]),
    );
  });

  it('has a kustomization listing every manifest but the example secrets', () => {
    const k = parse(readFileSync(join(K8S_DIR, 'kustomization.yaml'), 'utf8'));
    expect(k.kind).toBe('Kustomization');
    expect(k.namespace).toBeUndefined();
    expect([...k.resources].sort()).toEqual(
      K8S_FILES.filter((f) => f !== 'secret.example.yaml').sort(),
    );
    // Every image a workload uses is one the kustomization tags, and one a Dockerfile builds.
    const images = new Set(k.images.map((i: Json) => i.name));
    for (const { file, doc } of workloads()) {
      for (const c of podSpec(doc).containers) {
        expect(images.has(c.image), `${file}: ${c.image}`).toBe(true);
        const dockerfile = `deploy/images/${String(c.image).replace('browserpane/', '')}.Dockerfile`;
        expect(existsSync(join(root, dockerfile)), dockerfile).toBe(true);
      }
    }
  });

  it('references only secrets, keys and config maps that exist, and the generator makes them', async () => {
    const secretKeys = new Map<string, Set<string>>();
    for (const s of objects('Secret'))
      secretKeys.set(s.metadata.name, new Set(Object.keys(s.stringData ?? s.data ?? {})));
    const generated = parse(kubernetesSecret(await generateSecrets()));
    const generatedKeys = new Set(Object.keys(generated.stringData));
    const refs: string[] = [];
    for (const { doc } of workloads()) {
      const spec = podSpec(doc);
      for (const c of spec.containers) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (!ref) continue;
          refs.push(`${ref.name}/${ref.key}`);
          expect(secretKeys.get(ref.name)?.has(ref.key), `${ref.name}/${ref.key}`).toBe(true);
          if (ref.name === 'browserpane' && !ref.optional)
            expect(generatedKeys.has(ref.key), ref.key).toBe(true);
        }
        for (const f of c.envFrom ?? []) {
          if (f.configMapRef) expect(one('ConfigMap', f.configMapRef.name)).toBeTruthy();
          if (f.secretRef) expect(one('Secret', f.secretRef.name)).toBeTruthy();
        }
      }
      for (const v of spec.volumes ?? []) {
        if (v.secret) expect(one('Secret', v.secret.secretName), v.secret.secretName).toBeTruthy();
      }
    }
    expect(refs).toEqual(
      expect.arrayContaining(['browserpane/DATABASE_URL', 'browserpane/MIGRATE_DATABASE_URL']),
    );
  });

  /** A container's variable names, including those of the config maps it loads. */
  function containerEnvNames(c: Json): string[] {
    const names: string[] = (c.env ?? []).map((e: Json) => e.name);
    for (const f of c.envFrom ?? [])
      if (f.configMapRef) names.push(...Object.keys(one('ConfigMap', f.configMapRef.name).data));
    return names;
  }

  it('gives the edge only its bindings and the required ones; migrations go straight to PostgreSQL', () => {
    const edge = podSpec(one('Deployment', 'browserpane-edge')).containers[0];
    expect(edge.args).toEqual(['serve']);
    expect(edgeEnvProblems(containerEnvNames(edge))).toEqual([]);
    expect(edge.ports[0].containerPort).toBe(8787);
    expect(edge.readinessProbe.httpGet.path).toBe('/readyz');
    const migrate = podSpec(one('Job', 'browserpane-migrate')).containers[0];
    expect(migrate.args).toEqual(['migrate']);
    expect(containerEnvNames(migrate)).toEqual(['MIGRATE_DATABASE_URL']);
  });

  it('sweeps every minute against the edge Service', () => {
    const cron = one('CronJob', 'browserpane-sweep');
    expect(cron.spec.schedule).toBe('* * * * *');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const c = podSpec(cron).containers[0];
    expect(c.args).toEqual(['sweep']);
    const names = containerEnvNames(c);
    expect(names.filter((n) => !SWEEP_VARS.has(n))).toEqual([]);
    const url = new URL(c.env.find((e: Json) => e.name === 'SWEEP_URL').value);
    const svc = one('Service', url.hostname);
    expect(svc, url.hostname).toBeTruthy();
    expect(String(svc.spec.ports[0].port)).toBe(url.port);
    expect(c.env.find((e: Json) => e.name === 'OPERATOR_TOKEN').valueFrom.secretKeyRef).toEqual({
      name: 'browserpane',
      key: 'OPERATOR_TOKEN',
    });
  });

  it('gives the host agent known settings, the required ones, /dev/shm in memory and its relay ports', () => {
    const sts = one('StatefulSet', 'browserpane-host');
    const spec = podSpec(sts);
    const c = spec.containers[0];
    const names = containerEnvNames(c);
    // Helpers are allowed only when another value expands them: $(POD_NAME).
    const values = (c.env as Json[]).map((e) => String(e.value ?? ''));
    const helpers = names.filter((n) => !HOST.names.has(n));
    for (const h of helpers)
      expect(
        values.some((v) => v.includes(`$(${h})`)),
        h,
      ).toBe(true);
    expect(hostEnvProblems(names, helpers)).toEqual([]);
    const env = Object.fromEntries((c.env as Json[]).map((e) => [e.name, e.value]));
    expect(new URL(env.EDGE_URL).hostname).toBe('browserpane-edge');
    expect(one('Service', 'browserpane-edge')).toBeTruthy();
    const port = Number(env.RELAY_PORT);
    expect(c.ports.map((p: Json) => `${p.containerPort}/${p.protocol}`).sort()).toEqual([
      `${port}/TCP`,
      `${port}/UDP`,
    ]);
    const shm = c.volumeMounts.find((m: Json) => m.mountPath === '/dev/shm');
    expect(spec.volumes.find((v: Json) => v.name === shm.name).emptyDir.medium).toBe('Memory');
    const data = c.volumeMounts.find((m: Json) => m.mountPath === env.HOST_DATA_DIR);
    expect(data).toBeTruthy();
    const tls = c.volumeMounts.find((m: Json) => env.RELAY_CERT.startsWith(`${m.mountPath}/`));
    expect(spec.volumes.find((v: Json) => v.name === tls.name).secret.secretName).toBe(
      'browserpane-relay-tls',
    );
    expect(env.RELAY_CERT.endsWith('/tls.crt') && env.RELAY_KEY.endsWith('/tls.key')).toBe(true);
    expect(spec.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
    // the session sandbox inside the pod: user namespaces and mounts allowed, a fresh /proc
    // (which needs the pod in a user namespace of its own), /dev/net/tun for pasta
    expect(spec.hostUsers).toBe(false);
    expect(c.securityContext.seccompProfile.type).toBe('Unconfined');
    expect(c.securityContext.appArmorProfile.type).toBe('Unconfined');
    expect(c.securityContext.procMount).toBe('Unmasked');
    const tun = c.volumeMounts.find((m: Json) => m.mountPath === '/dev/net/tun');
    expect(spec.volumes.find((v: Json) => v.name === tun.name).hostPath).toEqual({
      path: '/dev/net/tun',
      type: 'CharDevice',
    });
    expect(sts.spec.serviceName).toBe('browserpane-host');
    expect(one('Service', 'browserpane-host').spec.clusterIP).toBe('None');
  });

  it('routes every Service to pods that exist, on ports they declare', () => {
    const pods = workloads()
      .filter(({ doc }) => doc.kind !== 'Job' && doc.kind !== 'CronJob')
      .map(({ doc }) => ({
        labels: {
          ...doc.spec.template.metadata.labels,
          ...(doc.kind === 'StatefulSet'
            ? { 'statefulset.kubernetes.io/pod-name': `${doc.metadata.name}-0` }
            : {}),
        },
        ports: doc.spec.template.spec.containers.flatMap((c: Json) => c.ports ?? []),
      }));
    for (const svc of objects('Service')) {
      const target = pods.find((p) =>
        Object.entries(svc.spec.selector).every(([k, v]) => p.labels[k] === v),
      );
      expect(target, `Service ${svc.metadata.name} selects no pod`).toBeTruthy();
      for (const port of svc.spec.ports) {
        const want = port.targetPort ?? port.port;
        const hit = target?.ports.find(
          (p: Json) =>
            (p.name === want || p.containerPort === want) &&
            (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'),
        );
        expect(hit, `Service ${svc.metadata.name} port ${port.name}`).toBeTruthy();
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Images.

interface Instruction {
  op: string;
  args: string;
}

function dockerfile(rel: string): Instruction[] {
  const lines = read(rel)
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n');
  return lines
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: (op as string).toUpperCase(), args: rest.join(' ') };
    });
}

const DOCKERFILES = readdirSync(join(deploy, 'images'))
  .filter((f) => f.endsWith('.Dockerfile'))
  .map((f) => `deploy/images/${f}`);

function workspaceDirs(): string[] {
  const pkg = JSON.parse(read('package.json'));
  return (pkg.workspaces as string[]).flatMap((w) =>
    w.endsWith('/*')
      ? readdirSync(join(root, w.slice(0, -2)))
          .filter((d) => existsSync(join(root, w.slice(0, -2), d, 'package.json')))
          .map((d) => `${w.slice(0, -2)}/${d}`)
      : [w],
  );
}

describe('deploy/images', () => {
  it('has the four images', () => {
    expect(DOCKERFILES.sort()).toEqual([
      'deploy/images/edge.Dockerfile',
      'deploy/images/host.Dockerfile',
      'deploy/images/mcp-bridge.Dockerfile',
      'deploy/images/pgbouncer.Dockerfile',
    ]);
  });

  const ignored = read('.dockerignore')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));

  for (const file of DOCKERFILES) {
    describe(file, () => {
      const steps = dockerfile(file);

      it('copies only paths that exist and are not .dockerignored', () => {
        const copies = steps.filter((s) => s.op === 'COPY' && !s.args.includes('--from='));
        expect(copies.length).toBeGreaterThan(0);
        for (const copy of copies) {
          const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
          for (const src of parts.slice(0, -1)) {
            expect(existsSync(join(root, src)), `${file}: COPY ${src}`).toBe(true);
            for (const pattern of ignored) {
              const p = pattern.replace(/^\*\*\//, '');
              expect(
                src === p || src.startsWith(`${p}/`),
                `${src} is excluded by .dockerignore`,
              ).toBe(false);
            }
          }
        }
      });

      it('runs a program that exists in the repository or the image', () => {
        const entry = steps.filter((s) => s.op === 'ENTRYPOINT').at(-1);
        expect(entry, 'ENTRYPOINT').toBeTruthy();
        const argv = JSON.parse(entry?.args ?? '[]') as string[];
        expect(argv.length).toBeGreaterThan(0);
        for (const arg of argv) {
          const rel = arg.replace(/^\/opt\/browserpane\//, '');
          if (rel !== arg) {
            expect(existsSync(join(root, rel)), arg).toBe(true);
            accessSync(join(root, rel), constants.X_OK);
          } else if (/\.(ts|js|mjs)$/.test(arg)) {
            expect(existsSync(join(root, arg)), arg).toBe(true);
          }
        }
        const copied = steps
          .filter((s) => s.op === 'COPY')
          .map((s) => s.args.split(/\s+/).filter((p) => !p.startsWith('--')));
        // A program from the repository comes in with a COPY (the final stage copies the build's tree).
        for (const arg of argv.filter((a) => a.startsWith('/usr/local/bin/')))
          expect(
            copied.some((c) => c.at(-1) === arg),
            arg,
          ).toBe(true);
      });

      it('is built like a careful image: bookworm, non-root, healthcheck, lean apt layers', () => {
        for (const from of steps.filter((s) => s.op === 'FROM'))
          expect(from.args, `${file}: ${from.args}`).toMatch(/bookworm/);
        const user = steps.filter((s) => s.op === 'USER').at(-1);
        expect(user?.args).toMatch(/^(node|postgres)$/);
        expect(steps.some((s) => s.op === 'HEALTHCHECK')).toBe(true);
        for (const run of steps.filter(
          (s) => s.op === 'RUN' && s.args.includes('apt-get install'),
        )) {
          expect(run.args).toContain('apt-get update');
          expect(run.args).toContain('--no-install-recommends');
          expect(run.args).toContain('rm -rf /var/lib/apt/lists/*');
        }
        expect(read(file).split('\n')[0]).toBe('# syntax=docker/dockerfile:1');
      });

      const npmInstall = steps.find(
        (s) => s.op === 'RUN' && /npm install --workspace/.test(s.args),
      );
      if (npmInstall) {
        it('installs one workspace, with every workspace manifest copied first', () => {
          const copiedManifests = steps
            .filter((s) => s.op === 'COPY')
            .flatMap((s) => s.args.split(/\s+/))
            .filter((p) => p.endsWith('package.json'));
          for (const dir of workspaceDirs())
            expect(copiedManifests, `${file} copies ${dir}/package.json`).toContain(
              `${dir}/package.json`,
            );
          const ws = /--workspace (\S+)/.exec(npmInstall.args)?.[1];
          const names = workspaceDirs().map((d) => JSON.parse(read(`${d}/package.json`)).name);
          expect(names).toContain(ws);
          expect(
            steps.some((s) => s.op === 'RUN' && s.args.includes('npm install -g npm@11')),
          ).toBe(true);
        });
      }
    });
  }

  it('the host image installs the system packages with the repository script, not a copy of its list', () => {
    const steps = dockerfile('deploy/images/host.Dockerfile');
    const runs = steps.filter((s) => s.op === 'RUN').map((s) => s.args);
    expect(runs.some((r) => r.includes('bash /tmp/system-packages.sh'))).toBe(true);
    expect(
      steps.some(
        (s) =>
          s.op === 'COPY' && s.args === 'deploy/local/system-packages.sh /tmp/system-packages.sh',
      ),
    ).toBe(true);
    for (const r of runs)
      expect(r).not.toMatch(/apt-get install[^&]*\b(chromium|xvfb|pulseaudio)\b/);
    const env = steps
      .filter((s) => s.op === 'ENV')
      .map((s) => s.args)
      .join(' ');
    const names = [...env.matchAll(/([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1] as string);
    expect(names.filter((n) => !HOST.names.has(n))).toEqual([]);
    const expose = steps
      .find((s) => s.op === 'EXPOSE')
      ?.args.split(/\s+/)
      .sort();
    expect(expose).toEqual([
      `${/RELAY_PORT=(\d+)/.exec(env)?.[1]}/tcp`,
      `${/RELAY_PORT=(\d+)/.exec(env)?.[1]}/udp`,
    ]);
  });

  it('the edge image builds the worker with the edge package script and serves it with workerd', () => {
    const steps = dockerfile('deploy/images/edge.Dockerfile');
    expect(
      steps.some(
        (s) => s.op === 'RUN' && s.args.includes('npm run build:workerd -w @browserpane/edge'),
      ),
    ).toBe(true);
    expect(JSON.parse(read('edge/package.json')).scripts['build:workerd']).toBeTruthy();
    const entry = read('deploy/images/edge-entrypoint.sh');
    expect(entry).toContain('serve deploy/workerd/edge.capnp');
    expect(entry).toContain('edge/local/migrate-cli.ts');
    expect(entry).toContain('deploy/sweep.mjs');
    expect(steps.find((s) => s.op === 'CMD')?.args).toBe('["serve"]');
    // What the build's bundle step and migrations read is in the image.
    for (const dir of ['migrations/', 'openapi/', 'deploy/workerd/edge.capnp'])
      expect(
        steps.some((s) => s.op === 'COPY' && s.args.startsWith(dir)),
        dir,
      ).toBe(true);
  });

  it('ships shell scripts that parse and are executable', () => {
    const scripts = [
      'deploy/images/edge-entrypoint.sh',
      'deploy/images/pgbouncer-entrypoint.sh',
      'deploy/certs/make-dev-cert.sh',
    ];
    for (const s of scripts) {
      const res = spawnSync('bash', ['-n', join(root, s)], { encoding: 'utf8' });
      expect(res.status, `${s}: ${res.stderr}`).toBe(0);
      accessSync(join(root, s), constants.X_OK);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// systemd.

describe('deploy/systemd', () => {
  const dir = join(deploy, 'systemd');
  const units = readdirSync(dir).filter((f) => /\.(service|timer)$/.test(f));
  const hasVerify = hasSystemTools('systemd unit verification (systemd-analyze verify)', [
    'systemd-analyze',
  ]);

  it('has the host, edge and sweep units', () => {
    expect(units.sort()).toEqual([
      'browserpane-edge.service',
      'browserpane-host.service',
      'browserpane-sweep.service',
      'browserpane-sweep.timer',
    ]);
  });

  it.skipIf(!hasVerify)(
    `passes systemd-analyze verify${hasVerify ? '' : ' (skipped: systemd-analyze is not installed)'}`,
    () => {
      // The units name /opt/browserpane and /usr/bin/node; verify them against this checkout.
      const tmp = tempDir('bp-systemd-');
      for (const u of units) {
        const text = readFileSync(join(dir, u), 'utf8')
          .replaceAll('/opt/browserpane', root)
          .replaceAll('/usr/bin/node', process.execPath);
        writeFileSync(join(tmp, u), text);
      }
      const res = spawnSync(
        'systemd-analyze',
        ['verify', '--man=no', ...units.map((u) => join(tmp, u))],
        {
          encoding: 'utf8',
        },
      );
      expect(res.stderr.trim()).toBe('');
      expect(res.status).toBe(0);
    },
  );

  const unit = (name: string) => readFileSync(join(dir, name), 'utf8');
  const directive = (text: string, key: string) =>
    [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1] as string);

  it('runs the host agent with settings it knows and keeps Xvfb/Chromium working', () => {
    const text = unit('browserpane-host.service');
    expect(directive(text, 'ExecStart')).toEqual([
      '/usr/bin/node --import tsx host-pool/src/main.ts',
    ]);
    expect(existsSync(join(root, 'host-pool/src/main.ts'))).toBe(true);
    expect(directive(text, 'EnvironmentFile')).toEqual(['/etc/browserpane/host.env']);
    const inline = directive(text, 'Environment').flatMap((e) =>
      e.split(/\s+/).map((kv) => kv.split('=')[0] as string),
    );
    expect(inline.filter((n) => !HOST.names.has(n) && n !== 'HOME')).toEqual([]);
    const example = parseEnvFile(readFileSync(join(dir, 'host.env.example'), 'utf8'), {
      commented: true,
    });
    expect(hostEnvProblems([...example.keys()])).toEqual([]);
    // Options known to break V8's JIT or hide what the runtimes need.
    for (const bad of [
      'MemoryDenyWriteExecute',
      'PrivateDevices',
      'SystemCallFilter',
      'RestrictNamespaces',
    ])
      expect(directive(text, bad), bad).toEqual([]);
    expect(directive(text, 'NoNewPrivileges')).toEqual(['yes']);
    expect(directive(text, 'ProtectSystem')).toEqual(['strict']);
  });

  it('runs the host agent as root with only the capabilities its session sandbox needs', () => {
    const text = unit('browserpane-host.service');
    // root (per-session users, network namespaces): no User=, and a bounded capability set
    expect(directive(text, 'User')).toEqual([]);
    const caps = (directive(text, 'CapabilityBoundingSet')[0] ?? '').split(/\s+/).sort();
    expect(caps).toEqual(
      [
        'CAP_CHOWN',
        'CAP_DAC_OVERRIDE',
        'CAP_DAC_READ_SEARCH',
        'CAP_FOWNER',
        'CAP_KILL',
        'CAP_NET_ADMIN',
        'CAP_NET_BIND_SERVICE',
        'CAP_SETGID',
        'CAP_SETPCAP',
        'CAP_SETUID',
        'CAP_SYS_ADMIN',
      ].sort(),
    );
    expect(directive(text, 'AmbientCapabilities')).toEqual(['']);
    // what the sandbox writes: its id locks under /run/browserpane, namespaces under /run/netns
    expect(directive(text, 'RuntimeDirectory')).toEqual(['browserpane']);
    expect(directive(text, 'ReadWritePaths')).toEqual(['-/run/netns']);
    // each session sets its own host name in a UTS namespace: a seccomp ban on that would break it
    expect(directive(text, 'ProtectHostname')).toEqual([]);
    // the sessions' users must never walk into the agent's data directory
    expect(directive(text, 'StateDirectoryMode')).toEqual(['0700']);
  });

  it('runs the edge through the image entrypoint with its bindings, and the sweep every minute', () => {
    const edge = unit('browserpane-edge.service');
    expect(directive(edge, 'ExecStart')).toEqual([
      '/opt/browserpane/deploy/images/edge-entrypoint.sh serve',
    ]);
    expect(directive(edge, 'MemoryDenyWriteExecute')).toEqual([]);
    const example = parseEnvFile(readFileSync(join(dir, 'edge.env.example'), 'utf8'), {
      commented: true,
    });
    const names = [...example.keys()];
    expect(edgeEnvProblems(names.filter((n) => !SWEEP_VARS.has(n) || EDGE_ENV.has(n)))).toEqual([]);
    expect(
      names.filter((n) => !EDGE_ENV.has(n) && !ENTRYPOINT_VARS.has(n) && !SWEEP_VARS.has(n)),
    ).toEqual([]);
    const sweep = unit('browserpane-sweep.service');
    expect(directive(sweep, 'ExecStart')).toEqual([
      '/usr/bin/node /opt/browserpane/deploy/sweep.mjs',
    ]);
    expect(directive(sweep, 'EnvironmentFile')).toEqual(directive(edge, 'EnvironmentFile'));
    expect(directive(sweep, 'Type')).toEqual(['oneshot']);
    const timer = unit('browserpane-sweep.timer');
    expect(directive(timer, 'OnUnitActiveSec')).toEqual(['1min']);
    // The sweeper's default URL is where the edge listens.
    expect(example.get('EDGE_LISTEN')).toBe('127.0.0.1:8787');
    expect(read('deploy/sweep.mjs')).toContain("'http://127.0.0.1:8787'");
  });
});
