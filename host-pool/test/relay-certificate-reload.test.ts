/**
 * RELAY_CERT/RELAY_KEY: polled and loaded again when they change (certbot, cert-manager), swapped
 * into the running relay; a bad new file is logged once and ignored while the old certificate
 * stays in service. Pinning a configured certificate needs RELAY_CERT_PIN=1 and one browsers can
 * pin (ECDSA, ≤ 14 days); a CA-style certificate is served unpinned.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseHostConfig } from '../src/config.ts';
import { CertificateFilesSource } from '../src/relay/certificates/certificate-sources.ts';
import { parseCertificate } from '../src/relay/certificates/relay-certificate.ts';
import {
  type CertificatePinPolicy,
  RelayCertificates,
} from '../src/relay/certificates/relay-certificates.ts';
import {
  makeCertificate,
  recordingLogger,
  servedCertificateSha256,
} from './support/certificates.ts';
import { NodeClient } from './support/node-client.ts';
import { startRelayFixture } from './support/relay-fixture.ts';

function configuredFiles(from: { certPath: string; keyPath: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'bp-relay-tls-'));
  const certPath = join(dir, 'relay-cert.pem');
  const keyPath = join(dir, 'relay-key.pem');
  copyFileSync(from.certPath, certPath);
  copyFileSync(from.keyPath, keyPath);
  return { certPath, keyPath };
}

describe('reloading RELAY_CERT/RELAY_KEY on a running relay', () => {
  const a = makeCertificate({ days: 13 });
  const b = makeCertificate({ days: 13 });
  const c = makeCertificate({ days: 13 });
  const longLived = makeCertificate({ days: 90 });
  const sha = (pem: { cert: string; key: string }) => parseCertificate(pem.cert, pem.key).sha256Hex;
  const files = configuredFiles(a);
  const { log, lines } = recordingLogger();
  const errors = () => lines.filter((l) => l.level === 'error');
  let certificates: RelayCertificates;
  let fx: Awaited<ReturnType<typeof startRelayFixture>>;
  let session: NodeClient;

  beforeAll(async () => {
    certificates = RelayCertificates.open({
      source: new CertificateFilesSource(files.certPath, files.keyPath, { checkEveryMs: 100 }),
      pin: 'always',
      log,
    });
    fx = await startRelayFixture({ certificate: certificates.current });
    certificates.start((next) => fx.relay.updateCertificate(next.cert, next.key));
    session = await NodeClient.connect({
      url: fx.url(await fx.ticket('owner')),
      certSha256Hex: sha(a),
    });
    await session.waitFor('frameEnd');
  });

  afterAll(async () => {
    certificates?.stop();
    session?.close();
    await fx?.close();
  });

  it('serves and pins the configured certificate', async () => {
    expect(certificates.pinSha256).toBe(sha(a));
    expect(await servedCertificateSha256(fx.relay.port)).toBe(sha(a));
  });

  it('picks up renewed files within a poll and keeps the open session', async () => {
    writeFileSync(files.keyPath, b.key);
    writeFileSync(files.certPath, b.cert);
    await expect.poll(() => certificates.pinSha256, { timeout: 5_000 }).toBe(sha(b));
    expect(await servedCertificateSha256(fx.relay.port)).toBe(sha(b));
    session.send({ type: 'ping', seq: 1, timestampUs: 11 });
    expect((await session.waitFor('pong', (m) => m.seq === 1)).echoTimestampUs).toBe(11);
    const renewed = await NodeClient.connect({
      url: fx.url(await fx.ticket('viewer')),
      certSha256Hex: sha(b),
      role: 'viewer',
    });
    expect((await renewed.waitFor('serverHello')).role).toBe('viewer');
    renewed.close();
  });

  it('logs a broken file once, keeps serving the old certificate, and never throws', async () => {
    const before = errors().length;
    writeFileSync(files.certPath, '-----BEGIN CERTIFICATE-----\nnot base64\n');
    await expect.poll(() => errors().length, { timeout: 5_000 }).toBe(before + 1);
    expect(errors().at(-1)).toMatchObject({
      msg: expect.stringContaining('relay certificate not replaced'),
      serving: sha(b),
    });
    await new Promise((r) => setTimeout(r, 500)); // several polls of the same broken file
    expect(errors().length).toBe(before + 1);
    expect(certificates.pinSha256).toBe(sha(b));
    expect(await servedCertificateSha256(fx.relay.port)).toBe(sha(b));
    session.send({ type: 'ping', seq: 2, timestampUs: 22 });
    await session.waitFor('pong', (m) => m.seq === 2);
  });

  it('refuses a certificate whose key is not there yet, then takes the pair', async () => {
    const before = errors().length;
    writeFileSync(files.certPath, c.cert); // the key still belongs to b
    await expect.poll(() => errors().length, { timeout: 5_000 }).toBe(before + 1);
    expect(JSON.stringify(errors().at(-1))).toContain('does not belong');
    expect(await servedCertificateSha256(fx.relay.port)).toBe(sha(b));
    writeFileSync(files.keyPath, c.key);
    await expect.poll(() => certificates.pinSha256, { timeout: 5_000 }).toBe(sha(c));
    expect(await servedCertificateSha256(fx.relay.port)).toBe(sha(c));
  });

  it('refuses to pin a new certificate valid for more than 14 days', async () => {
    writeFileSync(files.keyPath, longLived.key);
    writeFileSync(files.certPath, longLived.cert);
    // (A poll between the two writes may first refuse the half-renewed pair.)
    await expect
      .poll(() => errors().at(-1)?.msg, { timeout: 5_000 })
      .toContain('valid for 90 days, and browsers pin only certificates valid for at most 14 days');
    expect(certificates.pinSha256).toBe(sha(c));
    expect(await servedCertificateSha256(fx.relay.port)).toBe(sha(c));
    expect(session.closeInfo).toBeUndefined();
  });
});

describe('which configured certificates are pinned', () => {
  const open = (pem: { certPath: string; keyPath: string }, pin: CertificatePinPolicy) => {
    const recorded = recordingLogger();
    const certificates = RelayCertificates.open({
      source: new CertificateFilesSource(pem.certPath, pem.keyPath),
      pin,
      log: recorded.log,
    });
    return { certificates, lines: recorded.lines };
  };

  it('does not pin a CA-style certificate unless asked, and says so when it is self-signed', () => {
    const ca = makeCertificate({ days: 90 });
    const { certificates, lines } = open(ca, 'auto');
    expect(certificates.pinned).toBe(false);
    expect(certificates.pinSha256).toBeNull();
    expect(certificates.current.sha256Hex).toMatch(/^[0-9a-f]{64}$/);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: expect.stringContaining('RELAY_CERT_PIN=1') }),
    );
    expect(open(makeCertificate({ days: 13 }), 'auto').certificates.pinSha256).toBeNull();
  });

  it('pins with RELAY_CERT_PIN=1 a short-lived ECDSA certificate', () => {
    const short = makeCertificate({ days: 13 });
    expect(open(short, 'always').certificates.pinSha256).toBe(sha256Of(short));
  });

  it('refuses RELAY_CERT_PIN=1 with a long-lived or RSA certificate (a config error)', () => {
    expect(() => open(makeCertificate({ days: 90 }), 'always')).toThrow(ConfigError);
    expect(() => open(makeCertificate({ days: 90 }), 'always')).toThrow(/at most 14 days/);
    expect(() => open(makeCertificate({ days: 13, key: 'rsa' }), 'always')).toThrow(/ECDSA/);
  });

  it('reports unreadable files at start as a config error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-missing-'));
    const missing = { certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem') };
    expect(() => open(missing, 'auto')).toThrow(ConfigError);
  });

  it('reads RELAY_CERT_PIN', () => {
    const env = { EDGE_URL: 'http://edge.test', HOST_ENROLLMENT_TOKEN: 'token-1234' };
    const pin = (value?: string) =>
      parseHostConfig({ ...env, ...(value === undefined ? {} : { RELAY_CERT_PIN: value }) }, [])
        .relay.certPin;
    expect(pin()).toBe('auto');
    expect(pin('')).toBe('auto');
    expect(pin('1')).toBe('always');
    expect(pin('0')).toBe('never');
    expect(() => pin('maybe')).toThrow(/RELAY_CERT_PIN/);
  });
});

function sha256Of(pem: { certPath: string; keyPath: string; cert: string; key: string }) {
  return parseCertificate(pem.cert, pem.key).sha256Hex;
}
