import { describe, expect, it } from 'vitest';
import {
  contentHash,
  contentOf,
  DEFAULT_CLIPBOARD_LIMITS,
  fitsLimits,
  isEmpty,
  messageOf,
} from './clipboard-content.ts';

describe('clipboard content', () => {
  it('round-trips every message type', () => {
    const png = new Uint8Array([137, 80, 78, 71]);
    for (const m of [
      { type: 'clipboardText', text: 'héllo' } as const,
      { type: 'clipboardHtml', html: '<b>hi</b>', text: 'hi' } as const,
      { type: 'clipboardImage', png } as const,
    ])
      expect(messageOf(contentOf(m))).toEqual(m);
  });

  it('hashes format and bytes, not just text', () => {
    const a = contentHash({ text: 'hi' });
    expect(contentHash({ text: 'hi' })).toBe(a);
    expect(contentHash({ text: 'hi', html: 'hi' })).not.toBe(a);
    expect(contentHash({ text: 'hj' })).not.toBe(a);
    // tag + length framing: no two splits of the same bytes collide
    expect(contentHash({ text: 'ab', html: 'c' })).not.toBe(contentHash({ text: 'a', html: 'bc' }));
  });

  it('applies the byte limits per format (UTF-8 bytes, not characters)', () => {
    const limits = { textBytes: 4, imageBytes: 3 };
    expect(fitsLimits({ text: 'abcd' }, limits)).toBe(true);
    expect(fitsLimits({ text: 'abcé' }, limits)).toBe(false);
    expect(fitsLimits({ text: 'a', html: '<p>x</p>' }, limits)).toBe(false);
    expect(fitsLimits({ text: '', png: new Uint8Array(4) }, limits)).toBe(false);
    expect(fitsLimits({ text: 'x'.repeat(1024 * 1024) }, DEFAULT_CLIPBOARD_LIMITS)).toBe(true);
    expect(fitsLimits({ text: 'x'.repeat(1024 * 1024 + 1) }, DEFAULT_CLIPBOARD_LIMITS)).toBe(false);
  });

  it('knows an empty clipboard', () => {
    expect(isEmpty({ text: '' })).toBe(true);
    expect(isEmpty({ text: '', png: new Uint8Array(0) })).toBe(true);
    expect(isEmpty({ text: ' ' })).toBe(false);
    expect(isEmpty({ text: '', html: '<img>' })).toBe(false);
  });
});
