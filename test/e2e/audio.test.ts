import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs } from '../bench/support/api.ts';
import { audioProcesses, measureAudio, outputSinkStates } from '../bench/support/audio-measure.ts';
import { launchClientBrowser } from './support/browser.ts';
import { CONSOLE_VIEWPORT, share, signIn, waitForFrames } from './support/console-driver.ts';
import { startStackFixture } from './support/stack-fixture.ts';
import { startStaticServer } from './support/static-server.ts';

const SHOTS = join(import.meta.dirname, 'screenshots');

/** Remote pages: a tone to play, and a recorder that measures its default microphone. */
const PAGES: Record<string, string> = {
  '/tone': `<!doctype html><title>tone</title><body style="margin:40px">
<button id="play" style="font-size:28px">play</button> <button id="stop" style="font-size:28px">stop</button>
<script>
let ctx;
document.getElementById('play').onclick = async () => {
  ctx = new AudioContext();
  const osc = ctx.createOscillator(), gain = ctx.createGain();
  osc.frequency.value = 440; gain.gain.value = 0.25;
  osc.connect(gain).connect(ctx.destination); osc.start();
  await ctx.resume(); document.title = 'playing';
};
document.getElementById('stop').onclick = async () => { await ctx.close(); document.title = 'stopped'; };
</script></body>`,
  '/beep': `<!doctype html><title>beep</title><body style="margin:40px">
<button id="short" style="font-size:28px">0.3 s beep</button> <button id="long" style="font-size:28px">1 s beep</button>
<script>
/** A notification sound: a 440 Hz sine at 0.25 (−15 dBFS RMS) as a WAV file, played by <audio>. */
function wav(seconds) {
  const rate = 48000, n = Math.round(rate * seconds), buf = new DataView(new ArrayBuffer(44 + n * 4));
  const text = (o, s) => [...s].forEach((c, i) => buf.setUint8(o + i, c.charCodeAt(0)));
  text(0, 'RIFF'); buf.setUint32(4, 36 + n * 4, true); text(8, 'WAVEfmt ');
  buf.setUint32(16, 16, true); buf.setUint16(20, 1, true); buf.setUint16(22, 2, true);
  buf.setUint32(24, rate, true); buf.setUint32(28, rate * 4, true); buf.setUint16(32, 4, true);
  buf.setUint16(34, 16, true); text(36, 'data'); buf.setUint32(40, n * 4, true);
  for (let i = 0; i < n; i++) {
    const v = Math.round(0.25 * 32767 * Math.sin(2 * Math.PI * 440 * i / rate));
    buf.setInt16(44 + i * 4, v, true); buf.setInt16(46 + i * 4, v, true);
  }
  return URL.createObjectURL(new Blob([buf], { type: 'audio/wav' }));
}
const sounds = { short: wav(0.3), long: wav(1) };
for (const id of ['short', 'long'])
  document.getElementById(id).onclick = () => {
    const a = new Audio(sounds[id]);
    a.onended = () => { document.title = 'played ' + id; };
    a.play();
  };
</script></body>`,
  '/mic': `<!doctype html><title>mic</title><body style="margin:40px">
<button id="listen" style="font-size:28px">listen</button>
<script>
window.levels = [];
document.getElementById('listen').onclick = async () => {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser(); analyser.fftSize = 2048;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  setInterval(() => {
    analyser.getFloatTimeDomainData(buf);
    let s = 0; for (const v of buf) s += v * v;
    window.levels.push({ t: performance.now(), db: 10 * Math.log10(s / buf.length + 1e-12) });
  }, 20);
  document.title = 'listening:' + (stream.getAudioTracks()[0]?.label ?? '');
};
</script></body>`,
};

interface AudioStats {
  available: boolean;
  muted: boolean;
  playback: string;
  config?: { codec: string; sampleRate: number; channels: number };
  packets: number;
  framesDecoded: number;
  decodeErrors: number;
  maxLevelDbfs: number;
  lastLevelDbfs: number;
  audibleMs: number;
  playedMs: number;
}

type Bp = {
  capabilities: string[];
  connectionId: string;
  send(m: unknown): void;
  feature(name: string): Record<string, (...a: unknown[]) => unknown> | undefined;
};

const audioStats = (page: Page) =>
  page.evaluate(() => {
    const bp = (window as unknown as { bpClient: Bp }).bpClient;
    return bp.feature('audio')?.stats?.() as AudioStats;
  });

describe('session audio: desktop sound out, microphone in, camera answer (real Chromium both ends)', () => {
  let fx: Awaited<ReturnType<typeof startStackFixture>>;
  let site: Awaited<ReturnType<typeof startStaticServer>>;
  let browser: Browser & { cleanup(): void };
  let context: BrowserContext;
  let owner: Page;
  let sessionId: string;
  let remote: Browser;
  let tab: Page;

  /** The remote page's loudest microphone level (dBFS) over the last `ms`. */
  const remoteLevel = (ms: number) =>
    tab.evaluate((span) => {
      const w = window as unknown as { levels: Array<{ t: number; db: number }> };
      const since = performance.now() - span;
      return Math.max(-200, ...w.levels.filter((l) => l.t >= since).map((l) => l.db));
    }, ms);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site = await startStaticServer([], PAGES);
    fx = await startStackFixture({ sites: [site.url] });
    browser = await launchClientBrowser({
      extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
    });
    context = await browser.newContext({ viewport: CONSOLE_VIEWPORT });
    owner = await context.newPage();
    owner.on('pageerror', (err) => console.error('console page error:', err.message));
    await signIn(owner, fx.stack.url);
    // The camera is switched on for this session, so only the host can be the reason it is missing.
    const created = (await apiAs(owner, fx.stack.url, 'POST', '/api/v1/sessions', {
      viewport: { width: 1280, height: 720 },
      capabilities: { camera: true },
    })) as { id: string };
    sessionId = created.id;
    await owner.goto(`${fx.stack.url}/?session=${sessionId}`);
    await waitForFrames(owner);
    remote = await fx.cdp(sessionId);
    const pages = remote.contexts().flatMap((c) => c.pages());
    tab = pages.find((p) => !p.url().startsWith('devtools')) ?? (pages[0] as Page);
    await tab.goto(`${site.url}/tone`);
  });

  afterAll(async () => {
    await remote?.close().catch(() => undefined);
    await browser?.close();
    // the remote browser keeps connections alive; close() alone would wait for their timeout
    site?.server.closeAllConnections();
    await site?.close();
    await fx?.stop();
  });

  it('grants the owner desktop audio and the microphone, and says the host has no camera', async () => {
    const caps = await owner.evaluate(
      () => (window as unknown as { bpClient: Bp }).bpClient.capabilities,
    );
    const audioLog = fx.logs.filter((l) => /audio|pulse/i.test(l)).join('\n');
    expect(caps, `host audio log:\n${audioLog}`).toEqual(
      expect.arrayContaining(['audioOut', 'microphone']),
    );
    expect(caps).not.toContain('camera');
    const camera = await owner.evaluate(() =>
      (window as unknown as { bpClient: Bp }).bpClient.feature('camera')?.status?.(),
    );
    expect(camera).toMatchObject({ state: 'unavailable', reason: 'not_granted' });
    const label = owner.locator('[data-testid=camera-state]');
    await expect
      .poll(() => label.textContent(), { timeout: 5000 })
      .toBe('Camera unavailable on this host');
    expect(await label.getAttribute('title')).toMatch(/no virtual camera device \(v4l2loopback\)/);
    // a tampered camera packet is dropped by the relay and counted
    const refused = () =>
      fx
        .live(sessionId)
        .hub.connections()
        .find((c) => c.role === 'owner')?.stats.refused ?? 0;
    const before = refused();
    await owner.evaluate(() =>
      (window as unknown as { bpClient: Bp }).bpClient.send({
        type: 'cameraPacket',
        seq: 0,
        ptsUs: 0,
        keyframe: true,
        data: new Uint8Array([0, 0, 0, 1, 0x65, 1, 2, 3]),
      }),
    );
    await expect.poll(refused).toBe(before + 1);
  });

  it('sends nothing while the remote page is silent, and does not even render it', async () => {
    await expect.poll(async () => (await audioStats(owner)).config?.codec).toBe('opus');
    const stats = await audioStats(owner);
    expect(stats.config).toEqual({ codec: 'opus', sampleRate: 48_000, channels: 2 });
    // someone listens, but nothing plays: the sink is suspended (nothing rendered, written or
    // read), and no helper process runs beside the daemon
    await expect.poll(() => outputSinkStates(), { timeout: 10_000 }).toEqual(['SUSPENDED']);
    expect(audioProcesses()).toEqual({ pulseaudio: [expect.any(Number)], pacat: [] });
    await owner.waitForTimeout(1500);
    expect((await audioStats(owner)).packets).toBe(0);
  });

  it('plays a tone: Opus packets arrive and decode to the tone’s loudness; silence stops them', async () => {
    await tab.click('#play');
    await tab.waitForFunction(() => document.title === 'playing');
    // the page plays: the sink runs
    await expect.poll(() => outputSinkStates()).toEqual(['RUNNING']);
    await expect
      .poll(async () => (await audioStats(owner)).framesDecoded, { timeout: 10_000 })
      .toBeGreaterThan(48_000);
    const stats = await audioStats(owner);
    expect(stats.decodeErrors).toBe(0);
    // 0.25 × sine = −12 dBFS peak, −15 dBFS RMS
    expect(stats.maxLevelDbfs).toBeGreaterThan(-20);
    expect(stats.maxLevelDbfs).toBeLessThan(-10);
    // the browser held playback back until the user touched the live view
    if (stats.playback === 'blocked') {
      const box = await owner.locator('.bp-screen').boundingBox();
      if (box) await owner.mouse.click(box.x + box.width - 20, box.y + box.height - 20);
    }
    await expect.poll(async () => (await audioStats(owner)).playback).toBe('running');
    await expect.poll(async () => (await audioStats(owner)).playedMs).toBeGreaterThan(200);
    await tab.click('#stop');
    await tab.waitForFunction(() => document.title === 'stopped');
    await owner.waitForTimeout(600);
    const after = (await audioStats(owner)).packets;
    await owner.waitForTimeout(1500);
    expect((await audioStats(owner)).packets).toBe(after);
    // the page closed its audio: the sink stops rendering shortly after
    await expect.poll(() => outputSinkStates(), { timeout: 10_000 }).toEqual(['SUSPENDED']);
  });

  it('mutes and unmutes from the console', async () => {
    const toggle = owner.locator('[data-testid=audio-toggle]');
    await expect.poll(() => toggle.textContent()).toBe('Sound on');
    await toggle.click();
    expect(await toggle.textContent()).toBe('Sound off');
    expect((await audioStats(owner)).muted).toBe(true);
    await toggle.click();
    expect((await audioStats(owner)).muted).toBe(false);
  });

  it('measures the tone on the wire under 64 kbit/s and zero when silent', async () => {
    const figures = await measureAudio({ client: owner, remote: tab }, { seconds: 3 });
    expect(figures.playing.packetsPerSecond).toBeGreaterThan(45);
    expect(figures.playing.wireKbps).toBeLessThanOrEqual(64);
    expect(figures.silent.packets).toBe(0);
    expect(figures.silent.wireKbps).toBe(0);
  });

  it('plays a 0.3 s and a 1 s beep after 10 s of silence whole: full length and level', async () => {
    await tab.goto(`${site.url}/beep`);
    for (const beep of [
      { id: 'short', ms: 300 },
      { id: 'long', ms: 1000 },
    ]) {
      // ten seconds in which the page plays nothing: nothing goes on the wire
      await owner.waitForTimeout(2000);
      const quietFrom = (await audioStats(owner)).packets;
      await owner.waitForTimeout(10_000);
      expect((await audioStats(owner)).packets, 'audio packets during the silence').toBe(quietFrom);
      await owner.evaluate(() =>
        (window as unknown as { bpClient: Bp }).bpClient.feature('audio')?.resetLevels?.(),
      );
      await tab.click(`#${beep.id}`);
      await tab.waitForFunction((id) => document.title === `played ${id}`, beep.id);
      await owner.waitForTimeout(1000); // the last packets' way to the client
      const heard = await audioStats(owner);
      console.log(
        `${beep.ms} ms beep after silence: ${heard.audibleMs} ms audible, loudest ${heard.maxLevelDbfs.toFixed(1)} dBFS`,
      );
      expect(heard.audibleMs, `audible ms of the ${beep.ms} ms beep`).toBeGreaterThanOrEqual(
        beep.ms - 20,
      );
      expect(heard.audibleMs, `audible ms of the ${beep.ms} ms beep`).toBeLessThanOrEqual(
        beep.ms + 80,
      );
      expect(heard.maxLevelDbfs).toBeGreaterThan(-18);
      expect(heard.maxLevelDbfs).toBeLessThan(-12);
    }
  });

  it("lets the remote page hear the owner's (fake) microphone", async () => {
    const cdp = await remote.newBrowserCDPSession();
    await cdp.send('Browser.grantPermissions', { origin: site.url, permissions: ['audioCapture'] });
    await tab.goto(`${site.url}/mic`);
    await tab.click('#listen');
    await tab.waitForFunction(() => document.title.startsWith('listening:'));
    const inputs = await tab.evaluate(async () =>
      (await navigator.mediaDevices.enumerateDevices())
        .filter((d) => d.kind === 'audioinput')
        .map((d) => d.label),
    );
    expect(inputs).toContain('BrowserPane microphone');
    await tab.waitForTimeout(1200);
    expect(await remoteLevel(1000)).toBeLessThan(-70); // nobody speaks yet
    const mic = owner.locator('[data-testid=mic-toggle]');
    expect(await mic.textContent()).toBe('Mic off');
    await mic.click();
    await expect.poll(() => mic.textContent(), { timeout: 10_000 }).toBe('Mic on');
    await expect.poll(() => remoteLevel(1000), { timeout: 15_000 }).toBeGreaterThan(-45);
    await mic.click();
    expect(await mic.textContent()).toBe('Mic off');
    await expect.poll(() => remoteLevel(800), { timeout: 5000 }).toBeLessThan(-70);
  });

  it("refuses a viewer's microphone: never granted, tampered packets dropped and counted", async () => {
    // opened from the console like a person would (the sign-in lives in the tab's session storage)
    await owner.bringToFront();
    const [viewer] = await Promise.all([
      context.waitForEvent('page'),
      share(owner, 'Open as viewer'),
    ]);
    await viewer.setViewportSize(CONSOLE_VIEWPORT);
    await waitForFrames(viewer);
    const caps = await viewer.evaluate(
      () => (window as unknown as { bpClient: Bp }).bpClient.capabilities,
    );
    expect(caps).toContain('audioOut');
    expect(caps).not.toContain('microphone');
    expect(await viewer.locator('[data-testid=mic-toggle]').isDisabled()).toBe(true);
    const code = await viewer.evaluate(async () => {
      const mic = (window as unknown as { bpClient: Bp }).bpClient.feature('microphone');
      if (!mic?.start) return 'no microphone feature';
      return (mic.start() as Promise<void>).then(
        () => 'started',
        (err: { code: string }) => err.code,
      );
    });
    expect(code).toBe('not_granted');
    const viewerId = await viewer.evaluate(
      () => (window as unknown as { bpClient: Bp }).bpClient.connectionId,
    );
    await viewer.evaluate(() => {
      const bp = (window as unknown as { bpClient: Bp }).bpClient;
      bp.send({ type: 'micConfig', codec: 'opus', sampleRate: 48_000, channels: 1 });
      for (let seq = 0; seq < 5; seq++)
        bp.send({
          type: 'micPacket',
          seq,
          ptsUs: seq * 20_000,
          data: new Uint8Array(60).fill(0x5a),
        });
    });
    const refused = () =>
      fx
        .live(sessionId)
        .hub.connections()
        .find((c) => c.connectionId === viewerId)?.stats.refused;
    await expect.poll(refused).toBe(6);
    await tab.waitForTimeout(500);
    expect(await remoteLevel(1000)).toBeLessThan(-70);
    await viewer.close();
  });

  it('keeps the session audio ready when nobody who listens is connected', async () => {
    // the recorder page's audio graph keeps the sink playing (silence)
    expect(outputSinkStates()).toEqual(['RUNNING']);
    await owner.goto('about:blank');
    await expect.poll(() => fx.live(sessionId).hub.connections().length).toBe(0);
    // the session's daemon stays, with no helper beside it
    expect(audioProcesses()).toEqual({ pulseaudio: [expect.any(Number)], pacat: [] });
  });

  it('says why the Mic button cannot start: no microphone, or the permission denied', async () => {
    const cases = [
      { name: 'no device', flags: [], grant: true, reason: /no microphone/i },
      {
        name: 'permission denied',
        flags: ['--use-fake-device-for-media-stream'],
        grant: false,
        reason: /blocked/i,
      },
    ];
    for (const c of cases) {
      const other = await launchClientBrowser({ extraArgs: c.flags });
      try {
        const ctx = await other.newContext({ viewport: CONSOLE_VIEWPORT });
        if (c.grant) await ctx.grantPermissions(['microphone'], { origin: fx.stack.url });
        const person = await ctx.newPage();
        await signIn(person, fx.stack.url);
        await person.goto(`${fx.stack.url}/?session=${sessionId}`);
        await waitForFrames(person);
        const mic = person.locator('[data-testid=mic-toggle]');
        await expect.poll(() => mic.isEnabled(), { timeout: 10_000 }).toBe(true);
        await mic.click();
        await expect
          .poll(() => person.locator('.notice').allTextContents(), { timeout: 10_000 })
          .toEqual([expect.stringMatching(c.reason)]);
        expect(await mic.getAttribute('title'), c.name).toMatch(c.reason);
        expect(await mic.textContent(), c.name).toBe('Mic off');
        await person.screenshot({ path: join(SHOTS, `mic-${c.name.replace(' ', '-')}.png`) });
      } finally {
        await other.close();
      }
    }
  });
});
