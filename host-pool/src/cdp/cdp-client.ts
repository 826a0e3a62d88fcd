import WebSocket from 'ws';
import { CdpError } from './errors.ts';

/** CDP event parameters (shape depends on the event). */
export type CdpParams = Record<string, unknown>;
/** Listener for one CDP event; `sessionId` is set for events from an attached target. */
export type CdpListener = (params: CdpParams, sessionId: string | undefined) => void;

/** Timeouts of a CDP connection. */
export interface CdpConnectOptions {
  /** Give up connecting after this long (default 5 s). */
  readonly timeoutMs?: number;
  /** Default per-command timeout (default 15 s). */
  readonly commandTimeoutMs?: number;
}

interface Pending {
  readonly method: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * A small Chrome DevTools Protocol client: JSON-RPC over one WebSocket to a browser or target
 * endpoint, with flattened sessions (`Target.attachToTarget {flatten: true}`) multiplexed on the
 * same socket.
 */
export class CdpClient {
  readonly url: string;
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<string, Set<CdpListener>>();
  readonly #closeListeners = new Set<() => void>();
  readonly #commandTimeoutMs: number;
  #nextId = 1;
  #closed = false;

  private constructor(url: string, ws: WebSocket, commandTimeoutMs: number) {
    this.url = url;
    this.#ws = ws;
    this.#commandTimeoutMs = commandTimeoutMs;
    ws.on('message', (data: WebSocket.RawData) => this.#onMessage(data));
    ws.on('close', () => this.#onClosed());
    ws.on('error', () => this.#onClosed());
  }

  /** Opens a connection to a `ws://127.0.0.1:<port>/devtools/...` endpoint. */
  static connect(url: string, options: CdpConnectOptions = {}): Promise<CdpClient> {
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
      } catch (err) {
        reject(new CdpError('connect_failed', `bad CDP endpoint`, { cause: err }));
        return;
      }
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new CdpError('connect_failed', 'CDP connect timed out'));
      }, options.timeoutMs ?? 5000);
      ws.once('open', () => {
        clearTimeout(timer);
        ws.removeAllListeners('error');
        resolve(new CdpClient(url, ws, options.commandTimeoutMs ?? 15_000));
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(
          new CdpError('connect_failed', `CDP connect failed: ${err.message}`, { cause: err }),
        );
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends a command (to the session `sessionId` if given) and resolves with its result. */
  send<T = CdpParams>(
    method: string,
    params: object = {},
    sessionId?: string,
    timeoutMs = this.#commandTimeoutMs,
  ): Promise<T> {
    if (this.#closed) return Promise.reject(new CdpError('closed', 'CDP connection closed'));
    const id = this.#nextId++;
    const message: Record<string, unknown> = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new CdpError('timeout', `${method} timed out`));
      }, timeoutMs);
      this.#pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      this.#ws.send(JSON.stringify(message), (err) => {
        if (!err) return;
        const p = this.#pending.get(id);
        if (!p) return;
        this.#pending.delete(id);
        clearTimeout(p.timer);
        reject(new CdpError('closed', `${method}: send failed`, { cause: err }));
      });
    });
  }

  /** Subscribes to an event by method name (e.g. `Target.targetCreated`); returns unsubscribe. */
  on(method: string, listener: CdpListener): () => void {
    let set = this.#listeners.get(method);
    if (!set) {
      set = new Set();
      this.#listeners.set(method, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Resolves with the next `method` event (optionally for one session), or rejects on timeout. */
  waitFor(
    method: string,
    timeoutMs = this.#commandTimeoutMs,
    sessionId?: string,
  ): Promise<CdpParams> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new CdpError('timeout', `no ${method} event`));
      }, timeoutMs);
      const off = this.on(method, (params, sid) => {
        if (sessionId && sid !== sessionId) return;
        clearTimeout(timer);
        off();
        resolve(params);
      });
    });
  }

  /** Attaches to a target with a flattened session. */
  async attach(targetId: string): Promise<CdpSession> {
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', {
      targetId,
      flatten: true,
    });
    return new CdpSession(this, sessionId);
  }

  /** Called once when the connection closes. */
  onClose(listener: () => void): () => void {
    if (this.#closed) {
      queueMicrotask(listener);
      return () => undefined;
    }
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /** Closes the socket; pending commands reject with `closed`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    const done = new Promise<void>((resolve) => this.#ws.once('close', () => resolve()));
    this.#ws.close();
    const timer = setTimeout(() => this.#ws.terminate(), 1000);
    await done;
    clearTimeout(timer);
    this.#onClosed();
  }

  #onMessage(data: WebSocket.RawData): void {
    let msg: {
      id?: number;
      method?: string;
      params?: CdpParams;
      result?: unknown;
      error?: { code?: number; message?: string };
      sessionId?: string;
    };
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (typeof msg.id === 'number') {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error)
        p.reject(
          new CdpError('protocol_error', `${p.method}: ${msg.error.message ?? 'error'}`, {
            cdpCode: msg.error.code,
          }),
        );
      else p.resolve(msg.result ?? {});
      return;
    }
    if (typeof msg.method !== 'string') return;
    const set = this.#listeners.get(msg.method);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(msg.params ?? {}, msg.sessionId);
      } catch {
        // a listener's failure must not break the connection
      }
    }
  }

  #onClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new CdpError('closed', `${p.method}: CDP connection closed`));
      this.#pending.delete(id);
    }
    for (const l of [...this.#closeListeners]) {
      try {
        l();
      } catch {
        // ignore
      }
    }
    this.#closeListeners.clear();
  }
}

/** A flattened CDP session on an attached target. */
export class CdpSession {
  readonly client: CdpClient;
  readonly id: string;

  constructor(client: CdpClient, id: string) {
    this.client = client;
    this.id = id;
  }

  send<T = CdpParams>(method: string, params: object = {}, timeoutMs?: number): Promise<T> {
    return this.client.send<T>(method, params, this.id, timeoutMs);
  }

  /** Subscribes to events of this session only. */
  on(method: string, listener: (params: CdpParams) => void): () => void {
    return this.client.on(method, (params, sid) => {
      if (sid === this.id) listener(params);
    });
  }

  async detach(): Promise<void> {
    await this.client
      .send('Target.detachFromTarget', { sessionId: this.id })
      .catch(() => undefined);
  }
}
