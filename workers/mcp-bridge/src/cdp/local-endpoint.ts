import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { Logger } from '../log.ts';

export interface LocalCdpEndpointOptions {
  /**
   * A fresh gateway URL for one attachment (`http(s)://relay/sessions/{id}/cdp?ticket=…`), minted
   * right before it is used. Throws when the bridge may no longer attach.
   */
  mint(): Promise<URL>;
  log: Logger;
}

const UPGRADE_HEADERS = /^(upgrade|connection|sec-websocket-.*|user-agent)$/i;

/**
 * A DevTools endpoint on loopback for one session, for Playwright MCP (`--cdp-endpoint`). Each
 * WebSocket attachment mints a new automation ticket and is spliced, byte for byte, onto the
 * session's CDP gateway — so Playwright may reconnect any time, and a bridge that lost the session
 * cannot attach again. The path carries a random secret: other local processes cannot use it.
 */
export class LocalCdpEndpoint {
  private readonly secret = randomBytes(24).toString('base64url');
  private readonly sockets = new Set<Duplex>();
  private closed = false;

  private constructor(
    private readonly server: Server,
    private readonly options: LocalCdpEndpointOptions,
  ) {}

  static async start(options: LocalCdpEndpointOptions): Promise<LocalCdpEndpoint> {
    const server = createServer();
    const endpoint = new LocalCdpEndpoint(server, options);
    server.on('request', (req, res) => {
      const rest = endpoint.route(req.url);
      if (rest === '/json/version' || rest === '/json/version/') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            Browser: 'BrowserPane/Chromium',
            'Protocol-Version': '1.3',
            webSocketDebuggerUrl: `ws://127.0.0.1:${endpoint.port}/${endpoint.secret}/devtools/browser`,
          }),
        );
        return;
      }
      res.writeHead(404).end();
    });
    server.on('upgrade', (req, socket, head) => endpoint.upgrade(req, socket, head));
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return endpoint;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The endpoint to give Playwright (contains the secret: pass it by environment, never log it). */
  get url(): string {
    return `http://127.0.0.1:${this.port}/${this.secret}`;
  }

  /** How many attachments are live now. */
  get attachments(): number {
    return this.sockets.size / 2;
  }

  /** Cuts every live attachment (the endpoint stays up for later ones). */
  cut(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The path after the secret prefix, or undefined when the secret does not match. */
  private route(rawUrl: string | undefined): string | undefined {
    const path = new URL(rawUrl ?? '/', 'http://local').pathname;
    const prefix = path.split('/')[1] ?? '';
    const a = Buffer.from(prefix);
    const b = Buffer.from(this.secret);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    return path.slice(prefix.length + 1);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (this.closed || this.route(req.url) !== '/devtools/browser') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    void this.splice(req, socket, head).catch((err: Error) => {
      this.options.log.info('cdp attach refused', { reason: err.message });
      if (!socket.destroyed)
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
  }

  /** Opens the gateway connection with a fresh ticket and relays the upgrade and frames as bytes. */
  private async splice(req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    const target = await this.options.mint();
    if (this.closed || client.destroyed) return;
    const secure = target.protocol === 'https:' || target.protocol === 'wss:';
    const port = Number(target.port) || (secure ? 443 : 80);
    const upstream: Socket = secure
      ? tlsConnect({ host: target.hostname, port, servername: target.hostname })
      : tcpConnect({ host: target.hostname, port });
    const lines = [`GET ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] as string;
      if (UPGRADE_HEADERS.test(name)) lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
    }
    const pair = [client, upstream];
    for (const s of pair) this.sockets.add(s);
    const end = () => {
      for (const s of pair) {
        this.sockets.delete(s);
        s.destroy();
      }
    };
    upstream.on('error', end);
    upstream.on('close', end);
    client.on('close', end);
    upstream.once(secure ? 'secureConnect' : 'connect', () => {
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
  }
}
