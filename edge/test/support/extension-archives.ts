/** Extension archives for tests: a good one whose content script paints the page, and bad ones. */
import { writeZip, type ZipInput } from '@browserpane/api/extension-archive';

/** The colour the test extension paints every page's background (and the text it inserts). */
export const PAINT = {
  rgb: [255, 0, 255] as const,
  css: 'rgb(255, 0, 255)',
  text: 'PAINTED-BY-EXTENSION',
};

export function paintManifest(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    manifest_version: 3,
    name: 'Paint the page',
    version: '1.0.0',
    description: 'Paints every page magenta (BrowserPane tests).',
    content_scripts: [{ matches: ['<all_urls>'], js: ['paint.js'], run_at: 'document_end' }],
    ...extra,
  });
}

const PAINT_SCRIPT = `
const style = document.createElement('style');
style.textContent = 'html, body { background: ${PAINT.css} !important; }';
document.documentElement.appendChild(style);
const note = document.createElement('div');
note.id = 'browserpane-extension-note';
note.textContent = '${PAINT.text}';
document.body?.appendChild(note);
`;

export function paintFiles(manifest = paintManifest()): ZipInput[] {
  return [
    { name: 'manifest.json', data: manifest },
    { name: 'paint.js', data: PAINT_SCRIPT },
  ];
}

export function paintArchive(manifest?: string): Promise<Uint8Array> {
  return writeZip(paintFiles(manifest));
}

/** Archives the edge must refuse, each with the code it answers. */
export async function badArchives(): Promise<
  Array<{ name: string; bytes: Uint8Array; code: string }>
> {
  const good = paintFiles();
  return [
    {
      name: 'not a zip',
      bytes: new TextEncoder().encode('just text'),
      code: 'extension_archive_invalid',
    },
    {
      name: 'path traversal',
      bytes: await writeZip([...good, { name: '../../etc/cron.d/x', data: 'x' }]),
      code: 'extension_archive_invalid',
    },
    {
      name: 'absolute path',
      bytes: await writeZip([...good, { name: '/tmp/x', data: 'x' }]),
      code: 'extension_archive_invalid',
    },
    {
      name: 'symlink',
      bytes: await writeZip([...good, { name: 'l', data: '/etc/passwd', mode: 0o120777 }]),
      code: 'extension_archive_invalid',
    },
    {
      name: 'no manifest',
      bytes: await writeZip([{ name: 'paint.js', data: 'x' }]),
      code: 'extension_manifest_invalid',
    },
    {
      name: 'manifest not JSON',
      bytes: await writeZip([{ name: 'manifest.json', data: '{' }]),
      code: 'extension_manifest_invalid',
    },
    {
      name: 'manifest v2',
      bytes: await paintArchive(paintManifest({ manifest_version: 2 })),
      code: 'extension_manifest_invalid',
    },
    {
      name: 'manifest without a version',
      bytes: await paintArchive(paintManifest({ version: undefined })),
      code: 'extension_manifest_invalid',
    },
    {
      name: 'content script missing',
      bytes: await writeZip([{ name: 'manifest.json', data: paintManifest() }]),
      code: 'extension_manifest_invalid',
    },
  ];
}
