import type { CapabilityName } from './capabilities.ts';
import { ProtocolError } from './errors.ts';
import { type Frame, FrameDecoder, type FrameDecoderOptions } from './frame.ts';
import { HEADER_BYTES, MAX_PAYLOAD_BYTES } from './limits.ts';
import type { Direction, MessageSpec } from './spec/define.ts';
import { CHANNELS, type Message, type MessageType } from './spec/index.ts';
import type { Field } from './wire/fields.ts';
import { Reader } from './wire/reader.ts';
import { Writer } from './wire/writer.ts';

/** Everything the codec knows about one message, derived from its declaration. */
export interface MessageInfo {
  readonly type: MessageType;
  readonly tag: number;
  readonly channel: number;
  readonly channelName: string;
  readonly dir: Direction;
  readonly doc: string;
  readonly requires: CapabilityName | undefined;
  readonly fields: ReadonlyArray<readonly [string, Field<unknown>]>;
  readonly validate: ((value: never) => string | undefined) | undefined;
}

const BY_TYPE = new Map<string, MessageInfo>();
const BY_CHANNEL: Array<Array<MessageInfo | undefined> | undefined> = [];

for (const ch of CHANNELS) {
  const byTag: Array<MessageInfo | undefined> = [];
  for (const [type, spec] of Object.entries(ch.messages) as Array<[MessageType, MessageSpec]>) {
    if (BY_TYPE.has(type)) throw new Error(`message type ${type} is declared twice`);
    const info: MessageInfo = {
      type,
      tag: spec.tag,
      channel: ch.id,
      channelName: ch.name,
      dir: spec.dir,
      doc: spec.doc,
      requires: spec.requires,
      fields: Object.entries(spec.fields),
      validate: spec.validate as MessageInfo['validate'],
    };
    BY_TYPE.set(type, info);
    byTag[spec.tag] = info;
  }
  BY_CHANNEL[ch.id] = byTag;
}

/** The declaration-derived facts about a message type. */
export function messageInfo(type: MessageType): MessageInfo {
  const info = BY_TYPE.get(type);
  if (!info) throw new ProtocolError('unknown_tag', `unknown message type ${String(type)}`);
  return info;
}

/** Every declared message, in channel then tag order. */
export function allMessages(): MessageInfo[] {
  return [...BY_TYPE.values()];
}

export function isKnownChannel(channel: number): boolean {
  return BY_CHANNEL[channel] !== undefined;
}

/** A frame decoder that rejects unknown channels at the header. */
export function createFrameDecoder(options: Omit<FrameDecoderOptions, 'isKnownChannel'> = {}) {
  return new FrameDecoder({ ...options, isKnownChannel });
}

function runValidate(info: MessageInfo, value: Message): void {
  const reason = info.validate?.(value as never);
  if (reason) throw new ProtocolError('invalid_value', reason, info.type);
}

/** Encodes a message into a complete frame (header + payload). */
export function encodeMessage(message: Message): Uint8Array {
  const info = BY_TYPE.get(message?.type);
  if (!info)
    throw new ProtocolError('unknown_tag', `unknown message type ${String(message?.type)}`);
  runValidate(info, message);
  const record = message as unknown as Record<string, unknown>;
  let capacity = HEADER_BYTES + 1;
  for (const [name, field] of info.fields) capacity += field.maxSize(record[name]);
  const w = new Writer(capacity, HEADER_BYTES);
  w.u8(info.tag);
  for (const [name, field] of info.fields) field.write(w, record[name], `${info.type}.${name}`);
  const payloadLength = w.offset - HEADER_BYTES;
  if (payloadLength > MAX_PAYLOAD_BYTES) {
    throw new ProtocolError('frame_too_large', `payload of ${payloadLength} bytes`, info.type);
  }
  w.patch(0, 1, info.channel);
  w.patch(1, 4, payloadLength);
  return w.bytes.subarray(0, w.offset);
}

/** Encodes only the payload (tag + fields) of a message. */
export function encodePayload(message: Message): Uint8Array {
  return encodeMessage(message).subarray(HEADER_BYTES);
}

/** Decodes one payload received on `channel`. Throws {@link ProtocolError} for any defect. */
export function decodePayload(channel: number, payload: Uint8Array): Message {
  const byTag = BY_CHANNEL[channel];
  if (!byTag) throw new ProtocolError('unknown_channel', `unknown channel ${channel}`);
  if (payload.byteLength === 0) throw new ProtocolError('empty_payload', 'payload has no tag');
  const tag = payload[0] as number;
  const info = byTag[tag];
  if (!info) throw new ProtocolError('unknown_tag', `unknown tag ${tag} on channel ${channel}`);
  const r = new Reader(payload, 1);
  const out: Record<string, unknown> = { type: info.type };
  for (const [name, field] of info.fields) out[name] = field.read(r, `${info.type}.${name}`);
  if (r.remaining !== 0) {
    throw new ProtocolError(
      'trailing_bytes',
      `${r.remaining} bytes after the last field`,
      info.type,
    );
  }
  const message = out as unknown as Message;
  runValidate(info, message);
  return message;
}

/** Decodes one frame. */
export function decodeFrame(frame: Frame): Message {
  return decodePayload(frame.channel, frame.payload);
}

export type Sender = 'client' | 'server';

/** Throws `wrong_direction` unless `sender` may send this message type. */
export function assertDirection(type: MessageType, sender: Sender): void {
  const dir = messageInfo(type).dir;
  const ok = dir === 'both' || (sender === 'client' ? dir === 'c2s' : dir === 's2c');
  if (!ok) throw new ProtocolError('wrong_direction', `a ${sender} may not send ${type}`, type);
}

/** Decodes a frame sent by `sender`, checking the direction too. */
export function decodeFrameFrom(frame: Frame, sender: Sender): Message {
  const message = decodeFrame(frame);
  assertDirection(message.type, sender);
  return message;
}
