import { describe, expect, it } from 'vitest';
import { HashLru } from '../src/index.ts';

describe('HashLru', () => {
  it('evicts the least recently used entry', () => {
    const lru = new HashLru<string>(2);
    lru.set(1, 'a');
    lru.set(2, 'b');
    expect(lru.get(1)).toBe('a'); // 1 is now the newest
    expect(lru.set(3, 'c')).toBe(2);
    expect(lru.has(2)).toBe(false);
    expect(lru.has(1) && lru.has(3)).toBe(true);
  });

  it('keeps two instances fed the same operations identical', () => {
    const host = new HashLru<true>(8);
    const client = new HashLru<Uint8Array>(8);
    for (let i = 0; i < 200; i++) {
      const hash = 1 + ((i * 7919) % 23);
      if (i % 3 === 0 && host.has(hash)) {
        host.get(hash);
        client.get(hash);
      } else {
        expect(host.set(hash, true)).toBe(client.set(hash, new Uint8Array(1)));
      }
    }
    for (let h = 1; h <= 23; h++) expect(host.has(h)).toBe(client.has(h));
  });
});

import { fitUtf8 } from '../src/index.ts';

describe('fitUtf8', () => {
  it('cuts at a character boundary within the byte limit', () => {
    expect(fitUtf8('ab😀c', 5)).toBe('ab');
    expect(fitUtf8('ab😀c', 6)).toBe('ab😀');
    expect(fitUtf8('short', 128)).toBe('short');
    expect(new TextEncoder().encode(fitUtf8('é'.repeat(200), 128)).byteLength).toBe(128);
  });
});
