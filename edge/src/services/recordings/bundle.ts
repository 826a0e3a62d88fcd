/**
 * The reference's playback export bundle: `manifest.json`, `player.html` (plays the segments one
 * after another) and `segments/NNNN-<recording_id>.webm`, streamed from the store as a ZIP.
 */
import type { PlaybackManifest } from '@browserpane/api/contract';
import { AppError } from '../../errors.ts';
import { type ArtifactStore, mapStoreError } from '../artifacts/index.ts';
import { videoKey } from './artifacts.ts';
import { bytesEntry, type ZipEntry, zipLength, zipStream } from './zip.ts';

const utf8 = new TextEncoder();

/** A page that plays the bundle's segments in order (open it from the unpacked folder). */
export function playerPage(manifest: PlaybackManifest): string {
  const files = JSON.stringify(manifest.segments.map((s) => s.file_name)).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Session ${manifest.session_id} — recording</title>
<style>body{margin:0;background:#111;color:#ddd;font:14px system-ui,sans-serif}video{display:block;width:100%;max-height:90vh;background:#000}p{margin:8px 12px}</style>
</head><body><video id="v" controls autoplay></video><p id="at"></p>
<script>
const files = ${files};
const v = document.getElementById('v');
const at = document.getElementById('at');
let i = 0;
function play(n) {
  i = n;
  at.textContent = 'Segment ' + (n + 1) + ' of ' + files.length + ': ' + files[n];
  v.src = files[n];
  v.play().catch(() => {});
}
v.addEventListener('ended', () => { if (i + 1 < files.length) play(i + 1); });
if (files.length) play(0); else at.textContent = 'No segment to play.';
</script></body></html>
`;
}

/** The bundle's members, in order; segment bytes are read from the store when streamed. */
export function bundleEntries(
  store: ArtifactStore,
  manifest: PlaybackManifest,
  now: Date,
): ZipEntry[] {
  const entries: ZipEntry[] = [
    bytesEntry('manifest.json', utf8.encode(`${JSON.stringify(manifest, null, 2)}\n`), now),
    bytesEntry('player.html', utf8.encode(playerPage(manifest)), now),
  ];
  for (const s of manifest.segments) {
    entries.push({
      name: s.file_name,
      size: s.bytes ?? 0,
      modified: new Date(s.completed_at ?? s.started_at),
      open: async () => {
        const object = await store
          .get(videoKey(manifest.session_id, s.recording_id))
          .catch(mapStoreError);
        if (!object)
          throw new AppError('artifact_store_unavailable', `segment ${s.recording_id} is missing`);
        return object.body;
      },
    });
  }
  return entries;
}

/** The bundle as a response body with its exact length. */
export function bundleResponse(
  store: ArtifactStore,
  manifest: PlaybackManifest,
  now: Date,
  headers: Record<string, string>,
): Response {
  const entries = bundleEntries(store, manifest, now);
  const length = zipLength(entries);
  const body = new FixedLengthStream(length);
  void zipStream(entries)
    .pipeTo(body.writable)
    .catch(() => {});
  return new Response(body.readable, {
    status: 200,
    headers: {
      ...headers,
      'content-type': 'application/zip',
      'content-length': String(length),
      'content-disposition': `attachment; filename="session-${manifest.session_id}-recording.zip"`,
      'cache-control': 'private, no-store, no-transform',
      'content-encoding': 'identity',
      'x-content-type-options': 'nosniff',
    },
  });
}
