import { describe, expect, it } from 'vitest';
import { CAP, CLOSE_CODES, negotiate } from '../src/index.ts';
import { SAMPLES } from './samples.ts';

describe('negotiate', () => {
  it('selects the highest common version and intersects capabilities', () => {
    const hello = { ...SAMPLES.clientHello, minVersion: 1, maxVersion: 4 };
    const result = negotiate(hello, { capabilities: CAP.input | CAP.cursor | CAP.video });
    expect(result).toEqual({ ok: true, version: 1, capabilities: CAP.input | CAP.cursor });
  });

  it('refuses when the version ranges do not overlap', () => {
    const hello = { ...SAMPLES.clientHello, minVersion: 2, maxVersion: 3 };
    const result = negotiate(hello, { capabilities: CAP.input });
    expect(result).toMatchObject({ ok: false, code: CLOSE_CODES.unsupported_version });
  });

  it('grants nothing a viewer offer does not include', () => {
    const result = negotiate(SAMPLES.clientHello, { capabilities: CAP.cursor | CAP.tileCache });
    expect(result).toEqual({ ok: true, version: 1, capabilities: CAP.cursor | CAP.tileCache });
  });
});
