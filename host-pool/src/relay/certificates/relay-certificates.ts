import { ConfigError } from '../../config.ts';
import type { Logger } from '../../log.ts';
import type { CertificateSource } from './certificate-sources.ts';
import {
  CertificateError,
  pinProblem,
  type RelayCertificate,
  remainingMs,
} from './relay-certificate.ts';

/** `auto`: pin only the agent's own development certificate; `always`: RELAY_CERT too. */
export type CertificatePinPolicy = 'auto' | 'always' | 'never';

/** Puts a certificate into service on the relay's listeners (without dropping connections). */
export type InstallCertificate = (certificate: RelayCertificate) => Promise<void>;

export type CheckResult = 'unchanged' | 'replaced' | 'rejected';

export interface RelayCertificatesOptions {
  readonly source: CertificateSource;
  readonly pin: CertificatePinPolicy;
  readonly log: Logger;
  /** The clock (tests move it forward to make a renewal due). */
  readonly now?: () => number;
}

/**
 * The certificate the relay serves and the hash clients pin (`cert_sha256`, or null for a
 * certificate browsers verify the usual way). While started it checks its source periodically:
 * the development certificate is renewed before it expires, configured files are loaded again when
 * they change. A replacement is validated first; an unusable one is logged and ignored, and the
 * current certificate stays in service.
 */
export class RelayCertificates {
  private certificate: RelayCertificate;
  private install: InstallCertificate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<CheckResult> | undefined;
  private readonly listeners = new Set<(certificate: RelayCertificate) => void>();
  private readonly now: () => number;

  private constructor(
    private readonly options: RelayCertificatesOptions,
    initial: RelayCertificate,
  ) {
    this.certificate = initial;
    this.now = options.now ?? Date.now;
  }

  /** Loads the first certificate; a configuration that cannot work is a `ConfigError`. */
  static open(options: RelayCertificatesOptions): RelayCertificates {
    const { source, log } = options;
    const now = (options.now ?? Date.now)();
    let certificate: RelayCertificate;
    try {
      certificate = source.initial(now);
    } catch (err) {
      if (err instanceof CertificateError && !source.generated)
        throw new ConfigError([`RELAY_CERT/RELAY_KEY (${source.description}): ${err.message}`]);
      throw err;
    }
    const certificates = new RelayCertificates(options, certificate);
    const problem = certificates.pinned ? pinProblem(certificate) : undefined;
    if (problem)
      throw new ConfigError([
        `RELAY_CERT_PIN=1, but clients cannot pin RELAY_CERT: ${problem}. Use a certificate valid ` +
          'for at most 14 days, or unset RELAY_CERT_PIN for a CA-issued certificate (verified ' +
          'the usual way)',
      ]);
    if (remainingMs(certificate, now) <= 0)
      log.warn('the relay certificate has expired', { validTo: certificate.validTo });
    if (!certificates.pinned && !source.generated && certificate.selfSigned)
      log.warn(
        'RELAY_CERT is self-signed but not pinned: browsers refuse it unless they trust it ' +
          '(set RELAY_CERT_PIN=1 to pin a short-lived one)',
      );
    return certificates;
  }

  get current(): RelayCertificate {
    return this.certificate;
  }

  /** Whether clients pin this relay's certificate by hash. */
  get pinned(): boolean {
    const { pin, source } = this.options;
    return pin === 'always' || (pin === 'auto' && source.generated);
  }

  /** What the host reports as `cert_sha256`: the current certificate's hash when pinned. */
  get pinSha256(): string | null {
    return this.pinned ? this.certificate.sha256Hex : null;
  }

  /** Called after a new certificate went into service. */
  onChange(listener: (certificate: RelayCertificate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the periodic checks; `install` puts a replacement into service. */
  start(install: InstallCertificate): void {
    this.install = install;
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.check(), this.options.source.checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.install = undefined;
  }

  /** One check now (what the timer runs); concurrent calls share it. */
  check(): Promise<CheckResult> {
    this.checking ??= this.runCheck().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async runCheck(): Promise<CheckResult> {
    const install = this.install;
    if (!install) return 'unchanged';
    const { source, log } = this.options;
    const now = this.now();
    const keep = { source: source.description, serving: this.certificate.sha256Hex };
    let next: RelayCertificate | undefined;
    try {
      next = source.refresh(this.certificate, now);
    } catch (err) {
      log.error(
        'relay certificate not replaced: the new one is unusable; keeping the current one',
        {
          ...keep,
          err,
        },
      );
      return 'rejected';
    }
    if (!next || next.sha256Hex === this.certificate.sha256Hex) return 'unchanged';
    const problem =
      remainingMs(next, now) <= 0 ? 'it has expired' : this.pinned ? pinProblem(next) : undefined;
    if (problem) {
      log.error(`relay certificate not replaced: ${problem}; keeping the current one`, {
        ...keep,
        rejected: next.sha256Hex,
      });
      return 'rejected';
    }
    try {
      await install(next);
    } catch (err) {
      log.error('relay certificate not replaced: the relay refused it; keeping the current one', {
        ...keep,
        err,
      });
      return 'rejected';
    }
    const previous = this.certificate;
    this.certificate = next;
    log.info('relay certificate replaced', {
      source: source.description,
      sha256: next.sha256Hex,
      previous: previous.sha256Hex,
      validTo: next.validTo,
      pinned: this.pinned,
    });
    for (const listener of this.listeners) listener(next);
    return 'replaced';
  }
}
