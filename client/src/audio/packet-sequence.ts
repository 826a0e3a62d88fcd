/** What a packet's sequence number says about the stream. */
export type SequenceVerdict =
  | { readonly kind: 'next' }
  | { readonly kind: 'gap'; readonly lost: number }
  | { readonly kind: 'stale' };

/** Sequence numbers further back than this are old packets, not a wrap-around. */
const HALF_RANGE = 0x8000_0000;

/**
 * Follows u32 packet sequence numbers (wrapping): the next one is in order, a jump forward
 * means packets were lost, anything at or behind the last one is a duplicate or stale and is
 * dropped.
 */
export class PacketSequence {
  private last: number | undefined;

  accept(seq: number): SequenceVerdict {
    const previous = this.last;
    if (previous === undefined) {
      this.last = seq >>> 0;
      return { kind: 'next' };
    }
    const ahead = (seq - previous) >>> 0;
    if (ahead === 0 || ahead >= HALF_RANGE) return { kind: 'stale' };
    this.last = seq >>> 0;
    return ahead === 1 ? { kind: 'next' } : { kind: 'gap', lost: ahead - 1 };
  }

  reset(): void {
    this.last = undefined;
  }
}
