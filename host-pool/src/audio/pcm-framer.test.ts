import { describe, expect, it } from 'vitest';
import { PcmFramer } from './pcm-framer.ts';

const bytes = (n: number, start = 0) =>
  Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

describe('PcmFramer', () => {
  it('cuts chunks of any size into whole frames, in order, keeping the remainder', () => {
    const framer = new PcmFramer(8);
    const stream = bytes(45);
    const out: Buffer[] = [];
    for (const size of [3, 1, 7, 13, 2, 19]) {
      const start = out.length * 8 + framer.buffered;
      out.push(...framer.push(stream.subarray(start, start + size)));
    }
    expect(out).toHaveLength(5);
    expect(Buffer.concat(out)).toEqual(Buffer.from(stream.subarray(0, 40)));
    expect(framer.buffered).toBe(5);
  });

  it('hands out frames the caller may keep (not views of reused memory)', () => {
    const framer = new PcmFramer(4);
    const [a] = framer.push(bytes(6));
    const [b] = framer.push(bytes(2, 100));
    expect([...(a as Buffer)]).toEqual([0, 1, 2, 3]);
    expect([...(b as Buffer)]).toEqual([4, 5, 100, 101]);
  });

  it('drops a partial frame on reset', () => {
    const framer = new PcmFramer(4);
    framer.push(bytes(3));
    framer.reset();
    expect(framer.push(bytes(4, 9)).map((f) => [...f])).toEqual([[9, 10, 11, 12]]);
  });

  it('refuses a nonsense frame size', () => {
    expect(() => new PcmFramer(0)).toThrow(RangeError);
  });
});
