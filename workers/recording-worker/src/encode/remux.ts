/**
 * Rewrites WebM files without re-encoding: one live recording into a seekable file (cues,
 * duration), or a session's segments one after another into one file (the playback export), each
 * segment's timestamps shifted to start where the previous ended. Streams are matched by kind
 * (video, audio); a segment without audio simply leaves a gap in the audio track.
 */
import { loadNodeAv } from '@browserpane/host-pool/media/node-av';
import type { FormatContext, Stream } from 'node-av';

export interface RemuxResult {
  readonly durationMs: number;
  readonly hasAudio: boolean;
}

export async function remuxWebm(inputs: readonly string[], output: string): Promise<RemuxResult> {
  const { av } = await loadNodeAv();
  const opened: FormatContext[] = [];
  const out = new av.FormatContext();
  let outOpen = false;
  try {
    for (const path of inputs) {
      const input = new av.FormatContext();
      if ((await input.openInput(path)) < 0) throw new Error(`cannot read ${path}`);
      opened.push(input);
      await input.findStreamInfo(null);
    }
    const kinds = (s: Stream) => s.codecpar.codecType;
    const template = new Map<number, Stream>();
    for (const input of opened)
      for (const s of input.streams) if (!template.has(kinds(s))) template.set(kinds(s), s);
    if (!template.has(av.AVMEDIA_TYPE_VIDEO)) throw new Error('no video in the recording');
    if (out.allocOutputContext2(null, 'webm', output) < 0) throw new Error('no WebM muxer');
    const outIndex = new Map<number, number>();
    for (const [kind, s] of template) {
      const o = out.newStream(null);
      s.codecpar.copy(o.codecpar);
      o.codecpar.codecTag = 0;
      o.timeBase = new av.Rational(1, 1000);
      outIndex.set(kind, o.index);
    }
    if ((await out.openOutput()) < 0) throw new Error(`cannot write ${output}`);
    outOpen = true;
    if ((await out.writeHeader(null)) < 0) throw new Error('WebM header failed');
    const pkt = new av.Packet();
    pkt.alloc();
    const ms = new av.Rational(1, 1000);
    let offset = 0n;
    let end = 0n;
    try {
      for (const input of opened) {
        let first: bigint | undefined;
        let segmentEnd = 0n;
        while ((await input.readFrame(pkt)) >= 0) {
          const s = input.streams[pkt.streamIndex];
          const target = s ? outIndex.get(kinds(s)) : undefined;
          if (!s || target === undefined || pkt.pts === av.AV_NOPTS_VALUE) {
            pkt.unref();
            continue;
          }
          pkt.rescaleTs(s.timeBase, ms);
          first ??= pkt.pts;
          pkt.pts = pkt.pts - first + offset;
          pkt.dts = pkt.dts === av.AV_NOPTS_VALUE ? pkt.pts : pkt.dts - first + offset;
          const stop = pkt.pts + (pkt.duration > 0n ? pkt.duration : 0n);
          if (stop > segmentEnd) segmentEnd = stop;
          pkt.streamIndex = target;
          await out.interleavedWriteFrame(pkt);
          pkt.unref();
        }
        if (segmentEnd > end) end = segmentEnd;
        offset = end;
      }
    } finally {
      pkt.free();
    }
    await out.writeTrailer();
    return {
      durationMs: Number(end),
      hasAudio: template.has(av.AVMEDIA_TYPE_AUDIO),
    };
  } finally {
    for (const input of opened) await input.closeInput();
    if (outOpen) await out.closeOutput();
    out.freeContext();
  }
}
