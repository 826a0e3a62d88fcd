// The page verbs' success and failure paths, through the binary, against the local test site.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { byType } from './helpers/sidecar.ts';
import { completes, failure, verbSuite } from './helpers/verb-suite.ts';

const suite = verbSuite();
const { run } = suite;

describe('goto', () => {
  it('navigates and reports the final URL', async () => {
    const frames = await run([{ goto: `${suite.site.url}/form` }]);
    expect(byType(frames, 'slice.session_started')).toHaveLength(1);
    const [done] = completes(frames);
    expect(done).toMatchObject({
      verb: 'goto',
      verb_index: 0,
      summary: `→ ${suite.site.url}/form`,
    });
    expect(typeof done?.duration_ms).toBe('number');
  });

  it('accepts wait_until and a duration-string timeout', async () => {
    const [done] = completes(
      await run([{ goto: { url: `${suite.site.url}/list`, wait_until: 'load', timeout: '10s' } }]),
    );
    expect(done?.summary).toBe(`→ ${suite.site.url}/list`);
  });

  it('times out as NAV_TIMEOUT', async () => {
    const { verb, slice } = failure(
      await run([{ goto: { url: `${suite.site.url}/api/slow?ms=3000`, timeout: 300 } }]),
    );
    expect(verb).toMatchObject({ verb: 'goto', code: 'NAV_TIMEOUT' });
    expect(slice).toMatchObject({ type: 'slice.failed', code: 'NAV_TIMEOUT' });
    expect(String(slice.error)).toMatch(/^verb goto \(index 0\): /);
  });

  it('reports connection errors as INTERNAL_ERROR', async () => {
    const { verb } = failure(await run([{ goto: 'http://127.0.0.1:9/' }]));
    expect(verb.code).toBe('INTERNAL_ERROR');
  });
});

describe('fill, click, press', () => {
  it('fills, clicks and presses', async () => {
    const frames = await run([
      { goto: `${suite.site.url}/form` },
      { fill: { selector: '#name', value: 'Alice Smith' } },
      { fill: { selector: '#notes', value: 'abc' } },
      { click: '#submit' },
      { assert: { selector: '#result', text_contains: 'Hello Alice Smith' } },
      { press: { key: 'Enter', selector: '#name' } },
      { press: 'Tab' },
    ]);
    const done = completes(frames);
    expect(done.map((f) => f.summary)).toEqual([
      `→ ${suite.site.url}/form`,
      '#name = «Al***»',
      '#notes = «***»',
      '#submit',
      '#result',
      '#name ⌨ Enter',
      'body ⌨ Tab',
    ]);
  });

  it('fill echoes a number value as «»', async () => {
    const [, done] = completes(
      await run([{ goto: `${suite.site.url}/form` }, { fill: { selector: '#name', value: 42 } }]),
    );
    expect(done?.summary).toBe('#name = «»');
  });

  it('fill on a missing element is SELECTOR_NOT_FOUND', async () => {
    const { verb } = failure(
      await run([{ fill: { selector: '#missing', value: 'x', timeout: 300 } }]),
    );
    expect(verb).toMatchObject({ verb: 'fill', code: 'SELECTOR_NOT_FOUND' });
  });

  it('click falls back to text when the selector times out', async () => {
    const [done] = completes(
      await run([
        { click: { selector: '#no-such', timeout: 400, text_fallback: 'Use the fallback' } },
      ]),
    );
    expect(done?.summary).toBe('#no-such (via text="Use the fallback")');
  });

  it('click without a match fails with the original error', async () => {
    const { verb } = failure(
      await run([
        { click: { selector: '#no-such', timeout: 300, text_fallback: 'Nowhere to be seen' } },
      ]),
    );
    expect(verb.code).toBe('SELECTOR_NOT_FOUND');
    expect(String(verb.error)).toContain('#no-such');
  });

  it('press on a missing element is SELECTOR_NOT_FOUND', async () => {
    const { verb } = failure(
      await run([{ press: { key: 'a', selector: '#missing', timeout: 300 } }]),
    );
    expect(verb.code).toBe('SELECTOR_NOT_FOUND');
  });

  it('a missing required argument is INTERNAL_ERROR', async () => {
    const { verb } = failure(await run([{ click: {} }]));
    expect(verb).toMatchObject({ code: 'INTERNAL_ERROR', error: 'click: `selector` is required' });
  });
});

describe('wait_for and wait_for_network_idle', () => {
  it('waits for states', async () => {
    const done = completes(
      await run([
        { goto: `${suite.site.url}/slow` },
        { wait_for: '#late' },
        { wait_for: { selector: '#gone', state: 'detached' } },
        { wait_for: { selector: '#hidden-nope', state: 'hidden', timeout: 1000 } },
      ]),
    );
    expect(done.slice(1).map((f) => f.summary)).toEqual([
      '#late (visible)',
      '#gone (detached)',
      '#hidden-nope (hidden)',
    ]);
  });

  it('times out as SELECTOR_NOT_FOUND', async () => {
    const { verb } = failure(await run([{ wait_for: { selector: '#never', timeout: 300 } }]));
    expect(verb).toMatchObject({ verb: 'wait_for', code: 'SELECTOR_NOT_FOUND' });
  });

  it('waits for network idle (object, bare string, string timeout)', async () => {
    const done = completes(
      await run([
        { goto: `${suite.site.url}/idle` },
        { wait_for_network_idle: { timeout: '5s' } },
        { assert: { selector: '#state', text_contains: 'done' } },
        'wait_for_network_idle',
        { wait_for_network_idle: 4000 },
      ]),
    );
    expect(done.map((f) => f.summary)).toEqual([
      `→ ${suite.site.url}/idle`,
      'network idle (timeout=5s)',
      '#state',
      'network idle (timeout=30000ms)',
      'network idle (timeout=4000ms)',
    ]);
  });

  it('a page that never idles is NAV_TIMEOUT', async () => {
    const { verb } = failure(
      await run([{ goto: `${suite.site.url}/busy` }, { wait_for_network_idle: '600ms' }]),
    );
    expect(verb).toMatchObject({ verb: 'wait_for_network_idle', code: 'NAV_TIMEOUT' });
  });
});

describe('screenshot', () => {
  it('writes inside the artifacts dir', async () => {
    const done = completes(
      await run([
        { goto: `${suite.site.url}/form` },
        { screenshot: 'shots/form.png' },
        { screenshot: { path: 'full.png', full_page: true } },
        { screenshot: {} },
      ]),
    );
    expect(done[1]?.summary).toBe('→ shots/form.png');
    expect(
      readFileSync(join(suite.artifactsPath, 'shots/form.png')).subarray(1, 4).toString(),
    ).toBe('PNG');
    expect(existsSync(join(suite.artifactsPath, 'full.png'))).toBe(true);
    expect(String(done[3]?.summary)).toMatch(/^→ screenshot-\d+\.png$/);
  });

  it('writes the format its path names', async () => {
    const done = completes(
      await run([
        { goto: `${suite.site.url}/form` },
        { screenshot: 'shot.jpg' },
        { screenshot: 'shot.JPEG' },
      ]),
    );
    expect(done).toHaveLength(3);
    for (const name of ['shot.jpg', 'shot.JPEG'])
      expect([...readFileSync(join(suite.artifactsPath, name)).subarray(0, 3)]).toEqual([
        0xff, 0xd8, 0xff,
      ]);
    const gif = failure(await run([{ screenshot: 'shot.gif' }]));
    expect(gif.verb.error).toBe('screenshot: path must end in .png, .jpg or .jpeg (got ".gif")');
  });

  it('rejects absolute and escaping paths', async () => {
    const abs = failure(await run([{ screenshot: '/tmp/x.png' }]));
    expect(abs.verb).toMatchObject({
      code: 'INTERNAL_ERROR',
      error: 'screenshot: absolute paths are not allowed (got /tmp/x.png)',
    });
    const esc = failure(await run([{ screenshot: '../x.png' }]));
    expect(esc.verb.error).toBe('screenshot: path escapes artifacts dir (got ../x.png)');
  });
});

describe('extract and eval', () => {
  it('extracts rows and prints them', async () => {
    const before = suite.sidecar.lines.length;
    const done = completes(
      await run([
        { goto: `${suite.site.url}/list` },
        {
          extract: {
            selector: '.row',
            fields: {
              name: '.name',
              price: '.price',
              link: { selector: '.link', attr: 'href' },
              id: { attr: 'data-id' },
            },
          },
        },
        { extract: { selector: '.none' } },
      ]),
    );
    expect(done[1]?.summary).toBe('.row → 3 rows');
    expect(done[2]?.summary).toBe('.none → 0 rows');
    const printed = suite.sidecar.lines.slice(before).join('\n');
    expect(printed).toContain('"name": "Alpha"');
    expect(printed).toContain('"price": "10"');
    expect(printed).toContain('"link": null');
    expect(printed).toContain('"id": "2"');
  });

  it('invalid selectors are SCRIPT_ERROR', async () => {
    const { verb } = failure(await run([{ extract: { selector: '##bad((' } }]));
    expect(verb).toMatchObject({ verb: 'extract', code: 'SCRIPT_ERROR' });
  });

  it('eval runs async scripts and prints the result', async () => {
    const before = suite.sidecar.lines.length;
    const [done] = completes(
      await run([
        {
          eval: 'await new Promise((r) => setTimeout(r, 10)); return { title: document.title, n: 2 }',
        },
      ]),
    );
    expect(done?.summary).toBe('script ran');
    expect(suite.sidecar.lines.slice(before).join('\n')).toContain('"title": "list"');
  });

  it('eval without a return prints undefined', async () => {
    const before = suite.sidecar.lines.length;
    completes(await run([{ eval: 'document.title' }]));
    expect(suite.sidecar.lines.slice(before)).toContain('undefined');
  });

  it('a throwing script is SCRIPT_ERROR', async () => {
    const { verb } = failure(await run([{ eval: "throw new Error('kaput')" }]));
    expect(verb).toMatchObject({ verb: 'eval', code: 'SCRIPT_ERROR' });
    expect(String(verb.error)).toContain('kaput');
  });
});

describe('assert', () => {
  it('checks selector, text and url without waiting', async () => {
    const done = completes(
      await run([
        { goto: `${suite.site.url}/list` },
        { assert: { selector: '.row', text_contains: 'Alpha', url_contains: '/list' } },
      ]),
    );
    expect(done[1]?.summary).toBe('.row');
  });

  it('fails with the documented messages', async () => {
    expect(failure(await run([{ assert: '#absent' }])).verb).toMatchObject({
      code: 'INTERNAL_ERROR',
      error: 'assert: selector not found: #absent',
    });
    expect(
      failure(await run([{ assert: { selector: '.name', text_contains: 'Zeta' } }])).verb.error,
    ).toBe('assert: text "Zeta" not in .name (got "Alpha")');
    expect(
      failure(await run([{ assert: { selector: '.row', url_contains: '/other' } }])).verb.error,
    ).toBe(`assert: url does not contain "/other" (got ${suite.site.url}/list)`);
  });
});
