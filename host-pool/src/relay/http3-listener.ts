/**
 * The relay's HTTP/3 side (UDP, same port number as TCP), present only when the optional quiche
 * transport loads. It is a library server of its own, separate from the TCP one, so that a
 * certificate change can restart it without touching TCP connections.
 *
 * Certificate changes: in @fails-components/webtransport 1.6.8, `HttpServer#updateCert` forwards
 * to each transport that has an `updateCert` method. The HTTP/2 transport has one
 * (`tls.Server#setSecureContext`); the quiche HTTP/3 transport does not: its certificate goes into
 * the QUIC crypto configuration when the native server is constructed, and the class exposes no
 * way to change it. So unless a future transport grows `updateCert`, a new certificate means a new
 * HTTP/3 server: stop the old one (closing its UDP socket ends its HTTP/3 sessions; clients
 * reconnect, over HTTP/3 again with a new ticket) and start another on the same port.
 * This path cannot run here (quiche does not install on this machine); it is reasoned from the
 * library's source.
 */
import type { Logger } from '../log.ts';
import {
  acceptSessions,
  type LibServer,
  libServerArgs,
  type SessionHandlers,
  stopLibServer,
} from './session-listener.ts';
import type { LoadedWebTransport } from './webtransport-lib.ts';

interface Listen {
  readonly host: string;
  readonly port: number;
}

export class Http3Listener<T> {
  private server: LibServer | undefined;

  private constructor(
    private readonly lib: LoadedWebTransport['lib'],
    private readonly listen: Listen,
    private readonly handlers: SessionHandlers<T>,
    private readonly log: Logger | undefined,
  ) {}

  /** Starts HTTP/3 on `listen.port` (UDP); undefined (logged) when it cannot. */
  static async start<T>(
    lib: LoadedWebTransport['lib'],
    listen: Listen & { cert: string; key: string },
    handlers: SessionHandlers<T>,
    log?: Logger,
  ): Promise<Http3Listener<T> | undefined> {
    const listener = new Http3Listener(lib, listen, handlers, log);
    try {
      await listener.open(listen.cert, listen.key);
      return listener;
    } catch (err) {
      log?.error('HTTP/3 did not start; serving WebTransport over TCP only', { err });
      return undefined;
    }
  }

  /** True while an HTTP/3 server listens. */
  get active(): boolean {
    return this.server !== undefined;
  }

  /**
   * Serves a new certificate: in place when the transport supports it, else by restarting the
   * HTTP/3 server (see the module comment). Never throws: a failed restart is logged and leaves
   * HTTP/3 off (browsers fall back to WebSocket) until the next certificate change.
   */
  async updateCertificate(cert: string, key: string): Promise<'in-place' | 'restarted' | 'off'> {
    const current = this.server;
    if (current && supportsUpdateCert(current)) {
      current.updateCert(cert, key, false);
      return 'in-place';
    }
    if (current) {
      this.server = undefined;
      await stopLibServer(current);
    }
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await this.open(cert, key);
        this.log?.info('HTTP/3 restarted with the new certificate', { port: this.listen.port });
        return 'restarted';
      } catch (err) {
        this.log?.warn('HTTP/3 restart failed', { attempt, err });
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
    this.log?.error('HTTP/3 is off until the next certificate change; TCP still serves', {
      port: this.listen.port,
    });
    return 'off';
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await stopLibServer(server);
  }

  private async open(cert: string, key: string): Promise<void> {
    const server = new this.lib.Http3Server(libServerArgs({ ...this.listen, cert, key }));
    try {
      await acceptSessions(server, this.handlers);
    } catch (err) {
      await stopLibServer(server).catch(() => undefined);
      throw err;
    }
    this.server = server;
  }
}

/** Whether the HTTP/3 transport inside `server` can change its certificate in place. */
function supportsUpdateCert(server: LibServer): boolean {
  const transport = (server as unknown as { transportInt?: { updateCert?: unknown } }).transportInt;
  return typeof transport?.updateCert === 'function';
}
