import { ProtocolError } from '../errors.ts';
import type { Reader } from './reader.ts';
import type { Writer } from './writer.ts';

/**
 * One field's wire form. Messages are lists of these; encoders, decoders, TypeScript types and the
 * README tables all derive from them. `maxSize` is an upper bound used to size the output buffer.
 */
export interface Field<T> {
  /** Short wire description for the docs, e.g. `u16` or `utf-8, u8 length, ≤ 64 B`. */
  readonly wire: string;
  /** Largest encoded size in bytes, or `undefined` when it depends on the value (tail). */
  readonly maxBytes: number;
  /** True for a field that takes the rest of the payload (must be the last field). */
  readonly tail: boolean;
  maxSize(value: T): number;
  write(w: Writer, value: T, path: string): void;
  read(r: Reader, path: string): T;
  /** A random valid value (for property tests and fuzzing); `rand` returns [0, 1). */
  random(rand: () => number): T;
  /** Phantom marker for type inference. */
  readonly __type?: T;
}

export type FieldValue<F> = F extends Field<infer T> ? T : never;

function bad(path: string, message: string): never {
  throw new ProtocolError('out_of_range', message, path);
}

function checkInt(v: unknown, min: number, max: number, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    bad(path, `expected an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

function intField(
  wire: string,
  bytes: number,
  min: number,
  max: number,
  put: (w: Writer, v: number) => void,
  get: (r: Reader, path: string) => number,
): Field<number> {
  return {
    wire,
    maxBytes: bytes,
    tail: false,
    maxSize: () => bytes,
    write: (w, v, path) => put(w, checkInt(v, min, max, path)),
    read: get,
    random: (rand) => randomInt(rand, min, max),
  };
}

function randomInt(rand: () => number, min: number, max: number): number {
  // Favour the edges: they are where encoders break.
  const pick = rand();
  if (pick < 0.1) return min;
  if (pick < 0.2) return max;
  return min + Math.floor(rand() * (max - min + 1));
}

const SAMPLE_CHARS = ['a', 'Z', '0', ' ', '/', 'é', 'ß', '中', '😀', '\u0000', '\n'];
function randomText(rand: () => number, maxBytes: number): string {
  let out = '';
  const target = Math.floor(rand() * Math.min(maxBytes, 40));
  while (out.length < target) {
    const next = SAMPLE_CHARS[Math.floor(rand() * SAMPLE_CHARS.length)] as string;
    if (UTF8_LENGTH(out + next) > maxBytes) break;
    out += next;
  }
  return out;
}
const ENCODER = new TextEncoder();
function UTF8_LENGTH(s: string): number {
  return ENCODER.encode(s).byteLength;
}
function randomBytes(rand: () => number, maxBytes: number): Uint8Array {
  const out = new Uint8Array(Math.floor(rand() * Math.min(maxBytes, 300)));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

export const u8 = intField(
  'u8',
  1,
  0,
  0xff,
  (w, v) => w.u8(v),
  (r, p) => r.u8(p),
);
export const u16 = intField(
  'u16',
  2,
  0,
  0xffff,
  (w, v) => w.u16(v),
  (r, p) => r.u16(p),
);
export const u32 = intField(
  'u32',
  4,
  0,
  0xffff_ffff,
  (w, v) => w.u32(v),
  (r, p) => r.u32(p),
);
export const i16 = intField(
  'i16',
  2,
  -0x8000,
  0x7fff,
  (w, v) => w.i16(v),
  (r, p) => r.i16(p),
);
export const i32 = intField(
  'i32',
  4,
  -0x8000_0000,
  0x7fff_ffff,
  (w, v) => w.i32(v),
  (r, p) => r.i32(p),
);
/** 8 bytes on the wire (u64 LE) restricted to 0 … 2^53 − 1 so it stays a JS number. */
export const u53 = intField(
  'u64 (≤ 2^53 − 1)',
  8,
  0,
  Number.MAX_SAFE_INTEGER,
  (w, v) => w.u53(v),
  (r, p) => r.u53(p),
);

/** One byte, exactly 0 or 1. */
export const bool: Field<boolean> = {
  wire: 'bool (u8 0|1)',
  maxBytes: 1,
  tail: false,
  maxSize: () => 1,
  write(w, v, path) {
    if (typeof v !== 'boolean') bad(path, `expected a boolean, got ${String(v)}`);
    w.u8(v ? 1 : 0);
  },
  read(r, path) {
    const b = r.u8(path);
    if (b > 1) bad(path, `bool must be 0 or 1, got ${b}`);
    return b === 1;
  },
  random: (rand) => rand() < 0.5,
};

type LengthWidth = 1 | 2 | 4;
function lengthWidth(max: number): LengthWidth {
  return max <= 0xff ? 1 : max <= 0xffff ? 2 : 4;
}
function lengthName(width: LengthWidth): string {
  return width === 1 ? 'u8' : width === 2 ? 'u16' : 'u32';
}
function readLength(r: Reader, width: LengthWidth, path: string): number {
  return width === 1 ? r.u8(path) : width === 2 ? r.u16(path) : r.u32(path);
}
function writeLength(w: Writer, width: LengthWidth, n: number): void {
  if (width === 1) w.u8(n);
  else if (width === 2) w.u16(n);
  else w.u32(n);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 text with a length prefix just wide enough for `maxBytes`; invalid UTF-8 is rejected. */
export function str(maxBytes: number): Field<string> {
  const width = lengthWidth(maxBytes);
  return {
    wire: `utf-8, ${lengthName(width)} length, ≤ ${maxBytes} B`,
    maxBytes: width + maxBytes,
    tail: false,
    maxSize: (v) => width + (typeof v === 'string' ? v.length * 3 : 0),
    write(w, v, path) {
      if (typeof v !== 'string') bad(path, `expected a string, got ${typeof v}`);
      const at = w.offset;
      w.offset += width;
      const n = w.utf8(v);
      if (n > maxBytes) bad(path, `text is ${n} bytes, limit ${maxBytes}`);
      w.patch(at, width, n);
    },
    read(r, path) {
      const n = readLength(r, width, path);
      if (n > maxBytes) bad(path, `text is ${n} bytes, limit ${maxBytes}`);
      const raw = r.take(n, path);
      try {
        return UTF8.decode(raw);
      } catch {
        throw new ProtocolError('bad_utf8', 'invalid UTF-8', path);
      }
    },
    random: (rand) => randomText(rand, maxBytes),
  };
}

function checkBytes(v: unknown, path: string): Uint8Array {
  if (!(v instanceof Uint8Array)) bad(path, 'expected a Uint8Array');
  return v;
}

/** Opaque bytes with a length prefix just wide enough for `maxBytes`. Decoding does not copy. */
export function bytes(maxBytes: number): Field<Uint8Array> {
  const width = lengthWidth(maxBytes);
  return {
    wire: `bytes, ${lengthName(width)} length, ≤ ${maxBytes} B`,
    maxBytes: width + maxBytes,
    tail: false,
    maxSize: (v) => width + (v instanceof Uint8Array ? v.byteLength : 0),
    write(w, v, path) {
      const b = checkBytes(v, path);
      if (b.byteLength > maxBytes) bad(path, `${b.byteLength} bytes, limit ${maxBytes}`);
      writeLength(w, width, b.byteLength);
      w.put(b);
    },
    read(r, path) {
      const n = readLength(r, width, path);
      if (n > maxBytes) bad(path, `${n} bytes, limit ${maxBytes}`);
      return r.take(n, path);
    },
    random: (rand) => randomBytes(rand, maxBytes),
  };
}

/** Exactly `n` opaque bytes (a digest, say). */
export function fixedBytes(n: number): Field<Uint8Array> {
  return {
    wire: `bytes[${n}]`,
    maxBytes: n,
    tail: false,
    maxSize: () => n,
    write(w, v, path) {
      const b = checkBytes(v, path);
      if (b.byteLength !== n) bad(path, `expected exactly ${n} bytes, got ${b.byteLength}`);
      w.put(b);
    },
    read: (r, path) => r.take(n, path),
    random: (rand) => randomBytes(() => 0.999, n).map(() => Math.floor(rand() * 256)),
  };
}

/** The rest of the payload, up to `maxBytes`; must be the last field. Decoding does not copy. */
export function tail(maxBytes: number): Field<Uint8Array> {
  return {
    wire: `bytes, rest of payload, ≤ ${maxBytes} B`,
    maxBytes,
    tail: true,
    maxSize: (v) => (v instanceof Uint8Array ? v.byteLength : 0),
    write(w, v, path) {
      const b = checkBytes(v, path);
      if (b.byteLength > maxBytes) bad(path, `${b.byteLength} bytes, limit ${maxBytes}`);
      w.put(b);
    },
    read(r, path) {
      if (r.remaining > maxBytes) bad(path, `${r.remaining} bytes, limit ${maxBytes}`);
      return r.rest();
    },
    random: (rand) => randomBytes(rand, maxBytes),
  };
}

/** A named value carried as one byte; unknown bytes are rejected. */
export function enumOf<const M extends Record<string, number>>(values: M): Field<keyof M & string> {
  const byCode = new Map<number, keyof M & string>();
  for (const [name, code] of Object.entries(values)) byCode.set(code, name as keyof M & string);
  const list = Object.entries(values)
    .map(([name, code]) => `${code}=${name}`)
    .join(', ');
  return {
    wire: `u8 enum (${list})`,
    maxBytes: 1,
    tail: false,
    maxSize: () => 1,
    write(w, v, path) {
      const code = typeof v === 'string' ? values[v] : undefined;
      if (code === undefined) bad(path, `unknown value ${String(v)}`);
      w.u8(code);
    },
    read(r, path) {
      const code = r.u8(path);
      const name = byCode.get(code);
      if (name === undefined) bad(path, `unknown enum value ${code}`);
      return name;
    },
    random: (rand) => {
      const names = [...byCode.values()];
      return names[Math.floor(rand() * names.length)] as keyof M & string;
    },
  };
}

export interface FlagsOptions {
  /** Ignore (mask off) bits this version does not know instead of rejecting them. */
  readonly ignoreUnknown?: boolean;
}

/**
 * A bit set over `names` (bit i = names[i]) carried as u8/u16/u32. Unknown bits are rejected
 * unless `ignoreUnknown`, which capability sets use so newer peers can offer more.
 */
export function flags(
  width: 1 | 2 | 4,
  names: readonly string[],
  options: FlagsOptions = {},
): Field<number> {
  const bits = width * 8;
  if (names.length > bits) throw new Error(`${names.length} flags do not fit in ${bits} bits`);
  const mask = names.length === 32 ? 0xffff_ffff : (1 << names.length) - 1;
  const max = width === 4 ? 0xffff_ffff : (1 << bits) - 1;
  const wire = `${lengthName(width)} flags (${names.map((n, i) => `bit ${i}=${n}`).join(', ')})`;
  return {
    wire,
    maxBytes: width,
    tail: false,
    maxSize: () => width,
    write(w, v, path) {
      checkInt(v, 0, max, path);
      if ((v & ~mask) >>> 0 !== 0) bad(path, `reserved bits set in 0x${v.toString(16)}`);
      writeLength(w, width, v);
    },
    read(r, path) {
      const v = readLength(r, width, path);
      const unknown = (v & ~mask) >>> 0;
      if (unknown !== 0 && !options.ignoreUnknown) {
        bad(path, `reserved bits set in 0x${v.toString(16)}`);
      }
      return (v & mask) >>> 0;
    },
    random: (rand) => (Math.floor(rand() * 0x1_0000_0000) & mask) >>> 0,
  };
}
