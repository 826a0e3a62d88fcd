import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface RelayCertificate {
  /** PEM: the certificate, optionally followed by its chain. */
  readonly cert: string;
  readonly key: string;
  /** Lowercase hex SHA-256 of the DER certificate (WebTransport `serverCertificateHashes`). */
  readonly sha256Hex: string;
  /** Base64 SHA-256 of the SubjectPublicKeyInfo (Chromium `--ignore-certificate-errors-spki-list`). */
  readonly spkiBase64: string;
  readonly validFrom: Date;
  readonly validTo: Date;
  /** `ec`, `rsa`, `ed25519`, … (Node's `asymmetricKeyType`). */
  readonly keyType: string | undefined;
  /** The EC curve (`prime256v1` for P-256), when `keyType` is `ec`. */
  readonly curve: string | undefined;
  /** Issued by itself (a development certificate) rather than by a CA. */
  readonly selfSigned: boolean;
}

const DAY_MS = 24 * 3600_000;
/** Browsers accept a certificate pinned by hash only when it is valid for at most 14 days. */
export const PIN_MAX_VALIDITY_MS = 14 * DAY_MS;

/** The certificate or key is unreadable, unparsable, or the key does not belong to it. */
export class CertificateError extends Error {
  override readonly name = 'CertificateError';
}

/**
 * Parses a PEM certificate (chain) and its key, checks that they belong together, and derives the
 * hashes clients pin. Throws `CertificateError` for anything TLS would refuse to serve.
 */
export function parseCertificate(cert: string, key: string): RelayCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new CertificateError(`not a PEM certificate (${(err as Error).message})`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new CertificateError(`not a PEM private key (${(err as Error).message})`);
  }
  if (!x509.checkPrivateKey(privateKey))
    throw new CertificateError('the private key does not belong to the certificate');
  const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
  return {
    cert,
    key,
    sha256Hex: createHash('sha256').update(x509.raw).digest('hex'),
    spkiBase64: createHash('sha256').update(spki).digest('base64'),
    validFrom: new Date(x509.validFrom),
    validTo: new Date(x509.validTo),
    keyType: x509.publicKey.asymmetricKeyType,
    curve: x509.publicKey.asymmetricKeyDetails?.namedCurve,
    selfSigned: x509.checkIssued(x509),
  };
}

/** Reads a PEM certificate and key from files (see `parseCertificate`). */
export function loadCertificate(certPath: string, keyPath: string): RelayCertificate {
  let cert: string;
  let key: string;
  try {
    cert = readFileSync(certPath, 'utf8');
    key = readFileSync(keyPath, 'utf8');
  } catch (err) {
    throw new CertificateError(`cannot read it (${(err as Error).message})`);
  }
  return parseCertificate(cert, key);
}

/**
 * Why browsers would refuse to pin this certificate by hash (`serverCertificateHashes`), or
 * undefined when they accept it: the validity period must be at most 14 days and the key ECDSA
 * (what Chromium allows; P-256 is what the agent makes).
 */
export function pinProblem(certificate: RelayCertificate): string | undefined {
  const validity = certificate.validTo.getTime() - certificate.validFrom.getTime();
  if (validity > PIN_MAX_VALIDITY_MS) {
    const days = Math.round((validity / DAY_MS) * 10) / 10;
    return `it is valid for ${days} days, and browsers pin only certificates valid for at most 14 days`;
  }
  if (certificate.keyType !== 'ec')
    return `its key is ${certificate.keyType ?? 'unknown'}, and browsers pin only ECDSA certificates`;
  return undefined;
}

/** Milliseconds until the certificate expires (negative once it has). */
export function remainingMs(certificate: RelayCertificate, now: number): number {
  return certificate.validTo.getTime() - now;
}
