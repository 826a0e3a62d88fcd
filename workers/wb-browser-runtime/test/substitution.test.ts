// {{ env.X }} / {{ artifacts.X }} substitution, escaping, missing-value policies, and redaction: a
// substituted value never appears anywhere on stdout.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byType, last, Sidecar } from './helpers/sidecar.ts';
import { type Site, startSite } from './helpers/site.ts';
import { tempDir } from './helpers/tmp.ts';

const SECRET = 'pa55-Word_Zebra';
const OTP = '918273';
let site: Site;
const artifacts = tempDir();

beforeAll(async () => {
  site = await startSite();
  writeFileSync(join(artifacts.path, 'otp.txt'), `${OTP}\n\n`);
});

afterAll(async () => {
  await site?.close();
  artifacts.remove();
});

describe('substitution and redaction', () => {
  let sidecar: Sidecar;
  beforeAll(async () => {
    sidecar = new Sidecar({
      WB_BROWSER_VENDOR: 'local',
      WB_ARTIFACTS_DIR: artifacts.path,
      APP_PASSWORD: SECRET,
      APP_USER: 'alice',
      SHORT: 'ab',
    });
    await sidecar.hello();
  });
  afterAll(async () => {
    await sidecar?.shutdown();
  });

  it('substitutes env and artifacts values and scrubs them from every frame and stdout line', async () => {
    const frames = await sidecar.slice({
      session: 's',
      verbs: [
        { goto: `${site.url}/echo?q={{ env.APP_PASSWORD }}` },
        { fill: { selector: '#q', value: 'x' } },
      ],
    });
    // the page echoes the secret; fill on a <p> fails and the error carries page state
    expect(last(frames).type).toBe('slice.failed');
    const more = await sidecar.slice({
      session: 's',
      verbs: [
        { goto: `${site.url}/form` },
        { fill: { selector: '#name', value: '{{env.APP_USER}}-{{ env.APP_PASSWORD }}' } },
        { fill: { selector: '#password', value: '{{ artifacts.otp }}' } },
        {
          eval: "return { name: document.querySelector('#name').value, otp: document.querySelector('#password').value, n: Number(document.querySelector('#password').value) }",
        },
        { extract: { selector: '#name', fields: { v: { attr: 'id' } } } },
        { eval: "console.error('leak ' + document.querySelector('#name').value); return 1" },
        { click: { selector: '#{{ env.APP_PASSWORD }}', timeout: 300 } },
      ],
    });
    const failed = byType(more, 'verb.failed')[0];
    expect(failed).toMatchObject({ verb: 'click', code: 'SELECTOR_NOT_FOUND' });
    expect(String(failed?.error)).toContain('«***»');
    expect(byType(more, 'verb.complete')[1]?.summary).toBe('#name = «***»');
    expect(byType(more, 'verb.complete')[2]?.summary).toBe('#password = «***»');
    const tail = failed?.console_tail as { text: string }[];
    expect(tail.some((entry) => entry.text === 'leak «***»-«***»')).toBe(true);
    expect(sidecar.stdout).toContain('"otp": "«***»"');
    expect(sidecar.stdout).toContain('"n": "«***»"');
    expect(sidecar.stdout).not.toContain(SECRET);
    expect(sidecar.stdout).not.toContain(OTP);
    expect(sidecar.stderr).not.toContain(SECRET);
  });

  it('reads artifacts per slice: first read wins within a slice, the next slice re-reads', async () => {
    writeFileSync(join(artifacts.path, 'code.txt'), 'first-value');
    const frames = await sidecar.slice({
      session: 's',
      verbs: [
        { goto: `${site.url}/form` },
        { fill: { selector: '#name', value: '{{ artifacts.code }}' } },
        { eval: 'return 1' },
      ],
    });
    expect(last(frames).type).toBe('slice.complete');
    writeFileSync(join(artifacts.path, 'code.txt'), 'second-value');
    const second = await sidecar.slice({
      session: 's',
      verbs: [
        { fill: { selector: '#notes', value: '{{ artifacts.code }}' } },
        {
          eval: "return document.querySelector('#name').value === 'first-value' && document.querySelector('#notes').value === 'second-value'",
        },
      ],
    });
    expect(sidecar.stdout).not.toContain('first-value');
    expect(sidecar.stdout).not.toContain('second-value');
    expect(last(second).type, JSON.stringify(second)).toBe('slice.complete');
    expect(sidecar.lines.at(-3)).toBe('true');
  });

  it('falls back from NAME.txt to NAME and leaves unknown forms verbatim', async () => {
    writeFileSync(join(artifacts.path, 'magic_link'), `${site.url}/echo?q=magic\n`);
    const frames = await sidecar.slice({
      session: 's',
      verbs: [
        { goto: '{{ artifacts.magic_link }}' },
        { assert: { selector: '#q', text_contains: 'magic' } },
      ],
    });
    expect(last(frames).type).toBe('slice.complete');
    // the whole URL came from an artifact, so the goto summary is scrubbed
    expect(byType(frames, 'verb.complete')[0]?.summary).toBe('→ «***»');
    const escaped = await sidecar.slice({
      session: 's',
      verbs: [
        { goto: `${site.url}/form` },
        {
          fill: {
            selector: '#name',
            value: '\\{{ env.APP_USER }} {{ foo }} {{ env.a.b }} {{ env.SHORT }}',
          },
        },
        { eval: "return document.querySelector('#name').value" },
      ],
    });
    expect(last(escaped).type).toBe('slice.complete');
    // the escape yields a literal; "ab" is shorter than 3 characters and therefore not a secret
    expect(sidecar.lines).toContain('"{{ env.APP_USER }} {{ foo }} {{ env.a.b }} ab"');
  });
  it('never wrote a substituted value to stdout or stderr', async () => {
    expect(await sidecar.shutdown()).toEqual({ code: 0, signal: null });
    for (const secret of [
      SECRET,
      OTP,
      'alice',
      'first-value',
      'second-value',
      `${site.url}/echo?q=magic`,
    ]) {
      expect(sidecar.stdout, secret).not.toContain(secret);
      expect(sidecar.stderr, secret).not.toContain(secret);
    }
  });
});

describe('missing values', () => {
  const policies = [
    { policy: undefined, outcome: 'complete', warns: true },
    { policy: 'warn', outcome: 'complete', warns: true },
    { policy: 'empty', outcome: 'complete', warns: false },
    { policy: 'error', outcome: 'failed', warns: false },
    { policy: 'bogus', outcome: 'complete', warns: true },
  ] as const;

  it('applies WB_SUBSTITUTION_ON_MISSING', async () => {
    for (const { policy, outcome, warns } of policies) {
      const sidecar = new Sidecar({
        WB_BROWSER_VENDOR: 'local',
        WB_SUBSTITUTION_ON_MISSING: policy,
      });
      await sidecar.hello();
      const frames = await sidecar.slice({
        verbs: [
          { goto: 'data:text/html,<input id=i>' },
          { fill: { selector: '#i', value: '{{ env.NOT_SET_ANYWHERE }}' } },
        ],
      });
      expect(last(frames).type, String(policy)).toBe(`slice.${outcome}`);
      if (outcome === 'failed') {
        expect(byType(frames, 'verb.failed')[0]).toMatchObject({
          verb: 'fill',
          verb_index: 1,
          code: 'INTERNAL_ERROR',
          error: 'substitution: env.NOT_SET_ANYWHERE is not set',
        });
      } else {
        expect(byType(frames, 'verb.complete')[1]?.summary).toBe('#i = «***»');
      }
      await sidecar.shutdown();
      expect(
        sidecar.stderr.includes('env.NOT_SET_ANYWHERE is not set; substituting empty string'),
        String(policy),
      ).toBe(warns);
      if (policy === 'bogus')
        expect(sidecar.stderr).toContain(
          'WB_SUBSTITUTION_ON_MISSING="bogus" is not warn|empty|error',
        );
    }
  });
});
