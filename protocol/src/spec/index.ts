import { controlChannel } from './control.ts';
import type { ChannelSpec, MessagesOf } from './define.ts';
import { fileDownChannel, fileUpChannel } from './files.ts';
import { clipboardChannel, cursorChannel, inputChannel } from './input.ts';
import { audioOutChannel, cameraChannel, micChannel, videoChannel } from './media.ts';
import { tilesChannel } from './tiles.ts';

/** Every channel of protocol v1, in id order. The single declaration of the wire. */
export const CHANNELS = [
  controlChannel,
  inputChannel,
  cursorChannel,
  clipboardChannel,
  fileUpChannel,
  fileDownChannel,
  tilesChannel,
  videoChannel,
  audioOutChannel,
  micChannel,
  cameraChannel,
] as const satisfies readonly ChannelSpec[];

/** Any decoded protocol message, discriminated by `type`. */
export type Message =
  | MessagesOf<typeof controlChannel>
  | MessagesOf<typeof inputChannel>
  | MessagesOf<typeof cursorChannel>
  | MessagesOf<typeof clipboardChannel>
  | MessagesOf<typeof fileUpChannel>
  | MessagesOf<typeof fileDownChannel>
  | MessagesOf<typeof tilesChannel>
  | MessagesOf<typeof videoChannel>
  | MessagesOf<typeof audioOutChannel>
  | MessagesOf<typeof micChannel>
  | MessagesOf<typeof cameraChannel>;

export type MessageType = Message['type'];

/** The message with a given `type`. */
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

export type ChannelName = (typeof CHANNELS)[number]['name'];

/** Channel id by name. */
export const CHANNEL_IDS = Object.fromEntries(CHANNELS.map((c) => [c.name, c.id])) as Record<
  ChannelName,
  number
>;

export {
  audioOutChannel,
  cameraChannel,
  clipboardChannel,
  controlChannel,
  cursorChannel,
  fileDownChannel,
  fileUpChannel,
  inputChannel,
  micChannel,
  tilesChannel,
  videoChannel,
};
