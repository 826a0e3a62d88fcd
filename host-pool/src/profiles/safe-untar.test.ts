import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileArchiveError } from './archive-cipher.ts';
import { PROFILE_TOPS } from './profile-tar.ts';
import { safeSegments, untarSafely } from './safe-untar.ts';

const limits = { maxBytes: 10 * 1024 * 1024, maxEntries: 1000 };

/** A raw tar header block (ustar) for `name` of `type` and `size`, with its checksum. */
function header(name: string, type: string, size: number, linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000600\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\u000000', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

function entry(name: string, content: string | null, type = '0', linkname = ''): Buffer {
  const data = Buffer.from(content ?? '');
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header(name, type, data.length, linkname), data, pad]);
}

function tarOf(...entries: Buffer[]): Buffer {
  return Buffer.concat([...entries, Buffer.alloc(1024)]);
}

describe('untarSafely', () => {
  let dir: string;
  let dest: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bp-untar-'));
    dest = join(dir, 'dest');
    mkdirSync(dest);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const unpack = (tar: Buffer, l = limits) => {
    const file = join(dir, 'a.tar');
    writeFileSync(file, tar);
    return untarSafely(file, dest, PROFILE_TOPS, l);
  };

  it('unpacks what GNU tar made of a profile, long names included, and leaves links out', async () => {
    const src = join(dir, 'src');
    const deep = join(src, 'profile', 'Default', 'a'.repeat(90), 'b'.repeat(90));
    mkdirSync(deep, { recursive: true });
    mkdirSync(join(src, 'downloads'));
    writeFileSync(join(deep, 'Cookies'), 'cookie-db');
    writeFileSync(join(src, 'downloads', 'report.txt'), 'downloaded');
    symlinkSync('/etc/passwd', join(src, 'profile', 'escape'));
    const made = spawnSync('tar', [
      '--create',
      '--format=gnu',
      '-f',
      join(dir, 'g.tar'),
      '-C',
      src,
      'profile',
      'downloads',
    ]);
    expect(made.status).toBe(0);
    const result = await untarSafely(join(dir, 'g.tar'), dest, PROFILE_TOPS, limits);
    expect(
      readFileSync(
        join(dest, 'profile', 'Default', 'a'.repeat(90), 'b'.repeat(90), 'Cookies'),
        'utf8',
      ),
    ).toBe('cookie-db');
    expect(readFileSync(join(dest, 'downloads', 'report.txt'), 'utf8')).toBe('downloaded');
    expect(existsSync(join(dest, 'profile', 'escape'))).toBe(false);
    expect(result).toMatchObject({ files: 2, skipped: 1 });
  });

  it('refuses absolute paths, .. and names outside profile/ and downloads/', async () => {
    for (const bad of [
      '/etc/cron.d/x',
      'profile/../../x',
      '../x',
      'home/.bashrc',
      'profile/a/../../../x',
    ]) {
      rmSync(dest, { recursive: true, force: true });
      mkdirSync(dest);
      await expect(unpack(tarOf(entry(bad, 'x')))).rejects.toMatchObject({ code: 'unsafe_entry' });
    }
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('never makes a symbolic or hard link, and never writes through one', async () => {
    const result = await unpack(
      tarOf(
        entry('profile/link', null, '2', '/etc/passwd'),
        entry('profile/hard', null, '1', 'profile/x'),
      ),
    );
    expect(result.skipped).toBe(2);
    expect(existsSync(join(dest, 'profile', 'link'))).toBe(false);
    // a file named twice (a second entry that would overwrite the first) fails the unpacking
    await expect(
      unpack(tarOf(entry('profile/f', 'a'), entry('profile/f', 'b'))),
    ).rejects.toBeInstanceOf(ProfileArchiveError);
    expect(lstatSync(join(dest, 'profile', 'f')).isFile()).toBe(true);
  });

  it('stops at the size and entry caps', async () => {
    await expect(
      unpack(tarOf(entry('profile/big', 'x'.repeat(2048))), { maxBytes: 1024, maxEntries: 10 }),
    ).rejects.toMatchObject({ code: 'too_large' });
    const many = Array.from({ length: 5 }, (_, i) => entry(`profile/f${i}`, 'x'));
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest);
    await expect(unpack(tarOf(...many), { maxBytes: 1024, maxEntries: 3 })).rejects.toMatchObject({
      code: 'too_large',
    });
  });

  it('refuses a truncated archive and a corrupted header', async () => {
    const good = tarOf(entry('profile/f', 'hello'));
    await expect(unpack(good.subarray(0, 600))).rejects.toMatchObject({ code: 'bad_tar' });
    const bad = Buffer.from(good);
    bad[10] = 0x41;
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest);
    await expect(unpack(bad)).rejects.toMatchObject({ code: 'bad_tar' });
  });
});

describe('safeSegments', () => {
  it('keeps plain relative paths under the allowed tops', () => {
    expect(safeSegments('./profile/Default/Cookies', PROFILE_TOPS)).toEqual([
      'profile',
      'Default',
      'Cookies',
    ]);
    expect(() => safeSegments('profile/a\u0000b', PROFILE_TOPS)).toThrow(ProfileArchiveError);
  });
});
