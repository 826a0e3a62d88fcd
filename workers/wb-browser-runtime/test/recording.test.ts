// Recording: rrweb events + CDP screencast encoded to VP9 WebM in-process, uploaded at shutdown.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadNodeAv } from '@browserpane/host-pool/media/node-av';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byType, Sidecar } from './helpers/sidecar.ts';
import { type Site, startSite } from './helpers/site.ts';
import { tempDir } from './helpers/tmp.ts';

let site: Site;
const scratch = tempDir();

beforeAll(async () => {
  site = await startSite();
});

afterAll(async () => {
  await site?.close();
  scratch.remove();
});

/** Decodes a WebM with node-av; returns the codec name, size and number of decoded frames. */
async function decodeWebm(
  bytes: Buffer,
): Promise<{ codec: string; width: number; height: number; frames: number }> {
  const { av } = await loadNodeAv();
  const file = join(scratch.path, `check-${Date.now()}.webm`);
  writeFileSync(file, bytes);
  const input = await av.Demuxer.open(file);
  const stream = input.video();
  if (!stream) throw new Error('no video stream');
  const decoder = await av.Decoder.create(stream);
  let frames = 0;
  for await (const packet of input.packets(stream.index)) {
    if (!packet) break;
    for (const frame of await decoder.decodeAll(packet)) {
      frames++;
      frame.free();
    }
    packet.free();
  }
  for await (const frame of decoder.flushFrames()) {
    frames++;
    frame.free();
  }
  const result = {
    codec: av.avGetCodecName(stream.codecpar.codecId) ?? '',
    width: stream.codecpar.width,
    height: stream.codecpar.height,
    frames,
  };
  decoder.close();
  await input.close();
  return result;
}

describe('recording', () => {
  it('uploads rrweb events and a decodable VP9 WebM at shutdown', async () => {
    site.uploads.length = 0;
    site.uploadStatus = 200;
    const sidecar = new Sidecar({
      WB_BROWSER_VENDOR: 'local',
      WB_RECORDING_UPLOAD_URL: `${site.url}/upload/{run_id}/{kind}?k={kind}`,
      WB_RECORDING_UPLOAD_SECRET: 'rec-secret',
      WB_RECORDING_RUN_ID: 'run 42',
      WB_RECORDING_SCREENCAST_FPS: '10',
    });
    await sidecar.hello();
    const frames = await sidecar.slice({
      session: 'rec',
      verbs: [
        { goto: `${site.url}/form` },
        { fill: { selector: '#name', value: 'Recorded Person' } },
        { click: '#submit' },
        { goto: `${site.url}/slow` },
        { wait_for: '#late' },
        { eval: 'await new Promise((r) => setTimeout(r, 300)); return 1' },
      ],
    });
    expect(frames.map((f) => f.type).slice(0, 2)).toEqual([
      'slice.session_started',
      'slice.recording.started',
    ]);
    expect(frames[1]).toEqual({
      type: 'slice.recording.started',
      session: 'rec',
      run_id: 'run 42',
      kinds: ['rrweb', 'video'],
    });
    expect(frames.at(-1)?.type).toBe('slice.complete');
    expect(await sidecar.shutdown()).toEqual({ code: 0, signal: null });

    const uploaded = byType(sidecar.frames, 'slice.recording.uploaded');
    expect(uploaded).toHaveLength(2);
    expect(site.uploads.map((u) => u.path).sort()).toEqual([
      '/upload/run%2042/rrweb?k={kind}',
      '/upload/run%2042/video?k={kind}',
    ]);

    const rrweb = site.uploads.find((u) => u.headers['x-wb-recording-kind'] === 'rrweb');
    expect(rrweb?.headers).toMatchObject({
      authorization: 'Bearer rec-secret',
      'content-type': 'application/json+gzip',
      'x-wb-run-id': 'run 42',
      'x-wb-session': 'rec',
    });
    const doc = JSON.parse(gunzipSync(rrweb?.body as Buffer).toString('utf8'));
    expect(doc).toMatchObject({ run_id: 'run 42', session: 'rec', dropped: 0 });
    expect(doc.event_count).toBe(doc.events.length);
    expect(doc.events.length).toBeGreaterThan(3);
    // a full snapshot (type 2) per recorded document
    expect(doc.events.filter((e: { type: number }) => e.type === 2).length).toBeGreaterThanOrEqual(
      2,
    );
    // maskAllInputs: the typed value is recorded masked
    const inputs = doc.events.filter(
      (e: { type: number; data: { source?: number } }) => e.type === 3 && e.data.source === 5,
    );
    expect(inputs.map((e: { data: { text: string } }) => e.data.text)).toContain(
      '*'.repeat('Recorded Person'.length),
    );
    expect(uploaded.find((f) => f.kind === 'rrweb')).toMatchObject({
      session: 'rec',
      run_id: 'run 42',
      bytes: rrweb?.body.length,
      event_count: doc.events.length,
    });

    const video = site.uploads.find((u) => u.headers['x-wb-recording-kind'] === 'video');
    expect(video?.headers).toMatchObject({
      authorization: 'Bearer rec-secret',
      'content-type': 'video/webm',
      'x-wb-session': 'rec',
    });
    expect(Number(video?.headers['content-length'])).toBe(video?.body.length);
    const decoded = await decodeWebm(video?.body as Buffer);
    expect(decoded.codec).toBe('vp9');
    expect(decoded.width).toBeGreaterThan(100);
    expect(decoded.frames).toBeGreaterThan(2);
    expect(uploaded.find((f) => f.kind === 'video')).toMatchObject({
      fps: 10,
      bytes: video?.body.length,
    });
  });

  it('reports failed uploads after retries and keeps the slice outcome', async () => {
    site.uploads.length = 0;
    site.uploadStatus = 503;
    const sidecar = new Sidecar({
      WB_BROWSER_VENDOR: 'local',
      WB_RECORDING_UPLOAD_URL: `${site.url}/upload/x`,
      WB_RECORDING_UPLOAD_SECRET: 'rec-secret',
      WB_RECORDING_VIDEO: '0',
    });
    await sidecar.hello();
    const frames = await sidecar.slice({ verbs: [{ goto: `${site.url}/list` }] });
    expect(byType(frames, 'slice.recording.started')[0]?.kinds).toEqual(['rrweb']);
    expect(await sidecar.shutdown()).toEqual({ code: 0, signal: null });
    expect(site.uploads).toHaveLength(3);
    expect(byType(sidecar.frames, 'slice.recording.failed')[0]).toMatchObject({
      kind: 'rrweb',
      status: 503,
      reason: 'upload rejected',
    });
    expect(sidecar.stderr).toContain('[retry] recording upload (rrweb) attempt 1/3 (HTTP 503)');
    site.uploadStatus = 200;
  });

  it('stays off without an upload secret', async () => {
    const sidecar = new Sidecar({
      WB_BROWSER_VENDOR: 'local',
      WB_RECORDING_UPLOAD_URL: `${site.url}/upload/x`,
    });
    await sidecar.hello();
    const frames = await sidecar.slice({ verbs: [] });
    expect(byType(frames, 'slice.recording.started')).toHaveLength(0);
    await sidecar.shutdown();
    expect(sidecar.stderr).toContain('WB_RECORDING_UPLOAD_SECRET is not');
  });
});
