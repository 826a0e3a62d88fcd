/**
 * Host agent ↔ edge: the relay certificate's pin. A real edge (workerd over PGlite) and a real
 * host agent (its relay on TLS, no sessions, so no browser is needed): the agent enrols with the
 * hash of its own development certificate; when that certificate is renewed (the agent's clock is
 * moved 8 days on) the agent heartbeats at once, long before its regular interval, and the edge
 * holds the new hash (the one connect tickets carry). A host with a CA-style RELAY_CERT reports no
 * pin at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEdge, startEdge } from '../../edge/local/edge.ts';
import { migrate } from '../../edge/local/migrate.ts';
import { type RunningDatabase, startPglite } from '../../edge/local/pglite.ts';
import { seedMigratedPglite } from '../../edge/test/support/pglite-template.ts';
import { parseHostConfig } from '../../host-pool/src/config.ts';
import { type RunningHost, startHostAgent } from '../../host-pool/src/host.ts';
import { silentLogger } from '../../host-pool/src/log.ts';
import { makeCertificate } from '../../host-pool/test/support/certificates.ts';

const DAY = 24 * 3600_000;
/** Far longer than the test waits: a prompt report can only come from the agent's nudge. */
const HEARTBEAT_INTERVAL_MS = 60_000;

describe('relay certificate pin between host agent and edge', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bp-pin-contract-'));
  const clock = { offsetMs: 0 };
  const hosts: RunningHost[] = [];
  let db: RunningDatabase;
  let edge: RunningEdge;

  const listedPin = async (name: string) => {
    const res = await fetch(`${edge.url}/api/v1/hosts`, {
      headers: { authorization: `Bearer ${edge.secrets.operatorToken}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      hosts: Array<{ name: string; cert_sha256: string | null }>;
    };
    return body.hosts.find((h) => h.name === name)?.cert_sha256;
  };
  const startHost = async (name: string, env: Record<string, string> = {}) => {
    const config = parseHostConfig(
      {
        EDGE_URL: edge.url,
        HOST_ENROLLMENT_TOKEN: edge.secrets.hostEnrollmentToken,
        HOST_NAME: name,
        RELAY_HOST: '127.0.0.1',
        RELAY_PORT: '0',
        RELAY_PUBLIC_URL: 'https://127.0.0.1:4443',
        HOST_DATA_DIR: join(dataDir, name),
        HOST_MAX_SESSIONS: '1',
        HOST_WARM_RUNTIMES: '0',
        ...env,
      },
      [],
    );
    const host = await startHostAgent(config, silentLogger, {
      certificateClock: () => Date.now() + clock.offsetMs,
    });
    hosts.push(host);
    return host;
  };

  beforeAll(async () => {
    await seedMigratedPglite(join(dataDir, 'pglite'));
    db = await startPglite({ dataDir: join(dataDir, 'pglite') });
    await migrate(db.url, { log: () => {} });
    edge = await startEdge({
      databaseUrl: db.url,
      dataDir,
      cronIntervalMs: 0,
      log: () => {},
      vars: { HOST_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_INTERVAL_MS) },
    });
  }, 120_000);

  afterAll(async () => {
    for (const host of hosts) await host.stop().catch(() => {});
    await edge?.stop().catch(() => {});
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('enrols with its development certificate’s hash and reports a renewal at once', async () => {
    const host = await startHost('pin-dev-host');
    const first = host.certificate.sha256Hex;
    expect(host.certificates.pinSha256).toBe(first);
    await expect.poll(() => listedPin('pin-dev-host'), { timeout: 10_000 }).toBe(first);

    clock.offsetMs = 8 * DAY; // 5 days left: due for renewal
    const started = Date.now();
    expect(await host.certificates.check()).toBe('replaced');
    clock.offsetMs = 0;
    const second = host.certificate.sha256Hex;
    expect(second).not.toBe(first);
    await expect.poll(() => listedPin('pin-dev-host'), { timeout: 10_000 }).toBe(second);
    expect(Date.now() - started).toBeLessThan(HEARTBEAT_INTERVAL_MS / 4);
  }, 30_000);

  it('reports no pin for a CA-style RELAY_CERT', async () => {
    const ca = makeCertificate({ days: 90 });
    const host = await startHost('pin-ca-host', { RELAY_CERT: ca.certPath, RELAY_KEY: ca.keyPath });
    expect(host.certificates.pinSha256).toBeNull();
    await expect.poll(() => listedPin('pin-ca-host'), { timeout: 10_000 }).toBeNull();
  }, 30_000);
});
