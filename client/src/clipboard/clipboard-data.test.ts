import { describe, expect, it } from 'vitest';
import { dataHash, dataOf, fitsProtocol, isEmptyData, messageOf } from './clipboard-data.ts';

describe('clipboard data', () => {
  it('maps messages to data and back', () => {
    const png = new Uint8Array([1, 2, 3]);
    for (const m of [
      { type: 'clipboardText', text: 'a' } as const,
      { type: 'clipboardHtml', html: '<i>a</i>', text: 'a' } as const,
      { type: 'clipboardImage', png } as const,
    ])
      expect(messageOf(dataOf(m))).toEqual(m);
    // empty HTML is just text
    expect(messageOf({ text: 'a', html: '' })).toEqual({ type: 'clipboardText', text: 'a' });
  });

  it('hashes deterministically and tells formats apart', () => {
    expect(dataHash({ text: 'abc' })).toBe(dataHash({ text: 'abc' }));
    expect(dataHash({ text: 'abc' })).not.toBe(dataHash({ text: 'abd' }));
    expect(dataHash({ text: 'abc' })).not.toBe(dataHash({ text: 'abc', html: 'abc' }));
    expect(dataHash({ text: '', png: new Uint8Array([1]) })).not.toBe(
      dataHash({ text: '', png: new Uint8Array([2]) }),
    );
    expect(dataHash({ text: 'x' })).toMatch(/^[0-9a-f]{8}$/);
  });

  it('checks the protocol limits in UTF-8 bytes', () => {
    expect(fitsProtocol({ text: 'x'.repeat(1024 * 1024) })).toBe(true);
    expect(fitsProtocol({ text: 'é'.repeat(512 * 1024 + 1) })).toBe(false);
    expect(fitsProtocol({ text: 'a', html: 'x'.repeat(1024 * 1024 + 1) })).toBe(false);
    expect(fitsProtocol({ text: '', png: new Uint8Array(8 * 1024 * 1024 + 1) })).toBe(false);
  });

  it('knows empty data', () => {
    expect(isEmptyData({ text: '' })).toBe(true);
    expect(isEmptyData({ text: '', html: '' })).toBe(true);
    expect(isEmptyData({ text: 'a' })).toBe(false);
  });
});
