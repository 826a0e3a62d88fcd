// Session caching by name, slice ordering, deadlines, pause/resume, session start failures.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byType, type Frame, last, Sidecar } from './helpers/sidecar.ts';
import { type Site, startSite } from './helpers/site.ts';
import { tempDir } from './helpers/tmp.ts';

let site: Site;
const artifacts = tempDir();

beforeAll(async () => {
  site = await startSite();
});

afterAll(async () => {
  await site?.close();
  artifacts.remove();
});

describe('session cache', () => {
  let sidecar: Sidecar;
  beforeAll(async () => {
    sidecar = new Sidecar({ WB_BROWSER_VENDOR: 'local', WB_ARTIFACTS_DIR: artifacts.path });
    await sidecar.hello();
  });
  afterAll(async () => {
    await sidecar?.shutdown();
  });

  it('announces a session once per name and reuses it across slices', async () => {
    const first = await sidecar.slice({
      session: 'main',
      verbs: [{ goto: `${site.url}/form` }, { fill: { selector: '#name', value: 'kept' } }],
    });
    const [started] = byType(first, 'slice.session_started');
    expect(started).toMatchObject({
      session: 'main',
      session_id: expect.stringMatching(/^local-\d+-[0-9a-z]{6}$/),
      live_url: null,
      vendor: 'local',
      restored: false,
      started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const timings = started?.timings as Record<string, number>;
    expect(timings.total_ms).toBe(timings.allocate_ms + timings.connect_ms + timings.page_ready_ms);
    expect(timings.connect_ms).toBe(0);
    expect(first[0]?.type).toBe('slice.session_started');

    const second = await sidecar.slice({
      session: 'main',
      verbs: [{ eval: "return document.querySelector('#name').value" }],
    });
    expect(byType(second, 'slice.session_started')).toHaveLength(0);
    expect(sidecar.lines).toContain('"kept"');
  });

  it('falsy session names mean "default"', async () => {
    const frames = await sidecar.slice({ session: null, verbs: [] });
    expect(byType(frames, 'slice.session_started')[0]?.session).toBe('default');
    const again = await sidecar.slice({ session: '', verbs: [] });
    expect(byType(again, 'slice.session_started')).toHaveLength(0);
  });

  it('different names are isolated and run concurrently', async () => {
    sidecar.send({
      type: 'slice',
      session: 'slow',
      verbs: [
        { goto: `${site.url}/form` },
        { eval: 'await new Promise(r => setTimeout(r, 1500)); return 1' },
      ],
    });
    sidecar.send({
      type: 'slice',
      session: 'main',
      verbs: [{ eval: "return document.querySelector('#name').value" }],
    });
    const frames: Frame[] = [];
    while (byType(frames, 'slice.complete').length < 2) frames.push(await sidecar.next());
    // the fast slice on "main" finishes while "slow" still runs
    const firstComplete = frames.findIndex((f) => f.type === 'slice.complete');
    const slowEval = frames.findIndex(
      (f) => f.type === 'verb.complete' && f.verb === 'eval' && f.verb_index === 1,
    );
    expect(firstComplete).toBeLessThan(slowEval);
    expect(byType(frames, 'slice.session_started').map((f) => f.session)).toEqual(['slow']);
    const check = await sidecar.slice({
      session: 'slow',
      verbs: [{ eval: "return document.querySelector('#name').value + '|'" }],
    });
    expect(last(check).type).toBe('slice.complete');
    expect(sidecar.lines).toContain('"|"');
  });

  it('pipelined slices for one name run strictly in order', async () => {
    sidecar.send({
      type: 'slice',
      session: 'main',
      verbs: [{ eval: 'await new Promise(r => setTimeout(r, 300)); return 1' }],
    });
    sidecar.send({ type: 'slice', session: 'main', verbs: [{ eval: 'return 2' }] });
    const a = await sidecar.collect();
    const b = await sidecar.collect();
    expect(a.map((f) => f.type)).toEqual(['verb.complete', 'slice.complete']);
    expect(b.map((f) => f.type)).toEqual(['verb.complete', 'slice.complete']);
  });

  it('a closed page is replaced inside the same session', async () => {
    const frames = await sidecar.slice({
      session: 'main',
      verbs: [{ eval: 'window.close(); return 1' }],
    });
    expect(last(frames).type).toBe('slice.complete');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = await sidecar.slice({
      session: 'main',
      verbs: [{ goto: `${site.url}/list` }, { assert: '.row' }],
    });
    expect(last(next).type).toBe('slice.complete');
    expect(byType(next, 'slice.session_started')).toHaveLength(0);
  });
});

describe('deadline', () => {
  it('the deadline is checked between verbs', async () => {
    const deadlined = new Sidecar({ WB_BROWSER_VENDOR: 'local', WB_SLICE_DEADLINE_MS: '4000' });
    await deadlined.hello();
    // The browser starts in a slice of its own first: a session's start counts against its
    // slice's deadline, and a slow start on a busy machine must not decide this test.
    // (That slice may itself run out of time before its verb; the session stays up either way.)
    const warm = await deadlined.slice({ session: 'd', verbs: [{ eval: 'return 0' }] });
    expect(byType(warm, 'slice.session_started')).toHaveLength(1);
    const frames = await deadlined.slice({
      session: 'd',
      verbs: [
        { eval: 'return 0' },
        { eval: 'await new Promise(r => setTimeout(r, 4000)); return 1' },
        { eval: 'return 2' },
      ],
    });
    expect(frames.map((f) => f.type)).toEqual(['verb.complete', 'verb.complete', 'slice.failed']);
    expect(last(frames)).toEqual({
      type: 'slice.failed',
      code: 'SLICE_TIMEOUT',
      error: 'slice exceeded deadline (4000ms); aborted before verb index 2 of 3',
    });
    await deadlined.shutdown();
  });
});

describe('pause and resume', () => {
  it('pauses with sidecar_state and resumes after the paused verb', async () => {
    const sidecar = new Sidecar({ WB_BROWSER_VENDOR: 'local' });
    await sidecar.hello();
    const slice = {
      session: 'p',
      verbs: [
        { goto: `${site.url}/form` },
        {
          pause_for_human: {
            message: 'Solve the captcha',
            context_url: 'https://example.com/help',
            actions: [{ label: 'Done', value: 'ok' }],
          },
        },
        { eval: "return 'after ' + document.title" },
      ],
    };
    const paused = await sidecar.slice(slice);
    expect(paused.map((f) => f.type)).toEqual([
      'slice.session_started',
      'verb.complete',
      'slice.paused',
    ]);
    const frame = last(paused);
    expect(frame).toEqual({
      type: 'slice.paused',
      reason: 'pause_for_human',
      message: 'Solve the captcha',
      context_url: 'https://example.com/help',
      resume_on: 'operator_click',
      timeout: null,
      actions: [{ label: 'Done', value: 'ok' }],
      verb: 'pause_for_human',
      verb_index: 1,
      sidecar_state: {
        verb_index: 1,
        session: {
          vendor: 'local',
          name: 'p',
          sid: expect.stringMatching(/^local-/),
          cdpUrl: null,
          liveUrl: null,
        },
      },
    });
    const resumed = await sidecar.slice({
      ...slice,
      restore: { state: frame.sidecar_state, signal: { action: 'Done' } },
    });
    expect(resumed.map((f) => [f.type, f.verb_index])).toEqual([
      ['verb.complete', 2],
      ['slice.complete', undefined],
    ]);
    expect(sidecar.lines).toContain('"after form"');
    await sidecar.shutdown();
  });

  it('a local session cannot be re-attached after a restart: a fresh one starts', async () => {
    const sidecar = new Sidecar({ WB_BROWSER_VENDOR: 'local' });
    await sidecar.hello();
    const frames = await sidecar.slice({
      session: 'p',
      verbs: [{ pause_for_human: 'x' }, { eval: 'return location.href' }],
      restore: {
        state: {
          verb_index: 0,
          session: {
            vendor: 'local',
            name: 'p',
            sid: 'local-1-abcdef',
            cdpUrl: null,
            liveUrl: null,
          },
        },
      },
    });
    expect(frames.map((f) => f.type)).toEqual([
      'slice.session_started',
      'verb.complete',
      'slice.complete',
    ]);
    expect(frames[0]?.restored).toBe(false);
    await sidecar.shutdown();
  });

  it('validates resume_on and actions', async () => {
    const sidecar = new Sidecar({ WB_BROWSER_VENDOR: 'local' });
    await sidecar.hello();
    const bad = await sidecar.slice({ verbs: [{ pause_for_human: { resume_on: 'whenever' } }] });
    expect(byType(bad, 'verb.failed')[0]).toMatchObject({ code: 'INTERNAL_ERROR' });
    const badActions = await sidecar.slice({ verbs: [{ pause_for_human: { actions: [] } }] });
    expect(byType(badActions, 'verb.failed')[0]?.error).toMatch(
      /actions must be a non-empty array/,
    );
    await sidecar.shutdown();
  });
});

describe('session start failures', () => {
  it('reports SESSION_ALLOCATE_FAILED and retries on the next slice', async () => {
    const sidecar = new Sidecar({
      WB_BROWSER_VENDOR: 'local',
      WB_BROWSER_LOCAL_EXECUTABLE_PATH: '/nonexistent/chromium',
    });
    await sidecar.hello();
    for (let attempt = 0; attempt < 2; attempt++) {
      const frames = await sidecar.slice({ verbs: [{ goto: 'data:text/html,x' }] });
      expect(frames).toHaveLength(1);
      expect(frames[0]).toMatchObject({
        type: 'slice.failed',
        code: 'SESSION_ALLOCATE_FAILED',
        error: expect.stringMatching(/^session start failed: local browser launch failed: .*Hint:/),
      });
    }
    expect(await sidecar.shutdown()).toEqual({ code: 0, signal: null });
  });
});
