import { describe, expect, it } from 'vitest';
import { parseLine } from './input.ts';
import { createLogger } from './log.ts';

function parse(line: string) {
  const lines: string[] = [];
  const message = parseLine(line, createLogger({ level: 'info', write: (l) => lines.push(l) }));
  return { message, lines };
}

describe('parseLine', () => {
  it('ignores malformed and unknown input with a warning', () => {
    expect(parse('garbage{')).toEqual({
      message: null,
      lines: ['[warn] ignoring non-JSON input: garbage{\n'],
    });
    expect(parse('null').lines).toEqual(['[warn] unknown message type: null\n']);
    expect(parse('42').lines).toEqual(['[warn] unknown message type: number\n']);
    expect(parse('[]').lines).toEqual(['[warn] unknown message type: array\n']);
    expect(parse('{"type":"x"}').lines).toEqual(['[warn] unknown message type: x\n']);
    expect(parse('   ')).toEqual({ message: null, lines: [] });
    expect(parse('x'.repeat(200)).lines[0]).toHaveLength(
      '[warn] ignoring non-JSON input: '.length + 81,
    );
  });

  it('reads the answers to download.fetch, refusing one without an id', () => {
    expect(parse('{"type":"download.file","id":3,"path":"/tmp/a.txt"}').message).toEqual({
      type: 'download.file',
      id: 3,
      path: '/tmp/a.txt',
      error: null,
    });
    expect(parse('{"type":"download.file","id":4,"path":"","error":"gone"}').message).toEqual({
      type: 'download.file',
      id: 4,
      path: null,
      error: 'gone',
    });
    expect(parse('{"type":"download.file","path":"/tmp/a.txt"}')).toEqual({
      message: null,
      lines: ['[warn] ignoring download.file without a numeric id\n'],
    });
  });

  it('normalizes slices', () => {
    expect(
      parse('{"type":"slice","session":null,"verbs":"nope","profile":"","block_index":"3"}')
        .message,
    ).toEqual({
      type: 'slice',
      session: 'default',
      verbs: [],
      profile: null,
      block_index: null,
      restore: null,
    });
    expect(
      parse(
        '{"type":"slice","session":"s","verbs":[{"goto":"x"}],"profile":"p","block_index":2,"restore":{"state":{"verb_index":1},"signal":{"a":1}}}',
      ).message,
    ).toEqual({
      type: 'slice',
      session: 's',
      verbs: [{ goto: 'x' }],
      profile: 'p',
      block_index: 2,
      restore: { state: { verb_index: 1 }, signal: { a: 1 } },
    });
    expect(parse('{"type":"shutdown","extra":1}').message).toEqual({ type: 'shutdown' });
  });
});
