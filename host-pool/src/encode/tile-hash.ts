const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * 53-bit content hash of `words` (a packed tile, 32-bit pixels): four independent
 * multiply-rotate lanes (the xxHash32 round) over the words, merged and finalized into two
 * 32-bit halves. Never 0 (0 means "do not cache" on the wire). `salt` separates tiles of
 * different shapes that happen to share bytes.
 */
export function hash53(words: Uint32Array, salt = 0): number {
  const n = words.length;
  let a = (P1 + P2 + salt) | 0;
  let b = (P2 ^ salt) | 0;
  let c = salt | 0;
  let d = (salt - P1) | 0;
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    a = Math.imul(rotl((a + Math.imul(words[i] as number, P2)) | 0, 13), P1);
    b = Math.imul(rotl((b + Math.imul(words[i + 1] as number, P2)) | 0, 13), P1);
    c = Math.imul(rotl((c + Math.imul(words[i + 2] as number, P2)) | 0, 13), P1);
    d = Math.imul(rotl((d + Math.imul(words[i + 3] as number, P2)) | 0, 13), P1);
  }
  let h = (rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18) + n * 4) | 0;
  for (; i < n; i++) h = Math.imul(rotl((h + Math.imul(words[i] as number, P3)) | 0, 17), P4);
  const lo = fmix(h ^ Math.imul(a ^ c, P5));
  const hi = fmix((h + Math.imul(b ^ d, P4) + P1) | 0) & 0x1fffff;
  const value = hi * 0x1_0000_0000 + lo;
  return value === 0 ? 1 : value;
}
