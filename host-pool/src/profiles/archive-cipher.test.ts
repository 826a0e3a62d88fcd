import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptingStream, encryptingStream } from './archive-cipher.ts';

describe('profile archive cipher', () => {
  let dir: string;
  const key = randomBytes(32);
  const session = '0190f0e0-0000-7000-8000-000000000001';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-cipher-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const seal = async (plain: string) => {
    const file = join(dir, 'a.bpp');
    await pipeline(
      Readable.from([Buffer.from(plain)]),
      encryptingStream(key, session),
      createWriteStream(file),
    );
    return file;
  };

  it('round-trips and hides the plaintext', async () => {
    const file = await seal('cookie=secret-value');
    expect(readFileSync(file).includes(Buffer.from('secret-value'))).toBe(false);
    expect(await text(decryptingStream(file, key, session))).toBe('cookie=secret-value');
  });

  it('refuses a changed byte, another key and another session', async () => {
    const file = await seal('cookie=secret-value');
    const bytes = readFileSync(file);
    bytes[20] = (bytes[20] as number) ^ 1;
    writeFileSync(join(dir, 'b.bpp'), bytes);
    await expect(text(decryptingStream(join(dir, 'b.bpp'), key, session))).rejects.toMatchObject({
      code: 'tampered',
    });
    await expect(text(decryptingStream(file, randomBytes(32), session))).rejects.toMatchObject({
      code: 'tampered',
    });
    await expect(
      text(decryptingStream(file, key, `${session.slice(0, -1)}2`)),
    ).rejects.toMatchObject({ code: 'tampered' });
  });

  it('refuses what is not an archive', () => {
    writeFileSync(join(dir, 'c.bpp'), 'hello, this is not an archive at all');
    expect(() => decryptingStream(join(dir, 'c.bpp'), key, session)).toThrow(
      /not a BrowserPane profile archive/,
    );
  });
});
