import type { ClipboardContent } from '@browserpane/protocol';

/**
 * Clipboard contents as the SDK exchanges them: text, HTML with its text, or a PNG image. The
 * message ↔ content mapping and the limits are the protocol's (shared with the host).
 */
export type ClipboardData = ClipboardContent;

export {
  type ClipboardMessage,
  clipboardContentOf as dataOf,
  clipboardMessageOf as messageOf,
  fitsClipboardLimits as fitsProtocol,
  isClipboardMessage,
  isEmptyClipboard as isEmptyData,
} from '@browserpane/protocol';

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
