import { describe, expect, it } from 'vitest';
import {
  CHANNEL_IDS,
  decodeFrameFrom,
  decodePayload,
  encodeMessage,
  encodePayload,
  type Message,
  ProtocolError,
  type ProtocolErrorCode,
} from '../src/index.ts';
import { SAMPLES } from './samples.ts';

const payload = (m: Message) => encodePayload(m);
const withByte = (bytes: Uint8Array, index: number, value: number) => {
  const copy = bytes.slice();
  copy[index] = value;
  return copy;
};
const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

function expectCode(fn: () => unknown, code: ProtocolErrorCode) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe(code);
    return err as ProtocolError;
  }
  throw new Error(`expected ProtocolError ${code}, nothing was thrown`);
}

describe('strict decoding', () => {
  const control = CHANNEL_IDS.control;
  const tiles = CHANNEL_IDS.tiles;

  it('rejects an unknown channel', () => {
    expectCode(() => decodePayload(0x00, payload(SAMPLES.ping)), 'unknown_channel');
    expectCode(() => decodePayload(0x0c, payload(SAMPLES.ping)), 'unknown_channel');
  });

  it('rejects an empty payload and an unknown tag', () => {
    expectCode(() => decodePayload(control, new Uint8Array()), 'empty_payload');
    expectCode(() => decodePayload(control, Uint8Array.of(0xee)), 'unknown_tag');
    expectCode(() => decodePayload(control, Uint8Array.of(0x00)), 'unknown_tag');
  });

  it('rejects every truncation of a message', () => {
    const full = payload(SAMPLES.serverHello);
    for (let cut = 1; cut < full.length; cut++) {
      expectCode(() => decodePayload(control, full.subarray(0, cut)), 'truncated');
    }
  });

  it('rejects trailing bytes', () => {
    expectCode(
      () => decodePayload(control, concat(payload(SAMPLES.ping), Uint8Array.of(0))),
      'trailing_bytes',
    );
  });

  it('rejects invalid UTF-8 in text fields', () => {
    // textInput: tag, u16 length, bytes. 0xc3 0x28 is an invalid two-byte sequence.
    const bad = Uint8Array.of(0x02, 2, 0, 0xc3, 0x28);
    const err = expectCode(() => decodePayload(CHANNEL_IDS.input, bad), 'bad_utf8');
    expect(err.path).toBe('textInput.text');
    expectCode(() => decodePayload(CHANNEL_IDS.input, Uint8Array.of(0x02, 1, 0, 0xff)), 'bad_utf8');
  });

  it('rejects a bool that is neither 0 nor 1', () => {
    const good = payload(SAMPLES.cursorPosition);
    expectCode(() => decodePayload(CHANNEL_IDS.cursor, withByte(good, 5, 2)), 'out_of_range');
  });

  it('rejects an unknown enum value', () => {
    const good = payload(SAMPLES.refreshRequest);
    expectCode(() => decodePayload(tiles, withByte(good, 1, 99)), 'out_of_range');
  });

  it('rejects reserved flag bits but ignores unknown capability bits', () => {
    const key = payload(SAMPLES.keyEvent); // modifiers byte sits after the two strings
    const modifiersAt = key.length - 2;
    expectCode(
      () => decodePayload(CHANNEL_IDS.input, withByte(key, modifiersAt, 0x80)),
      'out_of_range',
    );
    const hello = payload(SAMPLES.clientHello);
    const withFutureCap = withByte(hello, 9, 0x80); // top byte of the capability u32
    const decoded = decodePayload(control, withFutureCap) as typeof SAMPLES.clientHello;
    expect(decoded.capabilities).toBe(SAMPLES.clientHello.capabilities);
  });

  it('rejects a u64 above 2^53 - 1', () => {
    const good = payload(SAMPLES.ping);
    expectCode(() => decodePayload(control, withByte(good, 12, 0x20)), 'out_of_range');
  });

  it('rejects a declared text length over the field limit before reading it', () => {
    // participantLeft.connectionId ≤ 64 B; declare 65 with no bytes following
    expectCode(() => decodePayload(control, Uint8Array.of(0x09, 65)), 'out_of_range');
  });

  it('applies cross-field rules', () => {
    expectCode(() => encodeMessage({ ...SAMPLES.cursorShape, width: 3 }), 'invalid_value');
    expectCode(() => encodeMessage({ ...SAMPLES.gridConfig, cols: 21 }), 'invalid_value');
    expectCode(
      () => encodeMessage({ ...SAMPLES.uploadBegin, name: '../etc/passwd' }),
      'invalid_value',
    );
    expectCode(() => encodeMessage({ ...SAMPLES.tileCached, hash: 0 }), 'invalid_value');
    expectCode(() => encodeMessage({ ...SAMPLES.videoFragment, fragIndex: 3 }), 'invalid_value');
    // and on the decode side: a gridConfig whose cols lie
    const lying = withByte(payload(SAMPLES.gridConfig), 3, 21);
    expectCode(() => decodePayload(tiles, lying), 'invalid_value');
  });

  it('rejects a message in the wrong direction', () => {
    const frame = encodeMessage(SAMPLES.tileFill);
    const asFrame = { channel: frame[0] as number, payload: frame.subarray(5) };
    expectCode(() => decodeFrameFrom(asFrame, 'client'), 'wrong_direction');
    expect(decodeFrameFrom(asFrame, 'server')).toEqual(SAMPLES.tileFill);
  });

  it('refuses to encode out-of-range or wrongly typed values', () => {
    expectCode(() => encodeMessage({ ...SAMPLES.pointerMove, x: 70_000 }), 'out_of_range');
    expectCode(() => encodeMessage({ ...SAMPLES.pointerMove, x: 1.5 }), 'out_of_range');
    expectCode(() => encodeMessage({ ...SAMPLES.wheel, deltaY: -40_000 }), 'out_of_range');
    expectCode(
      () => encodeMessage({ ...SAMPLES.keyEvent, down: 1 as unknown as boolean }),
      'out_of_range',
    );
    expectCode(() => encodeMessage({ ...SAMPLES.keyEvent, code: 'K'.repeat(33) }), 'out_of_range');
    expectCode(
      () => encodeMessage({ ...SAMPLES.refreshRequest, reason: 'whim' as 'manual' }),
      'out_of_range',
    );
    expectCode(() => encodeMessage({ type: 'nope' } as unknown as Message), 'unknown_tag');
  });
});
