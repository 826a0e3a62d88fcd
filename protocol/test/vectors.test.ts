import { describe, expect, it } from 'vitest';
import { allMessages, decodeFrame, encodeMessage, type Message } from '../src/index.ts';
import { SAMPLES } from './samples.ts';
import { readVector, vectorTypes } from './vector-files.ts';

describe('golden vectors', () => {
  it('has exactly one vector per declared message', () => {
    const declared = allMessages()
      .map((m) => m.type)
      .sort();
    expect(vectorTypes()).toEqual(declared);
  });

  for (const sample of Object.values(SAMPLES) as Message[]) {
    describe(sample.type, () => {
      it('encodes to its golden vector', () => {
        expect(hex(encodeMessage(sample))).toBe(hex(readVector(sample.type)));
      });

      it('decodes its golden vector back to the sample', () => {
        const frame = readVector(sample.type);
        const payload = frame.subarray(5);
        expect(new DataView(frame.buffer).getUint32(1, true)).toBe(payload.byteLength);
        expect(decodeFrame({ channel: frame[0] as number, payload })).toEqual(sample);
      });
    });
  }
});

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
