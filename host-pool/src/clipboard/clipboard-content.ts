import { createHash } from 'node:crypto';
import {
  MAX_CLIPBOARD_BYTES,
  MAX_CLIPBOARD_IMAGE_BYTES,
  type Message,
  type MessageOf,
} from '@browserpane/protocol';

/**
 * What one clipboard holds, in the formats the protocol carries: plain text always (empty for an
 * image), optionally HTML with it, or a PNG image.
 */
export interface ClipboardContent {
  readonly text: string;
  readonly html?: string | undefined;
  readonly png?: Uint8Array | undefined;
}

/** Per-format size limits (bytes); the protocol's by default, a host may set lower ones. */
export interface ClipboardLimits {
  readonly textBytes: number;
  readonly imageBytes: number;
}

export const DEFAULT_CLIPBOARD_LIMITS: ClipboardLimits = {
  textBytes: MAX_CLIPBOARD_BYTES,
  imageBytes: MAX_CLIPBOARD_IMAGE_BYTES,
};

export type ClipboardMessage =
  | MessageOf<'clipboardText'>
  | MessageOf<'clipboardHtml'>
  | MessageOf<'clipboardImage'>;

const encoder = new TextEncoder();

/** The content a clipboard message carries. */
export function contentOf(m: ClipboardMessage): ClipboardContent {
  if (m.type === 'clipboardImage') return { text: '', png: m.png };
  if (m.type === 'clipboardHtml') return { text: m.text, html: m.html };
  return { text: m.text };
}

/** The one message that carries `c` (an image wins over text, HTML over plain text). */
export function messageOf(c: ClipboardContent): ClipboardMessage {
  if (c.png) return { type: 'clipboardImage', png: c.png };
  if (c.html !== undefined) return { type: 'clipboardHtml', html: c.html, text: c.text };
  return { type: 'clipboardText', text: c.text };
}

/** Nothing worth synchronising (an empty selection, e.g. after a page cleared it). */
export function isEmpty(c: ClipboardContent): boolean {
  return !c.png?.byteLength && c.text === '' && !c.html;
}

/** Whether `c` fits the limits; a message over them is never sent or applied. */
export function fitsLimits(c: ClipboardContent, limits: ClipboardLimits): boolean {
  if (c.png && c.png.byteLength > limits.imageBytes) return false;
  if (encoder.encode(c.text).byteLength > limits.textBytes) return false;
  if (c.html !== undefined && encoder.encode(c.html).byteLength > limits.textBytes) return false;
  return true;
}

/**
 * A digest of the content (format tags included), used to suppress echoes: content a side has
 * just received is never sent back to where it came from.
 */
export function contentHash(c: ClipboardContent): string {
  const h = createHash('sha256');
  const part = (tag: string, bytes: Uint8Array) => {
    h.update(`${tag}:${bytes.byteLength}:`);
    h.update(bytes);
  };
  part('t', encoder.encode(c.text));
  if (c.html !== undefined) part('h', encoder.encode(c.html));
  if (c.png) part('p', c.png);
  return h.digest('hex');
}

/** Type guard for the messages this feature handles. */
export function isClipboardMessage(m: Message): m is ClipboardMessage {
  return m.type === 'clipboardText' || m.type === 'clipboardHtml' || m.type === 'clipboardImage';
}
