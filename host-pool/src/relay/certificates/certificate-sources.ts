import { statSync } from 'node:fs';
import {
  DEV_CERT_RENEW_BEFORE_MS,
  type DevCertificateOptions,
  ensureDevCertificate,
  generateDevCertificate,
} from './dev-certificate.ts';
import {
  CertificateError,
  loadCertificate,
  type RelayCertificate,
  remainingMs,
} from './relay-certificate.ts';

/** Where the relay's certificate comes from, and when it has a new one. */
export interface CertificateSource {
  /** True for the agent's own development certificate (pinned by default). */
  readonly generated: boolean;
  /** How often `refresh` is worth calling. */
  readonly checkEveryMs: number;
  /** For logs. */
  readonly description: string;
  /** The certificate to start with; throws `CertificateError` when there is none to serve. */
  initial(now: number): RelayCertificate;
  /**
   * A replacement for `current` when one is due (a renewal, or files that changed on disk), else
   * undefined. Throws when the replacement is unusable (the caller keeps serving `current`).
   */
  refresh(current: RelayCertificate, now: number): RelayCertificate | undefined;
}

/**
 * The agent's own short-lived development certificate in `dir`, renewed while the agent runs:
 * checked hourly, replaced when less than `renewBeforeMs` (6 days) is left.
 */
export class GeneratedCertificateSource implements CertificateSource {
  readonly generated = true;
  readonly checkEveryMs: number;
  readonly description: string;
  private readonly renewBeforeMs: number;

  constructor(
    private readonly dir: string,
    private readonly options: DevCertificateOptions & { checkEveryMs?: number } = {},
  ) {
    this.renewBeforeMs = options.renewBeforeMs ?? DEV_CERT_RENEW_BEFORE_MS;
    this.checkEveryMs = options.checkEveryMs ?? 3600_000;
    this.description = `development certificate in ${dir}`;
  }

  initial(now: number): RelayCertificate {
    return ensureDevCertificate(this.dir, { ...this.options, now });
  }

  refresh(current: RelayCertificate, now: number): RelayCertificate | undefined {
    if (remainingMs(current, now) > this.renewBeforeMs) return undefined;
    return generateDevCertificate(this.dir, this.options.extraNames);
  }
}

/**
 * A certificate and key configured as files (RELAY_CERT/RELAY_KEY), e.g. kept renewed by an ACME
 * client or cert-manager: polled (file identity, size and modification time, symlinks followed)
 * and loaded again when either changes. A change that does not load is reported once and not
 * retried until the files change again.
 */
export class CertificateFilesSource implements CertificateSource {
  readonly generated = false;
  readonly checkEveryMs: number;
  readonly description: string;
  private seen = '';

  constructor(
    private readonly certPath: string,
    private readonly keyPath: string,
    options: { checkEveryMs?: number } = {},
  ) {
    this.checkEveryMs = options.checkEveryMs ?? 60_000;
    this.description = `${certPath} and ${keyPath}`;
  }

  initial(): RelayCertificate {
    this.seen = this.signature() ?? '';
    return loadCertificate(this.certPath, this.keyPath);
  }

  refresh(): RelayCertificate | undefined {
    const current = this.signature() ?? 'missing';
    if (current === this.seen) return undefined;
    this.seen = current;
    if (current === 'missing') throw new CertificateError('a file is missing or unreadable');
    return loadCertificate(this.certPath, this.keyPath);
  }

  private signature(): string | undefined {
    try {
      return [this.certPath, this.keyPath]
        .map((path) => {
          const s = statSync(path, { bigint: true });
          return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
        })
        .join('|');
    } catch {
      return undefined;
    }
  }
}
