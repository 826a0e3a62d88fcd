import { describe, expect, it } from 'vitest';
import { nativeTransportOptions } from './certificate-pin.ts';

describe('native WebTransport options from the ticket’s cert_sha256', () => {
  it('pins the relay certificate when the ticket carries a hash', () => {
    const hex = `00ff10${'ab'.repeat(29)}`;
    const options = nativeTransportOptions(hex);
    expect(options.serverCertificateHashes).toHaveLength(1);
    const [pin] = options.serverCertificateHashes ?? [];
    expect(pin?.algorithm).toBe('sha-256');
    expect(pin?.value).toBeInstanceOf(Uint8Array);
    expect([...(pin?.value ?? [])]).toEqual([0x00, 0xff, 0x10, ...Array(29).fill(0xab)]);
    // Upper-case hex is the same pin.
    expect(nativeTransportOptions(hex.toUpperCase())).toEqual(options);
  });

  it('passes no serverCertificateHashes at all for a relay with a CA certificate', () => {
    for (const none of [null, undefined, '']) {
      const options = nativeTransportOptions(none);
      expect(options).toEqual({});
      expect('serverCertificateHashes' in options).toBe(false);
    }
  });

  it('refuses a malformed hash instead of pinning garbage', () => {
    for (const bad of ['abc', 'zz'.repeat(32), 'ab'.repeat(33)])
      expect(() => nativeTransportOptions(bad)).toThrow(/64 hex digits/);
  });
});
