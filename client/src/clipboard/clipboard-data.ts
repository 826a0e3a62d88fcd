import {
  MAX_CLIPBOARD_BYTES,
  MAX_CLIPBOARD_IMAGE_BYTES,
  type Message,
  type MessageOf,
} from '@browserpane/protocol';

/** Clipboard contents as the SDK exchanges them: text, HTML with its text, or a PNG image. */
export interface ClipboardData {
  readonly text: string;
  readonly html?: string | undefined;
  readonly png?: Uint8Array | undefined;
}

export type ClipboardMessage =
  | MessageOf<'clipboardText'>
  | MessageOf<'clipboardHtml'>
  | MessageOf<'clipboardImage'>;

/** Stable codes of clipboard failures. */
export type ClipboardErrorCode =
  /** Over the protocol's clipboard limit (1 MiB text/HTML, 8 MiB image). */
  | 'clipboard_too_large'
  /** This participant may not set the remote clipboard (viewer, capability off, not driving). */
  | 'not_permitted'
  /** The browser refused access to the local clipboard. */
  | 'local_clipboard_unavailable';

export class ClipboardError extends Error {
  override readonly name = 'ClipboardError';
  constructor(
    readonly code: ClipboardErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const encoder = new TextEncoder();

export function isClipboardMessage(m: Message): m is ClipboardMessage {
  return m.type === 'clipboardText' || m.type === 'clipboardHtml' || m.type === 'clipboardImage';
}

export function dataOf(m: ClipboardMessage): ClipboardData {
  if (m.type === 'clipboardImage') return { text: '', png: m.png };
  if (m.type === 'clipboardHtml') return { text: m.text, html: m.html };
  return { text: m.text };
}

/** The one message carrying `d` (image over HTML over text). */
export function messageOf(d: ClipboardData): ClipboardMessage {
  if (d.png) return { type: 'clipboardImage', png: d.png };
  if (d.html !== undefined && d.html !== '')
    return { type: 'clipboardHtml', html: d.html, text: d.text };
  return { type: 'clipboardText', text: d.text };
}

export function isEmptyData(d: ClipboardData): boolean {
  return !d.png?.byteLength && d.text === '' && !d.html;
}

/** Whether `d` fits the protocol's limits (a frame over them would close the connection). */
export function fitsProtocol(d: ClipboardData): boolean {
  if (d.png) return d.png.byteLength <= MAX_CLIPBOARD_IMAGE_BYTES;
  if (encoder.encode(d.text).byteLength > MAX_CLIPBOARD_BYTES) return false;
  return d.html === undefined || encoder.encode(d.html).byteLength <= MAX_CLIPBOARD_BYTES;
}

/**
 * FNV-1a (32-bit) over the format tags, lengths and contents: a cheap digest to recognise
 * content that came from the remote side, so it is not sent back (echo suppression).
 */
export function dataHash(d: ClipboardData): string {
  let h = 0x811c9dc5;
  const mix = (n: number) => {
    h ^= n & 0xff;
    h = Math.imul(h, 0x01000193);
  };
  const str = (tag: number, s: string) => {
    mix(tag);
    for (const b of encoder.encode(`${s.length}:`)) mix(b);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      mix(c);
      mix(c >>> 8);
    }
  };
  if (d.png) {
    mix(3);
    for (const b of encoder.encode(`${d.png.byteLength}:`)) mix(b);
    for (const b of d.png) mix(b);
  } else {
    str(1, d.text);
    if (d.html) str(2, d.html);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
