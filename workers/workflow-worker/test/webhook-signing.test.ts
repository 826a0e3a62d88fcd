import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  newSigningSecret,
  secretKeyBytes,
  sign,
} from '../../../edge/src/services/webhooks/signature.ts';
import { privateHost } from '../../../edge/src/services/webhooks/target.ts';
import { isPrivateAddress, resolveTarget } from '../src/webhooks/address-guard.ts';

describe('Standard Webhooks signatures (edge) checked by the standardwebhooks library', () => {
  it('verifies with the secret that signed, and with either of two during a rotation', async () => {
    const [a, b] = [newSigningSecret(), newSigningSecret()];
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretKeyBytes(a)).toHaveLength(32);
    const body = JSON.stringify({ type: 'workflow_run.succeeded', data: { x: 'é' } });
    const ts = Math.floor(Date.now() / 1000);
    const headers = (signature: string) => ({
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': signature,
    });
    const one = await sign([a], 'msg_1', ts, body);
    expect(new Webhook(a).verify(body, headers(one))).toEqual(JSON.parse(body));
    expect(() => new Webhook(b).verify(body, headers(one))).toThrow();
    expect(() => new Webhook(a).verify(`${body} `, headers(one))).toThrow();
    const both = await sign([b, a], 'msg_1', ts, body);
    expect(both.split(' ')).toHaveLength(2);
    for (const s of [a, b]) expect(() => new Webhook(s).verify(body, headers(both))).not.toThrow();
    // A secret not in whsec_ form signs with its UTF-8 bytes (as Webhook does with raw bytes).
    const plain = 'a-plain-shared-secret';
    const raw = await sign([plain], 'msg_1', ts, body);
    expect(() =>
      new Webhook(new TextEncoder().encode(plain), { format: 'raw' }).verify(body, headers(raw)),
    ).not.toThrow();
  });
});

describe('SSRF guard', () => {
  it('the edge judges names and literal addresses by their form', () => {
    for (const host of [
      'localhost',
      'a.localhost',
      '127.0.0.1',
      '10.0.0.1',
      '172.31.0.1',
      '192.168.9.9',
      '169.254.169.254',
      '100.100.0.1',
      '0.0.0.0',
      '[::1]',
      '[fd00::1]',
      '[fe80::1]',
      '[::ffff:7f00:1]',
      'intranet',
    ])
      expect([host, privateHost(new URL(`http://${host}/`).hostname)]).not.toEqual([host, null]);
    for (const host of ['example.com', '93.184.216.34', '[2606:4700::1]', '172.32.0.1'])
      expect([host, privateHost(new URL(`http://${host}/`).hostname)]).toEqual([host, null]);
  });

  it('the worker judges resolved addresses, resolving names first', async () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.8',
      '172.20.1.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd12::1',
      '::ffff:10.0.0.1',
      'not-an-ip',
    ])
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect([a, isPrivateAddress(a)]).toEqual([a, false]);
    await expect(resolveTarget('localhost', false)).rejects.toThrow(/non-public address/);
    await expect(resolveTarget('localhost', true)).resolves.toMatchObject({
      address: expect.any(String),
    });
    await expect(resolveTarget('[::1]', false)).rejects.toThrow(/non-public address \(::1\)/);
  });
});
