import { describe, expect, it } from 'vitest';
import { gatewaySocketUrl } from './gateway-url.ts';

describe('gatewaySocketUrl', () => {
  it("maps the gateway's discovery URL to its WebSocket, keeping the ticket", () => {
    expect(gatewaySocketUrl('http://127.0.0.1:4480/sessions/s_1-a/cdp?ticket=a.b%2Bc')).toBe(
      'ws://127.0.0.1:4480/sessions/s_1-a/cdp/ws?ticket=a.b%2Bc',
    );
    expect(gatewaySocketUrl('https://relay.example/pool/sessions/abc/cdp?ticket=t')).toBe(
      'wss://relay.example/pool/sessions/abc/cdp/ws?ticket=t',
    );
  });

  it('leaves every other URL as it is', () => {
    for (const url of [
      'ws://127.0.0.1:4480/sessions/abc/cdp/ws?grant=g',
      'http://127.0.0.1:9222',
      'http://127.0.0.1:4480/sessions/abc/cdp',
      'http://127.0.0.1:4480/sessions/abc/cdp/json/version?ticket=t',
      'not a url',
    ])
      expect(gatewaySocketUrl(url)).toBe(url);
  });
});
