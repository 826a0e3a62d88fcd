/**
 * A run's credentials on the worker's side. The entrypoint (a child process with no credential of
 * its own) asks by binding name over IPC; the worker resolves the secret through the edge (only the
 * worker holding the run's lease can), registers it with the run's redactor before anything else
 * sees it, and then either hands it over (`read` bindings) or uses it itself over CDP on an allowed
 * origin (`form_fill`, `cookie_seed`, `storage_seed`, `totp_fill`) so the entrypoint never sees it.
 */
import type { Api, WorkflowRun } from '@browserpane/api';
import { leaseHeaders } from '../session-downloads.ts';
import { fillFields, InjectionError, type SeedCookie, seedCookies, seedStorage } from './inject.ts';
import type { Redactor } from './redactor.ts';
import { type TotpAlgorithm, totp } from './totp.ts';

type Binding = WorkflowRun['credential_bindings'][number];

/** What the entrypoint asks (child → worker). */
export interface CredentialRequest {
  op: 'get' | 'totp' | 'fill' | 'fillTotp' | 'seedCookies' | 'seedStorage';
  name: string;
  /** The page target the entrypoint means (fill, fillTotp, seedStorage). */
  targetId?: string;
  /** fill: `{ username?, password }` selectors; fillTotp: `{ selector }`; seedCookies: `{ origin? }`. */
  options?: Record<string, unknown>;
}

/** A refusal the entrypoint sees (never carries a secret). */
export class CredentialError extends Error {}

export interface BrokerDeps {
  api: Api;
  runId: string;
  attempt: number;
  workerId: string;
  /** This attempt's lease secret (the claim's `lease_token`): the edge resolves only for it. */
  lease: string;
  bindings: Binding[];
  redactor: Redactor;
  /** A fresh CDP gateway URL for the run's session (a new automation ticket each time). */
  cdpUrl(): Promise<string>;
}

export class CredentialBroker {
  private readonly resolved = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: BrokerDeps) {}

  private binding(name: unknown): Binding {
    const b = this.deps.bindings.find((x) => x.name === name);
    if (!b)
      throw new CredentialError(
        `no credential named ${JSON.stringify(String(name).slice(0, 128))} was granted to this run (granted: ${this.deps.bindings.map((x) => x.name).join(', ') || 'none'})`,
      );
    return b;
  }

  private payload(b: Binding): Promise<unknown> {
    let p = this.resolved.get(b.id);
    if (!p) {
      p = this.deps.api
        .resolveWorkflowRunCredential(
          {
            params: { run_id: this.deps.runId, binding_id: b.id },
            body: { attempt: this.deps.attempt, worker_id: this.deps.workerId },
          },
          { headers: leaseHeaders(this.deps.lease) },
        )
        .then((r) => {
          this.deps.redactor.add(b.name, r.payload);
          return r.payload;
        })
        .catch((e: Error & { code?: string }) => {
          this.resolved.delete(b.id);
          throw new CredentialError(
            `credential ${b.name} could not be resolved: ${e.code ?? ''} ${e.message}`.trim(),
          );
        });
      this.resolved.set(b.id, p);
    }
    return p;
  }

  private need(b: Binding, modes: Binding['injection_mode'][], what: string): void {
    if (!modes.includes(b.injection_mode))
      throw new CredentialError(
        `credential ${b.name} is for ${b.injection_mode}; ${what} needs ${modes.join(' or ')}`,
      );
  }

  private target(request: CredentialRequest): string {
    if (!request.targetId) throw new CredentialError('no page to use the credential on');
    return request.targetId;
  }

  /** Answers one request of the entrypoint: the value it may see (or null). */
  async handle(request: CredentialRequest): Promise<unknown> {
    const b = this.binding(request.name);
    const o = request.options ?? {};
    try {
      switch (request.op) {
        case 'get':
          this.need(b, ['read'], 'credentials.get');
          return await this.payload(b);
        case 'totp': {
          this.need(b, ['totp_fill', 'read'], 'credentials.totp');
          return this.code(b, await this.payload(b));
        }
        case 'fill': {
          this.need(b, ['form_fill'], 'credentials.fill');
          const { username, password } = o;
          if (typeof password !== 'string')
            throw new CredentialError('credentials.fill needs { password: <selector> }');
          const values = async () => {
            const secret = (await this.payload(b)) as { username?: string; password?: string };
            return [
              ...(typeof username === 'string'
                ? [{ selector: username, value: String(secret.username ?? '') }]
                : []),
              { selector: password, value: String(secret.password ?? '') },
            ];
          };
          await fillFields(
            await this.deps.cdpUrl(),
            this.target(request),
            values,
            b.allowed_origins,
          );
          return null;
        }
        case 'fillTotp': {
          this.need(b, ['totp_fill'], 'credentials.fillTotp');
          const selector = o.selector;
          if (typeof selector !== 'string')
            throw new CredentialError('credentials.fillTotp needs a selector');
          await fillFields(
            await this.deps.cdpUrl(),
            this.target(request),
            async () => [{ selector, value: this.code(b, await this.payload(b)) }],
            b.allowed_origins,
          );
          return null;
        }
        case 'seedCookies': {
          this.need(b, ['cookie_seed'], 'credentials.seedCookies');
          const origin = typeof o.origin === 'string' ? o.origin : b.allowed_origins[0];
          if (!origin || !b.allowed_origins.includes(origin))
            throw new CredentialError(
              `credential ${b.name} may set cookies only for ${b.allowed_origins.join(', ')}`,
            );
          const secret = (await this.payload(b)) as { cookies: SeedCookie[] };
          await seedCookies(await this.deps.cdpUrl(), origin, secret.cookies);
          return null;
        }
        case 'seedStorage': {
          this.need(b, ['storage_seed'], 'credentials.seedStorage');
          await seedStorage(
            await this.deps.cdpUrl(),
            this.target(request),
            async () =>
              (await this.payload(b)) as {
                local_storage?: Record<string, string>;
                session_storage?: Record<string, string>;
              },
            b.allowed_origins,
          );
          return null;
        }
        default:
          throw new CredentialError(`unknown credentials call ${String(request.op)}`);
      }
    } catch (error) {
      if (error instanceof CredentialError) throw error;
      if (error instanceof InjectionError) throw new CredentialError(error.message);
      // Anything else (a CDP failure) is told without details that could carry a value.
      throw new CredentialError(
        `credentials.${request.op}(${b.name}) failed: ${this.deps.redactor.redact((error as Error).message)}`,
      );
    }
  }

  private code(b: Binding, payload: unknown): string {
    const seed = (payload as { seed?: unknown }).seed;
    if (typeof seed !== 'string')
      throw new CredentialError(`credential ${b.name} has no TOTP seed`);
    return totp(seed, {
      digits: b.totp?.digits ?? 6,
      periodSec: b.totp?.period_sec ?? 30,
      algorithm: (b.totp?.algorithm as TotpAlgorithm | null | undefined) ?? 'SHA1',
    });
  }
}
