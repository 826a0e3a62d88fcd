import { MAX_CLIPBOARD_BYTES, MAX_CLIPBOARD_IMAGE_BYTES } from './limits.ts';
import type { Message, MessageOf } from './spec/index.ts';

/**
 * What one clipboard holds, in the formats the protocol carries: plain text always (empty for an
 * image), optionally HTML with it, or a PNG image. Host and client map messages to it and back
 * with the functions below.
 */
export interface ClipboardContent {
  readonly text: string;
  readonly html?: string | undefined;
  readonly png?: Uint8Array | undefined;
}

export type ClipboardMessage =
  | MessageOf<'clipboardText'>
  | MessageOf<'clipboardHtml'>
  | MessageOf<'clipboardImage'>;

/** Per-format size limits (bytes); the protocol's by default, a host may set lower ones. */
export interface ClipboardLimits {
  readonly textBytes: number;
  readonly imageBytes: number;
}

export const DEFAULT_CLIPBOARD_LIMITS: ClipboardLimits = {
  textBytes: MAX_CLIPBOARD_BYTES,
  imageBytes: MAX_CLIPBOARD_IMAGE_BYTES,
};

export function isClipboardMessage(m: Message): m is ClipboardMessage {
  return m.type === 'clipboardText' || m.type === 'clipboardHtml' || m.type === 'clipboardImage';
}

/** The content a clipboard message carries. */
export function clipboardContentOf(m: ClipboardMessage): ClipboardContent {
  if (m.type === 'clipboardImage') return { text: '', png: m.png };
  if (m.type === 'clipboardHtml') return { text: m.text, html: m.html };
  return { text: m.text };
}

/** The one message that carries `c` (an image wins over HTML, non-empty HTML over plain text). */
export function clipboardMessageOf(c: ClipboardContent): ClipboardMessage {
  if (c.png) return { type: 'clipboardImage', png: c.png };
  if (c.html !== undefined && c.html !== '')
    return { type: 'clipboardHtml', html: c.html, text: c.text };
  return { type: 'clipboardText', text: c.text };
}

/** Nothing worth synchronising (an empty selection, e.g. after a page cleared it). */
export function isEmptyClipboard(c: ClipboardContent): boolean {
  return !c.png?.byteLength && c.text === '' && !c.html;
}

const encoder = new TextEncoder();

/** Whether `c` fits the limits; a message over them is never sent or applied. */
export function fitsClipboardLimits(
  c: ClipboardContent,
  limits: ClipboardLimits = DEFAULT_CLIPBOARD_LIMITS,
): boolean {
  if (c.png && c.png.byteLength > limits.imageBytes) return false;
  if (encoder.encode(c.text).byteLength > limits.textBytes) return false;
  if (c.html !== undefined && encoder.encode(c.html).byteLength > limits.textBytes) return false;
  return true;
}
