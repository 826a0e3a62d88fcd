const ENCODER = new TextEncoder();

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
export function fitUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const n = ENCODER.encode(ch).byteLength;
    if (used + n > maxBytes) break;
    out += ch;
    used += n;
  }
  return out;
}
