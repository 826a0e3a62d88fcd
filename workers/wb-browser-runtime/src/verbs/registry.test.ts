import { describe, expect, it } from 'vitest';
import { findVerb, VERBS, verbArgs, verbName } from './registry.ts';
import { globMatch } from './wait-for-drop.ts';

describe('dispatch rules', () => {
  it('names verbs like the reference', () => {
    expect(verbName({ click: '#a', extra: 1 })).toEqual({ name: 'click', raw: '#a' });
    expect(verbName({})).toEqual({ name: 'verb', raw: undefined });
    expect(verbName('wait_for_network_idle')).toEqual({
      name: 'wait_for_network_idle',
      raw: undefined,
    });
    expect(verbName(null)).toEqual({ name: 'null', raw: undefined });
  });

  it('turns bare arguments into the primary key', () => {
    const click = findVerb('click');
    const idle = findVerb('wait_for_network_idle');
    if (!click || !idle) throw new Error('registry incomplete');
    expect(verbArgs(click, '#go')).toEqual({ selector: '#go' });
    expect(verbArgs(idle, 4000)).toEqual({ timeout: 4000 });
    expect(verbArgs(click, { selector: 'x' })).toEqual({ selector: 'x' });
    expect(verbArgs(click, null)).toEqual({});
    expect(verbArgs(click, ['x'])).toEqual({});
  });

  it('registers the 15 reference verbs once each', () => {
    expect(new Set(VERBS.map((v) => v.name)).size).toBe(15);
  });

  it('matches drop file names with * and ?', () => {
    expect(globMatch('invoice-*.pdf', 'invoice-7.pdf')).toBe(true);
    expect(globMatch('invoice-?.pdf', 'invoice-77.pdf')).toBe(false);
    expect(globMatch('a.b', 'aXb')).toBe(false);
    expect(globMatch('*', 'anything at all')).toBe(true);
  });
});
