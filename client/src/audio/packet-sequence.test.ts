import { describe, expect, it } from 'vitest';
import { PacketSequence } from './packet-sequence.ts';

describe('PacketSequence', () => {
  it('accepts the next packet, counts a gap as loss and drops duplicates and old packets', () => {
    const s = new PacketSequence();
    expect(s.accept(10).kind).toBe('next');
    expect(s.accept(11).kind).toBe('next');
    expect(s.accept(15)).toEqual({ kind: 'gap', lost: 3 });
    expect(s.accept(15).kind).toBe('stale');
    expect(s.accept(12).kind).toBe('stale');
    expect(s.accept(16).kind).toBe('next');
  });

  it('follows the u32 wrap-around', () => {
    const s = new PacketSequence();
    s.accept(0xffff_fffe);
    expect(s.accept(0xffff_ffff).kind).toBe('next');
    expect(s.accept(0).kind).toBe('next');
    expect(s.accept(2)).toEqual({ kind: 'gap', lost: 1 });
    expect(s.accept(0xffff_fff0).kind).toBe('stale');
    s.reset();
    expect(s.accept(0xffff_fff0).kind).toBe('next');
  });
});
