import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { loadPreviousKeys, loadSigningKey } from '../services/signing-keys.ts';

/** Public keys of connect tickets: the current key and the previous ones still in rotation. */
export const jwksRoutes = new Hono<AppEnv>().get('/jwks.json', async (c) => {
  const current = await loadSigningKey(c.env.TICKET_SIGNING_KEY, 'TICKET_SIGNING_KEY');
  const previous = (await loadPreviousKeys(c.env.TICKET_SIGNING_KEY_PREVIOUS)).filter(
    (k) => k.kid !== current.kid,
  );
  return c.json({ keys: [current.publicJwk, ...previous] }, 200, {
    'cache-control': 'public, max-age=60',
  });
});
