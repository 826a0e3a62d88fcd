import { describe, expect, it } from 'vitest';
import {
  allMessages,
  createFrameDecoder,
  decodeFrame,
  encodeMessage,
  HEADER_BYTES,
  type Message,
  type MessageInfo,
  ProtocolError,
} from '../src/index.ts';
import { makeRandom } from './random.ts';
import { SAMPLES } from './samples.ts';

// A fresh seed each run widens coverage over time; PROTOCOL_FUZZ_SEED reproduces a failure.
const SEED = Number(process.env.PROTOCOL_FUZZ_SEED ?? Date.now() % 0xffff_ffff);
const LIMIT = 64 * 1024;
const MESSAGES = allMessages();

function randomMessage(rand: () => number, info: MessageInfo): Message {
  const value: Record<string, unknown> = { type: info.type };
  for (const [name, field] of info.fields) value[name] = field.random(rand);
  return value as unknown as Message;
}

/** Feeds `bytes` in random chunks and decodes every frame; returns how many frames decoded. */
function decodeStream(bytes: Uint8Array, rand: () => number, allocations: number[]): number {
  const decoder = createFrameDecoder({
    maxPayloadBytes: LIMIT,
    onAllocate: (n) => allocations.push(n),
  });
  let decoded = 0;
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(rand() * 64);
    for (const frame of decoder.feed(bytes.subarray(at, at + size))) {
      decodeFrame(frame);
      decoded++;
    }
    at += size;
  }
  return decoded;
}

function mutate(frame: Uint8Array, rand: () => number): Uint8Array {
  const out = Array.from(frame);
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits; i++) {
    const kind = Math.floor(rand() * 6);
    const at = Math.floor(rand() * Math.max(1, out.length));
    if (kind === 0) out[at] = (out[at] ?? 0) ^ (1 << Math.floor(rand() * 8));
    else if (kind === 1) out[at] = Math.floor(rand() * 256);
    else if (kind === 2) out.length = at;
    else if (kind === 3)
      out.splice(
        at,
        0,
        ...Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256)),
      );
    else if (kind === 4 && out.length >= HEADER_BYTES) {
      const len = Math.floor(rand() * (rand() < 0.5 ? 300 : 0x1_0000_0000));
      out[1] = len & 0xff;
      out[2] = (len >>> 8) & 0xff;
      out[3] = (len >>> 16) & 0xff;
      out[4] = (len >>> 24) & 0xff;
    } else out.splice(at, 1 + Math.floor(rand() * 4));
  }
  return Uint8Array.from(out);
}

describe(`protocol fuzz (seed ${SEED})`, () => {
  it('never throws anything but ProtocolError and never allocates over the limit', () => {
    const rand = makeRandom(SEED);
    const allocations: number[] = [];
    const foreign: unknown[] = [];
    let cases = 0;
    let decodedFrames = 0;
    const attempt = (bytes: Uint8Array) => {
      cases++;
      try {
        decodedFrames += decodeStream(bytes, rand, allocations);
      } catch (err) {
        if (!(err instanceof ProtocolError)) foreign.push(err);
      }
    };

    // 1. random bytes, half of them starting with a plausible header
    for (let i = 0; i < 25_000; i++) {
      const bytes = new Uint8Array(Math.floor(rand() * 200));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
      if (bytes.length > HEADER_BYTES && rand() < 0.5) {
        bytes[0] = 1 + Math.floor(rand() * 11);
        new DataView(bytes.buffer).setUint32(1, bytes.length - HEADER_BYTES, true);
      }
      attempt(bytes);
    }
    // 2. mutated valid frames (samples and random valid messages), sometimes several in a row
    const samples = Object.values(SAMPLES).map((m) => encodeMessage(m as Message));
    for (let i = 0; i < 35_000; i++) {
      const parts: Uint8Array[] = [];
      const count = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < count; k++) {
        let frame = samples[Math.floor(rand() * samples.length)] as Uint8Array;
        if (rand() < 0.5) {
          try {
            frame = encodeMessage(
              randomMessage(rand, MESSAGES[Math.floor(rand() * MESSAGES.length)] as MessageInfo),
            );
          } catch (err) {
            if (!(err instanceof ProtocolError)) foreign.push(err);
          }
        }
        parts.push(rand() < 0.8 ? mutate(frame, rand) : frame);
      }
      attempt(Uint8Array.from(parts.flatMap((p) => Array.from(p))));
    }

    expect(foreign, `non-ProtocolError failures (seed ${SEED})`).toEqual([]);
    expect(cases).toBeGreaterThanOrEqual(50_000);
    expect(decodedFrames).toBeGreaterThan(1_000); // the mutations still let many frames through
    expect(Math.max(0, ...allocations)).toBeLessThanOrEqual(LIMIT);
  });

  it('round-trips random valid messages of every type', () => {
    const rand = makeRandom(SEED ^ 0x5bd1e995);
    let roundTrips = 0;
    const perType = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const info = MESSAGES[i % MESSAGES.length] as MessageInfo;
      const message = randomMessage(rand, info);
      let frame: Uint8Array;
      try {
        frame = encodeMessage(message);
      } catch (err) {
        // random values may break a cross-field rule; anything else is a bug
        expect((err as ProtocolError).code).toBe('invalid_value');
        continue;
      }
      const back = decodeFrame({
        channel: frame[0] as number,
        payload: frame.subarray(HEADER_BYTES),
      });
      expect(back, `seed ${SEED}`).toEqual(message);
      roundTrips++;
      perType.set(info.type, (perType.get(info.type) ?? 0) + 1);
    }
    expect(roundTrips).toBeGreaterThan(15_000);
    // every type without a cross-field rule round-tripped many times
    for (const info of MESSAGES.filter((m) => !m.validate)) {
      expect(perType.get(info.type) ?? 0, info.type).toBeGreaterThan(100);
    }
  });
});
