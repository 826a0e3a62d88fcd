import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RelayCertificate {
  readonly cert: string;
  readonly key: string;
  /** Lowercase hex SHA-256 of the DER certificate (WebTransport `serverCertificateHashes`). */
  readonly sha256Hex: string;
  /** Base64 SHA-256 of the SubjectPublicKeyInfo (Chromium `--ignore-certificate-errors-spki-list`). */
  readonly spkiBase64: string;
  readonly validTo: Date;
}

/** Reads a PEM certificate and key and derives the hashes clients pin. */
export function loadCertificate(certPath: string, keyPath: string): RelayCertificate {
  const cert = readFileSync(certPath, 'utf8');
  const key = readFileSync(keyPath, 'utf8');
  const x509 = new X509Certificate(cert);
  const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
  return {
    cert,
    key,
    sha256Hex: createHash('sha256').update(x509.raw).digest('hex'),
    spkiBase64: createHash('sha256').update(spki).digest('base64'),
    validTo: new Date(x509.validTo),
  };
}

/**
 * A self-signed development certificate for the relay in `dir`: ECDSA P-256, valid 13 days (the
 * native WebTransport certificate-hash rule allows at most 14), for 127.0.0.1 and localhost plus
 * `extraNames`. Reused while it has more than a day left; regenerated with `openssl` otherwise.
 */
export function ensureDevCertificate(
  dir: string,
  extraNames: readonly string[] = [],
): RelayCertificate {
  const certPath = join(dir, 'relay-cert.pem');
  const keyPath = join(dir, 'relay-key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const current = loadCertificate(certPath, keyPath);
    if (current.validTo.getTime() - Date.now() > 24 * 3600_000) return current;
  }
  mkdirSync(dir, { recursive: true });
  const names = [
    'IP:127.0.0.1',
    'DNS:localhost',
    ...extraNames.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)),
  ];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '13',
      '-subj',
      '/CN=browserpane-dev-relay',
      '-addext',
      `subjectAltName=${names.join(',')}`,
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  return loadCertificate(certPath, keyPath);
}
