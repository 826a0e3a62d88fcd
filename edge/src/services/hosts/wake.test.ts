import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HOST_WAKE_AUDIENCE, HOST_WAKE_PATH } from '@browserpane/protocol';
import { importJWK, type JWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateEd25519Jwk } from '../../../local/dev-secrets.ts';
import { wakeHost, wakeToken, wakeUrl } from './wake.ts';

describe('waking a host after a placement', () => {
  it('calls the wake door on the relay’s own address (ws(s) mapped to http(s))', () => {
    expect(wakeUrl('https://relay.example:4443')).toBe(
      `https://relay.example:4443${HOST_WAKE_PATH}`,
    );
    expect(wakeUrl('wss://relay.example/r1/')).toBe(`https://relay.example/r1${HOST_WAKE_PATH}`);
    expect(wakeUrl('ws://127.0.0.1:4480')).toBe(`http://127.0.0.1:4480${HOST_WAKE_PATH}`);
  });

  it('signs a short-lived token for that host only, verifiable with the ticket key', async () => {
    const secret = await generateEd25519Jwk();
    const { d: _d, ...pub } = JSON.parse(secret) as JWK;
    const token = await wakeToken(secret, 'http://edge.test', 'h1', new Date());
    const { payload } = await jwtVerify(token, await importJWK({ ...pub, alg: 'EdDSA' }, 'EdDSA'), {
      issuer: 'http://edge.test',
      audience: HOST_WAKE_AUDIENCE,
    });
    expect(payload.hid).toBe('h1');
    expect((payload.exp as number) - (payload.iat as number)).toBe(30);
  });

  it('POSTs the token to the relay, and a host that does not answer costs nothing but a log line', async () => {
    const seen: { method?: string; url?: string; auth?: string }[] = [];
    const server = createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
      res.writeHead(202).end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const secret = await generateEd25519Jwk();
    await wakeHost(`http://127.0.0.1:${port}`, secret, 'http://edge.test', 'h1');
    server.close();
    expect(seen).toEqual([
      { method: 'POST', url: HOST_WAKE_PATH, auth: expect.stringMatching(/^Bearer ey/) },
    ]);
    // nobody listens there any more: no throw
    await expect(
      wakeHost(`http://127.0.0.1:${port}`, secret, 'http://edge.test', 'h1'),
    ).resolves.toBeUndefined();
  });
});
