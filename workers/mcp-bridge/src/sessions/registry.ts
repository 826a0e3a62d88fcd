import { BridgeError } from '../errors.ts';
import { ManagedSession, type ManagedSessionDeps, type SessionInfo } from './managed-session.ts';

/**
 * The sessions the bridge controls, and which one the bridge-wide endpoints (`/mcp`, `/sse`)
 * drive: the *control session*, chosen with `PUT /control-session`. Session-bound endpoints
 * (`/sessions/{id}/mcp`) adopt their session on first use.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Promise<ManagedSession>>();
  private controlId: string | null = null;

  constructor(private readonly deps: ManagedSessionDeps) {}

  get controlSessionId(): string | null {
    return this.controlId;
  }

  /** The managed session for `id`, adopting it (again, after a revocation) when needed. */
  async adopt(id: string): Promise<ManagedSession> {
    const existing = this.sessions.get(id);
    if (existing) {
      const session = await existing.catch(() => undefined);
      if (session?.state === 'active') return session;
      if (this.sessions.get(id) !== existing) return this.adopt(id);
    }
    const pending = ManagedSession.adopt(id, this.deps);
    this.sessions.set(id, pending);
    pending.catch(() => {
      if (this.sessions.get(id) === pending) this.sessions.delete(id);
    });
    return pending;
  }

  /** The session `id` as it is now, without adopting it: a revoked one stays to say why. */
  async existing(id: string): Promise<ManagedSession> {
    const session = await this.sessions.get(id)?.catch(() => undefined);
    return session ?? this.adopt(id);
  }

  /** Makes `id` the control session (adopting it). */
  async setControl(id: string): Promise<ManagedSession> {
    const session = await this.adopt(id);
    const previous = this.controlId;
    this.controlId = id;
    if (previous && previous !== id) await this.release(previous);
    return session;
  }

  /** The control session; throws `no_control_session` when there is none. */
  async control(): Promise<ManagedSession> {
    if (!this.controlId) {
      throw new BridgeError(
        'no_control_session',
        'no BrowserPane session is under this bridge’s control: delegate one from the console (“Delegate to MCP”) or PUT /control-session',
      );
    }
    return this.existing(this.controlId);
  }

  /** Gives up the control session (and its MCP ownership when the bridge claimed it). */
  async clearControl(): Promise<void> {
    const id = this.controlId;
    this.controlId = null;
    if (id) await this.release(id);
  }

  async list(): Promise<SessionInfo[]> {
    const all = await Promise.all([...this.sessions.values()].map((p) => p.catch(() => undefined)));
    return all.filter((s): s is ManagedSession => s !== undefined).map((s) => s.info());
  }

  async closeAll(): Promise<void> {
    this.controlId = null;
    await Promise.all([...this.sessions.keys()].map((id) => this.release(id)));
  }

  private async release(id: string): Promise<void> {
    const pending = this.sessions.get(id);
    this.sessions.delete(id);
    const session = await pending?.catch(() => undefined);
    await session?.release();
  }
}
