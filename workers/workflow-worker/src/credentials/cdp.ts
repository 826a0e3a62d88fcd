/**
 * The worker's own short CDP connection to the run's session (through the host's CDP gateway with
 * a fresh automation ticket), for injecting secrets the entrypoint must not see: JSON-RPC over one
 * WebSocket, flattened target sessions.
 */
import WebSocket from 'ws';

export class CdpConnection {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void }
  >();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData) => {
      let msg: { id?: number; result?: unknown; error?: { message?: string } };
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message ?? 'CDP error'));
      else p?.resolve(msg.result);
    });
    const fail = () => {
      for (const p of this.pending.values()) p.reject(new Error('the CDP connection closed'));
      this.pending.clear();
    };
    ws.on('close', fail);
    ws.on('error', fail);
  }

  /** `url`: the gateway URL of an automation access (http(s)://…/cdp?ticket=…). */
  static open(url: string, timeoutMs = 15_000): Promise<CdpConnection> {
    const wsUrl = url.replace(/^http/, 'ws');
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      ws.once('open', () => resolve(new CdpConnection(ws)));
      ws.once('error', (e) =>
        reject(
          new Error(
            `could not open a CDP connection to the session: ${e.message.replace(/ticket=[^\s&]+/g, 'ticket=***')}`,
          ),
        ),
      );
    });
  }

  send<T = Record<string, unknown>>(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
    timeoutMs = 15_000,
  ): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`CDP ${method} timed out`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  /** Attaches to a page target (flattened): the session id for `send`. */
  async attach(targetId: string): Promise<string> {
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', {
      targetId,
      flatten: true,
    });
    return sessionId;
  }

  close(): void {
    this.ws.close();
  }
}
