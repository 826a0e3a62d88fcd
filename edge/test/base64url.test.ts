import { describe, expect, it } from 'vitest';
import { base64url } from '../src/services/crypto.ts';

describe('base64url', () => {
  it('matches Node’s unpadded base64url for every length and byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let len = 0; len <= 256; len++) {
      const bytes = all.subarray(256 - len);
      expect(base64url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      const random = crypto.getRandomValues(new Uint8Array(len));
      expect(base64url(random)).toBe(Buffer.from(random).toString('base64url'));
    }
  });
});
