import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), 'vectors');

/** `.hex` files: hex digits, whitespace ignored, `#` starts a comment line. */
export function readVector(type: string): Uint8Array {
  const text = readFileSync(join(VECTOR_DIR, `${type}.hex`), 'utf8');
  const digits = text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('')
    .replace(/\s+/g, '');
  return Uint8Array.from(digits.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

export function writeVector(type: string, channel: string, frame: Uint8Array): void {
  const hex = Array.from(frame, (b) => b.toString(16).padStart(2, '0'));
  const lines: string[] = [`# ${channel}/${type}: channel, u32 length (LE), tag, fields`];
  for (let i = 0; i < hex.length; i += 32) lines.push(hex.slice(i, i + 32).join(' '));
  writeFileSync(join(VECTOR_DIR, `${type}.hex`), `${lines.join('\n')}\n`);
}

export function vectorTypes(): string[] {
  return readdirSync(VECTOR_DIR)
    .filter((f) => f.endsWith('.hex'))
    .map((f) => f.slice(0, -4))
    .sort();
}
