import { cpus, freemem, loadavg } from 'node:os';
import { join } from 'node:path';
import type { HostConfig } from '../config.ts';
import { FileBindingPlacer } from '../files/file-bindings.ts';
import { sessionFiles } from '../files/files-feature.ts';
import type { Logger } from '../log.ts';
import type { RecorderSupervisor } from '../recording/recorder-supervisor.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import { type EdgeClient, EdgeError, type EnrollAnswer } from './edge-client.ts';
import { EventOutbox } from './event-outbox.ts';
import { HostIdentityFile } from './host-identity.ts';

export const AGENT_VERSION = '0.1.0';

/** Identity the edge gave this host, and what tickets must look like. */
export interface Enrollment extends EnrollAnswer {}

/** Where the agent keeps what belongs to it alone (its enrolment, used ticket ids). */
export function agentStateDir(dataDir: string): string {
  return join(dataDir, 'agent');
}

/**
 * Enrols with the edge (retrying until it answers; re-enrolling its name with the credential it
 * kept, which the edge requires while the host is alive), then heartbeats: reports capacity, load,
 * runtimes, connections and events, and applies the desired state in each answer. Events leave
 * the outbox only once a heartbeat carrying them succeeded. A heartbeat is also sent early when
 * something changes (a session started, someone joined).
 */
export class HostAgent {
  private enrollment: Enrollment | undefined;
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 1000;
  private pendingAcks: string[] = [];
  private beating = false;
  private again = false;
  /** How soon the heartbeat after the one in flight goes (0: something waits for it). */
  private againInMs = 50;
  private stopped = false;
  private readonly outbox = new EventOutbox();
  private readonly identityFile: HostIdentityFile;
  private readonly bindings: FileBindingPlacer;

  constructor(
    private readonly config: HostConfig,
    /** The relay certificate's current pin (`cert_sha256`), or null when clients do not pin. */
    private readonly certSha256: () => string | null,
    private readonly edge: EdgeClient,
    private readonly sessions: SessionManager,
    private readonly log: Logger,
    /** The recording workers beside this agent; absent: the host records nothing. */
    private readonly recorders?: RecorderSupervisor,
  ) {
    this.identityFile = new HostIdentityFile(join(agentStateDir(config.dataDir), 'identity.json'));
    const id = () => {
      if (!this.enrollment) throw new Error('not enrolled');
      return this.enrollment;
    };
    this.bindings = new FileBindingPlacer(
      {
        content: (sessionId, bindingId, byteCount) =>
          edge.fileBindingContent(
            id().host_id,
            id().host_credential,
            sessionId,
            bindingId,
            byteCount,
          ),
        report: (sessionId, bindingId, body) =>
          edge.reportFileBinding(id().host_id, id().host_credential, sessionId, bindingId, body),
      },
      (sessionId) => {
        const files = sessionFiles(sessionId);
        return files
          ? {
              dir: files.uploads,
              partials: files.partials,
              offer: (file) => files.chooser.offer(file, false),
            }
          : undefined;
      },
      log,
    );
  }

  get hostId(): string | undefined {
    return this.enrollment?.host_id;
  }

  get identity(): Enrollment | undefined {
    return this.enrollment;
  }

  /** Enrols, retrying with backoff while the edge is unreachable. */
  async enroll(): Promise<Enrollment> {
    let wait = 500;
    for (let attempt = 1; ; attempt++) {
      const kept =
        this.enrollment?.host_credential ?? this.identityFile.read(this.config.name)?.credential;
      try {
        this.enrollment = await this.edge.enroll(this.config.enrollmentToken, {
          ...(kept ? { host_credential: kept } : {}),
          name: this.config.name,
          region: this.config.region,
          coordinates: this.config.coordinates,
          capacity: { max_sessions: this.config.maxSessions },
          relay_url: this.config.relay.publicUrl,
          cert_sha256: this.certSha256(),
          agent_version: AGENT_VERSION,
        });
        this.intervalMs = this.enrollment.heartbeat_interval_ms;
        this.identityFile.write({
          name: this.config.name,
          hostId: this.enrollment.host_id,
          credential: this.enrollment.host_credential,
        });
        this.log.info('enrolled with the edge', {
          hostId: this.enrollment.host_id,
          edge: this.config.edgeUrl,
        });
        return this.enrollment;
      } catch (err) {
        if (err instanceof EdgeError && (err.status === 401 || err.status === 403)) throw err;
        if (err instanceof EdgeError && err.code === 'host_name_taken') {
          // Another live host holds the name (or this one lost its data directory): the name frees
          // up once that host is lost, unless the operator picks another HOST_NAME.
          if (attempt === 1 || attempt % 10 === 0)
            this.log.warn('host name taken at the edge; retrying', {
              name: this.config.name,
              attempt,
            });
        } else if (attempt === 1 || attempt % 10 === 0)
          this.log.info('waiting for the edge', { edge: this.config.edgeUrl, attempt });
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, 5_000);
      }
    }
  }

  start(): void {
    void this.beat();
  }

  /** Heartbeat soon (something changed; changes within 50 ms share one heartbeat). */
  nudge(): void {
    this.beatIn(50);
  }

  /**
   * Heartbeat now: the edge placed a session here and said so (its wake-up call), or a session
   * began running (its user waits for the edge to know).
   */
  wake(): void {
    this.beatIn(0);
  }

  private beatIn(ms: number): void {
    if (this.stopped) return;
    if (this.beating) {
      this.again = true;
      this.againInMs = Math.min(this.againInMs, ms);
    } else {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.beat(), ms);
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async beat(): Promise<void> {
    if (this.stopped || !this.enrollment) return;
    this.beating = true;
    const acks = this.pendingAcks.splice(0);
    this.outbox.add(this.sessions.drainEvents());
    const events = this.outbox.batch();
    // What each visible tab shows, read now for the next beat (never delays this one).
    void this.sessions.refreshPages();
    try {
      const answer = await this.edge.heartbeat(
        this.enrollment.host_id,
        this.enrollment.host_credential,
        {
          capacity: {
            max_sessions: this.sessions.maxSessions,
            free_sessions: Math.max(0, this.sessions.maxSessions - this.sessions.running),
          },
          load: {
            cpu_percent: Math.round(((loadavg()[0] ?? 0) / Math.max(1, cpus().length)) * 1000) / 10,
            memory_available_mb: Math.round(freemem() / 1048576),
          },
          region: this.config.region,
          coordinates: this.config.coordinates,
          relay_url: this.config.relay.publicUrl,
          cert_sha256: this.certSha256(),
          runtimes: this.sessions.runtimes(),
          connections: this.sessions.connections(),
          events,
          acked_commands: acks,
          recorder: { available: this.recorders?.available ?? false },
        },
      );
      this.outbox.sent();
      this.intervalMs = answer.heartbeat_interval_ms || this.intervalMs;
      this.sessions.reconcile(answer.sessions ?? []);
      this.recorders?.apply(answer.recordings ?? [], answer.exports ?? []);
      this.bindings.follow(answer.sessions ?? []);
      for (const cmd of answer.commands ?? []) {
        this.sessions.disconnect(
          cmd.session_id,
          cmd.type === 'disconnect' ? cmd.connection_id : undefined,
        );
        this.pendingAcks.push(cmd.command_id);
      }
      if (answer.commands?.length || this.outbox.size > 0) this.again = true;
    } catch (err) {
      this.pendingAcks.unshift(...acks);
      if (err instanceof EdgeError && (err.status === 400 || err.status === 413)) {
        // The edge refused the report itself: sending the same events again would fail forever.
        this.outbox.sent();
        this.log.warn('heartbeat refused; its events are dropped', {
          events: events.length,
          code: err.code,
        });
      } else this.outbox.failed(); // sent again with the next heartbeat (at least once)
      if (err instanceof EdgeError && err.status === 401) {
        this.log.warn('the edge no longer knows this host; enrolling again');
        await this.enroll().catch((e) => this.log.error('re-enrolment failed', { err: e }));
      } else this.log.warn('heartbeat failed', { err });
    } finally {
      this.beating = false;
      if (!this.stopped) {
        const delay = this.again ? this.againInMs : this.intervalMs;
        this.again = false;
        this.againInMs = 50;
        this.timer = setTimeout(() => void this.beat(), delay);
      }
    }
  }
}
