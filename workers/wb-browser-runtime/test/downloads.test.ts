// The download verb (Playwright download, blob/data URL, signed URL behind the SSRF guard) and
// passive capture of every browser download.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byType, type Frame, last, Sidecar } from './helpers/sidecar.ts';
import { type Site, startSite } from './helpers/site.ts';
import { tempDir } from './helpers/tmp.ts';

let site: Site;

beforeAll(async () => {
  site = await startSite();
});

afterAll(async () => {
  await site?.close();
});

function complete(frames: Frame[]): Frame {
  expect(last(frames).type, JSON.stringify(frames)).toBe('slice.complete');
  return frames.find((f) => f.type === 'verb.complete' && f.verb === 'download') as Frame;
}

describe('download verb and passive capture', () => {
  let sidecar: Sidecar;
  const artifacts = tempDir();
  beforeAll(async () => {
    sidecar = new Sidecar({
      WB_BROWSER_VENDOR: 'local',
      WB_ARTIFACTS_DIR: artifacts.path,
      WB_ALLOW_PRIVATE_DOWNLOAD_IP: '1',
    });
    await sidecar.hello();
    const frames = await sidecar.slice({
      session: 'd',
      verbs: [{ goto: `${site.url}/downloads` }],
    });
    expect(last(frames).type).toBe('slice.complete');
  });
  afterAll(async () => {
    await sidecar?.shutdown();
    artifacts.remove();
  });
  const run = (verbs: unknown[]) => sidecar.slice({ session: 'd', verbs });

  it('saves an attachment through the Playwright download', async () => {
    const frames = await run([{ download: '#file' }]);
    const saved = byType(frames, 'slice.artifact_saved');
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({
      filename: 'report.csv',
      path: join(artifacts.path, 'report.csv'),
      bytes: 'file report.csv\n'.length,
      source: 'download',
      provenance: {
        url: `${site.url}/files/report.csv`,
        suggested_filename: 'report.csv',
        page_url: `${site.url}/downloads`,
        verb_index: 0,
        verb_name: 'download',
        ts: expect.any(String),
      },
    });
    expect(complete(frames).summary).toBe('→ report.csv');
    expect(readFileSync(join(artifacts.path, 'report.csv'), 'utf8')).toBe('file report.csv\n');
    // a second capture of the same name gets a suffix
    const again = await run([{ download: { selector: '#file', timeout: '5s' } }]);
    expect(complete(again).summary).toBe('→ report-2.csv');
  });

  it('honours an explicit path', async () => {
    const frames = await run([{ download: { selector: '#file', path: 'exports/monthly.csv' } }]);
    expect(complete(frames).summary).toBe('→ exports/monthly.csv');
    expect(existsSync(join(artifacts.path, 'exports/monthly.csv'))).toBe(true);
  });

  it('captures blob: and data: downloads', async () => {
    const blob = await run([{ download: '#blob' }]);
    expect(complete(blob).summary).toBe('→ blob-export.csv');
    expect(readFileSync(join(artifacts.path, 'blob-export.csv'), 'utf8')).toBe('id,total\n1,42\n');
    const data = await run([{ download: '#data' }]);
    expect(complete(data).summary).toBe('→ note.txt');
    expect(readFileSync(join(artifacts.path, 'note.txt'), 'utf8')).toBe('data url body');
  });

  it('fetches a signed URL from the page API on an allowed host', async () => {
    const frames = await run([
      { download: { selector: '#signed', signed_url: { hosts: ['localhost'] } } },
    ]);
    const [saved] = byType(frames, 'slice.artifact_saved');
    expect(saved).toMatchObject({
      filename: 'export.csv',
      provenance: {
        url: null,
        signed_url: `${site.signedHost}/signed/export.csv?<redacted>`,
        api_url: `${site.url}/api/export`,
        field: 'download_url',
        capture: 'signed_url',
        content_type: 'text/csv',
        verb_name: 'download',
      },
    });
    expect(readFileSync(join(artifacts.path, 'export.csv'), 'utf8')).toBe('id,total\n7,99\n');
    expect(sidecar.stdout).not.toContain('topsecret123');
  });

  it('reports an expired signed URL', async () => {
    const frames = await run([
      { download: { selector: '#expired', timeout: 1500, signed_url: { hosts: ['localhost'] } } },
    ]);
    expect(byType(frames, 'slice.download_failed')[0]).toMatchObject({
      verb: 'download',
      capture: 'signed_url',
      reason: 'http_error',
      http_status: 403,
      expired: true,
      signed_url: `${site.signedHost}/signed/expired.csv?<redacted>`,
    });
    expect(byType(frames, 'verb.failed')[0]).toMatchObject({ code: 'INTERNAL_ERROR' });
  });

  it('fails with download_failed when nothing is captured', async () => {
    const frames = await run([{ download: { selector: '#nothing', timeout: '800ms' } }]);
    expect(byType(frames, 'slice.download_failed')[0]).toMatchObject({
      verb: 'download',
      verb_index: 0,
      selector: '#nothing',
      timeout_ms: 800,
      page_url: `${site.url}/downloads`,
    });
    const failed = byType(frames, 'verb.failed')[0];
    expect(failed?.code).toBe('INTERNAL_ERROR');
    expect(String(failed?.error)).toMatch(
      /^download: no file captured within 800ms after clicking #nothing \(page=http/,
    );
  });

  it('a missing element is SELECTOR_NOT_FOUND; a missing selector is required', async () => {
    expect(
      byType(await run([{ download: { selector: '#gone', timeout: 400 } }]), 'verb.failed')[0]
        ?.code,
    ).toBe('SELECTOR_NOT_FOUND');
    expect(byType(await run([{ download: {} }]), 'verb.failed')[0]?.error).toBe(
      'download: `selector` is required',
    );
  });

  it('captures downloads passively from any page', async () => {
    // a download begins a moment after the click that causes it: give it that moment
    const settle = { eval: 'await new Promise((r) => setTimeout(r, 400))' };
    const frames = await run([{ click: '#file' }, { click: '#popup' }, settle]);
    const saved = byType(frames, 'slice.artifact_saved');
    expect(saved.map((f) => f.filename).sort()).toEqual(['popup.csv', 'report-3.csv']);
    const popup = saved.find((f) => f.filename === 'popup.csv');
    expect(popup).toMatchObject({
      source: 'download',
      provenance: { url: `${site.url}/files/popup.csv` },
    });
    // attributed to the verb running when the download began: the click, or the one after it
    expect([1, 2]).toContain(
      (popup?.provenance as { verb_index?: number } | undefined)?.verb_index,
    );
    expect(frames.findIndex((f) => f.type === 'slice.artifact_saved')).toBeLessThan(
      frames.length - 1,
    );
  });

  it('reports signed object-store URLs that no download verb captured', async () => {
    const frames = await run([{ click: '#s3' }, { wait_for: "#status:has-text('s3 ready')" }]);
    const [skipped] = byType(frames, 'slice.download_skipped');
    expect(skipped).toMatchObject({
      reason: 'signed_url_not_captured',
      capture: 'signed_url',
      signed_url: 'https://wb-test-bucket.s3.us-east-1.amazonaws.com/exports/e.csv?<redacted>',
      api_url: `${site.url}/api/s3-export`,
      field: 'url',
      host: 'wb-test-bucket.s3.us-east-1.amazonaws.com',
      verb_index: 1,
      verb_name: 'wait_for',
      hint: expect.any(String),
    });
    // reported once per process
    const again = await run([
      { eval: "document.querySelector('#status').textContent = ''" },
      { click: '#s3' },
      { wait_for: "#status:has-text('s3 ready')" },
    ]);
    expect(byType(again, 'slice.download_skipped')).toHaveLength(0);
  });
});

describe('extension allowlist and missing artifacts dir', () => {
  it('rejects and skips downloads outside WB_BROWSER_DOWNLOAD_EXTENSIONS', async () => {
    const artifacts = tempDir();
    const sidecar = new Sidecar({
      WB_BROWSER_VENDOR: 'local',
      WB_ARTIFACTS_DIR: artifacts.path,
      WB_BROWSER_DOWNLOAD_EXTENSIONS: '.CSV, pdf',
    });
    await sidecar.hello();
    const frames = await sidecar.slice({
      verbs: [{ goto: `${site.url}/downloads` }, { download: '#exe' }],
    });
    expect(byType(frames, 'verb.failed')[0]).toMatchObject({
      code: 'INTERNAL_ERROR',
      error: 'download: file "tool.exe" rejected by WB_BROWSER_DOWNLOAD_EXTENSIONS',
    });
    const settle = { eval: 'await new Promise((r) => setTimeout(r, 400))' };
    const passive = await sidecar.slice({ verbs: [{ click: '#exe' }, { click: '#file' }, settle] });
    expect(byType(passive, 'slice.download_skipped')[0]).toMatchObject({
      reason: 'extension_not_in_allowlist',
      suggested_filename: 'tool.exe',
      url: `${site.url}/files/tool.exe`,
    });
    expect(['click', 'eval']).toContain(byType(passive, 'slice.download_skipped')[0]?.verb_name);
    expect(byType(passive, 'slice.artifact_saved').map((f) => f.filename)).toEqual(['report.csv']);
    expect(existsSync(join(artifacts.path, 'tool.exe'))).toBe(false);
    await sidecar.shutdown();
    artifacts.remove();
  });

  it('download, save and announce_artifact need WB_ARTIFACTS_DIR', async () => {
    const sidecar = new Sidecar({ WB_BROWSER_VENDOR: 'local' });
    await sidecar.hello();
    for (const verb of [
      { download: '#file' },
      { save: { name: 'x', value: 1 } },
      { announce_artifact: { path: 'x', label: 'y' } },
    ]) {
      const frames = await sidecar.slice({ verbs: [verb] });
      expect(String(byType(frames, 'verb.failed')[0]?.error)).toMatch(
        /\$WB_ARTIFACTS_DIR is not set/,
      );
    }
    // without an artifacts dir a plain click on an attachment saves nothing
    const frames = await sidecar.slice({
      verbs: [
        { goto: `${site.url}/downloads` },
        { click: '#file' },
        { eval: 'await new Promise((r) => setTimeout(r, 400))' },
      ],
    });
    expect(byType(frames, 'slice.artifact_saved')).toHaveLength(0);
    await sidecar.shutdown();
  });
});
