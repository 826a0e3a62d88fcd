import { HOST_WAKE_PATH } from '@browserpane/protocol';
import type { Logger } from '../log.ts';
import type { HttpHandler } from '../relay/relay-server.ts';
import { TicketError } from '../relay/tickets.ts';

type Request = Parameters<HttpHandler>[0];
type Answer = Awaited<ReturnType<HttpHandler>>;

/**
 * `POST /host/wake` on the relay: the edge placed a session here and asks for a heartbeat now
 * (see HOST_WAKE_PATH). Only a wake token the edge signed for this host is obeyed; anyone else
 * gets 401 (no token) or 403 (a token that does not verify) and changes nothing.
 */
export function wakeDoor(
  verify: (token: string | undefined) => Promise<void>,
  wake: () => void,
  log: Logger,
): (req: Request) => Promise<Answer> | undefined {
  const json = (status: number, code: string, message: string): Answer => ({
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(status === 202 ? { ok: true } : { error: { code, message } }),
  });
  return (req) => {
    if (req.path !== HOST_WAKE_PATH) return undefined;
    return (async () => {
      if (req.method !== 'POST') return json(405, 'method_not_allowed', 'use POST');
      const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
      if (!token) return json(401, 'unauthenticated', 'send Authorization: Bearer <wake token>');
      try {
        await verify(token);
      } catch (err) {
        const reason = err instanceof TicketError ? err.reason : 'error';
        log.info('wake refused', { reason });
        return json(403, 'forbidden', `wake token refused: ${reason}`);
      }
      log.info('woken by the edge');
      wake();
      return json(202, '', '');
    })();
  };
}
