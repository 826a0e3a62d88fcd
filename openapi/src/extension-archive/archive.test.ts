import { describe, expect, it } from 'vitest';
import {
  EXTENSION_LIMITS,
  inspectExtensionArchive,
  ManifestError,
  readEntry,
  readZip,
  writeZip,
  type ZipEntry,
  ZipError,
  type ZipInput,
} from './index.ts';

const manifest = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    manifest_version: 3,
    name: 'Paint it',
    version: '1.0.2',
    content_scripts: [{ matches: ['<all_urls>'], js: ['content.js'] }],
    ...extra,
  });
const script = 'document.body.style.background = "rgb(255, 0, 255)";'.repeat(3);
const good: ZipInput[] = [
  { name: 'manifest.json', data: manifest() },
  { name: 'content.js', data: script },
];

async function refusal(inputs: ZipInput[] | Uint8Array): Promise<string> {
  const bytes = inputs instanceof Uint8Array ? inputs : await writeZip(inputs);
  try {
    await inspectExtensionArchive(bytes);
  } catch (err) {
    if (err instanceof ZipError) return `zip:${err.reason}`;
    if (err instanceof ManifestError) return `manifest:${err.message}`;
    throw err;
  }
  return 'accepted';
}

describe('extension archives', () => {
  it('reads a good archive: manifest facts, files, deflated content intact', async () => {
    const bytes = await writeZip(good);
    const got = await inspectExtensionArchive(bytes);
    expect(got.manifest).toEqual({
      manifestVersion: 3,
      name: 'Paint it',
      version: '1.0.2',
      description: null,
    });
    expect(got).toMatchObject({ root: '', files: 2 });
    const entry = readZip(bytes, EXTENSION_LIMITS).find((e) => e.name === 'content.js');
    expect(entry?.method).toBe(8);
    expect(new TextDecoder().decode(await readEntry(bytes, entry as never))).toBe(script);
  });

  it('accepts the extension inside one top folder', async () => {
    const got = await inspectExtensionArchive(
      await writeZip([
        { name: 'paint/' },
        { name: 'paint/manifest.json', data: manifest() },
        { name: 'paint/content.js', data: script },
      ]),
    );
    expect(got.root).toBe('paint/');
  });

  it.each([
    ['not a zip', new TextEncoder().encode('hello, not a zip at all'), 'zip:not_a_zip'],
    ['path traversal', [...good, { name: '../evil.js', data: 'x' }], 'zip:unsafe_path'],
    ['absolute path', [...good, { name: '/etc/evil', data: 'x' }], 'zip:unsafe_path'],
    ['backslash path', [...good, { name: '..\\evil', data: 'x' }], 'zip:unsafe_path'],
    ['dot segment', [...good, { name: 'a/./b.js', data: 'x' }], 'zip:unsafe_path'],
    ['symlink', [...good, { name: 'link', data: '/etc/passwd', mode: 0o120777 }], 'zip:symlink'],
    ['device', [...good, { name: 'dev', data: '', mode: 0o020644 }], 'zip:unsupported'],
    ['duplicate', [...good, { name: 'CONTENT.js', data: 'x' }], 'zip:duplicate_path'],
    ['file under a file', [...good, { name: 'content.js/x', data: 'x' }], 'zip:duplicate_path'],
    ['no manifest', [{ name: 'content.js', data: script }], 'manifest:no manifest.json'],
    [
      'manifest not JSON',
      [{ name: 'manifest.json', data: '{nope' }],
      'manifest:manifest.json is not valid JSON',
    ],
    [
      'manifest an array',
      [{ name: 'manifest.json', data: '[]' }],
      'manifest:manifest.json must hold',
    ],
    [
      'manifest v2',
      [{ name: 'manifest.json', data: manifest({ manifest_version: 2 }) }, good[1] as ZipInput],
      'manifest:manifest_version 2 is refused',
    ],
    [
      'manifest v4',
      [{ name: 'manifest.json', data: manifest({ manifest_version: 4 }) }, good[1] as ZipInput],
      'manifest:manifest_version must be 3',
    ],
    [
      'no name',
      [{ name: 'manifest.json', data: manifest({ name: '' }) }, good[1] as ZipInput],
      'manifest:name must be',
    ],
    [
      'bad version',
      [{ name: 'manifest.json', data: manifest({ version: '1.02' }) }, good[1] as ZipInput],
      'manifest:version must be',
    ],
    [
      'missing content script',
      [{ name: 'manifest.json', data: manifest() }],
      'manifest:content_scripts[0].js[0] names content.js',
    ],
    [
      'missing worker',
      [...good.slice(0, 1), good[1] as ZipInput, { name: 'm', data: 'x' }].map((e) =>
        e.name === 'manifest.json'
          ? { ...e, data: manifest({ background: { service_worker: 'sw.js' } }) }
          : e,
      ),
      'manifest:background.service_worker names sw.js',
    ],
  ] as const)('refuses %s', async (_what, input, expected) => {
    expect(await refusal(input as ZipInput[] | Uint8Array)).toMatch(
      new RegExp(`^${expected.replace(/[[\].*()]/g, '\\$&')}`),
    );
  });

  it('refuses an entry that inflates past its declared size (a bomb)', async () => {
    const bytes = await writeZip([...good, { name: 'big.txt', data: 'a'.repeat(10_000) }]);
    const entries = readZip(bytes, EXTENSION_LIMITS);
    const big = entries.find((e) => e.name === 'big.txt');
    await expect(readEntry(bytes, { ...(big as ZipEntry), size: 100 })).rejects.toMatchObject({
      reason: 'corrupt',
    });
  });

  it('refuses too many entries and too many unpacked bytes', async () => {
    const many = await writeZip([
      ...good,
      ...Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: 'x' })),
    ]);
    expect(() => readZip(many, { ...EXTENSION_LIMITS, maxEntries: 10 })).toThrow(
      /more than 10 entries/,
    );
    const big = await writeZip([...good, { name: 'big.txt', data: 'a'.repeat(5000) }]);
    expect(() => readZip(big, { ...EXTENSION_LIMITS, maxUnpackedBytes: 4000 })).toThrow(
      /unpacks to more than 4000/,
    );
    expect(() => readZip(big, { ...EXTENSION_LIMITS, maxArchiveBytes: 100 })).toThrow(
      /exceeds 100 bytes/,
    );
  });

  it('refuses a damaged entry (CRC mismatch)', async () => {
    const bytes = await writeZip([
      { name: 'manifest.json', data: manifest(), deflate: false },
      good[1] as ZipInput,
    ]);
    const at = new TextDecoder('latin1').decode(bytes).indexOf('Paint it');
    bytes[at] = 'Q'.charCodeAt(0);
    expect(await refusal(bytes)).toBe('zip:corrupt');
  });
});
