/**
 * A WebM recording (VP8/VP9 video, Opus audio) → an MP4 most players take: the video decoded and
 * encoded again as H.264 (libx264; MP4 has no VP8, so a remux cannot do), the audio copied as it
 * is (Opus in MP4). `faststart`: the index comes first, so a `<video>` element plays it while it
 * downloads. Timestamps stay those of the source (variable frame rate: an idle page has few
 * frames). `onProgress` hears how far it got (media ms of total) every few percent.
 *
 * Built on node-av's low-level contexts with every native object freed explicitly (see
 * webm-writer.ts).
 */
import { loadNodeAv } from '@browserpane/host-pool/media/node-av';
import type { CodecContext, Frame, Packet, Stream } from 'node-av';
import type { RemuxResult } from './remux.ts';

/** x264 quality (CRF; lower is better): screen text stays readable. */
const CRF = '23';
/** How long the last picture shows (one frame at 15 fps). */
const LAST_PICTURE_MS = 67n;
/** A keyframe at least every this many frames. */
const GOP = 150;

export async function transcodeToMp4(
  input: string,
  output: string,
  onProgress?: (doneMs: number, totalMs: number) => void,
): Promise<RemuxResult> {
  const { av, constants } = await loadNodeAv();
  const inFmt = new av.FormatContext();
  const outFmt = new av.FormatContext();
  let inOpen = false;
  let outOpen = false;
  let dec: CodecContext | undefined;
  let enc: CodecContext | undefined;
  const frame: Frame = new av.Frame();
  frame.alloc();
  const pkt: Packet = new av.Packet();
  pkt.alloc();
  const outPkt: Packet = new av.Packet();
  outPkt.alloc();
  try {
    if ((await inFmt.openInput(input)) < 0) throw new Error(`cannot read ${input}`);
    inOpen = true;
    await inFmt.findStreamInfo(null);
    const video = inFmt.streams.find((s) => s.codecpar.codecType === av.AVMEDIA_TYPE_VIDEO);
    const audio = inFmt.streams.find((s) => s.codecpar.codecType === av.AVMEDIA_TYPE_AUDIO);
    if (!video) throw new Error('no video in the recording');
    const decoder = av.Codec.findDecoder(video.codecpar.codecId);
    if (!decoder) throw new Error('no decoder for the recording’s video');
    dec = new av.CodecContext();
    dec.allocContext3(decoder);
    if (video.codecpar.toContext(dec) < 0) throw new Error('decoder parameters refused');
    dec.pktTimebase = video.timeBase;
    if (dec.open2Sync(decoder, null) < 0) throw new Error('the video decoder did not open');

    const x264 = av.Codec.findEncoderByName(av.FF_ENCODER_LIBX264);
    if (!x264) throw new Error('no H.264 encoder (libx264) in this FFmpeg');
    if (outFmt.allocOutputContext2(null, 'mp4', output) < 0) throw new Error('no MP4 muxer');
    enc = new av.CodecContext();
    enc.allocContext3(x264);
    enc.width = video.codecpar.width;
    enc.height = video.codecpar.height;
    enc.pixelFormat = av.AV_PIX_FMT_YUV420P;
    enc.timeBase = new av.Rational(1, 1000);
    enc.framerate = new av.Rational(15, 1);
    enc.gopSize = GOP;
    enc.maxBFrames = 0;
    enc.threadCount = 2;
    enc.setOption('preset', 'veryfast');
    enc.setOption('crf', CRF);
    if ((outFmt.oformat?.flags ?? 0) & constants.AVFMT_GLOBALHEADER)
      enc.flags = (enc.flags | constants.AV_CODEC_FLAG_GLOBAL_HEADER) as typeof enc.flags;
    if (enc.open2Sync(x264, null) < 0) throw new Error('the H.264 encoder did not open');

    const vOut = outFmt.newStream(null);
    vOut.codecpar.fromContext(enc);
    vOut.timeBase = new av.Rational(1, 1000);
    let aOut: Stream | undefined;
    if (audio) {
      aOut = outFmt.newStream(null);
      audio.codecpar.copy(aOut.codecpar);
      aOut.codecpar.codecTag = 0;
      aOut.timeBase = audio.timeBase;
    }
    if ((await outFmt.openOutput()) < 0) throw new Error(`cannot write ${output}`);
    outOpen = true;
    const header = await outFmt.writeHeader(av.Dictionary.fromObject({ movflags: 'faststart' }));
    if (header < 0) throw new Error(`MP4 header failed (${header})`);

    const totalMs = Math.max(1, Number(inFmt.duration) / 1000);
    let lastPts = -1n;
    let endMs = 0;
    let reported = 0;
    const ms = new av.Rational(1, 1000);
    const encoder = enc;
    const drainEncoder = async () => {
      while (encoder.receivePacketSync(outPkt) >= 0) {
        outPkt.streamIndex = vOut.index;
        // The last picture (the recording's end) needs a length, or MP4's edit list drops it.
        if (outPkt.duration <= 0n) outPkt.duration = LAST_PICTURE_MS;
        outPkt.rescaleTs(ms, vOut.timeBase);
        await outFmt.interleavedWriteFrame(outPkt);
        outPkt.unref();
      }
    };
    const encodeDecoded = async (d: CodecContext) => {
      while (d.receiveFrameSync(frame) >= 0) {
        const ts = frame.bestEffortTimestamp;
        if (ts === av.AV_NOPTS_VALUE) {
          frame.unref();
          continue;
        }
        const tb = video.timeBase;
        let pts = (ts * BigInt(tb.num) * 1000n) / BigInt(tb.den);
        if (pts <= lastPts) pts = lastPts + 1n;
        lastPts = pts;
        endMs = Math.max(endMs, Number(pts));
        frame.pts = pts;
        frame.pictType = av.AV_PICTURE_TYPE_NONE;
        if (encoder.sendFrameSync(frame) < 0) throw new Error('H.264 encode failed');
        frame.unref();
        await drainEncoder();
        if (onProgress && endMs - reported >= totalMs / 20) {
          reported = endMs;
          onProgress(endMs, totalMs);
        }
      }
    };
    while ((await inFmt.readFrame(pkt)) >= 0) {
      if (pkt.streamIndex === video.index) {
        if (dec.sendPacketSync(pkt) < 0) throw new Error('the recording’s video does not decode');
        pkt.unref();
        await encodeDecoded(dec);
      } else if (audio && aOut && pkt.streamIndex === audio.index) {
        pkt.rescaleTs(audio.timeBase, aOut.timeBase);
        pkt.streamIndex = aOut.index;
        pkt.pos = -1n;
        await outFmt.interleavedWriteFrame(pkt);
        pkt.unref();
      } else pkt.unref();
    }
    dec.sendPacketSync(null);
    await encodeDecoded(dec);
    encoder.sendFrameSync(null);
    await drainEncoder();
    await outFmt.writeTrailer();
    onProgress?.(endMs, totalMs);
    return { durationMs: Math.round(Math.max(endMs, totalMs)), hasAudio: audio !== undefined };
  } finally {
    pkt.free();
    outPkt.free();
    frame.free();
    dec?.freeContext();
    enc?.freeContext();
    if (inOpen) await inFmt.closeInput();
    if (outOpen) await outFmt.closeOutput();
    outFmt.freeContext();
  }
}
