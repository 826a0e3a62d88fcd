/**
 * The agent's own development certificate is renewed while the relay runs: with the clock moved
 * to 8 days later (5 left, under the 6-day threshold) a check makes a new certificate, swaps it
 * into the running TLS server and publishes the new pin. New TLS connections get the new
 * certificate, clients pinning the new hash connect, and a WebTransport session opened before the
 * rotation keeps working.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeneratedCertificateSource } from '../src/relay/certificates/certificate-sources.ts';
import {
  devCertificatePaths,
  ensureDevCertificate,
} from '../src/relay/certificates/dev-certificate.ts';
import {
  loadCertificate,
  type RelayCertificate,
} from '../src/relay/certificates/relay-certificate.ts';
import { RelayCertificates } from '../src/relay/certificates/relay-certificates.ts';
import { recordingLogger, servedCertificateSha256 } from './support/certificates.ts';
import { NodeClient } from './support/node-client.ts';
import { startRelayFixture } from './support/relay-fixture.ts';

const DAY = 24 * 3600_000;

describe('development certificate rotation on a running relay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bp-rotate-'));
  const clock = { offsetMs: 0 };
  const { log, lines } = recordingLogger();
  const changes: RelayCertificate[] = [];
  const clients: NodeClient[] = [];
  let certificates: RelayCertificates;
  let fx: Awaited<ReturnType<typeof startRelayFixture>>;
  let first: RelayCertificate;

  const connect = async (certSha256Hex: string) => {
    const client = await NodeClient.connect({
      url: fx.url(await fx.ticket('owner')),
      certSha256Hex,
      role: 'owner',
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    certificates = RelayCertificates.open({
      source: new GeneratedCertificateSource(dir),
      pin: 'auto',
      log,
      now: () => Date.now() + clock.offsetMs,
    });
    first = certificates.current;
    fx = await startRelayFixture({ certificate: first });
    certificates.start((next) => fx.relay.updateCertificate(next.cert, next.key));
    certificates.onChange((next) => changes.push(next));
  });

  afterAll(async () => {
    certificates?.stop();
    for (const c of clients) c.close();
    await fx?.close();
  });

  it('pins its own certificate and keeps it while more than 6 days are left', async () => {
    expect(certificates.pinned).toBe(true);
    expect(certificates.pinSha256).toBe(first.sha256Hex);
    expect(first.validTo.getTime() - first.validFrom.getTime()).toBe(13 * DAY);
    expect(await certificates.check()).toBe('unchanged');
    clock.offsetMs = 6 * DAY + 3600_000; // 6 days 23 hours left
    expect(await certificates.check()).toBe('unchanged');
    expect(changes).toEqual([]);
    expect(await servedCertificateSha256(fx.relay.port)).toBe(first.sha256Hex);
  });

  it('renews it with less than 6 days left, without dropping an open session', async () => {
    clock.offsetMs = 0;
    const before = await connect(first.sha256Hex);
    await before.waitFor('frameEnd');

    clock.offsetMs = 8 * DAY; // 5 days left
    expect(await certificates.check()).toBe('replaced');
    clock.offsetMs = 0; // the new certificate is dated by the real clock: back to it
    const second = certificates.current;
    expect(second.sha256Hex).not.toBe(first.sha256Hex);
    expect(certificates.pinSha256).toBe(second.sha256Hex);
    expect(changes.map((c) => c.sha256Hex)).toEqual([second.sha256Hex]);
    expect(second.validTo.getTime()).toBeGreaterThanOrEqual(first.validTo.getTime());
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: 'relay certificate replaced',
        sha256: second.sha256Hex,
        previous: first.sha256Hex,
      }),
    );

    // New TLS connections are served the new certificate…
    expect(await servedCertificateSha256(fx.relay.port)).toBe(second.sha256Hex);
    // …so a client pinning the new hash gets in, and one pinning the old hash no longer does.
    const after = await connect(second.sha256Hex);
    expect((await after.waitFor('serverHello')).role).toBe('owner');
    await expect(connect(first.sha256Hex)).rejects.toThrow();

    // The session opened before the rotation still works both ways.
    expect(before.closeInfo).toBeUndefined();
    before.send({ type: 'ping', seq: 7, timestampUs: 123 });
    expect((await before.waitFor('pong', (m) => m.seq === 7)).echoTimestampUs).toBe(123);
    fx.source.change(2, 1, 0x00ff00ff, 1234);
    await before.waitFor('tileEncoded', (m) => m.col === 2 && m.row === 1);
    expect(await certificates.check()).toBe('unchanged');
  });

  it('leaves the renewed certificate on disk, where a restarted agent reuses it', () => {
    const { certPath, keyPath } = devCertificatePaths(dir);
    expect(loadCertificate(certPath, keyPath).sha256Hex).toBe(certificates.current.sha256Hex);
    expect(ensureDevCertificate(dir).sha256Hex).toBe(certificates.current.sha256Hex);
  });

  it('replaces a damaged stored certificate at start instead of failing', () => {
    const damaged = mkdtempSync(join(tmpdir(), 'bp-damaged-'));
    const good = ensureDevCertificate(damaged);
    const { keyPath } = devCertificatePaths(damaged);
    // A key that is not the certificate's (a crash between the two renames).
    writeFileSync(keyPath, ensureDevCertificate(mkdtempSync(join(tmpdir(), 'bp-other-'))).key);
    const replaced = ensureDevCertificate(damaged);
    expect(replaced.sha256Hex).not.toBe(good.sha256Hex);
    expect(ensureDevCertificate(damaged).sha256Hex).toBe(replaced.sha256Hex);
  });
});
