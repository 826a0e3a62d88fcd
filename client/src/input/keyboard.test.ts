import { describe, expect, it } from 'vitest';
import { utf8Pieces } from './keyboard.ts';

const bytes = (s: string) => new TextEncoder().encode(s).byteLength;

describe('utf8Pieces', () => {
  it('keeps short text whole', () => {
    expect(utf8Pieces('Grüße 😀', 4096)).toEqual(['Grüße 😀']);
  });

  it('cuts long text into pieces under the limit without splitting a character', () => {
    const text = `${'ä'.repeat(3000)}😀${'x'.repeat(10)}`;
    const pieces = utf8Pieces(text, 4096);
    expect(pieces.join('')).toBe(text);
    expect(pieces.length).toBe(2);
    for (const p of pieces) expect(bytes(p)).toBeLessThanOrEqual(4096);
  });

  it('gives nothing for empty text', () => {
    expect(utf8Pieces('', 4096)).toEqual([]);
  });
});
