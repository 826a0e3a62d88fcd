/** Text codecs and big-endian integer helpers shared by the wire client's encoders and decoders. */

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

export function int32(b: Uint8Array, at: number): number {
  return (
    ((b[at] as number) << 24) |
    ((b[at + 1] as number) << 16) |
    ((b[at + 2] as number) << 8) |
    (b[at + 3] as number)
  );
}

export function int16(b: Uint8Array, at: number): number {
  return ((((b[at] as number) << 8) | (b[at + 1] as number)) << 16) >> 16;
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
