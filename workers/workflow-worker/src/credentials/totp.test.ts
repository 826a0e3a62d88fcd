import { describe, expect, it } from 'vitest';
import { base32Decode, totp, totpFromKey } from './totp.ts';

/** RFC 6238 Appendix B: the test vectors (8 digits, T0 = 0, X = 30). */
const SEEDS = {
  SHA1: Buffer.from('12345678901234567890'),
  SHA256: Buffer.from('12345678901234567890123456789012'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
} as const;

const VECTORS: [number, string, keyof typeof SEEDS][] = [
  [59, '94287082', 'SHA1'],
  [59, '46119246', 'SHA256'],
  [59, '90693936', 'SHA512'],
  [1111111109, '07081804', 'SHA1'],
  [1111111109, '68084774', 'SHA256'],
  [1111111109, '25091201', 'SHA512'],
  [1111111111, '14050471', 'SHA1'],
  [1111111111, '67062674', 'SHA256'],
  [1111111111, '99943326', 'SHA512'],
  [1234567890, '89005924', 'SHA1'],
  [1234567890, '91819424', 'SHA256'],
  [1234567890, '93441116', 'SHA512'],
  [2000000000, '69279037', 'SHA1'],
  [2000000000, '90698825', 'SHA256'],
  [2000000000, '38618901', 'SHA512'],
  [20000000000, '65353130', 'SHA1'],
  [20000000000, '77737706', 'SHA256'],
  [20000000000, '47863826', 'SHA512'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('at %i is %s (%s)', (time, code, algorithm) => {
    expect(totpFromKey(SEEDS[algorithm], { time, digits: 8, algorithm })).toBe(code);
  });

  it('reads base32 seeds (RFC 4648), in any case, with spaces or padding', () => {
    expect(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ').toString()).toBe(
      '12345678901234567890',
    );
    expect(totp('gezd gnbv gy3t qojq gezd gnbv gy3t qojq', { time: 59, digits: 8 })).toBe(
      '94287082',
    );
    expect(base32Decode('MZXW6===').toString()).toBe('foo');
    expect(() => base32Decode('not base32!')).toThrow('not base32');
  });

  it('defaults to 6 digits and 30-second steps', () => {
    expect(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', { time: 59 })).toBe('287082');
    expect(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', { time: 60 })).not.toBe('287082');
  });
});
