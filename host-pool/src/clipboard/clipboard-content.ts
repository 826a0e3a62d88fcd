import { createHash } from 'node:crypto';
import type { ClipboardContent } from '@browserpane/protocol';

/**
 * The clipboard message ↔ content mapping and limits are the protocol's (declared once, shared
 * with the client): re-exported here under the host's names.
 */
export {
  type ClipboardContent,
  type ClipboardLimits,
  type ClipboardMessage,
  clipboardContentOf as contentOf,
  clipboardMessageOf as messageOf,
  DEFAULT_CLIPBOARD_LIMITS,
  fitsClipboardLimits as fitsLimits,
  isClipboardMessage,
  isEmptyClipboard as isEmpty,
} from '@browserpane/protocol';

const encoder = new TextEncoder();

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
