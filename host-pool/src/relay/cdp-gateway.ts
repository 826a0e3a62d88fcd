import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { fetchBrowserWebSocketUrl } from '../cdp/browser-endpoint.ts';
import type { Logger } from '../log.ts';
import { RecorderCdpPolicy } from './cdp-recorder-policy.ts';
import type { HttpHandler } from './relay-server.ts';
import type { SessionHub } from './session-hub.ts';
import { type TicketClaims, TicketError } from './tickets.ts';

export interface GatewaySession {
  readonly hub: SessionHub;
  cdpPort(): number | undefined;
  /** Records a session event for the edge (attach/detach). */
  event(type: string, data: Record<string, unknown>): void;
}

export interface CdpGatewayOptions {
  verify(ticket: string | null, sessionId: string): Promise<TicketClaims>;
  session(sessionId: string): GatewaySession | undefined;
  log: Logger;
}

/** CDP methods automation may not call: they would end the session for everyone. */
const BLOCKED_METHODS = new Set(['Browser.close', 'Browser.crash', 'Browser.crashGpuProcess']);
const GRANT_TTL_MS = 30_000;
const PATH =
  /^\/sessions\/([A-Za-z0-9_-]{1,64})\/cdp(\/ws|\/json\/version\/?|\/json\/list\/?|\/json\/?)?$/;

/** What an anonymous caller learns about a refused ticket: nothing (the reason is logged). */
const REFUSED = { status: 403, error: 'ticket_refused' } as const;

/**
 * The only way automation reaches a session's Chromium: `…/sessions/{id}/cdp?ticket=` (WebSocket,
 * or the `/json/version` discovery Playwright's `connectOverCDP` uses first). Admits automation
 * tickets for this host and session only, of the session's current grant generation, within the
 * session's automation slots; each attachment is listed as a connection of the session, reported
 * to the edge, and cut by disconnect, stop, kill and revocation. A refused ticket gets the same
 * answer whatever the reason (the reason goes to the log, never to the caller). A recording
 * worker's `recorder` ticket is admitted too, for rrweb DOM capture only (RecorderCdpPolicy): it
 * takes no automation slot and may call nothing else.
 */
export class CdpGateway {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 256 * 1024 * 1024,
  });
  /** One-time grants handed out by discovery (the ticket it consumed cannot be used twice). */
  private readonly grants = new Map<string, { claims: TicketClaims; expires: number }>();
  private recorderPolicy: Promise<RecorderCdpPolicy> | undefined;

  constructor(private readonly options: CdpGatewayOptions) {}

  /** Plain HTTP part: discovery. Returns undefined for paths that are not the gateway's. */
  readonly http: HttpHandler = async (req) => {
    const match = PATH.exec(req.path);
    if (!match?.[2]?.startsWith('/json')) return { status: 404, body: '' };
    const sessionId = match[1] as string;
    const claims = await this.admit(
      req.query.get('ticket') ?? bearer(req.headers.authorization),
      sessionId,
    );
    if ('status' in claims)
      return {
        status: claims.status,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: JSON.stringify({ error: claims.error }),
      };
    const grant = randomBytes(18).toString('base64url');
    this.grants.set(grant, { claims, expires: Date.now() + GRANT_TTL_MS });
    const scheme = req.secure || req.headers['x-forwarded-proto'] === 'https' ? 'wss' : 'ws';
    const host = req.headers[':authority'] ?? req.headers.host ?? 'localhost';
    const ws = `${scheme}://${host}/sessions/${sessionId}/cdp/ws?grant=${grant}`;
    const body = match[2].startsWith('/json/version')
      ? { Browser: 'BrowserPane/Chromium', 'Protocol-Version': '1.3', webSocketDebuggerUrl: ws }
      : [{ type: 'browser', id: sessionId, webSocketDebuggerUrl: ws }];
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: JSON.stringify(body),
    };
  };

  /** WebSocket part; returns false for upgrades that are not the gateway's. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://relay');
    const match = PATH.exec(url.pathname.replace(/^\/+/, '/'));
    if (!match || (match[2] && match[2] !== '/ws')) return false;
    const sessionId = match[1] as string;
    void (async () => {
      const grant = url.searchParams.get('grant');
      const claims = grant
        ? this.takeGrant(grant, sessionId)
        : await this.admit(
            url.searchParams.get('ticket') ?? bearer(req.headers.authorization),
            sessionId,
          );
      if ('status' in claims) {
        socket.end(
          `HTTP/1.1 ${claims.status} ${claims.status === 403 ? 'Forbidden' : 'Service Unavailable'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
        );
        return;
      }
      const live = this.options.session(sessionId);
      const port = live?.cdpPort();
      if (!live || !port) {
        socket.end(
          'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
        );
        return;
      }
      let upstreamUrl: string;
      try {
        upstreamUrl = await fetchBrowserWebSocketUrl(port);
      } catch {
        socket.end(
          'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
        );
        return;
      }
      const policy = claims.role === 'recorder' ? await this.recorderRules() : undefined;
      this.wss.handleUpgrade(req, socket, head, (client) => {
        // Checked again: a revocation or other attachments may have come in meanwhile.
        const now = this.current(claims, sessionId);
        if ('status' in now) return client.close(1008, now.error);
        this.bridge(client, upstreamUrl, claims, live, sessionId, policy);
      });
    })().catch(() => socket.destroy());
    return true;
  }

  private recorderRules(): Promise<RecorderCdpPolicy> {
    this.recorderPolicy ??= RecorderCdpPolicy.load();
    return this.recorderPolicy;
  }

  private async admit(
    ticket: string | null | undefined,
    sessionId: string,
  ): Promise<TicketClaims | { status: 403 | 503; error: string }> {
    let claims: TicketClaims;
    try {
      claims = await this.options.verify(ticket ?? null, sessionId);
    } catch (err) {
      return this.refuse(sessionId, err instanceof TicketError ? err.reason : 'error');
    }
    if (claims.role !== 'automation' && claims.role !== 'recorder')
      return this.refuse(sessionId, 'not_automation', claims);
    return this.current(claims, sessionId);
  }

  /** Claims still good now: not revoked by a newer grant generation, and room left. */
  private current(
    claims: TicketClaims,
    sessionId: string,
  ): TicketClaims | { status: 403 | 503; error: string } {
    const hub = this.options.session(sessionId)?.hub;
    if (hub && !hub.admitsGrant(claims)) return this.refuse(sessionId, 'revoked', claims);
    if (hub && claims.role === 'automation' && !hub.hasRoom('automation')) {
      this.options.log.info('cdp attachment refused', { sessionId, reason: 'session_full' });
      return { status: 503, error: 'session_full' };
    }
    return claims;
  }

  private refuse(
    sessionId: string,
    reason: string,
    claims?: TicketClaims,
  ): { status: 403; error: string } {
    this.options.log.info('cdp ticket refused', {
      sessionId,
      reason,
      ...(claims ? { principal: claims.principal, role: claims.role } : {}),
    });
    return REFUSED;
  }

  private takeGrant(
    grant: string,
    sessionId: string,
  ): TicketClaims | { status: 403 | 503; error: string } {
    const now = Date.now();
    for (const [key, g] of this.grants) if (g.expires < now) this.grants.delete(key);
    const found = this.grants.get(grant);
    this.grants.delete(grant);
    if (!found || found.claims.sessionId !== sessionId)
      return this.refuse(sessionId, 'unknown_grant');
    // A grant handed out before a revocation carries the old generation: refused now.
    return this.current(found.claims, sessionId);
  }

  private bridge(
    client: WebSocket,
    upstreamUrl: string,
    claims: TicketClaims,
    live: GatewaySession,
    sessionId: string,
    recorder: RecorderCdpPolicy | undefined,
  ): void {
    const connectionId = `cdp-${randomBytes(6).toString('hex')}`;
    const upstream = new WebSocket(upstreamUrl, {
      perMessageDeflate: false,
      maxPayload: 256 * 1024 * 1024,
    });
    const pending: Array<{ data: WebSocket.RawData; binary: boolean }> = [];
    let detach: () => void = () => {};
    let closed = false;
    const close = (reason: string) => {
      if (closed) return;
      closed = true;
      detach();
      client.close(1000, reason.slice(0, 120));
      upstream.close();
      live.event('cdp_detached', {
        connection_id: connectionId,
        principal: claims.principal,
        reason,
      });
      this.options.log.info('automation detached', { sessionId, connectionId, reason });
    };
    detach = live.hub.attach({
      connectionId,
      role: recorder ? 'recorder' : 'automation',
      principal: claims.principal,
      displayName: claims.displayName,
      connectedAt: new Date().toISOString(),
      client: 'cdp',
      grantGeneration: claims.grantGeneration,
      close,
    });
    live.event('cdp_attached', { connection_id: connectionId, principal: claims.principal });
    this.options.log.info('automation attached', {
      sessionId,
      connectionId,
      principal: claims.principal,
    });
    client.on('message', (data, binary) => {
      if (this.blocked(data, binary, client, recorder)) return;
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
      else pending.push({ data, binary });
    });
    upstream.on('open', () => {
      for (const m of pending.splice(0)) upstream.send(m.data, { binary: m.binary });
    });
    upstream.on('message', (data, binary) => {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary });
    });
    client.on('close', () => close('client closed'));
    upstream.on('close', () => close('browser closed'));
    client.on('error', () => close('client error'));
    upstream.on('error', () => close('browser unreachable'));
  }

  /**
   * Answers a blocked method with a CDP error instead of forwarding it. A recorder's message that
   * is not a call its policy allows is blocked (binary and unparsable ones too).
   */
  private blocked(
    data: WebSocket.RawData,
    binary: boolean,
    client: WebSocket,
    recorder: RecorderCdpPolicy | undefined,
  ): boolean {
    let message: {
      id?: number;
      method?: string;
      sessionId?: string;
      params?: Record<string, unknown>;
    };
    try {
      if (binary) throw new Error('binary');
      message = JSON.parse(data.toString()) as typeof message;
    } catch {
      if (recorder) client.close(1008, 'a recorder sends CDP calls only');
      return recorder !== undefined;
    }
    const refused = recorder
      ? !message.method || !recorder.allows({ method: message.method, params: message.params })
      : message.method !== undefined && BLOCKED_METHODS.has(message.method);
    if (!refused) return false;
    client.send(
      JSON.stringify({
        id: message.id,
        sessionId: message.sessionId,
        error: {
          code: -32000,
          message: recorder
            ? `${message.method} is not allowed for a recorder (rrweb capture only)`
            : `${message.method} is not allowed on a shared BrowserPane session`,
        },
      }),
    );
    return true;
  }
}

function bearer(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}
