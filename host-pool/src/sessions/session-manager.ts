import type {
  DesiredSession,
  HeartbeatRequest,
  RuntimeReportState,
  SessionOptions,
} from '../control/edge-client.ts';
import type { Logger } from '../log.ts';
import type { SessionHub } from '../relay/session-hub.ts';
import type { LiveSession, LiveSessionFactory, SessionEvent } from './live-session.ts';

interface Slot {
  readonly sessionId: string;
  options: SessionOptions;
  /** The session's grant generation as the edge last said it. */
  grantGeneration: number;
  live: LiveSession | undefined;
  starting: Promise<void> | undefined;
  stopping: boolean;
  /** The stop under way, so a later stop (the agent's shutdown) waits for it too. */
  ending: Promise<void> | undefined;
  error: string | undefined;
  failedAt: number;
  readonly events: SessionEvent[];
}

const RETRY_AFTER_FAILURE_MS = 10_000;
/** At most this many connections wait host-wide for their session to start (see hubWhenReady). */
const MAX_WAITING_CONNECTIONS = 64;

/**
 * Keeps this host's sessions where the edge wants them: starts what should run (within the slot
 * cap), stops or kills what should not, and reports each session's runtime state, connections and
 * events for the next heartbeat.
 */
export class SessionManager {
  private readonly slots = new Map<string, Slot>();
  /** Events of sessions that ended here since the last heartbeat (a stop's profile save …). */
  private readonly ended: HeartbeatRequest['events'] = [];
  /** Connections waiting for their session's hub, by session: called when a slot changes. */
  private readonly hubWaiters = new Map<string, Set<() => void>>();
  private waitingConnections = 0;

  constructor(
    private readonly factory: LiveSessionFactory,
    readonly maxSessions: number,
    private readonly log: Logger,
    /** Something the edge should hear of changed; `urgent`: a session began running. */
    private readonly onChange: (urgent?: boolean) => void = () => {},
  ) {}

  /** The hub of a running session, if it runs here. */
  hub(sessionId: string): SessionHub | undefined {
    const slot = this.slots.get(sessionId);
    return slot?.live && !slot.stopping ? slot.live.hub : undefined;
  }

  /**
   * The session's hub once it runs here: a client with a valid ticket may arrive while its session
   * is still starting (the console connects as soon as the session is placed, not after it has
   * seen it run), or just before the edge's wake-up reaches this host. Waits at most `ms`, and
   * answers undefined at once when the session failed or is stopping here, or when too many
   * connections already wait.
   */
  async hubWhenReady(sessionId: string, ms: number): Promise<SessionHub | undefined> {
    const ready = this.hub(sessionId);
    if (ready || this.waitingConnections >= MAX_WAITING_CONNECTIONS) return ready;
    const deadline = Date.now() + ms;
    this.waitingConnections++;
    try {
      for (;;) {
        const hub = this.hub(sessionId);
        if (hub) return hub;
        const slot = this.slots.get(sessionId);
        const left = deadline - Date.now();
        if (slot?.stopping || slot?.error || left <= 0) return undefined;
        await new Promise<void>((resolve) => {
          const waiters = this.hubWaiters.get(sessionId) ?? new Set<() => void>();
          this.hubWaiters.set(sessionId, waiters);
          const done = () => {
            clearTimeout(timer);
            waiters.delete(done);
            if (!waiters.size && this.hubWaiters.get(sessionId) === waiters)
              this.hubWaiters.delete(sessionId);
            resolve();
          };
          const timer = setTimeout(done, left);
          waiters.add(done);
        });
      }
    } finally {
      this.waitingConnections--;
    }
  }

  /** Wakes the connections waiting for this session's hub (it started, failed or is ending). */
  private slotChanged(sessionId: string): void {
    for (const done of [...(this.hubWaiters.get(sessionId) ?? [])]) done();
  }

  live(sessionId: string): LiveSession | undefined {
    return this.slots.get(sessionId)?.live;
  }

  get running(): number {
    return this.slots.size;
  }

  reconcile(desired: readonly DesiredSession[]): void {
    const wanted = new Map(
      desired.filter((d) => d.desired === 'running').map((d) => [d.session_id, d]),
    );
    for (const d of desired) {
      if (d.desired !== 'running' && this.slots.has(d.session_id))
        void this.end(d.session_id, d.desired === 'killed');
    }
    for (const [id, slot] of this.slots)
      if (!wanted.has(id) && !slot.stopping) void this.end(id, false);
    for (const d of wanted.values()) {
      const slot = this.slots.get(d.session_id);
      if (slot?.stopping) continue;
      if (slot && !slot.error) {
        this.followGrants(slot, d.grant_generation ?? 0);
        this.followViewport(slot, d.options);
        continue;
      }
      if (slot?.error && Date.now() - slot.failedAt < RETRY_AFTER_FAILURE_MS) continue;
      if (!slot && this.slots.size >= this.maxSessions) continue;
      this.begin(d.session_id, d.options, d.grant_generation ?? 0);
    }
  }

  disconnect(sessionId: string, connectionId: string | undefined): void {
    const hub = this.hub(sessionId);
    if (!hub) return;
    if (connectionId) hub.disconnect(connectionId);
    else hub.disconnectAll('disconnected_by_operator');
  }

  runtimes(): HeartbeatRequest['runtimes'] {
    return [...this.slots.values()].map((slot) => {
      const state: RuntimeReportState = slot.error
        ? 'failed'
        : slot.stopping
          ? 'stopped'
          : (slot.live?.state() ?? 'starting');
      const page = slot.live?.page?.();
      return {
        session_id: slot.sessionId,
        state,
        restarts: slot.live?.restarts() ?? 0,
        display: slot.live?.display() ?? slot.options.viewport,
        ...(slot.error ? { error: slot.error } : {}),
        ...(page ? { page } : {}),
      };
    });
  }

  /** Reads each running session's visible tab again (for the next heartbeat), within `ms`. */
  async refreshPages(ms = 1500): Promise<void> {
    if (this.pagesReading) return; // the last read is still out: one at a time
    const reads = Promise.allSettled(
      [...this.slots.values()].map((slot) => slot.live?.refreshPage?.()),
    );
    this.pagesReading = reads;
    void reads.finally(() => {
      if (this.pagesReading === reads) this.pagesReading = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([reads, new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }
  private pagesReading: Promise<unknown> | undefined;

  connections(): HeartbeatRequest['connections'] {
    const out: HeartbeatRequest['connections'] = [];
    for (const slot of this.slots.values()) {
      for (const c of slot.live?.hub.connections() ?? []) {
        out.push({
          connection_id: c.connectionId,
          session_id: c.sessionId,
          role: c.role,
          principal: c.principal,
          display_name: c.displayName,
          connected_at: c.connectedAt,
          client: c.client,
        });
      }
    }
    return out;
  }

  drainEvents(): HeartbeatRequest['events'] {
    const out: HeartbeatRequest['events'] = this.ended.splice(0);
    for (const slot of this.slots.values()) {
      for (const e of [...slot.events.splice(0), ...(slot.live?.drainEvents() ?? [])])
        out.push({ session_id: slot.sessionId, ...e });
    }
    return out;
  }

  /**
   * The edge changed a running session's viewport (an MCP client asked for one while no person
   * watches): resize the display to it. A person's own resizes do not change the desired options,
   * so the two never fight.
   */
  private followViewport(slot: Slot, options: SessionOptions): void {
    const before = slot.options.viewport;
    slot.options = options;
    const { width, height } = options.viewport;
    if (!slot.live || (before.width === width && before.height === height)) return;
    slot.live.applyViewport(width, height).catch((err: unknown) => {
      this.log.warn('viewport change failed', { sessionId: slot.sessionId, width, height, err });
    });
  }

  /** A delegate was revoked (the generation grew): its automation connections go. */
  private followGrants(slot: Slot, generation: number): void {
    if (generation > slot.grantGeneration) slot.grantGeneration = generation;
    slot.live?.hub.setGrantGeneration(slot.grantGeneration);
  }

  /**
   * Stops every session (agent shutdown). Clients are told `server_shutdown`, not
   * `session_stopped`: the sessions themselves go on (the edge still wants them), so live views
   * reconnect to wherever they run next.
   */
  async stopAll(): Promise<void> {
    await Promise.all([...this.slots.keys()].map((id) => this.end(id, false, 'server_shutdown')));
  }

  private begin(sessionId: string, options: SessionOptions, grantGeneration: number): void {
    const slot: Slot = {
      sessionId,
      options,
      grantGeneration,
      live: undefined,
      starting: undefined,
      stopping: false,
      ending: undefined,
      error: undefined,
      failedAt: 0,
      events: [],
    };
    this.slots.set(sessionId, slot);
    this.log.info('starting session', { sessionId });
    slot.starting = this.factory.create(sessionId, options, this.onChange).then(
      (live) => {
        slot.live = live;
        slot.starting = undefined;
        live.hub.setGrantGeneration(slot.grantGeneration);
        if (slot.stopping) void live.stop();
        this.log.info('session running', { sessionId });
        this.slotChanged(sessionId);
        this.onChange(true);
      },
      (err: Error) => {
        slot.starting = undefined;
        slot.error = err.message.slice(0, 500);
        slot.failedAt = Date.now();
        slot.events.push({
          type: 'runtime_failed',
          at: new Date().toISOString(),
          data: { error: slot.error },
        });
        this.log.error('session failed to start', { sessionId, err });
        this.slotChanged(sessionId);
        this.onChange();
      },
    );
  }

  private async end(
    sessionId: string,
    kill: boolean,
    why: 'session_stopped' | 'server_shutdown' = 'session_stopped',
  ): Promise<void> {
    const slot = this.slots.get(sessionId);
    if (!slot) return;
    if (slot.stopping && !kill) return slot.ending;
    slot.stopping = true;
    this.slotChanged(sessionId);
    const ending = this.finish(slot, kill, why);
    slot.ending = ending;
    return ending;
  }

  private async finish(
    slot: Slot,
    kill: boolean,
    why: 'session_stopped' | 'server_shutdown',
  ): Promise<void> {
    const { sessionId } = slot;
    this.log.info(kill ? 'killing session' : 'stopping session', { sessionId });
    await slot.starting?.catch(() => {});
    try {
      slot.live?.hub.close(kill ? 'session_killed' : why);
      if (kill) await slot.live?.kill();
      else await slot.live?.stop();
    } catch (err) {
      this.log.warn('session did not stop cleanly', { sessionId, err });
    }
    for (const e of [...slot.events.splice(0), ...(slot.live?.drainEvents() ?? [])])
      this.ended.push({ session_id: sessionId, ...e });
    if (this.slots.get(sessionId) === slot) this.slots.delete(sessionId);
    this.onChange();
  }
}
