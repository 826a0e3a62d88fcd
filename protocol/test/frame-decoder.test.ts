import { describe, expect, it } from 'vitest';
import {
  createFrameDecoder,
  decodeFrame,
  encodeMessage,
  type Frame,
  MAX_PAYLOAD_BYTES,
  type Message,
  ProtocolError,
} from '../src/index.ts';
import { typicalTileStream } from './tile-stream.ts';

function decodeAll(stream: Uint8Array, chunkSize: number): Message[] {
  const decoder = createFrameDecoder();
  const out: Message[] = [];
  for (let at = 0; at < stream.length; at += chunkSize) {
    for (const frame of decoder.feed(stream.subarray(at, at + chunkSize))) {
      out.push(decodeFrame(frame));
    }
  }
  expect(decoder.pendingBytes).toBe(0);
  return out;
}

describe('FrameDecoder', () => {
  it('yields identical frames for 1 MB of tile traffic in 1-byte and 64 KiB chunks', () => {
    const { bytes, messages } = typicalTileStream(1024 * 1024);
    expect(bytes.length).toBeGreaterThanOrEqual(1024 * 1024);
    const byOne = decodeAll(bytes, 1);
    const by64k = decodeAll(bytes, 64 * 1024);
    const whole = decodeAll(bytes, bytes.length);
    expect(byOne.length).toBe(messages.length);
    expect(byOne).toEqual(messages);
    expect(by64k).toEqual(messages);
    expect(whole).toEqual(messages);
  });

  it('returns a payload inside one chunk as a view, without copying', () => {
    const frame = encodeMessage({ type: 'frameEnd', seq: 5 });
    const decoder = createFrameDecoder();
    const [out] = [...decoder.feed(frame)] as Frame[];
    expect(out?.payload.buffer).toBe(frame.buffer);
  });

  it('rejects an oversized declared length from the header alone', () => {
    const header = Uint8Array.of(0x07, 0x01, 0x00, 0x00, 0x01); // 16 MiB + 1
    expect(new DataView(header.buffer).getUint32(1, true)).toBe(MAX_PAYLOAD_BYTES + 1);
    const decoder = createFrameDecoder();
    decoder.push(header);
    expect(() => decoder.next()).toThrowError(ProtocolError);
    // it stays failed
    expect(() => decoder.push(Uint8Array.of(1))).toThrowError(/declared/);
  });

  it('rejects an unknown channel and an empty payload from the header alone', () => {
    const unknown = createFrameDecoder();
    unknown.push(Uint8Array.of(0x42, 1, 0, 0, 0));
    expect(() => unknown.next()).toThrowError(expect.objectContaining({ code: 'unknown_channel' }));
    const empty = createFrameDecoder();
    empty.push(Uint8Array.of(0x01, 0, 0, 0, 0));
    expect(() => empty.next()).toThrowError(expect.objectContaining({ code: 'empty_payload' }));
  });

  it('honours a smaller configured limit', () => {
    const decoder = createFrameDecoder({ maxPayloadBytes: 16 });
    decoder.push(encodeMessage({ type: 'textInput', text: 'x'.repeat(40) }));
    expect(() => decoder.next()).toThrowError(expect.objectContaining({ code: 'frame_too_large' }));
  });

  it('waits for a split header and payload', () => {
    const frame = encodeMessage({ type: 'ping', seq: 1, timestampUs: 2 });
    const decoder = createFrameDecoder();
    decoder.push(frame.subarray(0, 3));
    expect(decoder.next()).toBeUndefined();
    decoder.push(frame.subarray(3, 8));
    expect(decoder.next()).toBeUndefined();
    decoder.push(frame.subarray(8));
    const out = decoder.next();
    expect(out && decodeFrame(out)).toEqual({ type: 'ping', seq: 1, timestampUs: 2 });
  });
});
