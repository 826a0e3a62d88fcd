import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../protocol/log.ts';
import { expandDeep, expandString, type SubstitutionContext } from './expand.ts';
import { REDACTED, Redactor, redactValue } from './redactor.ts';

const dir = mkdtempSync(join(tmpdir(), 'wb-subst-'));
writeFileSync(join(dir, 'otp.txt'), '123456 \n');
writeFileSync(join(dir, 'link'), 'https://x.example/magic\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function context(
  env: Record<string, string | undefined>,
  lines: string[] = [],
): SubstitutionContext {
  return {
    env,
    artifactsDir: dir,
    logger: createLogger({ level: 'info', write: (line) => lines.push(line) }),
    redactor: new Redactor(),
    artifactCache: new Map(),
  };
}

describe('expandString', () => {
  it('substitutes env and artifacts (NAME.txt, then NAME), trimming trailing whitespace', () => {
    const ctx = context({ USER: 'alice', PW: 'secret-pw' });
    expect(
      expandString('{{env.USER}}:{{  env.PW  }} {{ artifacts.otp }} {{ artifacts.link }}', ctx),
    ).toBe('alice:secret-pw 123456 https://x.example/magic');
    expect(ctx.redactor.scrub('alice secret-pw 123456')).toBe(
      `${REDACTED} ${REDACTED} ${REDACTED}`,
    );
  });

  it('escapes \\{{ and leaves unknown forms verbatim', () => {
    const ctx = context({ A: 'value' });
    expect(expandString('\\{{ env.A }} {{ foo }} {{ env.a.b }} {{env.A}}', ctx)).toBe(
      '{{ env.A }} {{ foo }} {{ env.a.b }} value',
    );
  });

  it('does not register values shorter than 3 characters as secrets', () => {
    const ctx = context({ S: 'ab' });
    expect(expandString('{{ env.S }}', ctx)).toBe('ab');
    expect(ctx.redactor.size).toBe(0);
  });

  it('applies the missing-value policy', () => {
    const lines: string[] = [];
    expect(expandString('[{{ env.NOPE }}]', context({}, lines))).toBe('[]');
    expect(lines).toEqual(['[warn] env.NOPE is not set; substituting empty string\n']);
    const quiet: string[] = [];
    expect(
      expandString(
        '[{{ artifacts.none }}]',
        context({ WB_SUBSTITUTION_ON_MISSING: 'empty' }, quiet),
      ),
    ).toBe('[]');
    expect(quiet).toEqual([]);
    expect(() =>
      expandString('{{ artifacts.none }}', context({ WB_SUBSTITUTION_ON_MISSING: 'error' })),
    ).toThrow('substitution: artifacts.none is not set');
  });

  it('caches artifact reads per context', () => {
    const ctx = context({});
    writeFileSync(join(dir, 'code.txt'), 'one');
    expect(expandString('{{ artifacts.code }}', ctx)).toBe('one');
    writeFileSync(join(dir, 'code.txt'), 'two');
    expect(expandString('{{ artifacts.code }}', ctx)).toBe('one');
    expect(expandString('{{ artifacts.code }}', context({}))).toBe('two');
  });

  it('walks arrays and objects but not keys', () => {
    const ctx = context({ X: 'xyz' });
    expect(
      expandDeep({ '{{ env.X }}': ['{{ env.X }}', 1, null, { a: '{{env.X}}' }] }, ctx),
    ).toEqual({
      '{{ env.X }}': ['xyz', 1, null, { a: 'xyz' }],
    });
  });
});

describe('Redactor', () => {
  it('replaces the longest secret first and scrubs deeply', () => {
    const r = new Redactor();
    r.add('abc');
    r.add('abcdef');
    expect(r.scrub('xabcdefx abc')).toBe(`x${REDACTED}x ${REDACTED}`);
    expect(r.scrubDeep({ abcdef: ['abc', 12, { k: 'zabc' }] })).toEqual({
      [REDACTED]: [REDACTED, 12, { k: `z${REDACTED}` }],
    });
    r.add('1234');
    expect(r.scrubDeep({ pin: 1234, other: 5 }, { numbers: true })).toEqual({
      pin: REDACTED,
      other: 5,
    });
    expect(r.scrubDeep({ pin: 1234 })).toEqual({ pin: 1234 });
  });

  it('redactValue echoes the reference way', () => {
    expect(redactValue('Alice Smith')).toBe('Al***');
    expect(redactValue('abcd')).toBe('***');
    expect(redactValue('')).toBe('***');
    expect(redactValue(42)).toBe('');
  });
});
