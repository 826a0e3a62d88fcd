import { describe, expect, it } from 'vitest';
import { frameBytes } from './pcm-format.ts';
import { rmsDbfs, SilenceGate } from './silence-gate.ts';

/** One 20 ms stereo frame of a sine at `dbfs` (peak = RMS + 3 dB). */
function tone(dbfs: number): Buffer {
  const buf = Buffer.alloc(frameBytes(2));
  const amp = 32767 * 10 ** (dbfs / 20) * Math.SQRT2;
  for (let i = 0; i < buf.length / 4; i++) {
    const v = Math.round(amp * Math.sin((2 * Math.PI * 440 * i) / 48_000));
    buf.writeInt16LE(v, i * 4);
    buf.writeInt16LE(v, i * 4 + 2);
  }
  return buf;
}

describe('rmsDbfs', () => {
  it('measures a sine within a fraction of a dB and digital silence as -Infinity', () => {
    expect(rmsDbfs(tone(-20))).toBeCloseTo(-20, 0);
    expect(rmsDbfs(tone(-45))).toBeCloseTo(-45, 0);
    expect(rmsDbfs(Buffer.alloc(3840))).toBe(Number.NEGATIVE_INFINITY);
    expect(rmsDbfs(new Uint8Array(0))).toBe(Number.NEGATIVE_INFINITY);
  });

  it('reads samples at an odd byte offset (a view into a larger chunk)', () => {
    const big = Buffer.alloc(3841);
    tone(-20).copy(big, 1);
    expect(rmsDbfs(big.subarray(1))).toBeCloseTo(-20, 0);
  });
});

describe('SilenceGate (-50 dBFS, 220 ms hangover, 20 ms frames)', () => {
  it('starts closed: silence and noise below the threshold send nothing', () => {
    const gate = new SilenceGate();
    expect(gate.pass(Buffer.alloc(3840))).toBe(false);
    expect(gate.pass(tone(-55))).toBe(false);
    expect(gate.open).toBe(false);
  });

  it('opens on the first loud frame and keeps sending for exactly 11 quiet frames', () => {
    const gate = new SilenceGate();
    expect(gate.pass(tone(-30))).toBe(true);
    const after = Array.from({ length: 14 }, () => gate.pass(Buffer.alloc(3840)));
    expect(after.filter(Boolean)).toHaveLength(11);
    expect(after.slice(0, 11).every(Boolean)).toBe(true);
    expect(after.slice(11).some(Boolean)).toBe(false);
  });

  it('a loud frame inside the hangover restarts it', () => {
    const gate = new SilenceGate();
    gate.pass(tone(-30));
    for (let i = 0; i < 8; i++) gate.pass(Buffer.alloc(3840));
    expect(gate.pass(tone(-30))).toBe(true);
    for (let i = 0; i < 11; i++) expect(gate.pass(Buffer.alloc(3840))).toBe(true);
    expect(gate.pass(Buffer.alloc(3840))).toBe(false);
  });

  it('honours other settings and closes on reset', () => {
    const gate = new SilenceGate({ thresholdDbfs: -20, hangoverMs: 40, frameMs: 20 });
    expect(gate.passLevel(-25)).toBe(false);
    expect(gate.passLevel(-10)).toBe(true);
    expect([gate.passLevel(-90), gate.passLevel(-90), gate.passLevel(-90)]).toEqual([
      true,
      true,
      false,
    ]);
    gate.passLevel(-10);
    gate.reset();
    expect(gate.open).toBe(false);
  });
});
