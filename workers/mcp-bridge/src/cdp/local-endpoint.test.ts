import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { LocalCdpEndpoint } from './local-endpoint.ts';

function upgrade(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 101);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('LocalCdpEndpoint', () => {
  let endpoint: LocalCdpEndpoint | undefined;
  afterEach(async () => {
    await endpoint?.close();
  });

  it('answers discovery only under its secret path, pointing at itself', async () => {
    endpoint = await LocalCdpEndpoint.start({
      mint: async () => new URL('http://127.0.0.1:9/'),
      log: silentLogger,
    });
    const ok = await fetch(`${endpoint.url}/json/version/`);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { webSocketDebuggerUrl: string };
    expect(body.webSocketDebuggerUrl).toBe(
      `${endpoint.url.replace('http:', 'ws:')}/devtools/browser`,
    );
    expect((await fetch(`http://127.0.0.1:${endpoint.port}/json/version`)).status).toBe(404);
    expect(
      (await fetch(`http://127.0.0.1:${endpoint.port}/wrong-secret/json/version`)).status,
    ).toBe(404);
    expect(await upgrade(`http://127.0.0.1:${endpoint.port}/wrong/devtools/browser`)).toBe(404);
  });

  it('refuses an attachment when no ticket can be minted', async () => {
    endpoint = await LocalCdpEndpoint.start({
      mint: async () => {
        throw new Error('revoked');
      },
      log: silentLogger,
    });
    expect(await upgrade(`${endpoint.url}/devtools/browser`)).toBe(403);
    expect(endpoint.attachments).toBe(0);
  });
});
