import { describe, expect, it } from 'vitest';
import { isPasteChord } from './paste-capture.ts';

const key = (init: Partial<KeyboardEvent>) =>
  ({
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    altKey: false,
    key: '',
    code: '',
    ...init,
  }) as KeyboardEvent;

describe('isPasteChord', () => {
  it('knows the paste chords', () => {
    expect(isPasteChord(key({ ctrlKey: true, code: 'KeyV', key: 'v' }))).toBe(true);
    expect(isPasteChord(key({ metaKey: true, code: 'KeyV', key: 'v' }))).toBe(true);
    expect(isPasteChord(key({ ctrlKey: true, shiftKey: true, code: 'KeyV', key: 'V' }))).toBe(true);
    expect(isPasteChord(key({ shiftKey: true, code: 'Insert', key: 'Insert' }))).toBe(true);
    // a layout where V sits elsewhere: the produced key counts
    expect(isPasteChord(key({ ctrlKey: true, code: 'Period', key: 'v' }))).toBe(true);
  });

  it('leaves everything else to the keyboard', () => {
    expect(isPasteChord(key({ code: 'KeyV', key: 'v' }))).toBe(false);
    expect(isPasteChord(key({ ctrlKey: true, code: 'KeyC', key: 'c' }))).toBe(false);
    expect(isPasteChord(key({ ctrlKey: true, altKey: true, code: 'KeyV', key: 'v' }))).toBe(false);
    expect(isPasteChord(key({ code: 'Insert', key: 'Insert' }))).toBe(false);
    expect(isPasteChord(key({ ctrlKey: true, shiftKey: true, code: 'Insert' }))).toBe(false);
  });
});
