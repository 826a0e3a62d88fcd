import { H264Encoder } from '@browserpane/host-pool/video/h264-encoder';
import { describe, expect, it } from 'vitest';
import { H264Region } from '../src/picture/h264-region.ts';

const W = 320;
const H = 192;

function bgrx(r: number, g: number, b: number): Buffer {
  const out = Buffer.alloc(W * H * 4);
  for (let i = 0; i < out.length; i += 4) {
    out[i] = b;
    out[i + 1] = g;
    out[i + 2] = r;
  }
  return out;
}

describe('ROI H.264 decoding for the composed picture', () => {
  it('decodes the host encoder’s access units to RGBA pictures of the region', async () => {
    const encoder = await H264Encoder.create({ width: W, height: H, fps: 30, maxKbps: 2000 });
    const region = await H264Region.open(W, H);
    try {
      const colours: number[][] = [];
      for (let i = 0; i < 20; i++) {
        const [r, g, b] = i < 10 ? [200, 40, 40] : [40, 40, 200];
        for (const unit of encoder.encode(bgrx(r, g, b), i * 33_333)) {
          const picture = region.decode(unit.data);
          if (!picture) continue;
          expect(picture.byteLength).toBe(W * H * 4);
          const at = ((H / 2) * W + W / 2) * 4;
          colours.push([
            picture[at] as number,
            picture[at + 1] as number,
            picture[at + 2] as number,
          ]);
        }
      }
      expect(colours.length).toBeGreaterThanOrEqual(15);
      const near = (c: number[] | undefined, ref: number[]) =>
        (c ?? []).every((v, i) => Math.abs(v - (ref[i] as number)) <= 24);
      expect(near(colours[0], [200, 40, 40]), JSON.stringify(colours[0])).toBe(true);
      expect(near(colours.at(-1), [40, 40, 200]), JSON.stringify(colours.at(-1))).toBe(true);
    } finally {
      region.close();
      encoder.close();
    }
  });
});
