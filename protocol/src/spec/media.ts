import {
  MAX_AUDIO_PACKET_BYTES,
  MAX_CAMERA_PACKET_BYTES,
  MAX_VIDEO_FRAGMENT_BYTES,
} from '../limits.ts';
import { bool, enumOf, str, tail, u8, u16, u32, u53 } from '../wire/fields.ts';
import { channel, message } from './define.ts';

export const AUDIO_CODECS = { opus: 1 } as const;
const audioCodec = enumOf(AUDIO_CODECS);

export const videoChannel = channel({
  id: 0x08,
  name: 'video',
  doc: 'H.264 (Annex B) for moving regions, drawn over the tiles. Keyframes and parameter sets go reliably; deltas may go as datagrams on native HTTP/3.',
  messages: {
    videoStreamStart: message({
      tag: 0x01,
      dir: 's2c',
      requires: 'video',
      doc: 'Stream `streamId` starts covering a display rectangle; `codec` is a WebCodecs codec string (e.g. avc1.42E01F).',
      fields: { streamId: u8, codec: str(32), x: u16, y: u16, width: u16, height: u16 },
    }),
    videoStreamEnd: message({
      tag: 0x02,
      dir: 's2c',
      requires: 'video',
      doc: 'Stream `streamId` stops; the client removes its overlay, tiles repaint the area losslessly.',
      fields: { streamId: u8 },
    }),
    videoFragment: message({
      tag: 0x03,
      dir: 's2c',
      requires: 'video',
      doc: 'Fragment `fragIndex` of `fragCount` of encoded frame `frameId` of stream `streamId`, covering (x, y, width, height).',
      fields: {
        streamId: u8,
        frameId: u32,
        keyframe: bool,
        ptsUs: u53,
        x: u16,
        y: u16,
        width: u16,
        height: u16,
        fragIndex: u16,
        fragCount: u16,
        data: tail(MAX_VIDEO_FRAGMENT_BYTES),
      },
      validate: (v) =>
        v.fragCount === 0 || v.fragIndex >= v.fragCount
          ? 'fragIndex must be < fragCount'
          : undefined,
    }),
  },
});

export const audioOutChannel = channel({
  id: 0x09,
  name: 'audio-out',
  doc: 'Remote desktop audio. Silence sends nothing. Needs `audioOut`.',
  messages: {
    audioConfig: message({
      tag: 0x01,
      dir: 's2c',
      requires: 'audioOut',
      doc: 'The codec and format of the packets that follow.',
      fields: { codec: audioCodec, sampleRate: u32, channels: u8 },
    }),
    audioPacket: message({
      tag: 0x02,
      dir: 's2c',
      requires: 'audioOut',
      doc: 'One encoded audio packet (20 ms of Opus).',
      fields: { seq: u32, ptsUs: u53, data: tail(MAX_AUDIO_PACKET_BYTES) },
    }),
  },
});

export const micChannel = channel({
  id: 0x0a,
  name: 'mic',
  doc: 'Client microphone into the remote browser. Owner only; needs `microphone`.',
  messages: {
    micConfig: message({
      tag: 0x01,
      dir: 'c2s',
      requires: 'microphone',
      doc: 'The codec and format of the packets that follow.',
      fields: { codec: audioCodec, sampleRate: u32, channels: u8 },
    }),
    micPacket: message({
      tag: 0x02,
      dir: 'c2s',
      requires: 'microphone',
      doc: 'One encoded microphone packet.',
      fields: { seq: u32, ptsUs: u53, data: tail(MAX_AUDIO_PACKET_BYTES) },
    }),
    micStop: message({
      tag: 0x03,
      dir: 'c2s',
      requires: 'microphone',
      doc: 'The client stopped its microphone.',
      fields: {},
    }),
  },
});

export const cameraChannel = channel({
  id: 0x0b,
  name: 'camera',
  doc: 'Client camera into the remote browser. Off by default; needs `camera`.',
  messages: {
    cameraConfig: message({
      tag: 0x01,
      dir: 'c2s',
      requires: 'camera',
      doc: 'The codec (WebCodecs string) and size of the access units that follow.',
      fields: { codec: str(32), width: u16, height: u16, fps: u8 },
    }),
    cameraPacket: message({
      tag: 0x02,
      dir: 'c2s',
      requires: 'camera',
      doc: 'One encoded H.264 access unit (Annex B).',
      fields: { seq: u32, ptsUs: u53, keyframe: bool, data: tail(MAX_CAMERA_PACKET_BYTES) },
    }),
    cameraStop: message({
      tag: 0x03,
      dir: 'c2s',
      requires: 'camera',
      doc: 'The client stopped its camera.',
      fields: {},
    }),
  },
});
