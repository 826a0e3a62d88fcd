import type { MessageOf } from '@browserpane/protocol';

type Fragment = MessageOf<'videoFragment'>;

export interface AssembledFrame {
  readonly streamId: number;
  readonly frameId: number;
  readonly keyframe: boolean;
  readonly ptsUs: number;
  readonly data: Uint8Array;
}

const MAX_PENDING = 32;
const REMEMBERED = 128;

/**
 * Puts fragmented access units back together. Fragments may arrive out of order or twice (a
 * datagram and a retransmission); a frame is delivered once, when every fragment is there.
 */
export class FragmentAssembler {
  private readonly pending = new Map<
    string,
    { parts: Array<Uint8Array | undefined>; have: number; first: Fragment }
  >();
  private readonly done: string[] = [];
  private readonly doneSet = new Set<string>();

  push(f: Fragment): AssembledFrame | undefined {
    if (f.fragCount === 1) return this.finish(key(f), f, [f.data]);
    const k = key(f);
    if (this.doneSet.has(k)) return undefined;
    let entry = this.pending.get(k);
    if (!entry) {
      entry = { parts: new Array(f.fragCount), have: 0, first: f };
      this.pending.set(k, entry);
      if (this.pending.size > MAX_PENDING)
        this.pending.delete(this.pending.keys().next().value as string);
    }
    if (f.fragIndex >= entry.parts.length || entry.parts[f.fragIndex]) return undefined;
    entry.parts[f.fragIndex] = f.data;
    entry.have++;
    if (entry.have < entry.parts.length) return undefined;
    this.pending.delete(k);
    return this.finish(k, entry.first, entry.parts as Uint8Array[]);
  }

  private finish(k: string, f: Fragment, parts: Uint8Array[]): AssembledFrame | undefined {
    if (this.doneSet.has(k)) return undefined;
    this.doneSet.add(k);
    this.done.push(k);
    if (this.done.length > REMEMBERED) this.doneSet.delete(this.done.shift() as string);
    const size = parts.reduce((n, p) => n + p.byteLength, 0);
    const data = parts.length === 1 ? (parts[0] as Uint8Array) : new Uint8Array(size);
    if (parts.length > 1) {
      let at = 0;
      for (const p of parts) {
        data.set(p, at);
        at += p.byteLength;
      }
    }
    return { streamId: f.streamId, frameId: f.frameId, keyframe: f.keyframe, ptsUs: f.ptsUs, data };
  }
}

function key(f: Fragment): string {
  return `${f.streamId}:${f.frameId}`;
}
