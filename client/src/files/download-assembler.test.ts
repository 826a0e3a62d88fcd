import { describe, expect, it } from 'vitest';
import { AssemblyFailure, DownloadAssembler } from './download-assembler.ts';

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof AssemblyFailure ? err.code : String(err);
  }
};

describe('DownloadAssembler', () => {
  it('assembles chunks in order into a blob of the declared type', async () => {
    const a = new DownloadAssembler();
    a.begin(1, 'a.txt', 11, 'text/plain');
    const buf = new TextEncoder().encode('hello world');
    const view = buf.subarray(0, 6);
    a.chunk(1, 0, view);
    view.fill(0); // the decoder reuses its buffer: the assembler kept a copy
    a.chunk(1, 6, new TextEncoder().encode('world'));
    const { file, blob } = a.end(1);
    expect(file.name).toBe('a.txt');
    expect(blob.type).toBe('text/plain');
    expect(await blob.text()).toBe('hello world');
    expect(a.active).toBe(0);
  });

  it('refuses gaps, overruns, short ends, unknown ids and oversize', () => {
    const a = new DownloadAssembler(100);
    expect(code(() => a.begin(1, 'big', 101, ''))).toBe('too_large');
    a.begin(2, 'x', 4, '');
    expect(code(() => a.chunk(2, 1, new Uint8Array(1)))).toBe('bad_offset');
    expect(a.active).toBe(0); // dropped
    a.begin(3, 'x', 4, '');
    expect(code(() => a.chunk(3, 0, new Uint8Array(5)))).toBe('too_many_bytes');
    a.begin(4, 'x', 4, '');
    a.chunk(4, 0, new Uint8Array(2));
    expect(code(() => a.end(4))).toBe('short');
    expect(code(() => a.chunk(9, 0, new Uint8Array(1)))).toBe('unknown_file');
    expect(code(() => a.end(9))).toBe('unknown_file');
  });

  it('drops aborted downloads', () => {
    const a = new DownloadAssembler();
    a.begin(1, 'x', 4, '');
    expect(a.drop(1)?.name).toBe('x');
    expect(a.drop(1)).toBeUndefined();
  });
});
