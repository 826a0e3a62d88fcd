import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs } from '../bench/support/api.ts';
import { launchClientBrowser } from './support/browser.ts';
import { CONSOLE_VIEWPORT, signIn, waitForFrames } from './support/console-driver.ts';
import { colourName, playRecording, probeMedia } from './support/recording-player.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { startTestSite } from './support/test-site.ts';

/** Screenshots for people to look at, kept in the repository: test/e2e/screenshots/. */
const SHOTS = join(import.meta.dirname, 'screenshots');

/** Per channel: VP8 at realtime speed and the RGB↔YUV round trip move flat colours by < 30. */
const COLOUR_TOLERANCE = 48;

interface Recording {
  id: string;
  state: string;
  duration_ms: number | null;
  bytes: number | null;
  has_audio: boolean | null;
  error: string | null;
  sequence: number;
  termination_reason: string | null;
}

describe('session recordings in real Chromium', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let site: Awaited<ReturnType<typeof startTestSite>>;
  let browser: Browser & { cleanup(): void };
  let page: Page;
  let player: Page;
  let sessionId: string;
  const dir = mkdtempSync(join(tmpdir(), 'bp-rec-e2e-'));
  const api = (method: string, path: string, body?: unknown) =>
    apiAs(page, fx.stack.url, method, path, body);
  const recordings = async () =>
    ((await api('GET', `/api/v1/sessions/${sessionId}/recordings`)) as { recordings: Recording[] })
      .recordings;
  const recording = async (id: string) =>
    (await api('GET', `/api/v1/sessions/${sessionId}/recordings/${id}`)) as Recording;
  const download = async (path: string) => {
    const token = await page.evaluate(
      () => JSON.parse(sessionStorage.getItem('bp.token') ?? '{}').accessToken as string,
    );
    const res = await fetch(`${fx.stack.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      bytes: new Uint8Array(await res.arrayBuffer()),
    };
  };
  /** Downloads `path` once it answers 200 (an export is built on the first request). */
  const downloadWhenBuilt = async (path: string, timeout: number) => {
    let got = await download(path);
    await expect
      .poll(
        async () => {
          got = await download(path);
          return got.status;
        },
        { timeout, interval: 1000 },
      )
      .toBe(200);
    return got;
  };
  /** Where the page's content is on the display (sampled in the recording). */
  let at = { x: 640, y: 500 };
  const remotePage = async () => {
    const remote = await fx.cdp(sessionId);
    const tab = remote.contexts()[0]?.pages()[0] as Page;
    at = await tab.evaluate(() => {
      const top = window.screenY + window.outerHeight - window.innerHeight;
      return {
        x: Math.round(window.screenX + window.innerWidth / 2),
        y: Math.round(top + (window.innerHeight * 2) / 3),
      };
    });
    return { remote, tab };
  };
  /** A segment records: its recorder attached, composed a picture and stored a first part. */
  const active = async () =>
    expect
      .poll(
        async () => {
          const status = (await api('GET', `/api/v1/sessions/${sessionId}/status`)) as {
            recording: { state: string; recorder_attached: boolean; bytes_written: number | null };
          };
          const r = status.recording;
          return r.state === 'recording' && r.recorder_attached && (r.bytes_written ?? 0) > 0;
        },
        { timeout: 90_000, interval: 500 },
      )
      .toBe(true);

  beforeAll(async () => {
    site = await startTestSite();
    fx = await startStackFixture({ sites: [site.url] });
    browser = await launchClientBrowser();
    page = await (await browser.newContext({ viewport: CONSOLE_VIEWPORT })).newPage();
    player = await (await browser.newContext()).newPage();
    await signIn(page, fx.stack.url);
    const created = (await api('POST', '/api/v1/sessions', {
      recording: { mode: 'always' },
    })) as { id: string };
    sessionId = created.id;
  });

  afterAll(async () => {
    // What the recorders said, for a failure's diagnosis.
    const said = fx?.logs.filter((l) => /recording worker|recorder/i.test(l)) ?? [];
    if (said.length) console.log(said.slice(-40).join('\n'));
    await browser?.close();
    await fx?.stop();
    await site?.close();
  });

  it('records an `always` session while the page changes colour: the file plays, colours and duration match', async () => {
    await active();
    const { remote, tab } = await remotePage();
    await tab.goto(`${site.url}/schedule`);
    await tab.waitForFunction(() => document.title === 'BLUE', null, { timeout: 15_000 });
    // how long the page really showed green (its timers slip under load; 2 s when idle)
    const switchedAt = await tab.evaluate(
      () => (window as unknown as { switchedAt: number[] }).switchedAt,
    );
    const greenFor = ((switchedAt[1] as number) - (switchedAt[0] as number)) / 1000;
    await new Promise((r) => setTimeout(r, 1500));
    await remote.close();
    const [first] = await recordings();
    expect(first, JSON.stringify(first)).toMatchObject({ state: 'recording', sequence: 1 });
    const id = (first as Recording).id;
    const stopped = (await api(
      'POST',
      `/api/v1/sessions/${sessionId}/recordings/${id}/stop`,
    )) as Recording;
    expect(stopped.state).toBe('finalizing');
    // Finalizing answers with the recording, never a 404.
    expect((await recording(id)).state).toMatch(/finalizing|ready/);
    await expect
      .poll(async () => (await recording(id)).state, { timeout: 60_000, interval: 500 })
      .toBe('ready');
    const ready = await recording(id);
    const file = await download(`/api/v1/sessions/${sessionId}/recordings/${id}/content`);
    expect([file.status, file.type, file.bytes.byteLength]).toEqual([
      200,
      'video/webm',
      ready.bytes,
    ]);
    const played = await playRecording(player, dir, file.bytes, { at });
    expect([played.width, played.height]).toEqual([1280, 720]);
    expect(Math.abs(played.duration * 1000 - (ready.duration_ms ?? 0))).toBeLessThanOrEqual(1000);
    expect(Math.abs(played.endedAt * 1000 - (ready.duration_ms ?? 0))).toBeLessThanOrEqual(1000);
    const names = played.samples.map(
      ([t, c]) => [Math.round(t * 100) / 100, colourName(c, COLOUR_TOLERANCE)] as const,
    );
    const firstOf = (name: string) => names.find(([, n]) => n === name)?.[0];
    const [redAt, greenAt, blueAt] = [firstOf('red'), firstOf('green'), firstOf('blue')];
    const timeline = `green shown ${greenFor.toFixed(2)} s; at ${JSON.stringify(at)}: ${JSON.stringify(names)}`;
    expect(
      [redAt, greenAt, blueAt].every((t) => t !== undefined),
      timeline,
    ).toBe(true);
    // In order, and green lasts in the file as long as the page showed it, within 0.3 s: the
    // 100 ms sampling, 15 fps frame pacing and the capture → relay → recorder path's jitter. (Hold
    // frames keep this: without them Chromium played a still picture's next frame up to 1.8 s
    // early in about one run of three.) Red's start depends on when the page first painted, so
    // its length is not checked.
    const [r, g, b] = [redAt, greenAt, blueAt] as number[];
    expect(r < (g as number) && (g as number) < (b as number), timeline).toBe(true);
    expect(greenFor, timeline).toBeGreaterThanOrEqual(1.9);
    // (on the samples' 10 ms grid: 7.0 − 4.7 − 2.0 is 0.3, not 0.30000000000000027)
    const greenError = Math.round(Math.abs((b as number) - (g as number) - greenFor) * 100) / 100;
    expect(greenError, timeline).toBeLessThanOrEqual(0.3);
    const nameAt = (t: number) =>
      names.reduce((best, s) => (Math.abs(s[0] - t) < Math.abs(best[0] - t) ? s : best))[1];
    expect(
      [(g as number) - 0.3, (g as number) + 1, (b as number) + 1].map(nameAt),
      timeline,
    ).toEqual(['red', 'green', 'blue']);
  });

  it('a new segment after a stop: two segments, and the joined export plays through both', async () => {
    const started = (await api('POST', `/api/v1/sessions/${sessionId}/recordings`)) as Recording;
    expect(started).toMatchObject({ state: 'starting', sequence: 2 });
    await active();
    const { remote, tab } = await remotePage();
    await tab.goto(`${site.url}/yellow`);
    await new Promise((r) => setTimeout(r, 3000));
    await remote.close();
    await api('POST', `/api/v1/sessions/${sessionId}/recordings/${started.id}/stop`);
    await expect
      .poll(async () => (await recording(started.id)).state, { timeout: 60_000, interval: 500 })
      .toBe('ready');
    const all = await recordings();
    expect(all.map((x) => [x.sequence, x.state])).toEqual([
      [1, 'ready'],
      [2, 'ready'],
    ]);
    const total = all.reduce((n, x) => n + (x.duration_ms ?? 0), 0);
    const path = `/api/v1/sessions/${sessionId}/recording-playback/export?format=webm`;
    const exported = await downloadWhenBuilt(path, 90_000);
    expect(exported.type).toBe('video/webm');
    const played = await playRecording(player, dir, exported.bytes, { at, rate: 2 });
    expect(Math.abs(played.duration * 1000 - total)).toBeLessThanOrEqual(1000);
    expect(Math.abs(played.endedAt * 1000 - total)).toBeLessThanOrEqual(1000);
    // It plays through both: the first segment's blue, then the second segment's yellow page.
    const seen = played.samples.map(([, c]) => colourName(c, COLOUR_TOLERANCE));
    const blue = seen.indexOf('blue');
    expect(blue, seen.join(' ')).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('yellow', blue), seen.join(' ')).toBeGreaterThan(blue);

    // The same as MP4 (H.264): built on request, then served as video/mp4.
    const mp4Path = `/api/v1/sessions/${sessionId}/recording-playback/export?format=mp4`;
    const asked = Date.now();
    const mp4 = await downloadWhenBuilt(mp4Path, 120_000);
    const builtIn = Date.now() - asked;
    expect(mp4.type).toBe('video/mp4');
    expect(Buffer.from(mp4.bytes.subarray(4, 8)).toString('latin1')).toBe('ftyp');
    const probed = await probeMedia(join(dir, 'export.mp4'), mp4.bytes);
    expect(probed.video).toBe('h264');
    expect(Math.abs(probed.durationMs - total)).toBeLessThanOrEqual(1000);
    const h264 = await player.evaluate(() =>
      document.createElement('video').canPlayType('video/mp4; codecs="avc1.640028"'),
    );
    console.log(
      `mp4 export: ${(total / 1000).toFixed(1)} s of recording built and served in ${(builtIn / 1000).toFixed(1)} s (${mp4.bytes.byteLength} B; webm ${exported.bytes.byteLength} B); this Chromium canPlayType(H.264)=${JSON.stringify(h264)}`,
    );
    if (h264 !== '') {
      const playedMp4 = await playRecording(player, dir, mp4.bytes, { at, rate: 2, type: 'mp4' });
      expect(Math.abs(playedMp4.endedAt * 1000 - total)).toBeLessThanOrEqual(1000);
      const seenMp4 = playedMp4.samples.map(([, c]) => colourName(c, COLOUR_TOLERANCE));
      const blueMp4 = seenMp4.indexOf('blue');
      expect(blueMp4, seenMp4.join(' ')).toBeGreaterThanOrEqual(0);
      expect(seenMp4.indexOf('yellow', blueMp4), seenMp4.join(' ')).toBeGreaterThan(blueMp4);
    }
  });

  it('a recorder killed mid-recording leaves a playable file up to the kill; the session keeps running', async () => {
    const started = (await api('POST', `/api/v1/sessions/${sessionId}/recordings`)) as Recording;
    await active();
    const { remote, tab } = await remotePage();
    await tab.goto(`${site.url}/schedule`);
    await new Promise((r) => setTimeout(r, 6000));
    await remote.close();
    expect(fx.stack.host?.recorders?.kill(started.id)).toBe(true);
    await expect
      .poll(async () => (await recording(started.id)).state, { timeout: 60_000, interval: 500 })
      .toBe('failed');
    const failed = await recording(started.id);
    expect(failed.error).toMatch(/stopped unexpectedly/);
    expect(failed.bytes).toBeGreaterThan(0);
    const file = await download(`/api/v1/sessions/${sessionId}/recordings/${started.id}/content`);
    expect(file.status).toBe(200);
    const played = await playRecording(player, dir, file.bytes, { at, rate: 2 });
    // Parts go up every 2 s: at most about that much is lost of the ~6 s before the kill.
    expect(played.endedAt).toBeGreaterThan(3);
    expect(played.samples.map(([, c]) => colourName(c, COLOUR_TOLERANCE))).toContain('red');
    const session = (await api('GET', `/api/v1/sessions/${sessionId}`)) as { state: string };
    expect(session.state).not.toMatch(/stop|released/);
  });

  it('records the session’s audio when asked: the file has an Opus track Chromium decodes', async () => {
    const created = (await api('POST', '/api/v1/sessions', {
      recording: { mode: 'always', include_audio: true },
    })) as { id: string };
    const list = async () =>
      (
        (await api('GET', `/api/v1/sessions/${created.id}/recordings`)) as {
          recordings: Recording[];
        }
      ).recordings;
    await expect
      .poll(async () => (await list())[0]?.state, { timeout: 90_000, interval: 500 })
      .toBe('recording');
    const remote = await fx.cdp(created.id);
    const tab = remote.contexts()[0]?.pages()[0] as Page;
    await tab.goto(`${site.url}/tone`);
    await tab.click('#play');
    await tab.waitForFunction(() => document.title === 'playing');
    await new Promise((r) => setTimeout(r, 5000));
    await remote.close();
    const [segment] = await list();
    const id = (segment as Recording).id;
    await api('POST', `/api/v1/sessions/${created.id}/recordings/${id}/stop`);
    await expect
      .poll(async () => (await list())[0]?.state, { timeout: 60_000, interval: 500 })
      .toBe('ready');
    const [ready] = await list();
    expect(ready?.has_audio).toBe(true);
    const file = await download(`/api/v1/sessions/${created.id}/recordings/${id}/content`);
    const played = await playRecording(player, dir, file.bytes, { rate: 2 });
    expect(played.audioBytes).toBeGreaterThan(0);
    await api('DELETE', `/api/v1/sessions/${created.id}`).catch(() => undefined);
  });

  it('DOM replay: an `rrweb` recording stores the page’s rrweb events gzipped; typed inputs are masked', async () => {
    const created = (await api('POST', '/api/v1/sessions', {
      recording: { mode: 'always', rrweb: true },
    })) as { id: string };
    type Dom = { available: boolean; bytes: number | null; event_count: number | null };
    const list = async () =>
      (
        (await api('GET', `/api/v1/sessions/${created.id}/recordings`)) as {
          recordings: Array<Recording & { dom_replay: Dom }>;
        }
      ).recordings;
    await expect
      .poll(
        async () => {
          const { recording: r } = (await api('GET', `/api/v1/sessions/${created.id}/status`)) as {
            recording: { state: string; recorder_attached: boolean; bytes_written: number | null };
          };
          return r.state === 'recording' && r.recorder_attached && (r.bytes_written ?? 0) > 0;
        },
        { timeout: 90_000, interval: 500 },
      )
      .toBe(true);
    // A viewer leaving does not stop an `always` recording: the same segment keeps recording.
    // (Here, not on the first session: the console's live view resizes the display, which would
    // move the pixels the colour test samples.)
    type Live = { state: string; active_recording_id: string | null; duration_ms: number | null };
    const live = async () =>
      ((await api('GET', `/api/v1/sessions/${created.id}/status`)) as { recording: Live })
        .recording;
    await page.goto(`${fx.stack.url}/?session=${created.id}`);
    await waitForFrames(page);
    const watched = await live();
    await page.goto(`${fx.stack.url}/`); // a full navigation: the live view's connection closes
    await expect
      .poll(async () => (await live()).duration_ms ?? 0, { timeout: 30_000, interval: 500 })
      .toBeGreaterThan((watched.duration_ms ?? 0) + 4000);
    expect(await live()).toMatchObject({
      state: 'recording',
      active_recording_id: watched.active_recording_id,
    });
    expect((await list()).map((r) => [r.sequence, r.state, r.termination_reason])).toEqual([
      [1, 'recording', null],
    ]);

    const remote = await fx.cdp(created.id);
    const tab = remote.contexts()[0]?.pages()[0] as Page;
    await tab.goto(`${site.url}/login`);
    const secret = 'hunter2-Secret-77';
    const typed = 'alice.example, typing her name slowly into the form';
    const typingStarted = Date.now();
    await tab.locator('#user').pressSequentially(typed, { delay: 60 });
    await tab.locator('#password').pressSequentially(secret, { delay: 60 });
    // rrweb (`sampling.input: 'last'`) writes a field's value once typing moves on from it
    await tab.locator('#user').press('!');
    const typingMs = Date.now() - typingStarted;
    await new Promise((r) => setTimeout(r, 1500));
    await remote.close();
    const [segment] = await list();
    const id = (segment as Recording).id;
    await api('POST', `/api/v1/sessions/${created.id}/recordings/${id}/stop`);
    await expect
      .poll(async () => (await list())[0]?.state, { timeout: 60_000, interval: 500 })
      .toBe('ready');
    const [ready] = await list();
    expect(ready?.dom_replay.available, JSON.stringify(ready)).toBe(true);
    const file = await download(`/api/v1/sessions/${created.id}/recordings/${id}/dom-events`);
    expect([file.status, file.type, file.bytes.byteLength]).toEqual([
      200,
      'application/gzip',
      ready?.dom_replay.bytes,
    ]);
    const text = gunzipSync(file.bytes).toString('utf8');
    const doc = JSON.parse(text) as {
      event_count: number;
      events: Array<{ type: number; data?: { source?: number; text?: string } }>;
    };
    expect(doc.events.length).toBe(doc.event_count);
    expect(doc.event_count).toBe(ready?.dom_replay.event_count);
    // rrweb: type 2 is a full snapshot (the page's DOM), type 3 incremental (source 5: input)
    expect(doc.events.map((e) => e.type)).toContain(2);
    expect(text).toContain('Sign in to Example Bank');
    const inputs = doc.events.filter((e) => e.type === 3 && e.data?.source === 5);
    expect(inputs.length).toBeGreaterThan(0);
    const values = inputs.map((e) => e.data?.text ?? '');
    expect(values).toContain('*'.repeat(typed.length));
    expect(values).toContain('*'.repeat(secret.length));
    expect(
      values.every((v) => /^\*+$/.test(v)),
      values.join(' '),
    ).toBe(true);
    // What was typed never reaches the log, not even in part.
    expect(text).not.toContain(secret);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('alice.example');
    console.log(
      `rrweb: ${doc.event_count} events, ${file.bytes.byteLength} B gzipped (${text.length} B raw) for ${(typingMs / 1000).toFixed(1)} s of typing ≈ ${Math.round((file.bytes.byteLength * 60_000) / typingMs / 1024)} KiB/min (whole log incl. the snapshot)`,
    );
    // The console's recording library offers it as a download.
    await page.goto(`${fx.stack.url}/?session=${created.id}`);
    await page.click('[data-testid=recordings]');
    const domButton = page.locator('[data-testid=recording-dom-download]');
    await expect.poll(() => domButton.count(), { timeout: 30_000 }).toBe(1);
    const [saved] = await Promise.all([page.waitForEvent('download'), domButton.click()]);
    expect(saved.suggestedFilename()).toMatch(/^session-.*-recording-1\.rrweb\.json\.gz$/);
    const savedPath = join(dir, saved.suggestedFilename());
    await saved.saveAs(savedPath);
    expect(statSync(savedPath).size).toBe(file.bytes.byteLength);
    await page.goto(`${fx.stack.url}/`);
    await api('DELETE', `/api/v1/sessions/${created.id}`).catch(() => undefined);
  });

  it('console: record and stop from the live view, the REC indicator, the library plays and downloads', async () => {
    mkdirSync(SHOTS, { recursive: true });
    await page.goto(`${fx.stack.url}/?session=${sessionId}`);
    await waitForFrames(page);
    const toggle = page.locator('[data-testid=recording-toggle]');
    await expect.poll(() => toggle.textContent(), { timeout: 30_000 }).toMatch(/Record|Stop/);
    if ((await toggle.textContent()) === 'Record') await toggle.click();
    const indicator = page.locator('[data-testid=recording-indicator]');
    await expect.poll(() => indicator.isVisible(), { timeout: 90_000 }).toBe(true);
    // the recorder on the relay is the REC indicator, not a person here
    await active();
    await expect
      .poll(() => page.locator('.toolbar .people').textContent(), { timeout: 15_000 })
      .toBe('only you');
    await page.screenshot({ path: join(SHOTS, 'console-recording.png') });
    await expect.poll(() => toggle.textContent(), { timeout: 10_000 }).toBe('Stop recording');
    await new Promise((r) => setTimeout(r, 3000));
    const readyBefore = (await recordings()).filter((x) => x.state === 'ready').length;
    await toggle.click();
    await expect.poll(() => indicator.isVisible(), { timeout: 30_000 }).toBe(false);
    await page.click('[data-testid=recordings]');
    const ready = page.locator('[data-testid=recording-row][data-state=ready]');
    await expect.poll(() => ready.count(), { timeout: 90_000 }).toBeGreaterThan(readyBefore);
    await ready.last().locator('[data-testid=recording-play]').click();
    const player = page.locator('[data-testid=recording-player]');
    await expect
      .poll(() => player.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(SHOTS, 'console-recordings-library.png') });
    const [saved] = await Promise.all([
      page.waitForEvent('download'),
      ready.last().locator('[data-testid=recording-download]').click(),
    ]);
    expect(saved.suggestedFilename()).toMatch(/^session-.*-recording-\d+\.webm$/);
    const path = join(dir, saved.suggestedFilename());
    await saved.saveAs(path);
    expect(statSync(path).size).toBeGreaterThan(1000);
  });
});
