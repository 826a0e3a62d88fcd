/** Envelope header: u8 channel + u32 payload length (LE). */
export const HEADER_BYTES = 5;
/** Largest payload a frame may declare (16 MiB). Checked before any payload byte is buffered. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Largest datagram (whole frame) a sender may emit; fits every path MTU we meet. */
export const MAX_DATAGRAM_BYTES = 1200;
/** Clipboard text/HTML limit per message. */
export const MAX_CLIPBOARD_BYTES = 1024 * 1024;
/** Clipboard image limit per message. */
export const MAX_CLIPBOARD_IMAGE_BYTES = 8 * 1024 * 1024;
/** File transfer chunk limit. */
export const MAX_FILE_CHUNK_BYTES = 64 * 1024;
/** Largest tile edge in pixels, and so the largest raw tile. */
export const MAX_TILE_SIZE = 256;
export const MAX_TILE_BYTES = MAX_TILE_SIZE * MAX_TILE_SIZE * 4 + 1024;
/** Largest cursor image edge in pixels. */
export const MAX_CURSOR_SIZE = 256;
/** Largest encoded audio / microphone packet. */
export const MAX_AUDIO_PACKET_BYTES = 8 * 1024;
/** Largest encoded camera access unit. */
export const MAX_CAMERA_PACKET_BYTES = 2 * 1024 * 1024;
/** Largest video fragment payload (a whole keyframe fits on the reliable path). */
export const MAX_VIDEO_FRAGMENT_BYTES = 8 * 1024 * 1024;
/** Identifiers (session, connection) and short names. */
export const MAX_ID_BYTES = 64;
export const MAX_NAME_BYTES = 255;
