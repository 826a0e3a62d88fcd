import { describe, expect, it } from 'vitest';
import { Redactor } from './redactor.ts';

describe('Redactor', () => {
  it('replaces every form of a registered secret, in text and in JSON values', () => {
    const r = new Redactor();
    r.add('login', { username: 'ada', password: 'p@ss "word"/1' });
    expect(r.redact('typed p@ss "word"/1 into the form')).toBe(
      'typed [redacted:login] into the form',
    );
    expect(r.redact(JSON.stringify({ pw: 'p@ss "word"/1' }))).toBe('{"pw":"[redacted:login]"}');
    expect(r.redact(`?pw=${encodeURIComponent('p@ss "word"/1')}`)).toBe('?pw=[redacted:login]');
    expect(r.redact(Buffer.from('p@ss "word"/1').toString('base64'))).toBe('[redacted:login]');
    // Short strings (the username "ada") are not secrets worth mangling every log for.
    expect(r.redact('ada signed in')).toBe('ada signed in');
    expect(
      r.redactDeep({ out: ['x p@ss "word"/1'], 'p@ss "word"/1': 1, n: 5, none: null }),
    ).toEqual({ out: ['x [redacted:login]'], '[redacted:login]': 1, n: 5, none: null });
  });

  it('redacts files: text like a log line, other bytes masked in place', () => {
    const r = new Redactor();
    r.add('key', { value: 'secret-value-9' });
    expect(r.redactBytes(Buffer.from('a,secret-value-9\n')).toString()).toBe('a,[redacted:key]\n');
    const binary = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('secret-value-9'),
      Buffer.from([0]),
    ]);
    const masked = r.redactBytes(binary);
    expect(masked.length).toBe(binary.length);
    expect(masked.includes(Buffer.from('secret-value-9'))).toBe(false);
    expect(masked.subarray(2, 16).toString()).toBe('*'.repeat(14));
    const clean = Buffer.from('nothing here');
    expect(r.redactBytes(clean)).toBe(clean);
  });

  it('leaves text alone while nothing is registered', () => {
    const r = new Redactor();
    const value = { a: 'b' };
    expect(r.redactDeep(value)).toBe(value);
    expect(r.redact('anything')).toBe('anything');
  });
});
