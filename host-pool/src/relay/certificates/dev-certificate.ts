import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadCertificate, type RelayCertificate, remainingMs } from './relay-certificate.ts';

const DAY_MS = 24 * 3600_000;
/** How long the agent's development certificate is valid (at most 14 for hash pinning). */
export const DEV_CERT_VALIDITY_DAYS = 13;
/** A development certificate with less than this left is replaced (at start or while running). */
export const DEV_CERT_RENEW_BEFORE_MS = 6 * DAY_MS;

export interface DevCertificateOptions {
  /** Names besides 127.0.0.1 and localhost (IPv4 addresses or DNS names). */
  readonly extraNames?: readonly string[];
  /** Replace the stored certificate when less than this is left (default 6 days). */
  readonly renewBeforeMs?: number;
  readonly now?: number;
}

/**
 * The relay's self-signed development certificate in `dir`: the stored one while it has more than
 * `renewBeforeMs` left (and its files are intact), else a new one.
 */
export function ensureDevCertificate(
  dir: string,
  options: DevCertificateOptions = {},
): RelayCertificate {
  const { certPath, keyPath } = devCertificatePaths(dir);
  if (existsSync(certPath) && existsSync(keyPath)) {
    try {
      const current = loadCertificate(certPath, keyPath);
      const now = options.now ?? Date.now();
      if (remainingMs(current, now) > (options.renewBeforeMs ?? DEV_CERT_RENEW_BEFORE_MS))
        return current;
    } catch {
      // damaged (e.g. a crash between writing key and certificate): make a new one
    }
  }
  return generateDevCertificate(dir, options.extraNames);
}

/**
 * Makes a new development certificate in `dir` with `openssl`: ECDSA P-256, valid 13 days, for
 * 127.0.0.1 and localhost plus `extraNames`. Written next to the old files and renamed over them,
 * so a reader never sees a half-written file.
 */
export function generateDevCertificate(
  dir: string,
  extraNames: readonly string[] = [],
): RelayCertificate {
  const { certPath, keyPath } = devCertificatePaths(dir);
  mkdirSync(dir, { recursive: true });
  const names = [
    'IP:127.0.0.1',
    'DNS:localhost',
    ...extraNames.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)),
  ];
  const suffix = `.new-${process.pid}`;
  try {
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
        String(DEV_CERT_VALIDITY_DAYS),
        '-subj',
        '/CN=browserpane-dev-relay',
        '-addext',
        `subjectAltName=${names.join(',')}`,
        '-keyout',
        keyPath + suffix,
        '-out',
        certPath + suffix,
      ],
      { stdio: 'ignore' },
    );
    const fresh = loadCertificate(certPath + suffix, keyPath + suffix);
    renameSync(keyPath + suffix, keyPath);
    renameSync(certPath + suffix, certPath);
    return fresh;
  } finally {
    rmSync(keyPath + suffix, { force: true });
    rmSync(certPath + suffix, { force: true });
  }
}

export function devCertificatePaths(dir: string): { certPath: string; keyPath: string } {
  return { certPath: join(dir, 'relay-cert.pem'), keyPath: join(dir, 'relay-key.pem') };
}
