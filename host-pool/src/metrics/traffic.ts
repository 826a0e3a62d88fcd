import { CHANNELS } from '@browserpane/protocol';
import { Counter, Histogram, Registry } from 'prom-client';

const CHANNEL_NAMES = new Map<number, string>(CHANNELS.map((c) => [c.id, c.name]));

/**
 * What the relay sends and the capture encodes, counted for the whole process (every session and
 * client of this agent, across restarts of the agent object in one process): bytes and protocol
 * frames out per channel, pictures sent and skipped, the time to encode a captured change.
 */
export const trafficRegistry = new Registry();

const bytesOut = new Counter({
  name: 'browserpane_host_bytes_out_total',
  help: 'Bytes the relay queued to clients, by protocol channel.',
  labelNames: ['channel'] as const,
  registers: [trafficRegistry],
});
const framesOut = new Counter({
  name: 'browserpane_host_frames_out_total',
  help: 'Protocol frames (messages) the relay queued to clients, by protocol channel.',
  labelNames: ['channel'] as const,
  registers: [trafficRegistry],
});
const pictures = new Counter({
  name: 'browserpane_host_pictures_total',
  help: 'Picture updates per client: sent, or dropped because the client was behind (it gets a refresh later).',
  labelNames: ['outcome'] as const,
  registers: [trafficRegistry],
});
const encodeSeconds = new Histogram({
  name: 'browserpane_host_encode_seconds',
  help: 'Time to turn one captured change of a display into a picture update (diff, scroll detection, tile encoding).',
  buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25],
  registers: [trafficRegistry],
});

/**
 * Counts an already-framed buffer (`u8 channel | u32 length LE | payload`, one or more frames) by
 * channel. Whatever does not parse as whole frames counts as channel `unknown`.
 */
export function countFramesOut(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  let last = '';
  let lastBytes = 0;
  let lastFrames = 0;
  const flush = () => {
    if (lastFrames === 0) return;
    bytesOut.inc({ channel: last }, lastBytes);
    framesOut.inc({ channel: last }, lastFrames);
  };
  while (offset + 5 <= bytes.byteLength) {
    const name = CHANNEL_NAMES.get(view.getUint8(offset)) ?? 'unknown';
    const size = 5 + view.getUint32(offset + 1, true);
    if (offset + size > bytes.byteLength) break;
    if (name !== last) {
      flush();
      last = name;
      lastBytes = 0;
      lastFrames = 0;
    }
    lastBytes += size;
    lastFrames++;
    offset += size;
  }
  flush();
  if (offset < bytes.byteLength) bytesOut.inc({ channel: 'unknown' }, bytes.byteLength - offset);
}

export function countPicture(outcome: 'sent' | 'dropped'): void {
  pictures.inc({ outcome });
}

export function observeEncode(ms: number): void {
  encodeSeconds.observe(ms / 1000);
}
