import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { Logger } from '../../src/log.ts';
import { createLogger } from '../../src/log.ts';

/** A self-signed certificate made with `openssl` (like a CA-issued one when `days` is long). */
export function makeCertificate(options: { days: number; key?: 'ec' | 'rsa' }): {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'bp-cert-'));
  mkdirSync(dir, { recursive: true });
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const keyArgs =
    options.key === 'rsa'
      ? ['-newkey', 'rsa:2048']
      : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      ...keyArgs,
      '-nodes',
      '-days',
      String(options.days),
      '-subj',
      '/CN=relay.test',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  return {
    certPath,
    keyPath,
    cert: readFileSync(certPath, 'utf8'),
    key: readFileSync(keyPath, 'utf8'),
  };
}

/** A logger that keeps its JSON lines for assertions. */
export function recordingLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return {
    log: createLogger({}, 'debug', (line) => lines.push(JSON.parse(line))),
    lines,
  };
}

/** The SHA-256 (hex) of the certificate a new TLS connection to `port` is served. */
export function servedCertificateSha256(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ALPNProtocols: ['h2'],
      rejectUnauthorized: false,
    });
    socket.once('secureConnect', () => {
      const fingerprint = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      socket.destroy();
      resolve(fingerprint.replace(/:/g, '').toLowerCase());
    });
    socket.once('error', reject);
  });
}
