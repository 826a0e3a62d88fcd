import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionExtension } from '@browserpane/api/contract';
import { writeZip, type ZipInput } from '@browserpane/api/extension-archive';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { warmCompatible } from '../sessions/display-session.ts';
import type { ExtensionSource } from './extension-source.ts';
import { extensionsDir, unpackExtensions } from './unpack.ts';

const ID = '01936b2a-0000-7000-8000-00000000000a';
const files: ZipInput[] = [
  { name: 'ext/' },
  {
    name: 'ext/manifest.json',
    data: JSON.stringify({
      manifest_version: 3,
      name: 'Paint',
      version: '1.0',
      content_scripts: [{ matches: ['<all_urls>'], js: ['js/paint.js'] }],
    }),
  },
  { name: 'ext/js/paint.js', data: 'document.title = "painted";' },
];

function described(bytes: Uint8Array, id = ID): SessionExtension {
  return {
    extension_id: id,
    name: 'Paint',
    version: '1.0',
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** The archives "the edge" holds (the download itself is tested against the real edge). */
function source(archives: Record<string, Uint8Array>): ExtensionSource {
  return {
    download: async (_session, ext) => {
      const got = archives[ext.extension_id];
      if (!got) throw new Error('edge answered 404');
      return got;
    },
  };
}

describe('unpacking a session’s extensions', () => {
  const dirs: string[] = [];
  const sessionDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'bp-ext-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('unpacks below the session directory, readable by another user, with the load flags', async () => {
    const bytes = await writeZip(files);
    const dir = sessionDir();
    const got = await unpackExtensions(
      source({ [ID]: bytes }),
      's1',
      dir,
      [described(bytes)],
      silentLogger,
    );
    const target = join(extensionsDir(dir), ID);
    expect(got.failed).toEqual([]);
    expect(got.loaded).toEqual([{ id: ID, name: 'Paint', version: '1.0', files: 2 }]);
    expect(got.setup.chromiumArgs).toEqual([
      `--load-extension=${target}`,
      `--disable-extensions-except=${target}`,
    ]);
    expect(got.setup.browserReadablePaths).toEqual([extensionsDir(dir)]);
    expect(readFileSync(join(target, 'js', 'paint.js'), 'utf8')).toBe(
      'document.title = "painted";',
    );
    expect(statSync(join(target, 'manifest.json')).mode & 0o777).toBe(0o644);
    expect(statSync(join(target, 'js')).mode & 0o777).toBe(0o755);
    expect(statSync(extensionsDir(dir)).mode & 0o777).toBe(0o755);
  });

  it('leaves out (and reports) an archive that is not the approved one or is unsafe', async () => {
    const good = await writeZip(files);
    const other = await writeZip([...files, { name: 'ext/more.js', data: 'x' }]);
    const hostile = await writeZip([...files, { name: '../../escape', data: 'x' }]);
    const dir = sessionDir();
    const got = await unpackExtensions(
      source({ [ID]: other, b: hostile, c: good }),
      's1',
      dir,
      [
        described(good),
        { ...described(hostile), extension_id: 'b' },
        { ...described(good), extension_id: 'missing' },
      ],
      silentLogger,
    );
    expect(got.loaded).toEqual([]);
    expect(got.failed.map((f) => [f.id, f.error.slice(0, 40)])).toEqual([
      [ID, 'the archive differs from the approved on'],
      ['b', 'the archive is refused: entry "../../esc'],
      ['missing', 'edge answered 404'],
    ]);
    expect(got.setup).toEqual({});
  });

  it('a session with extensions never takes a warm runtime', () => {
    const options = {
      viewport: { width: 1280, height: 720 },
      capabilities: {},
      owner_mode: 'collaborative' as const,
      video_mode: 'roi' as const,
      idle_timeout_sec: 0,
      labels: {},
    };
    expect(warmCompatible(options, false)).toBe(true);
    expect(warmCompatible({ ...options, extensions: [] }, false)).toBe(true);
    expect(warmCompatible({ ...options, extensions: [described(new Uint8Array(1))] }, false)).toBe(
      false,
    );
  });
});
