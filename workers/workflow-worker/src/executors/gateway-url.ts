/**
 * The CDP gateway's WebSocket for an automation ticket's discovery URL. The edge hands out
 * `http(s)://<relay>/sessions/{id}/cdp?ticket=…` (discovery: `/json/version`, which answers a
 * one-time WebSocket URL); the gateway takes the same ticket on `…/cdp/ws?ticket=…` directly, so
 * connecting there saves a request and a ticket check on every attach. Any other URL is used as
 * it is.
 */
const DISCOVERY = /\/sessions\/[A-Za-z0-9_-]{1,64}\/cdp$/;

export function gatewaySocketUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (
    (u.protocol !== 'http:' && u.protocol !== 'https:') ||
    !DISCOVERY.test(u.pathname) ||
    !u.searchParams.get('ticket')
  )
    return url;
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname}/ws`;
  return u.toString();
}
