/**
 * BrowserPane protocol v1: the binary wire contract shared by host, relay, client and workers.
 * Declared once (src/spec), everything else derives from the declarations.
 * @module
 */
export * from './capabilities.ts';
export * from './clipboard.ts';
export * from './close-codes.ts';
export * from './codec.ts';
export * from './errors.ts';
export * from './fit-text.ts';
export { flagList, flagMask } from './flag-names.ts';
export * from './frame.ts';
export * from './handshake.ts';
export * from './host-wake.ts';
export * from './limits.ts';
export * from './policy.ts';
export { ACCESS_FLAG_NAMES } from './spec/control.ts';
export {
  CHANNEL_IDS,
  CHANNELS,
  type ChannelName,
  type Message,
  type MessageOf,
  type MessageType,
} from './spec/index.ts';
export { MODIFIER_NAMES, POINTER_BUTTONS } from './spec/input.ts';
export { AUDIO_CODECS } from './spec/media.ts';
export { TILE_CODECS } from './spec/tiles.ts';
export * from './tile-cache.ts';
